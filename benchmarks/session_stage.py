"""The session-aware second stage against the first stage alone, in nested transcript-grouped CV.

    python benchmarks/session_stage.py [--forms none whole causal] [--folds 5] [--live]

Each outer fold fits MICoder(session=form), whose second stage learns from first-stage
probabilities of 3 inner grouped folds; every utterance is scored by a model that never saw its
transcript. Prints utterance scores and per-transcript agreement with the experts (AnnoMI).
`--live` codes each held-out utterance as if its transcript ended there (the spaCy component's way).
"""

from __future__ import annotations

import argparse

from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from mi_coder import MICoder
from mi_coder.codes import ALL_CODES, side_codes
from mi_coder.training import read_corpora
from mi_coder.training._evaluate import cross_validate, headline, once_per_utterance, score
from mi_coder.summary import SCORES
from mi_coder.summary import summarize
from mi_coder.training import fit_session_quality


def session_agreement(frame, proba) -> dict:
    predicted = side_codes(proba, frame["side"].to_numpy())
    coded = frame.assign(mi_code=predicted, expert=frame["code"].where(frame["code"].isin(ALL_CODES), ""))
    annomi = coded[(coded["corpus"] == "annomi") & once_per_utterance(coded)].rename(
        columns={"conversation": "transcript_id"})
    expert = summarize(annomi, "transcript_id", "expert", confusion=None).set_index("transcript_id")
    model = summarize(annomi, "transcript_id", "mi_code", confusion=None).set_index("transcript_id")
    out = {}
    for name in SCORES:
        ok = expert[name].notna() & model[name].notna()
        out[f"{name} rho"] = spearmanr(expert.loc[ok, name], model.loc[ok, name]).statistic
    quality = annomi.groupby("transcript_id")["mi_quality"].first().reindex(model.index)
    ok = model["reflection_to_question"].notna()
    out["R:Q AUC high/low"] = roc_auc_score(quality[ok].eq("high"), model.loc[ok, "reflection_to_question"])
    out["quality AUC"] = fit_session_quality(frame, proba)["evaluation"]["auc"]
    return out


def scores_line(frame, proba) -> str:
    """The utterance scores the issues set targets on, then the per-transcript agreement, on one line."""
    flat = headline(score(frame, proba))
    row = {"coarse-4": flat["annomi_coarse4_macro_f1"], "client": flat["client_macro_f1"],
           "open/closed": flat["open_vs_closed_accuracy"], "ESConv affirmation": flat["esconv_affirmation_f1"],
           **session_agreement(frame, proba)}
    return ", ".join(f"{k} {v:.3f}" for k, v in row.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", nargs="+", default=["none", "whole", "causal"])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--live", action="store_true", help="code each utterance from the turns so far")
    args = parser.parse_args()
    frame = read_corpora()
    for form in args.forms:
        proba = cross_validate(frame, MICoder(session=None if form == "none" else form), n_splits=args.folds,
                               live=args.live)
        print(f"session={form}: {scores_line(frame, proba)}", flush=True)


if __name__ == "__main__":
    main()
