"""How well calibrated the session-quality estimate is on short chats: windows of held-out AnnoMI sessions.

    python benchmarks/quality_calibration.py [--oof /tmp/oof_first.npz] [--session none|whole] [--data-dir DIR]

Takes held-out codes of every utterance (the out-of-fold probabilities of a transcript-grouped
cross-validation of the coder, computed here unless `--oof` names a cache of them), then
nests a second transcript-grouped split of AnnoMI's labelled sessions around
`train.fit_session_quality` (which fits the quality model and its length calibration on its
own inner folds): each outer fold's model scores windows of 4, 6, 10, 20 and 40 utterances, and whole
sessions, of transcripts it never saw. Per length it prints Brier scores (raw model, length-
calibrated, base rate), AUC, a reliability table and how many windows are withheld as too short;
then the calibration fitted on all sessions (what `mi-coder train` would store).

Measured 2026-11-30 (`python benchmarks/quality_calibration.py --oof /tmp/oof_first.npz`, the cache
holding `evaluate.cross_validate(read_corpora(), MICoder(session=None), n_splits=5)`: first-stage
held-out codes, as the shipped model's second stage was too slow to cross-validate on the shared
machine; "raw": the logistic with the 3-SD clip, not tempered; "cal": clipped and tempered, as
summaries now report it; Brier over the estimates shown; "withheld": below the outer fold's
`min_counsellor`, which came out 3 on all sessions but higher in some outer folds (12-13 poor
sessions each). Without the clip, the model before this change scored Brier 0.120, 0.088, 0.064,
0.048, 0.039 and 0.063 at 4, 6, 10, 20, 40 utterances and whole sessions):

    111 labelled AnnoMI sessions (96 good), 5 outer transcript-grouped folds; session lengths 6-598 utterances; base rate 0.865
      window     n  withheld  Brier raw  Brier cal  Brier base    AUC  mean p raw  mean p cal  % good
           4  2104       59%      0.094      0.067       0.071  0.707       0.867       0.894   93.6%
           6  1385       42%      0.078      0.060       0.067  0.741       0.881       0.897   93.5%
          10   811       22%      0.059      0.053       0.066  0.783       0.902       0.903   93.7%
          20   375       22%      0.047      0.045       0.063  0.813       0.920       0.913   94.1%
          40   160        0%      0.039      0.039       0.050  0.756       0.952       0.945   95.6%
       whole   111       10%      0.060      0.065       0.113  0.933       0.871       0.889   86.5%

    held-out windows of 4-40 utterances by counsellor utterances in them: n, poor, AUC raw, Brier raw/cal/base
       1-2 : 2094 windows, 131 poor, AUC 0.705, Brier 0.084 / 0.067 / 0.064 (41% shown)
       3-3 : 1380 windows,  90 poor, AUC 0.736, Brier 0.076 / 0.060 / 0.066 (58% shown)
       4-4 :   20 windows,   4 poor, AUC 0.953, Brier 0.077 / 0.008 / 0.164 (65% shown)
       5-6 :  805 windows,  50 poor, AUC 0.778, Brier 0.058 / 0.053 / 0.064 (78% shown)
       7-9 :    5 windows,   1 poor, AUC 1.000, Brier 0.008 / 0.060 / 0.164 (100% shown)
      10-14:  371 windows,  22 poor, AUC 0.812, Brier 0.047 / 0.045 / 0.062 (78% shown)
      15-19:    4 windows,   0 poor, AUC nan, Brier 0.000 / 0.001 / 0.018 (100% shown)
      20-29:  156 windows,   7 poor, AUC 0.752, Brier 0.040 / 0.040 / 0.051 (100% shown)

    reliability of held-out windows of 4-40 utterances (shown estimates): predicted bin, n, mean p, % good
      raw: (-0.001, 0.5]: 179, 0.29, 68%; (0.5, 0.7]: 135, 0.61, 90%; (0.7, 0.8]: 152, 0.76, 93%; (0.8, 0.9]: 242, 0.86, 94%; (0.9, 0.95]: 353, 0.93, 95%; (0.95, 0.99]: 894, 0.97, 95%; (0.99, 1.0]: 792, 1.00, 97%
      calibrated: (-0.001, 0.5]: 18, 0.42, 33%; (0.5, 0.7]: 75, 0.63, 64%; (0.7, 0.8]: 185, 0.76, 84%; (0.8, 0.9]: 651, 0.86, 94%; (0.9, 0.95]: 903, 0.93, 94%; (0.95, 0.99]: 885, 0.97, 97%; (0.99, 1.0]: 30, 0.99, 100%

    fitted on all labelled sessions (what training stores): {"base": 0.8648648648648649, "k": 5.81460502463491, "min_counsellor": 3, "auc_by_counsellor_utterances": {"2": 0.698, "3": 0.733, "5": 0.77, "10": 0.781}, "brier_skill_by_counsellor_utterances": {"2": 0.086, "3": 0.105, "5": 0.159, "10": 0.21}} quality AUC 0.931
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold

from mi_coder.codes import CLIENT_CODES, COUNSELLOR_CODES, side_codes
from mi_coder.training import read_corpora
from mi_coder.summary._quality import WINDOWS, probability, quality_columns, shares, window_counts
from mi_coder.training import fit_session_quality

CODES = list(COUNSELLOR_CODES + CLIENT_CODES)


def held_out_codes(args, frame):
    if args.oof and Path(args.oof).is_file():
        cached = np.load(args.oof)
        return {side: cached[side] for side in cached.files}
    from mi_coder import MICoder
    from mi_coder.training import cross_validate

    proba = cross_validate(frame, MICoder(session=None if args.session == "none" else args.session), n_splits=5)
    if args.oof:
        np.savez_compressed(args.oof, **proba)
    return proba


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oof", help="cache of out-of-fold probabilities (.npz: counsellor, client)")
    parser.add_argument("--session", default="none", help="coder recipe when the cache is absent (none: first stage)")
    parser.add_argument("--data-dir")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()

    frame = read_corpora(args.data_dir)
    proba = held_out_codes(args, frame)
    predicted = side_codes(proba, frame["side"].to_numpy())
    labelled = frame[frame["mi_quality"].isin(["high", "low"])]
    labelled = labelled[labelled["conversation"] == labelled.groupby("group")["conversation"].transform("first")]
    per = labelled.groupby("conversation")[["mi_quality", "group"]].first()
    good = per["mi_quality"].eq("high")
    sequences = pd.Series(predicted[labelled.index], index=labelled.index).groupby(labelled["conversation"]).agg(list)
    whole = {k: len(v) for k, v in sequences.items()}
    test = window_counts(sequences.to_dict(), WINDOWS)
    full = pd.DataFrame([{"transcript": k, "length": "whole", **pd.Series(v).value_counts().reindex(CODES, fill_value=0)}
                         for k, v in sequences.items()])
    test = pd.concat([test, full], ignore_index=True)
    test["good"] = test["transcript"].map(good).to_numpy()
    test[["raw", "calibrated"]] = np.nan
    outer = StratifiedGroupKFold(args.folds, shuffle=True, random_state=1)
    for train_idx, test_idx in outer.split(per, good, per["group"]):
        keep = per.index[train_idx]
        rows = frame.index.isin(labelled.index[labelled["conversation"].isin(keep)])
        model = fit_session_quality(frame[rows].reset_index(drop=True), {s: p[rows] for s, p in proba.items()})
        mine = test["transcript"].isin(per.index[test_idx]).to_numpy()
        counts = test.loc[mine, CODES].set_axis(test.index[mine].astype(str))
        test.loc[mine, "raw"] = probability(shares(counts.to_numpy()), model)
        test.loc[mine, "calibrated"] = quality_columns(counts, model, n_draws=10)["mi_quality_probability"].to_numpy()

    base = good.mean()
    print(f"{len(per)} labelled AnnoMI sessions ({int(good.sum())} good), {args.folds} outer transcript-grouped folds; "
          f"session lengths {min(whole.values())}-{max(whole.values())} utterances; base rate {base:.3f}")
    print(f"{'window':>8} {'n':>5} {'withheld':>9} {'Brier raw':>10} {'Brier cal':>10} {'Brier base':>11} "
          f"{'AUC':>6} {'mean p raw':>11} {'mean p cal':>11} {'% good':>7}")
    results = {}
    for length, rows in test.groupby("length", sort=False):
        y = rows["good"].to_numpy(bool)
        shown = rows["calibrated"].notna().to_numpy()
        brier = lambda p: float(np.mean((p - y[shown]) ** 2)) if shown.any() else float("nan")  # noqa: E731
        r = {"windows": len(rows), "withheld": float(1 - shown.mean()),
             "brier_raw": brier(rows["raw"].to_numpy()[shown]), "brier_calibrated": brier(rows["calibrated"].to_numpy()[shown]),
             "brier_base_rate": brier(np.full(shown.sum(), base)),
             "brier_raw_all": float(np.mean((rows["raw"].to_numpy() - y) ** 2)),
             "auc": float(roc_auc_score(y, rows["raw"])) if 0 < y.sum() < len(y) else float("nan"),
             "mean_raw": float(rows["raw"].mean()), "mean_calibrated": float(rows["calibrated"].mean()),
             "good": float(y.mean())}
        results[str(length)] = r
        print(f"{length!s:>8} {r['windows']:>5} {r['withheld']:>9.0%} {r['brier_raw']:>10.3f} {r['brier_calibrated']:>10.3f} "
              f"{r['brier_base_rate']:>11.3f} {r['auc']:>6.3f} {r['mean_raw']:>11.3f} {r['mean_calibrated']:>11.3f} "
              f"{r['good']:>7.1%}")
    print("\nheld-out windows of 4-40 utterances by counsellor utterances in them: n, poor, AUC raw, Brier raw/cal/base")
    short = test[test["length"] != "whole"]
    counsellor = short[list(COUNSELLOR_CODES)].sum(axis=1)
    for lo, hi in ((1, 3), (3, 4), (4, 5), (5, 7), (7, 10), (10, 15), (15, 20), (20, 30), (30, 99)):
        rows = short[(counsellor >= lo) & (counsellor < hi)]
        y = rows["good"].to_numpy(bool)
        if not len(rows):
            continue
        auc = roc_auc_score(y, rows["raw"]) if 0 < y.sum() < len(y) else float("nan")
        cal = rows["calibrated"].notna().to_numpy()
        print(f"  {lo:>2}-{hi - 1:<2}: {len(rows):>4} windows, {int((~y).sum()):>3} poor, AUC {auc:.3f}, Brier "
              f"{np.mean((rows['raw'] - y) ** 2):.3f} / "
              f"{np.mean((rows['calibrated'][cal] - y[cal]) ** 2) if cal.any() else float('nan'):.3f} / "
              f"{np.mean((base - y) ** 2):.3f} ({cal.mean():.0%} shown)")
    print("\nreliability of held-out windows of 4-40 utterances (shown estimates): predicted bin, n, mean p, % good")
    short = test[test["length"] != "whole"]
    for column in ("raw", "calibrated"):
        rows = short[short["calibrated"].notna()]
        bins = pd.cut(rows[column], [0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0], include_lowest=True)
        table = rows.groupby(bins, observed=True).agg(n=("good", "size"), p=(column, "mean"), good=("good", "mean"))
        print(f"  {column}: " + "; ".join(f"{b}: {int(t.n)}, {t.p:.2f}, {t.good:.0%}" for b, t in table.iterrows()))
    model = fit_session_quality(frame, proba)
    print("\nfitted on all labelled sessions (what training stores):", json.dumps(model["length"]),
          f"quality AUC {model['evaluation']['auc']:.3f}")


if __name__ == "__main__":
    main()
