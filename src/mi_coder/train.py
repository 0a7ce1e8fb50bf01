"""Train a Coder on canonical coded data (see `mi_coder.corpora`)."""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .codes import CLIENT, COUNSELLOR
from .coder import Coder
from .errors import InputError
from .features import context_table, without_context
from .model import client_pipeline, counsellor_pipeline


@dataclass
class TrainConfig:
    """Hyper-parameters of a training run; stored in the model so it can be reproduced."""

    counsellor_C: float = 4.0
    subtype_C: float = 1.0
    client_C: float = 0.3
    char_ngrams: bool = False  # counsellor: measured +0.00 macro-F1 for 2x the training time
    client_char_ngrams: bool = True  # client: with own cues only and C=0.3, +0.01 macro-F1 (3 fold seeds)
    esconv_weight: float = 0.25  # ESConv rows count this much beside AnnoMI's (0.25: AnnoMI coarse-4 +0.007)
    # Share of rows added again without their context, so `coder.code(text)` on a lone utterance
    # is not pushed to what a session's first turn usually is (measured: no loss with context).
    context_dropout: float = 0.2
    seed: int = 0


def corpus_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The feature table of a canonical frame (context built within each conversation)."""
    return context_table(frame["text"].tolist(), frame["side"].to_numpy(), frame["conversation"].to_numpy())


def fit_tables(frame: pd.DataFrame, table: pd.DataFrame, config: TrainConfig) -> Coder:
    """Fit both pipelines on the coded rows of a canonical frame and its feature table."""
    coded = frame["code"].notna().to_numpy() & frame["text"].str.strip().ne("").to_numpy()
    weight = np.where(frame["corpus"].to_numpy() == "esconv", config.esconv_weight, 1.0)
    rng = np.random.default_rng(config.seed)
    pipelines = {}
    for side, make in ((COUNSELLOR, lambda: counsellor_pipeline(config.counsellor_C, config.subtype_C,
                                                                config.char_ngrams)),
                       (CLIENT, lambda: client_pipeline(config.client_C, config.client_char_ngrams))):
        rows = np.flatnonzero(coded & (frame["side"].to_numpy() == side))
        if not len(rows):
            raise InputError(f"no coded {side} utterances to train on; check the code and speaker columns")
        alone = rows[rng.random(len(rows)) < config.context_dropout]
        X = pd.concat([table.iloc[rows], without_context(table.iloc[alone])], ignore_index=True)
        both = np.concatenate([rows, alone])
        pipe = make()
        pipe.fit(X, frame["code"].to_numpy()[both], classify__sample_weight=weight[both])
        pipelines[side] = pipe
    return Coder(pipelines[COUNSELLOR], pipelines[CLIENT], info={"config": asdict(config)})


def train(frame: pd.DataFrame, config: TrainConfig | None = None, folds: int = 5, progress=None) -> Coder:
    """Train a Coder on every coded row of a canonical frame.

    With `folds` >= 2 the recipe is first cross-validated by transcript; the scores and the
    held-out confusion counts are stored in `coder.info` (summaries use them for intervals).
    """
    from .evaluate import cross_validate, held_out_confusion, score  # evaluate builds on this module

    config = config or TrainConfig()
    table = corpus_table(frame)
    info = training_summary(frame)
    if folds >= 2:
        oof = cross_validate(frame, config, n_splits=folds, table=table, progress=progress)
        results = score(frame, oof)
        info["evaluation"] = results
        info["confusion"] = held_out_confusion(results, frame, oof)
    coder = fit_tables(frame, table, config)
    coder.info.update(info)
    return coder


def training_summary(frame: pd.DataFrame) -> dict:
    """What a model was trained on and with which library versions (for the model card)."""
    import joblib
    import sklearn
    import spacy

    counts = frame[frame["code"].notna()].groupby(["corpus", "side"]).size()
    return {
        "training_rows": {f"{c}/{s}": int(n) for (c, s), n in counts.items()},
        "conversations": {c: int(n) for c, n in frame.groupby("corpus")["group"].nunique().items()},
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                     "spacy": spacy.__version__, "pandas": pd.__version__, "numpy": np.__version__,
                     "joblib": joblib.__version__},
    }
