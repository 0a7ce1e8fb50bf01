"""Per-code decision offsets on the accurate tier's mix, cross-validated: does moving the argmax pay?

    python benchmarks/code_offsets.py RUN_0 RUN_1 RUN_2 RUN_3 RUN_4

The RUN_k folders are `tier_cv.py`'s. Macro-F1 rewards recall on the small codes, so adding a
constant per code to the mixed log-probabilities can lift it. For each fold k, one offset per code
group (sibling codes share one, so open/closed and simple/complex choices stay as they are) is chosen
by coordinate ascent on the other folds' held-out rows, on the side's headline macro-F1. It is then
applied to fold k. The printout compares the headline and session scores without and with the offsets,
so the trade between them is visible. Measured 2026-11-30 on the 2-epoch runs: the utterance scores rise
and the session ranking falls, so the offsets were not shipped (see the model card).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from mi_coder.training._accurate import MIX_WEIGHT
from mi_coder.codes import CODES
from mi_coder.coding import mix
from mi_coder.training import CORPORA, read_corpora
from mi_coder.training._evaluate import fold_assignment, headline, headline_rows, score, scored
from tier_comparison import session_scores
from tier_cv import INT8, SIDES, pooled

GRID = np.round(np.arange(-1.5, 1.51, 0.1), 2)
GROUPS = {"counsellor": [("open_question", "closed_question"), ("simple_reflection", "complex_reflection"),
                         ("affirmation",), ("advice",), ("information",), ("other",)],
          "client": [("change_talk",), ("sustain_talk",), ("neutral",)]}


def macro_f1(truth: np.ndarray, pred: np.ndarray, k: int) -> float:
    """Macro-F1 over codes 0..k-1 from integer labels, without sklearn's overhead (it runs thousands of times)."""
    confusion = np.bincount(truth * k + pred, minlength=k * k).reshape(k, k)
    hit = np.diag(confusion)
    precision, recall = hit / np.maximum(confusion.sum(0), 1), hit / np.maximum(confusion.sum(1), 1)
    return float(np.mean(np.where(hit > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)))


def fit_offsets(log_p: np.ndarray, truth: np.ndarray, side: str, rounds: int = 3) -> np.ndarray:
    """Offsets per code (siblings tied) maximizing macro-F1 of argmax(log_p + offsets), by coordinate ascent."""
    codes = list(CODES[side])
    offsets = np.zeros(len(codes))
    best = macro_f1(truth, log_p.argmax(1), len(codes))
    for _ in range(rounds):
        for group in GROUPS[side]:
            columns = [codes.index(c) for c in group]
            for value in GRID:
                trial = offsets.copy()
                trial[columns] = value
                f1 = macro_f1(truth, (log_p + trial).argmax(1), len(codes))
                if f1 > best + 1e-9:
                    best, offsets = f1, trial
    return offsets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs=5, help="fold 0..4 run folders")
    parser.add_argument("--data-dir")
    args = parser.parse_args()

    frame = read_corpora(args.data_dir, CORPORA)
    fold = fold_assignment(frame, 5, 0)
    n = len(frame)
    served = mix(pooled(args.runs, "fast_fold{k}.npz", n), pooled(args.runs, INT8, n), MIX_WEIGHT)
    truth = frame["code"].to_numpy(dtype=object)
    shifted = {}
    for side in SIDES:
        codes = list(CODES[side])
        log_p = np.log(np.clip(served[side], 1e-9, 1))
        rows = headline_rows(frame, scored(frame, served, side)[0], side) & np.isin(truth, codes)
        labels = np.array([codes.index(t) if t in codes else 0 for t in truth])
        out = np.full_like(log_p, np.nan)
        for k in range(5):
            offsets = fit_offsets(log_p[rows & (fold != k)], labels[rows & (fold != k)], side)
            print(f"{side} fold {k} offsets: " + ", ".join(f"{c} {o:+.1f}" for c, o in zip(codes, offsets)))
            e = np.exp(log_p[fold == k] + offsets)
            out[fold == k] = e / e.sum(axis=1, keepdims=True)
        shifted[side] = out
    everything = np.ones(n, bool)
    table = pd.DataFrame({name: {**headline(score(frame, p)), **session_scores(frame, p, everything)}
                          for name, p in (("served", served), ("with_offsets", shifted))})
    table["difference"] = table["with_offsets"] - table["served"]
    print("\n5 grouped folds pooled; offsets chosen on four folds, applied to the fifth")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
