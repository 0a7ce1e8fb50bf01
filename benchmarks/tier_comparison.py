"""Both tiers on the same held-out fold, per domain, with the session scores: what picks the accurate tier.

    python benchmarks/tier_comparison.py --encoder RUN_DIR [--fold 0] [--weights 0 0.3 0.5 0.7 1]

The fast tier (the shipped recipe, `MICoder(session="whole")`, every shared corpus) is fitted on every
grouped fold but `--fold` and codes that fold (`accurate_train.fast_fold`, cached in RUN_DIR/fast_fold<k>.npz);
the encoder's held-out probabilities come from RUN_DIR/heldout_<tag>.npz, as `benchmarks/train_encoder.py
--holdout-fold k --out RUN_DIR` writes them, or from the encoder exported in RUN_DIR (`mi-coder train
--tier accurate` leaves it in its -work folder). The folds are `evaluate.fold_assignment`'s. Each mix weight w codes p ∝ fast^(1-w) · encoder^w (w = 0 is
the fast tier, 1 the encoder alone) and is scored per domain, plus, over the fold's AnnoMI
transcripts, Spearman of reflection-to-question and % open questions against the experts' codes
and the AUC of R:Q for AnnoMI's high- vs low-quality sessions.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from mi_coder.training._accurate import fast_fold
from mi_coder.codes import ALL_CODES, side_codes
from mi_coder.coding import mix
from mi_coder.training import CORPORA, read_corpora
from mi_coder.training._evaluate import fold_assignment, headline, once_per_utterance, score
from mi_coder.summary import summarize


def annomi_summaries(frame: pd.DataFrame, probas: dict, rows: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """AnnoMI's rows in `rows` (each utterance once) with the experts' and each named model's codes, and
    their per-transcript summaries {"expert": ..., name: ...}."""
    annomi = frame[rows & (frame["corpus"] == "annomi").to_numpy() & once_per_utterance(frame)].copy()
    annomi["expert"] = annomi["code"].where(annomi["code"].isin(ALL_CODES), "")
    annomi["transcript"] = annomi["conversation"].str.replace(r"-a\d+$", "", regex=True)
    for name, proba in probas.items():
        annomi[name] = side_codes(proba, frame["side"].to_numpy())[annomi.index]
    return annomi, {name: summarize(annomi, "transcript", name, confusion=None) for name in ("expert", *probas)}


def session_scores(frame: pd.DataFrame, proba: dict, rows: np.ndarray) -> dict:
    """Spearman of R:Q and %OQ with the experts over AnnoMI transcripts in `rows`, and R:Q's high/low AUC."""
    annomi, tables = annomi_summaries(frame, {"mi_code": proba}, rows)
    expert, model = tables["expert"], tables["mi_code"]
    out = {"transcripts": len(expert)}
    for name in ("reflection_to_question", "pct_open_questions"):
        both = expert[name].notna() & model[name].notna()
        out[f"{name}_spearman"] = float(spearmanr(expert[name][both], model[name][both]).statistic)
    quality = annomi.groupby("transcript")["mi_quality"].first().reindex(model["transcript"]).eq("high").to_numpy()
    rq = model["reflection_to_question"].fillna(0).to_numpy()
    if 0 < quality.sum() < len(quality):
        out["rq_auc_high_low"] = float(roc_auc_score(quality, rq))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", type=Path, required=True, help="a train_encoder.py --holdout-fold run folder")
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--encoder-file", default=None, help="heldout_<tag>.npz to read (default: the served one)")
    parser.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.3, 0.5, 0.7, 1.0])
    parser.add_argument("--data-dir")
    parser.add_argument("--fast-only", action="store_true", help="only fit and cache the fast tier's fold")
    args = parser.parse_args()

    frame = read_corpora(args.data_dir, CORPORA)
    fold = fold_assignment(frame, 5, 0)
    rows = fold == args.fold
    fast = fast_fold(frame, fold, args.fold, args.encoder / f"fast_fold{args.fold}.npz")
    if args.fast_only:
        return
    config = json.loads((args.encoder / "encoder.json").read_text())
    name = args.encoder_file or "heldout_" + config["model"].removeprefix("model_").removesuffix(".onnx") + ".npz"
    if (args.encoder / name).is_file():
        encoder = {k: v for k, v in np.load(args.encoder / name).items() if k in ("counsellor", "client")}
    else:
        from mi_coder.training._accurate import encoder_fold

        name = config["model"]
        encoder = encoder_fold(frame, fold, args.fold, args.encoder, config["sha256"])
    table = {}
    for w in args.weights:
        proba = mix(fast, encoder, w) if 0 < w < 1 else (fast if w == 0 else encoder)
        proba = {side: np.where(rows[:, None], p, np.nan) for side, p in proba.items()}
        table[f"w={w:g}"] = {**headline(score(frame, proba)), **session_scores(frame, proba, rows)}
    result = pd.DataFrame(table)
    print(f"fold {args.fold} of 5 (grouped), fast tier vs encoder {args.encoder.name}/{name}; "
          "w is the encoder's share of the log-linear mix")
    print(result.to_string(float_format=lambda v: f"{v:.3f}"))
    (args.encoder / f"tier_comparison_fold{args.fold}.json").write_text(json.dumps(table, indent=2))


if __name__ == "__main__":
    main()
