"""Agreement of the model's summary scores with the experts' across transcripts.

Per score: Spearman's rho, ICC(2,1) (two-way random effects, absolute agreement, single
rater; Shrout & Fleiss 1979) and the mean absolute error, over transcripts where both
values are defined.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from .plots import svg_scatter
from .scores import SCORES


def icc_2_1(a, b) -> float:
    """ICC(2,1) of two raters' scores of the same targets."""
    x = np.column_stack([np.asarray(a, float), np.asarray(b, float)])
    n, k = x.shape
    if n < 2:
        return float("nan")
    grand = x.mean()
    ms_rows = k * ((x.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    ms_cols = n * ((x.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    ss_err = ((x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + grand) ** 2).sum()
    ms_err = ss_err / ((n - 1) * (k - 1))
    denominator = ms_rows + (k - 1) * ms_err + k * (ms_cols - ms_err) / n
    return float((ms_rows - ms_err) / denominator) if denominator > 0 else float("nan")


def agreement(expert: pd.DataFrame, model: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per score: transcripts compared, Spearman, ICC(2,1), MAE (summaries joined on `key`)."""
    both = expert.merge(model, on=key, suffixes=("_expert", "_model"))
    rows = []
    for name in SCORES:
        e, m = both[f"{name}_expert"].to_numpy(float), both[f"{name}_model"].to_numpy(float)
        ok = ~(np.isnan(e) | np.isnan(m))
        n = int(ok.sum())
        rho = spearmanr(e[ok], m[ok]).statistic if n > 2 else float("nan")
        rows.append({"score": name, "transcripts": n, "spearman": float(rho), "icc_2_1": icc_2_1(e[ok], m[ok]),
                     "mae": float(np.mean(np.abs(e[ok] - m[ok]))) if n else float("nan")})
    return pd.DataFrame(rows)


def scatter_svg(expert: pd.DataFrame, model: pd.DataFrame, key: str) -> str:
    """Model vs expert value of each score, one panel per score."""
    both = expert.merge(model, on=key, suffixes=("_expert", "_model"))
    return svg_scatter([{"title": name, "x": both[f"{name}_expert"], "y": both[f"{name}_model"],
                         "x_label": "experts", "y_label": "model"} for name in SCORES])
