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

Measured 2026-12-07 on the shipped fast tier's held-out codes (`mi-coder train --held-out held_out.npz`,
then `python benchmarks/quality_calibration.py --oof held_out.npz [--view unpunctuated]`), the MITI
evidence model, 98 labelled sessions (83 good), at even odds as summaries report it:

    whole sessions: AUC 0.867, estimate given for 91%, balanced accuracy at 50% 0.807, mean P(good) 0.670 on
    good and 0.376 on poor sessions; windows of 20 and 40 utterances AUC 0.689 and 0.582
    unpunctuated codes: AUC 0.912, 91%, balanced accuracy 0.832, mean P(good) 0.706 / 0.393; windows 0.793, 0.834

(Brier scores against AnnoMI's 85% base rate are worse than the base rate's at even odds by design.)
The code-share model before it (2026-11-30, first-stage codes): whole sessions AUC 0.933, windows of 20
utterances 0.813.
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
from mi_coder.training._corpora import SHIPPED_CORPORA
from mi_coder.training._evaluate import load_held_out, save_held_out, view
from mi_coder.summary._quality import COUNTS, WINDOWS, probability, quality_columns, window_counts
from mi_coder.summary._sequence import REFLECTED, answered
from mi_coder.training import fit_session_quality

CODES = list(COUNSELLOR_CODES + CLIENT_CODES)


def held_out_codes(args, frame):
    """{side: probabilities} of the texts as they are, and {side/view: ...} of any other view the cache holds."""
    if args.oof and Path(args.oof).is_file():
        return load_held_out(args.oof)  # `mi-coder train --held-out` writes one, with its views
    from mi_coder import MICoder
    from mi_coder.training import cross_validate

    proba = cross_validate(frame, MICoder(session=None if args.session == "none" else args.session), n_splits=5)
    if args.oof:
        save_held_out(args.oof, proba)
    return proba


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oof", help="cache of out-of-fold probabilities (.npz: counsellor, client; "
                                      "`mi-coder train --held-out` writes one)")
    parser.add_argument("--session", default="none", help="coder recipe when the cache is absent (none: first stage)")
    parser.add_argument("--data-dir")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--corpora", default=",".join(SHIPPED_CORPORA), help="the corpora the cache was coded on")
    parser.add_argument("--view", default=None, help="score the sessions as coded in this view of the cache "
                                                     "(unpunctuated); the models still learn from the texts as they are")
    args = parser.parse_args()

    frame = read_corpora(args.data_dir, tuple(args.corpora.split(",")))
    proba = held_out_codes(args, frame)
    fit_on, scored = view(proba), view(proba, args.view)
    predicted = side_codes(scored, frame["side"].to_numpy())
    labelled = frame[frame["mi_quality"].isin(["high", "low"])]
    labelled = labelled[labelled["conversation"] == labelled.groupby("group")["conversation"].transform("first")]
    per = labelled.groupby("conversation")[["mi_quality", "group"]].first()
    good = per["mi_quality"].eq("high")
    sequences = pd.Series(predicted[labelled.index], index=labelled.index).groupby(labelled["conversation"]).agg(list)
    whole = {k: len(v) for k, v in sequences.items()}
    test = window_counts(sequences.to_dict(), WINDOWS)
    full = pd.DataFrame([{"transcript": k, "length": "whole",
                          **pd.Series(v).value_counts().reindex(CODES, fill_value=0),
                          REFLECTED: int(answered([c for c in v if c]).sum())}
                         for k, v in sequences.items()])
    test = pd.concat([test, full], ignore_index=True)
    test["good"] = test["transcript"].map(good).to_numpy()
    test[["raw", "calibrated"]] = np.nan
    outer = StratifiedGroupKFold(args.folds, shuffle=True, random_state=1)
    for train_idx, test_idx in outer.split(per, good, per["group"]):
        keep = per.index[train_idx]
        rows = frame.index.isin(labelled.index[labelled["conversation"].isin(keep)])
        model = fit_session_quality(frame[rows].reset_index(drop=True), {s: p[rows] for s, p in fit_on.items()})
        mine = test["transcript"].isin(per.index[test_idx]).to_numpy()
        counts = test.loc[mine, list(COUNTS)].set_axis(test.index[mine].astype(str))
        test.loc[mine, "raw"] = probability(counts.to_numpy(), model)
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
    whole = test[test["length"] == "whole"]
    shown = whole[whole["calibrated"].notna()]
    y = shown["good"].to_numpy(bool)
    said_good = shown["calibrated"].to_numpy() >= 0.5
    print(f"\nwhole sessions at even odds (as summaries report): estimate given for {len(shown) / len(whole):.0%}; "
          f"balanced accuracy at 50% {(np.mean(said_good[y]) + np.mean(~said_good[~y])) / 2:.3f}; "
          f"mean P(good) {shown['calibrated'][y].mean():.3f} on good, {shown['calibrated'][~y].mean():.3f} on poor")
    model = fit_session_quality(frame, fit_on)
    print("\nfitted on all labelled sessions (what training stores):", json.dumps(model["length"]),
          f"quality AUC {model['evaluation']['auc']:.3f}")


if __name__ == "__main__":
    main()
