"""Agreement of the model's codes with the experts': per summary score across transcripts, and per utterance.

Per score: Spearman's rho, ICC(2,1) (two-way random effects, absolute agreement, single
rater; Shrout & Fleiss 1979) and the mean absolute error, over transcripts where both
values are defined; rho and ICC only from `MIN_TRANSCRIPTS` transcripts on. Per utterance:
the confusion matrix (expert x coder) of each side and Cohen's kappa, overall and per code
(one code against the rest).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from ..codes import CLIENT_CODES, COUNSELLOR_CODES
from ._scores import SCORES

# Below 5 transcripts no Spearman rho reaches p < 0.05 (n = 4: the exact two-sided p of rho = 1 is
# 0.083) and ICC(2,1) from 2-4 pairs swings far outside [0, 1]: neither is reported.
MIN_TRANSCRIPTS = 5


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


def agreement(expert: pd.DataFrame, model: pd.DataFrame, key: str,
              min_transcripts: int = MIN_TRANSCRIPTS) -> pd.DataFrame:
    """One row per score: transcripts compared, Spearman, ICC(2,1), MAE (summaries joined on `key`).

    Spearman and ICC are empty (NaN) below `min_transcripts`, and `note` says so ("" otherwise).
    """
    both = expert.merge(model, on=key, suffixes=("_expert", "_model"))
    rows = []
    for name in SCORES:
        e, m = both[f"{name}_expert"].to_numpy(float), both[f"{name}_model"].to_numpy(float)
        ok = ~(np.isnan(e) | np.isnan(m))
        n = int(ok.sum())
        enough = n >= max(min_transcripts, 3)
        rho = spearmanr(e[ok], m[ok]).statistic if enough else float("nan")
        rows.append({"score": name, "transcripts": n, "spearman": float(rho),
                     "icc_2_1": icc_2_1(e[ok], m[ok]) if enough else float("nan"),
                     "mae": float(np.mean(np.abs(e[ok] - m[ok]))) if n else float("nan"),
                     "note": "" if enough else f"too few transcripts ({n}; need {min_transcripts})"})
    return pd.DataFrame(rows)


def kappa(confusion) -> float:
    """Cohen's kappa of a square confusion matrix (rows: one rater, columns: the other); NaN when chance is 1."""
    c = np.asarray(confusion, dtype=float)
    n = c.sum()
    if n == 0:
        return float("nan")
    observed = np.trace(c) / n
    chance = float((c.sum(axis=0) * c.sum(axis=1)).sum() / n ** 2)
    return float((observed - chance) / (1 - chance)) if chance < 1 else float("nan")


def utterance_agreement(expert_codes, model_codes) -> dict:
    """Per side, the expert x coder confusion matrix and Cohen's kappa, overall and per code (one-vs-rest).

    Only utterances both coded count. Also `overall`: kappa and agreement over all 11 codes.
    """
    e = pd.Series(expert_codes, dtype="string").fillna("").str.strip().to_numpy(dtype=object)
    m = pd.Series(model_codes, dtype="string").fillna("").str.strip().to_numpy(dtype=object)
    both = (e != "") & (m != "")
    out = {"utterances": int(both.sum()), "sides": {}}
    codes_all = list(COUNSELLOR_CODES + CLIENT_CODES)
    table = pd.crosstab(pd.Categorical(e[both], codes_all), pd.Categorical(m[both], codes_all), dropna=False)
    out["overall"] = {"kappa": kappa(table.to_numpy()),
                      "agreement": float(np.mean(e[both] == m[both])) if both.any() else float("nan")}
    for side, codes in (("counsellor", COUNSELLOR_CODES), ("client", CLIENT_CODES)):
        rows = both & np.isin(e, codes)
        c = table.loc[list(codes), list(codes)].to_numpy()
        per_code = {}
        for i, code in enumerate(codes):
            hit = c[i, i]
            one = [[hit, c[i].sum() - hit], [c[:, i].sum() - hit, c.sum() - c[i].sum() - c[:, i].sum() + hit]]
            per_code[code] = {"kappa": kappa(one), "expert": int(c[i].sum()), "coder": int(c[:, i].sum())}
        out["sides"][side] = {"utterances": int(rows.sum()), "codes": list(codes), "confusion": c.tolist(),
                              "kappa": kappa(c), "per_code": per_code}
    return out


def format_utterance_agreement(result: dict) -> str:
    """The utterance-level agreement as text: kappa overall, per side with its confusion matrix, per code."""
    show = lambda v: "–" if v is None or np.isnan(v) else f"{v:.3f}"  # noqa: E731
    lines = [f"utterances coded by both: {result['utterances']}; Cohen's kappa over all codes "
             f"{show(result['overall']['kappa'])} (raw agreement {show(result['overall']['agreement'])})"]
    for side, r in result["sides"].items():
        if not r["utterances"]:
            continue
        width = max(len(c) for c in r["codes"]) + 2
        lines += ["", f"{side}: {r['utterances']} utterances, kappa {show(r['kappa'])}",
                  "confusion (rows: experts, columns: coder)",
                  " " * width + "".join(f"{c[:9]:>10}" for c in r["codes"])]
        lines += [f"{code:<{width}}" + "".join(f"{v:>10d}" for v in row) for code, row in zip(r["codes"], r["confusion"])]
        lines.append(f"{'code':<{width}}{'kappa':>10}{'experts':>10}{'coder':>10}  (one code against the rest)")
        lines += [f"{code:<{width}}{show(m['kappa']):>10}{m['expert']:>10d}{m['coder']:>10d}"
                  for code, m in r["per_code"].items()]
    return "\n".join(lines)
