"""Tiers and encoders side by side on one held-out grouped fold, per domain, punctuated and unpunctuated, with
the session scores: what decides which encoder the accurate tier ships (and the model card's teacher /
student / fast table).

    python benchmarks/tier_comparison.py --fast RUN-work/fast_fold0_unpunctuated0.3.npz \
        --encoder shipped=models/accurate --encoder student=RUN-work --encoder teacher=RUN-work/teacher

`--fast` is the fast recipe's held-out cache of the fold (`mi-coder train --tier accurate -o RUN` leaves it in
RUN-work; made and cached there if missing: fitted on the other folds with 30% of conversations
unpunctuated, as the build does). Each `--encoder NAME=DIR` is an exported encoder folder (encoder.json and
its ONNX file): its fold is coded as it is and unpunctuated (cached in --cache-dir), and scored alone and
mixed as the tier serves it (`_accurate.tier_proba`: the per-side mix weight, then the rule that
MI-inconsistent wording is no reflection). The folds are `evaluate.fold_assignment`'s. Session scores: over
the fold's AnnoMI transcripts, Spearman of reflection-to-question and % open questions against the experts'
codes, and the AUC of R:Q for AnnoMI's high- vs low-quality sessions.
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


# (column, headline key) of the table: the domains the issues set targets on, and how MI-inconsistent speech reads
COLUMNS = [("AnnoMI coarse-4", "annomi_coarse4_macro_f1"), ("client", "client_macro_f1"),
           ("open/closed", "open_vs_closed_accuracy"), ("ESConv coarse-6", "esconv_coarse6_macro_f1"),
           ("Welivita coarse-6", "welivita_coarse6_macro_f1"), ("Welivita affirm.", "welivita_affirmation_f1"),
           ("Welivita advice", "welivita_advice_f1"), ("MIBot client", "mibot_silver_client_macro_f1"),
           ("Reddit advice", "reddit_advice_f1"),
           ("MI-incons. as refl.", "welivita_mi_inconsistent_as_reflection_share"),
           ("low-q. false refl.", "annomi_low_quality_false_reflection_share")]
SESSION = [("R:Q rho", "reflection_to_question_spearman"), ("%OQ rho", "pct_open_questions_spearman"),
           ("R:Q AUC", "rq_auc_high_low")]


def encoder_probabilities(frame, fold, k, folder: Path, cache_dir: Path) -> dict:
    """An exported encoder's held-out probabilities of fold k, as they are and unpunctuated (cached)."""
    from mi_coder.training._accurate import encoder_fold

    config = json.loads((folder / "encoder.json").read_text())
    sha = config["files"][config["model"]]
    return encoder_fold(frame, fold, k, folder, sha, cache_dir / f"encoder_fold{k}_{sha[:12]}.npz")


def main() -> None:
    from mi_coder.training._accurate import MIX_WEIGHT, tier_proba
    from mi_coder.training._corpora import UNPUNCTUATED, unpunctuated_conversations

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", type=Path, required=True, help="the fast recipe's held-out cache of the fold")
    parser.add_argument("--encoder", action="append", default=[], metavar="NAME=DIR",
                        help="an exported encoder folder to score alone and mixed (repeatable)")
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--cache-dir", type=Path, default=None, help="where encoders' held-out codes are cached "
                        "(default: beside --fast)")
    parser.add_argument("--data-dir")
    parser.add_argument("--out", type=Path, default=None, help="also write the table as JSON here")
    args = parser.parse_args()

    frame = read_corpora(args.data_dir, CORPORA)
    fold = fold_assignment(frame, 5, 0)
    rows = fold == args.fold
    fast = fast_fold(frame, fold, args.fold, args.fast, learn=unpunctuated_conversations(frame, UNPUNCTUATED))
    mixes = {"fast": (fast, 0.0)}  # name: (encoder probabilities, the encoder's share of the mix)
    for spec in args.encoder:
        name, _, folder = spec.partition("=")
        encoder = encoder_probabilities(frame, fold, args.fold, Path(folder), args.cache_dir or args.fast.parent)
        mixes[f"{name} alone"] = (encoder, 1.0)
        mixes[f"{name} mixed"] = (encoder, MIX_WEIGHT)
    table = {}
    for name, (encoder, weight) in mixes.items():
        for label, shown in (("", None), (" unpunct.", "unpunctuated")):
            proba = tier_proba(fast, encoder, weight, frame, shown)
            proba = {side: np.where(rows[:, None], p, np.nan) for side, p in proba.items()}
            results = score(frame, proba)
            flat = {key: value for key, value in results.items() if isinstance(value, (int, float))}
            table[name + label] = {**flat, **headline(results), **session_scores(frame, proba, rows)}
    result = pd.DataFrame({name: {column: scores.get(key) for column, key in COLUMNS + SESSION}
                           for name, scores in table.items()}).T
    print(f"fold {args.fold} of 5 (grouped); 'mixed' is the accurate tier as served, 'alone' the encoder by itself")
    print(result.to_string(float_format=lambda v: f"{v:.3f}"))
    if args.out:
        args.out.write_text(json.dumps(table, indent=2, default=float))


if __name__ == "__main__":
    main()
