"""How well the model's per-transcript summaries agree with the experts', on held-out AnnoMI transcripts.

    python benchmarks/summary_agreement.py [--folds 5] [--data-dir ../shared/data]

Cross-validates the training recipe by transcript (AnnoMI + ESConv), codes each held-out AnnoMI
transcript with the model of the fold that did not see it, and compares the model's summaries
with the experts' across transcripts: Spearman, ICC(2,1), MAE; the AUC of reflection_to_question
for AnnoMI's high- vs low-quality MI demonstrations (experts' codes vs the model's); and how often
the 90% intervals (from confusions estimated on the other folds only) hold the experts' value.
"""

from __future__ import annotations

import argparse
import json

import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold

from mi_coder.codes import ALL_CODES, side_codes
from mi_coder.training import read_corpora
from mi_coder.training._evaluate import cross_validate, held_out_confusion, once_per_utterance, score
from mi_coder.summary import SCORES
from mi_coder.summary import summarize
from mi_coder.summary import agreement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--data-dir")
    args = parser.parse_args()

    frame = read_corpora(args.data_dir)
    proba = cross_validate(frame, n_splits=args.folds)
    predicted = side_codes(proba, frame["side"].to_numpy())
    frame = frame.assign(mi_code=predicted, expert=frame["code"].where(frame["code"].isin(
        ALL_CODES), ""))
    annomi = frame[(frame["corpus"] == "annomi") & once_per_utterance(frame)].rename(
        columns={"conversation": "transcript_id"})

    expert = summarize(annomi, "transcript_id", "expert", confusion=None)
    model_plain = summarize(annomi, "transcript_id", "mi_code", confusion=None)
    print(f"{len(expert)} held-out AnnoMI transcripts, {args.folds}-fold grouped cross-validation")
    print(agreement(expert, model_plain, "transcript_id").to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    # Intervals for each fold's transcripts use confusions counted on the other folds' held-out rows.
    folds = GroupKFold(n_splits=args.folds, shuffle=True, random_state=0)
    groups = frame["group"].to_numpy()
    with_intervals = []
    for _, test_idx in folds.split(frame, groups=groups):
        held = set(groups[test_idx])
        others = frame[~frame["group"].isin(held)]
        others_proba = {s: p[~frame["group"].isin(held).to_numpy()] for s, p in proba.items()}
        others = others.reset_index(drop=True)
        confusion = held_out_confusion(score(others, others_proba), others, others_proba)
        part = annomi[annomi["group"].isin(held)]
        if len(part):
            with_intervals.append(summarize(part, "transcript_id", "mi_code", confusion=confusion))
    model = pd.concat(with_intervals, ignore_index=True)
    both = expert.merge(model, on="transcript_id", suffixes=("_expert", ""))
    print("\n90% interval coverage of the experts' value, and expected-value agreement:")
    print(agreement(expert, model[["transcript_id"] + [f"{n}_expected" for n in SCORES]].rename(
        columns={f"{n}_expected": n for n in SCORES}), "transcript_id").to_string(
        index=False, float_format=lambda v: f"{v:.3f}"))
    for name in SCORES:
        e = both[f"{name}_expert"]
        ok = e.notna() & both[f"{name}_low"].notna()
        inside = (both.loc[ok, f"{name}_low"] <= e[ok] + 1e-9) & (e[ok] <= both.loc[ok, f"{name}_high"] + 1e-9)
        print(f"  {name}: {inside.mean():.3f} of {int(ok.sum())} transcripts")

    quality = annomi.groupby("transcript_id")["mi_quality"].first()
    for label, table in (("the experts'", expert), ("the model's", model_plain)):
        t = table.set_index("transcript_id").join(quality)
        t = t[t["reflection_to_question"].notna()]
        auc = roc_auc_score(t["mi_quality"].eq("high"), t["reflection_to_question"])
        print(f"AUC of reflection_to_question for high vs low MI quality, {label} codes: {auc:.3f}")
    from mi_coder.training import fit_session_quality
    quality = fit_session_quality(frame, proba)["evaluation"]
    print(f"AUC of mi_quality_probability for high vs low MI quality (held-out codes, {quality['folds']}-fold "
          f"transcript-grouped CV of the quality model, {quality['transcripts']} transcripts): {quality['auc']:.3f}")
    print(json.dumps({"note": "development scores on the available AnnoMI transcripts"}))


if __name__ == "__main__":
    main()
