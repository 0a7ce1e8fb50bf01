"""A session-quality estimate: how likely expert coders would call a session good MI.

A logistic regression on a transcript's code mix (the share of each counsellor code among its
counsellor utterances, of each client code among its client utterances), trained on AnnoMI's
high/low-quality labels over *held-out* coded transcripts, so it learns from codes as noisy as
the coder's. Stored as plain JSON in the model's manifest (nothing to unpickle). Its interval
redraws the transcript's code mix from a Dirichlet around the observed counts: a short session
gets a wide interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .codes import CLIENT_CODES, COUNSELLOR_CODES

FEATURES = tuple(f"share_{c}" for c in COUNSELLOR_CODES + CLIENT_CODES)


def shares(counts) -> np.ndarray:
    """(n, 11) each code's share of its side's utterances; a side with no utterances gets zeros."""
    counts = np.asarray(counts, dtype=float).reshape(-1, len(FEATURES))
    out = np.zeros_like(counts)
    for cols in (slice(0, len(COUNSELLOR_CODES)), slice(len(COUNSELLOR_CODES), None)):
        total = counts[:, cols].sum(axis=1, keepdims=True)
        np.divide(counts[:, cols], total, out=out[:, cols], where=total > 0)
    return out


def fit_quality(counts: pd.DataFrame, good, groups, C: float = 0.3, folds: int = 5, seed: int = 0) -> dict:
    """The quality model as JSON, with its transcript-grouped cross-validated AUC.

    `counts` has one column per code (held-out predicted counts per transcript), `good` is True
    for a high-quality transcript, `groups` keeps annotated copies of one transcript together.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.preprocessing import StandardScaler

    X = shares(counts[list(COUNSELLOR_CODES + CLIENT_CODES)].to_numpy())
    good = np.asarray(good, dtype=bool)
    held = np.zeros(len(good))
    for train, test in StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(X, good, groups):
        scaler = StandardScaler().fit(X[train])
        model = LogisticRegression(C=C, max_iter=2000).fit(scaler.transform(X[train]), good[train])
        held[test] = model.predict_proba(scaler.transform(X[test]))[:, 1]
    scaler = StandardScaler().fit(X)
    model = LogisticRegression(C=C, max_iter=2000).fit(scaler.transform(X), good)
    return {"features": list(FEATURES), "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
            "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0]), "C": C,
            "evaluation": {"auc": float(roc_auc_score(good, held)), "transcripts": int(len(good)),
                           "good": int(good.sum()), "folds": folds}}


def probability(share_rows: np.ndarray, model: dict) -> np.ndarray:
    """P(good MI) for rows of code shares."""
    z = (np.asarray(share_rows) - np.asarray(model["mean"])) / np.asarray(model["scale"])
    return 1 / (1 + np.exp(-(z @ np.asarray(model["coef"]) + model["intercept"])))


def quality_columns(counts: pd.DataFrame, model: dict, level: float = 0.90, n_draws: int = 2000,
                    seed: int = 0) -> pd.DataFrame:
    """`mi_quality_probability` with a `_low`/`_high` interval per transcript (rows of `counts`)."""
    import zlib

    values = counts[list(COUNSELLOR_CODES + CLIENT_CODES)].to_numpy(dtype=float)
    point = probability(shares(values), model)
    low, high = np.full(len(values), np.nan), np.full(len(values), np.nan)
    tail = (1 - level) / 2
    for i, (key, row) in enumerate(zip(counts.index, values)):
        if row[:len(COUNSELLOR_CODES)].sum() == 0:  # no counsellor utterance: nothing to judge
            point[i] = np.nan
            continue
        rng = np.random.default_rng([seed, zlib.crc32(str(key).encode("utf-8"))])
        draws = np.zeros((n_draws, len(row)))
        for cols in (slice(0, len(COUNSELLOR_CODES)), slice(len(COUNSELLOR_CODES), None)):
            if row[cols].sum() > 0:
                draws[:, cols] = rng.dirichlet(row[cols] + 0.5, size=n_draws)
        p = probability(draws, model)
        low[i], high[i] = np.quantile(p, tail), np.quantile(p, 1 - tail)
    return pd.DataFrame({"mi_quality_probability": point, "mi_quality_probability_low": low,
                         "mi_quality_probability_high": high}, index=counts.index).round(4)
