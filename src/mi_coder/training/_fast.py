"""The training driver: cross-validate a recipe by transcript, then fit it on everything (above `evaluate`)."""

from __future__ import annotations

import pandas as pd

from ..coding._estimator import MICoder
from ._corpora import (CORPUS_WEIGHTS, UNPUNCTUATED, corpus_weights, estimator_input, licence_terms, unpunctuate,
                       unpunctuated_conversations)
from ._evaluate import cross_validate, held_out_confusion, review_thresholds, save_held_out, score, view
from ..coding._modelio import library_versions
from ..coding._session import DEFAULT_SESSION


def train(frame: pd.DataFrame, coder: MICoder | None = None, folds: int = 5, weights: dict | None = None,
          progress=None, unpunctuated: float = UNPUNCTUATED, held_out=None) -> MICoder:
    """Fit `coder` (default: the shipped recipe, `MICoder(session=DEFAULT_SESSION)`) on every coded row of a
    canonical frame (see `mi_coder.training._corpora`), `unpunctuated` of its conversations with their
    punctuation and case removed.

    With `folds` >= 2 the recipe is first cross-validated by transcript; the scores (of the held-out
    texts as they are, and unpunctuated) and the held-out confusion counts are stored in `coder.info`
    (summaries use them for intervals), with the confidence below which a held-out code was more often
    wrong than right (reports flag those). `held_out` names an .npz file for the held-out probabilities.
    """
    coder = coder if coder is not None else MICoder(session=DEFAULT_SESSION)
    weights = dict(CORPUS_WEIGHTS if weights is None else weights)
    weight = corpus_weights(frame, weights)
    info = training_summary(frame)
    info["training"] = {"corpus_weights": {c: weights.get(c, 1.0) for c in frame["corpus"].unique()},
                        "folds": folds, "unpunctuated_share": unpunctuated}
    learn = unpunctuated_conversations(frame, unpunctuated) if unpunctuated else frame
    if folds >= 2:
        oof = cross_validate(frame, coder, n_splits=folds, progress=progress, weights=weights, train_frame=learn,
                             views={"unpunctuated": unpunctuate})
        if held_out is not None:
            save_held_out(held_out, oof)
        results = score(frame, oof)
        info["evaluation"] = results
        info["evaluation_unpunctuated"] = score(frame, view(oof, "unpunctuated"))
        info["confusion"] = held_out_confusion(results, frame, oof)
        info["review"] = review_thresholds(frame, oof)
        quality = fit_session_quality(frame, oof) if "mi_quality" in frame.columns else None
        if quality is not None:
            info["quality"] = quality
    X, y = estimator_input(learn)
    coder.fit(X, y, sample_weight=weight, groups=frame["group"].to_numpy())
    coder.info = info
    return coder


def fit_session_quality(frame: pd.DataFrame, proba: dict, folds: int = 5) -> dict | None:
    """The session-quality model (see `mi_coder.summary._quality`) on held-out codes of the transcripts with a label.

    One annotated copy per transcript (copies are coded alike), labels from AnnoMI's `mi_quality`.
    The model is also calibrated for length on windows of the held-out transcripts (`quality.fit_quality`).
    None when either label has fewer transcripts than `folds` (nothing to learn or to check).
    """
    from ..codes import ALL_CODES, side_codes
    from ..summary._quality import fit_quality, window_counts
    from ..summary._sequence import REFLECTED, reflected_counts

    predicted = side_codes(proba, frame["side"].to_numpy())
    labelled = frame[frame["mi_quality"].isin(["high", "low"])]
    first = labelled.groupby("group")["conversation"].transform("first")
    labelled = labelled[labelled["conversation"] == first]
    codes = predicted[labelled.index]
    counts = pd.crosstab(labelled["conversation"], codes).reindex(columns=list(ALL_CODES), fill_value=0)
    counts[REFLECTED] = reflected_counts(codes, labelled["conversation"].to_numpy(), counts.index)
    per = labelled.groupby("conversation")[["mi_quality", "group"]].first().reindex(counts.index)
    good = per["mi_quality"].eq("high").to_numpy()
    if min(good.sum(), (~good).sum()) < folds:
        return None
    sequences = pd.Series(codes, index=labelled.index).groupby(labelled["conversation"]).agg(list)
    return fit_quality(counts, good, per["group"].to_numpy(), folds=folds,
                       windows=window_counts(sequences.reindex(counts.index).to_dict()))


def training_summary(frame: pd.DataFrame) -> dict:
    """What a model was trained on and with which library versions (for the model card)."""
    counts = frame[frame["code"].notna()].groupby(["corpus", "side"]).size()
    return {
        "training_rows": {f"{c}/{s}": int(n) for (c, s), n in counts.items()},
        "conversations": {c: int(n) for c, n in frame["conversation"].str.replace(r"-a\d+$", "", regex=True)
                          .groupby(frame["corpus"]).nunique().items()},
        "licences": licence_terms(list(frame["corpus"].unique())),
        "versions": library_versions(),
    }
