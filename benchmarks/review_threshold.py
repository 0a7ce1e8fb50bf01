"""Which codes a report should mark for review: the confidence below which held-out codes were more often wrong.

    python benchmarks/review_threshold.py [--oof /tmp/oof_first.npz] [--data-dir DIR]

From out-of-fold probabilities of a transcript-grouped cross-validation (computed with the first
stage unless `--oof` names a cache), `evaluate.review_thresholds` per side, plus accuracy by
confidence band so the threshold can be read against the evidence.

Measured 2026-11-30 (`python benchmarks/review_threshold.py --oof /tmp/oof_first.npz`, first-stage
held-out codes of AnnoMI + ESConv, 5 transcript-grouped folds):

    counsellor, 14496 utterances, accuracy by confidence: <=0.3 29%; 0.3-0.4 37%; 0.4-0.5 45%; 0.5-0.6 52%;
        0.6-0.7 60%; 0.7-0.8 69%; 0.8-0.9 79%; 0.9-1 94%
    client, 4266 utterances: 0.3-0.4 36%; 0.4-0.5 46%; 0.5-0.6 55%; 0.6-0.7 68%; 0.7-0.8 77%; 0.8-0.9 86%; 0.9-1 94%
    right < 1/3 (shipped rule): counsellor below 0.309 (7.7% of codes, right 30% there, 57% above),
                                client below 0.377 (3.0%, right 32%, 60% above)
    right < 1/2:                counsellor below 0.542 (50% of codes), client below 0.515 (39%)

The coder is about as often right as its confidence says, so "more likely wrong than right" would
mark half of all counsellor codes; the report marks the codes that are probably wrong instead.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from mi_coder.codes import CODES
from mi_coder.training import read_corpora
from mi_coder.training._evaluate import review_thresholds, scored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oof", help="cache of out-of-fold probabilities (.npz: counsellor, client)")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    frame = read_corpora(args.data_dir)
    if args.oof and Path(args.oof).is_file():
        cached = np.load(args.oof)
        proba = {side: cached[side] for side in cached.files}
    else:
        from mi_coder import MICoder
        from mi_coder.training import cross_validate
        proba = cross_validate(frame, MICoder(session=None), n_splits=5)
    out = {"1/3 (shipped rule)": review_thresholds(frame, proba),
           "1/2 (more likely wrong than right)": review_thresholds(frame, proba, accuracy=0.5)}
    truth = frame["code"].to_numpy().astype(object)
    for side, codes in CODES.items():
        rows, predicted = scored(frame, proba, side)
        rows &= np.isin(truth, codes)
        confidence = np.nanmax(proba[side][rows], axis=1)
        right = predicted[rows] == truth[rows]
        bands = pd.cut(confidence, [0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
        table = pd.DataFrame({"band": bands, "right": right}).groupby("band", observed=True)["right"].agg(["size", "mean"])
        print(f"{side}: {rows.sum()} held-out utterances; accuracy by confidence: " +
              "; ".join(f"{b}: {int(t['size'])}, {t['mean']:.0%}" for b, t in table.iterrows()))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
