"""Both tiers over all five grouped folds, pooled: the cross-validated comparison that picks the default tier.

    python benchmarks/tier_cv.py RUN_0 RUN_1 RUN_2 RUN_3 RUN_4 [--against OLD_0 ... OLD_4] [--json OUT.json]

RUN_k holds fold k's held-out probabilities of both tiers (NaN outside fold k), from the per-fold commands:

- the fast tier, fast_fold<k>.npz: `python benchmarks/tier_comparison.py --fast RUN_k/fast_fold<k>.npz --fold k`
  (the shipped fast recipe fitted on the other four folds);
- the encoder, heldout_int8.npz (and heldout_fp32.npz where the fp32 file was scored too):
  `python benchmarks/train_encoder.py --holdout-fold k --out RUN_k --epochs 2 --max-length 48 --lr 1e-4
  --subsample esconv=6000 reddit_advice=3000 mibot=4000 --corpora annomi esconv welivita mibot reddit_advice
  [--int8-only]`, the shipped accurate recipe (the first one had `--epochs 1`, the second the default
  `--lr 5e-5`). For fold 0, `mi-coder train --tier accurate`
  leaves both in its -work folder (fast_fold0.npz, encoder_fold0_<hash>.npz), which serves as RUN_0.

Every row of every corpus is then held out exactly once. The table scores, per domain: the fast tier,
the encoder alone, their 50/50 log-linear mix, `mix_inner` (each side's mix weight chosen on the other
four folds' held-out rows, the one with that side's best macro-F1, and applied to the fifth: the shipped
tier's weights are this choice made on all five folds, `accurate_train.MIX_WEIGHT`) and a stacker
(multinomial logistic regression over both tiers' log-probabilities, fitted on four folds' held-out
rows and scored on the fifth); with R:Q and % open questions Spearman against the experts over all
AnnoMI transcripts and R:Q's high/low-quality AUC; then int8 against fp32, mixed as shipped, on the
folds where both were scored. `--against` names another recipe's five runs (say, the previous one):
its encoder and 50/50 mix join the table, with the paired bootstrap of the two recipes' session scores.

    python benchmarks/tier_cv.py RUN_0 ... RUN_4 --against OLD_0 ... OLD_4 --folds 0 1

scores only the named folds' rows, for a recipe stopped early or still training (a RUN_k that does not
exist yet is fine): both encoders alone and each mixed with the fast tier at the shipped weights
(`MIX_WEIGHT`); the fast tier's files come from RUN_k, else from OLD_k.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from mi_coder.codes import CODES
from mi_coder.coding import mix
from mi_coder.training import CORPORA, corpus_weights, read_corpora
from mi_coder.training import fold_assignment, headline, score
from mi_coder.training._accurate import MIX_WEIGHT
from tier_comparison import annomi_summaries, session_scores

SIDES = ("counsellor", "client")
INT8 = "heldout_int8.npz"
WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
SIDE_SCORE = {"counsellor": "counsellor_codes", "client": "client_3"}  # what each side's inner weight maximizes


def pooled(runs: list[Path], name: str, n: int) -> dict:
    """One {side: (n, k)} array from the five folds' files `name` (fold k's rows from RUN_k; NaN where a
    fold lacks the file)."""
    out = {side: np.full((n, len(CODES[side])), np.nan) for side in SIDES}
    for k, run in enumerate(runs):
        path = run / name.format(k=k)
        if not path.is_file():  # `mi-coder train --tier accurate`'s caches of its held-out fold
            stem = "encoder_fold{k}_*.npz" if name == INT8 else "fast_fold{k}_*.npz"
            path = next(iter(sorted(run.glob(stem.format(k=k)))), path)
        if not path.is_file():
            continue
        part = np.load(path)
        for side in SIDES:  # the texts as they are (an "<side>__<view>" key holds another view)
            p = part[side]
            held = ~np.isnan(p).any(axis=1)
            out[side][held] = p[held]
    return out


def stacked(frame: pd.DataFrame, fold: np.ndarray, fast: dict, encoder: dict) -> dict:
    """Leave-one-fold-out stacker: per side, logistic regression on both tiers' log-probabilities,
    fitted on exactly-coded held-out rows of four folds (corpus-weighted), applied to the fifth."""
    weights = corpus_weights(frame)
    out = {side: np.full_like(p, np.nan) for side, p in fast.items()}
    for side in SIDES:
        codes = list(CODES[side])
        features = np.hstack([np.log(np.clip(fast[side], 1e-9, 1)), np.log(np.clip(encoder[side], 1e-9, 1))])
        ok = ~np.isnan(features).any(axis=1)
        exact = frame["code"].isin(codes).to_numpy() & ok
        target = frame["code"].to_numpy(dtype=object)
        for k in np.unique(fold):
            fit = exact & (fold != k)
            model = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
            model.fit(features[fit], target[fit], sample_weight=weights[fit])
            rows = ok & (fold == k)
            proba = model.predict_proba(features[rows])
            out[side][np.flatnonzero(rows)[:, None], [codes.index(c) for c in model.classes_]] = proba
    return out


def inner_weight(frame: pd.DataFrame, fold: np.ndarray, fast: dict, encoder: dict) -> tuple[dict, dict]:
    """Mix with per-side weights chosen on inner folds: for each fold k, each side's weight in WEIGHTS with the
    best macro-F1 (SIDE_SCORE) on the other folds' held-out rows, applied to fold k. Returns the mixed
    probabilities and {fold: {side: weight}}."""
    out = {side: np.full_like(p, np.nan) for side, p in fast.items()}
    chosen = {}
    for k in np.unique(fold):
        inner = (fold != k)[:, None]
        results = {w: score(frame, {side: np.where(inner, p, np.nan) for side, p in mix(fast, encoder, w).items()})
                   for w in WEIGHTS}
        chosen[int(k)] = {side: max(WEIGHTS, key=lambda w: results[w][SIDE_SCORE[side]]["macro_f1"]) for side in SIDES}
        for side in SIDES:
            rows = fold == k
            out[side][rows] = mix(fast, encoder, chosen[int(k)][side])[side][rows]
    return out, chosen


def session_difference(frame: pd.DataFrame, a: dict, b: dict, draws: int = 2000) -> dict:
    """Paired bootstrap over AnnoMI transcripts of Spearman(b) - Spearman(a) with the experts, per score:
    the observed difference and its 90% interval."""
    from scipy.stats import spearmanr

    _, tables = annomi_summaries(frame, {"a": a, "b": b}, np.ones(len(frame), bool))
    tables = {name: table.set_index("transcript") for name, table in tables.items()}
    rng = np.random.default_rng(0)
    out = {}
    for score_name in ("reflection_to_question", "pct_open_questions"):
        both = pd.concat({k: t[score_name] for k, t in tables.items()}, axis=1).dropna()
        rho = lambda d, k: spearmanr(d["expert"], d[k]).statistic  # noqa: E731
        diffs = []
        for _ in range(draws):
            d = both.iloc[rng.integers(0, len(both), len(both))]
            diffs.append(rho(d, "b") - rho(d, "a"))
        out[score_name] = {"transcripts": len(both), "difference": float(rho(both, "b") - rho(both, "a")),
                           "low": float(np.nanpercentile(diffs, 5)), "high": float(np.nanpercentile(diffs, 95))}
    return out


def restrict(proba: dict, rows: np.ndarray) -> dict:
    """Probabilities NaN outside `rows`."""
    return {side: np.where(rows[:, None], p, np.nan) for side, p in proba.items()}


def finished_folds(frame: pd.DataFrame, fold: np.ndarray, folds: list[int], runs: list[Path],
                   against: list[Path]) -> None:
    """`--folds`: the recipe against the --against one on some folds' rows only, mixed at the shipped weights."""
    rows = np.isin(fold, folds)
    fast = pooled(runs, "fast_fold{k}.npz", len(frame))
    old_fast = pooled(against, "fast_fold{k}.npz", len(frame))
    fast = restrict({side: np.where(np.isnan(p), old_fast[side], p) for side, p in fast.items()}, rows)
    new, old = (restrict(pooled(r, INT8, len(frame)), rows) for r in (runs, against))
    candidates = {"old_encoder": old, "encoder": new,
                  "old_mix": mix(fast, old, MIX_WEIGHT), "mix": mix(fast, new, MIX_WEIGHT)}
    table = pd.DataFrame({name: {**headline(score(frame, proba)), **session_scores(frame, proba, rows)}
                          for name, proba in candidates.items()})
    table["mix-old_mix"] = table["mix"] - table["old_mix"]
    print(f"folds {folds} only; old_* = the --against recipe; mixes at the shipped weights {MIX_WEIGHT}")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs=5, help="fold 0..4 run folders")
    parser.add_argument("--against", type=Path, nargs=5, metavar="OLD", help="another recipe's fold 0..4 runs")
    parser.add_argument("--folds", type=int, nargs="+", help="score only these folds' rows (needs --against)")
    parser.add_argument("--data-dir")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    frame = read_corpora(args.data_dir, CORPORA)
    fold = fold_assignment(frame, 5, 0)
    if args.folds:
        if not args.against:
            parser.error("--folds compares two recipes: name the other one's runs with --against")
        return finished_folds(frame, fold, args.folds, args.runs, args.against)
    fast = pooled(args.runs, "fast_fold{k}.npz", len(frame))
    int8 = pooled(args.runs, INT8, len(frame))
    candidates = {"fast": fast, "encoder": int8, "mix_0.5": mix(fast, int8, 0.5)}
    candidates["mix_inner"], chosen = inner_weight(frame, fold, fast, int8)
    candidates["stacked"] = stacked(frame, fold, fast, int8)
    if args.against:
        old = pooled(args.against, INT8, len(frame))
        candidates.update({"old_encoder": old, "old_mix_0.5": mix(fast, old, 0.5)})
    everything = np.ones(len(frame), bool)
    table = {name: {**headline(score(frame, proba)), **session_scores(frame, proba, everything)}
             for name, proba in candidates.items()}
    print("5 grouped folds pooled (every row held out once); fast = linear tier, encoder = MiniLM int8 alone, "
          "mix_0.5 = both 50/50, mix_inner = per-side weights chosen on inner folds (the shipped accurate tier's "
          "way), stacked = leave-one-fold-out logistic stacker" + (", old_* = the --against recipe" if args.against
                                                                   else ""))
    print(pd.DataFrame(table).to_string(float_format=lambda v: f"{v:.3f}"))
    pairs = [("fast", "mix_inner")] + ([("old_mix_0.5", "mix_0.5")] if args.against else [])
    for a, b in pairs:
        table[f"session_{b}_minus_{a}"] = difference = session_difference(frame, candidates[a], candidates[b])
        print(f"\nSpearman with the experts, {b} - {a}, paired bootstrap over AnnoMI transcripts (90% interval):")
        for name, d in difference.items():
            print(f"  {name}: {d['difference']:+.3f} ({d['low']:+.3f} to {d['high']:+.3f}; "
                  f"{d['transcripts']} transcripts)")
    table["inner_weights"] = chosen
    print("\nmix_inner's weights (encoder share) per held-out fold:", chosen)
    # int8 against fp32 on the folds whose fp32 encoder was scored too (`--int8-only` skips it)
    fp32 = pooled(args.runs, "heldout_fp32.npz", len(frame))
    checked = ~np.isnan(fp32["counsellor"]).all(axis=1) | ~np.isnan(fp32["client"]).all(axis=1)
    folds = sorted(set(fold[checked]))
    if folds:
        rows = np.isin(fold, folds)
        quantization = {name: headline(score(frame, restrict(proba, rows))) for name, proba in
                        (("encoder_fp32", fp32), ("encoder_int8", int8), ("mix_fp32", mix(fast, fp32, MIX_WEIGHT)),
                         ("mix_int8", mix(fast, int8, MIX_WEIGHT)))}
        quantization = pd.DataFrame(quantization)
        quantization["mix_int8-fp32"] = quantization["mix_int8"] - quantization["mix_fp32"]
        print(f"\nint8 against fp32 on folds {folds}")
        print(quantization.to_string(float_format=lambda v: f"{v:.3f}"))
        table["int8_vs_fp32"] = {"folds": [int(k) for k in folds], **quantization.to_dict()}
    if args.json:
        args.json.write_text(json.dumps(table, indent=2, default=float) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
