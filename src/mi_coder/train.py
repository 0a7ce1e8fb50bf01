"""The training driver: cross-validate a recipe by transcript, then fit it on everything (above `evaluate`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .coder import MICoder
from .corpora import corpus_weights, estimator_input
from .evaluate import cross_validate, held_out_confusion, score
from .modelio import library_versions

ESCONV_WEIGHT = 0.25  # ESConv rows beside AnnoMI's (measured: AnnoMI coarse-4 +0.007, ESConv -0.012)


def train(frame: pd.DataFrame, coder: MICoder | None = None, folds: int = 5, esconv_weight: float = ESCONV_WEIGHT,
          progress=None) -> MICoder:
    """Fit `coder` (default `MICoder()`) on every coded row of a canonical frame (see `mi_coder.corpora`).

    With `folds` >= 2 the recipe is first cross-validated by transcript; the scores and the
    held-out confusion counts are stored in `coder.info` (summaries use them for intervals).
    """
    coder = coder if coder is not None else MICoder()
    weight = corpus_weights(frame, esconv_weight)
    info = training_summary(frame)
    info["training"] = {"esconv_weight": esconv_weight, "folds": folds}
    if folds >= 2:
        oof = cross_validate(frame, coder, n_splits=folds, progress=progress, sample_weight=weight)
        results = score(frame, oof)
        info["evaluation"] = results
        info["confusion"] = held_out_confusion(results, frame, oof)
    X, y = estimator_input(frame)
    coder.fit(X, y, sample_weight=weight)
    coder.info = info
    return coder


def training_summary(frame: pd.DataFrame) -> dict:
    """What a model was trained on and with which library versions (for the model card)."""
    counts = frame[frame["code"].notna()].groupby(["corpus", "side"]).size()
    return {
        "training_rows": {f"{c}/{s}": int(n) for (c, s), n in counts.items()},
        "conversations": {c: int(n) for c, n in frame.groupby("corpus")["group"].nunique().items()},
        "versions": library_versions(),
    }
