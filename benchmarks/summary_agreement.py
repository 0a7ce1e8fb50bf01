"""How well the model's per-transcript summaries agree with the experts', on held-out AnnoMI transcripts.

    python benchmarks/summary_agreement.py [--folds 5] [--data-dir ../shared/data]
    python benchmarks/summary_agreement.py --oof HELD_OUT.npz [--view unpunctuated]
    python benchmarks/summary_agreement.py --oof FAST_FOLD.npz --encoder ENCODER_FOLD.npz [--view unpunctuated]

With `--oof`, the held-out probabilities come from a cache (`mi-coder train --held-out` writes the
fast tier's, texts as they are and unpunctuated); with `--encoder` too, from the accurate tier's mix of
that fast-tier cache and the encoder's on the fold both hold out (`mi-coder train --tier accurate`
leaves both in models/accurate-work); `--view unpunctuated` scores the sessions as coded without
punctuation and case.

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

import numpy as np

from mi_coder.codes import ALL_CODES, side_codes
from mi_coder.training import read_corpora
from mi_coder.training._accurate import MIX_WEIGHT, tier_proba
from mi_coder.training._corpora import SHIPPED_CORPORA
from mi_coder.training._evaluate import (cross_validate, held_out_confusion, load_held_out, once_per_utterance, score,
                                        view)
from mi_coder.summary import SCORES
from mi_coder.summary import summarize
from mi_coder.summary import agreement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--data-dir")
    parser.add_argument("--corpora", default=",".join(SHIPPED_CORPORA), help="the corpora the caches were coded on")
    parser.add_argument("--oof", help="held-out probabilities (.npz) instead of cross-validating here")
    parser.add_argument("--encoder", help="the accurate tier's encoder probabilities of one held-out fold (.npz)")
    parser.add_argument("--view", help="score the codes of this view of the caches (unpunctuated)")
    args = parser.parse_args()

    frame = read_corpora(args.data_dir, tuple(args.corpora.split(",")))
    if args.oof:
        held_out = load_held_out(args.oof)
        proba = (tier_proba(held_out, load_held_out(args.encoder), MIX_WEIGHT, frame, args.view) if args.encoder
                 else view(held_out, args.view))
    else:
        proba = cross_validate(frame, n_splits=args.folds)
    held = ~np.isnan(proba["counsellor"]).all(axis=1) | ~np.isnan(proba["client"]).all(axis=1)
    frame, proba = frame[held].reset_index(drop=True), {side: p[held] for side, p in proba.items()}
    print("false reflections (the counsellor's non-reflections coded as reflections), AnnoMI low / high quality: "
          + " / ".join(f"{score(frame, proba).get(f'annomi_{q}_quality_false_reflection_share', float('nan')):.3f}"
                       for q in ("low", "high")))
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
