"""A session-quality estimate: how likely expert coders would call a session good MI.

A logistic regression on MITI-grounded evidence of a transcript (`EVIDENCE`: reflection-to-question
ratio, % complex reflections, % open questions, the rates of reflections, questions, affirmations,
advice, confrontation and information per counsellor utterance, % change talk; % change talk reflected
on request), trained on AnnoMI's high/low-quality labels over *held-out* coded transcripts, so it learns from codes
as noisy as the coder's. These carry across registers (a chat and a spoken session are judged by the
same ratios) where AnnoMI's exact code mix does not; models fitted before read the code shares they
name. Stored as plain JSON in the model's manifest (nothing to unpickle). Its interval redraws the
transcript's code mix from a Dirichlet around the observed counts (and the share of change talk
reflected from a Beta): a short session gets a wide interval.

AnnoMI's sessions are 30-200 turns; a 4-turn chat's shares are extreme and the raw model speaks
far too firmly on them. So the model is also checked on windows of 4 to 40 utterances of
held-out sessions, and calibrated for length there: its logit is pulled toward the base rate's
with weight n / (n + k), n the counsellor utterances (`length`), and below `min_counsellor`
counsellor utterances it is withheld ("too short to judge").

The regression learnt AnnoMI's share of good sessions (87%), which no user's caseload has: the
estimate is reported at even odds (a prior of 50%) unless the user gives another prior, by moving
its logit by logit(prior) - logit(AnnoMI's base rate); `mi_quality_prior` says which was used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import CLIENT_CODES, COUNSELLOR_CODES
from ._sequence import REFLECTED, answered

CODE_COUNTS = COUNSELLOR_CODES + CLIENT_CODES
SHARES = tuple(f"share_{c}" for c in CODE_COUNTS)  # what models before 0.3 read
COUNTS = CODE_COUNTS + (REFLECTED,)  # the count columns evidence is made of
# The evidence a model fits on (`evidence`): MITI 4.2.1's summary scores and behaviour rates, smoothed.
EVIDENCE = ("log_reflection_to_question", "pct_complex_reflections", "pct_open_questions", "reflection_rate",
            "question_rate", "affirmation_rate", "advice_rate", "confront_rate", "information_rate",
            "pct_change_talk")
# Evidence that reads the codes' order: known to `evidence`, not fitted by default. On held-out codes of all
# five folds it took a negative weight (-0.10) beside % change talk and reflections, against MITI's reading.
SEQUENCE_EVIDENCE = ("pct_change_talk_reflected",)
WINDOWS = (4, 6, 10, 20, 40)  # utterances: the short-chat lengths the estimate is calibrated and checked on
CLIP = 3.0  # standard deviations: how far a share may stand from AnnoMI's mean
MIN_AUC = 0.70  # the held-out discrimination a length needs before the estimate is shown
# The length calibration for a stored model fitted before it existed (the shipped model of this
# version): fitted by `fit_quality` on held-out windows of AnnoMI, from out-of-fold first-stage
# codes (`python benchmarks/quality_calibration.py --oof /tmp/oof_first.npz`); a retrain stores its own.
LENGTH_FALLBACK = {"base": 0.8649, "k": 5.81, "min_counsellor": 3}
PRIOR = 0.5  # the share of good sessions the estimate assumes unless the user gives one (even odds)
# Every session with this many counsellor utterances gets an estimate: held-out AnnoMI windows of 10
# rank good above poor at AUC 0.66 (the manifest's `auc_by_counsellor_utterances`), so near even odds
# it stays close to 50% there, and its interval is wide; a model's own `min_counsellor` is lower or this.
MIN_COUNSELLOR = 10


def evidence(counts, names=EVIDENCE) -> np.ndarray:
    """(n, len(names)) the named evidence of rows of counts (columns in `COUNTS` order; without the last,
    `change_talk_reflected`, evidence that reads it cannot be named).

    Ratios are smoothed (half a count each way) so that a short session's get no infinities; names
    starting `share_` are a code's share of its side's utterances (the evidence of older models).
    """
    counts = np.asarray(counts, dtype=float)
    width = len(COUNTS) if counts.ndim and counts.shape[-1] == len(COUNTS) else len(SHARES)
    counts = counts.reshape(-1, width)
    c = {code: counts[:, i] for i, code in enumerate(COUNTS[:counts.shape[1]])}
    n = np.maximum(counts[:, :len(COUNSELLOR_CODES)].sum(axis=1), 1)
    r = c["simple_reflection"] + c["complex_reflection"]
    q = c["open_question"] + c["closed_question"]
    table = {
        "log_reflection_to_question": np.log((r + 0.5) / (q + 0.5)),
        "pct_complex_reflections": (c["complex_reflection"] + 0.5) / (r + 1),
        "pct_open_questions": (c["open_question"] + 0.5) / (q + 1),
        "reflection_rate": r / n, "question_rate": q / n, "affirmation_rate": c["affirmation"] / n,
        "advice_rate": c["advice"] / n, "confront_rate": c["confront"] / n, "information_rate": c["information"] / n,
        "pct_change_talk": (c["change_talk"] + 0.5) / (c["change_talk"] + c["sustain_talk"] + 1),
    }
    if REFLECTED in c:
        table["pct_change_talk_reflected"] = (c[REFLECTED] + 0.5) / (c["change_talk"] + 1)
    out = np.zeros((len(counts), len(names)))
    share = None
    for j, name in enumerate(names):
        if name.startswith("share_"):
            share = shares(counts[:, :len(SHARES)]) if share is None else share
            out[:, j] = share[:, SHARES.index(name)]
        elif name in table:
            out[:, j] = table[name]
        else:
            raise ValueError(f"evidence {name!r} needs the {REFLECTED!r} count beside the codes' counts")
    return out


def count_matrix(table: pd.DataFrame) -> np.ndarray:
    """A table's counts as `evidence` reads them: the codes' columns, and `change_talk_reflected` where it has one."""
    return table[list(COUNTS if REFLECTED in table.columns else CODE_COUNTS)].to_numpy(dtype=float)


def shares(counts) -> np.ndarray:
    """(n, codes) each code's share of its side's utterances; a side with no utterances gets zeros."""
    counts = np.asarray(counts, dtype=float).reshape(-1, len(SHARES))
    out = np.zeros_like(counts)
    for cols in (slice(0, len(COUNSELLOR_CODES)), slice(len(COUNSELLOR_CODES), None)):
        total = counts[:, cols].sum(axis=1, keepdims=True)
        np.divide(counts[:, cols], total, out=out[:, cols], where=total > 0)
    return out


def window_counts(sequences, lengths=WINDOWS) -> pd.DataFrame:
    """Counts (`COUNTS`) of consecutive, non-overlapping windows of each transcript's coded utterances.

    `sequences` maps a transcript key to its codes in order; one row per window with `transcript`
    (the key) and `length` (utterances), then one count column per code and `change_talk_reflected`
    (read within the window).
    """
    codes = list(CODE_COUNTS)
    rows = []
    for key, sequence in sequences.items():
        sequence = [c for c in sequence if c in codes]
        pairs = answered(sequence)  # pair i: utterances i and i + 1
        for length in lengths:
            for start in range(0, len(sequence) - length + 1, length):
                window = pd.Series(sequence[start:start + length]).value_counts()
                rows.append({"transcript": key, "length": length, **{c: int(window.get(c, 0)) for c in codes},
                             REFLECTED: int(pairs[start:start + length - 1].sum())})
    return pd.DataFrame(rows, columns=["transcript", "length"] + list(COUNTS))


def fit_quality(counts: pd.DataFrame, good, groups, C: float = 0.3, folds: int = 5, seed: int = 0,
                windows: pd.DataFrame | None = None, names=EVIDENCE) -> dict:
    """The quality model as JSON, with its transcript-grouped cross-validated AUC.

    `counts` has one column per code (held-out predicted counts per transcript), and `change_talk_reflected`
    (without it the evidence of `names` that reads it is left out), `good` is True
    for a high-quality transcript, `groups` keeps annotated copies of one transcript together.
    With `windows` (`window_counts` of the same transcripts, `transcript` = a row label of
    `counts`), each fold's model also scores its held-out transcripts' windows, and the length
    calibration (`fit_length`) is fitted on those held-out scores and stored as `length`.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.preprocessing import StandardScaler

    features = [name for name in names if REFLECTED in counts.columns or name not in SEQUENCE_EVIDENCE]
    X = evidence(count_matrix(counts), features)
    good = np.asarray(good, dtype=bool)
    held = np.zeros(len(good))
    if windows is not None:
        position = {key: i for i, key in enumerate(counts.index)}
        owner = windows["transcript"].map(position).to_numpy()
        W = evidence(count_matrix(windows), features)
        held_windows = np.full(len(windows), np.nan)
    for train, test in StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(X, good, groups):
        scaler = StandardScaler().fit(X[train])
        model = LogisticRegression(C=C, max_iter=2000).fit(scaler.transform(X[train]), good[train])
        held[test] = model.predict_proba(scaler.transform(X[test]))[:, 1]
        if windows is not None:
            mine = np.isin(owner, test)
            held_windows[mine] = model.predict_proba(scaler.transform(W[mine]))[:, 1]
    scaler = StandardScaler().fit(X)
    model = LogisticRegression(C=C, max_iter=2000).fit(scaler.transform(X), good)
    out = {"features": features, "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
           "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0]), "C": C,
           "evaluation": {"auc": float(roc_auc_score(good, held)), "transcripts": int(len(good)),
                          "good": int(good.sum()), "folds": folds}}
    if windows is not None:
        values = counts[list(CODE_COUNTS)].to_numpy(dtype=float)
        n = np.concatenate([values[:, :len(COUNSELLOR_CODES)].sum(axis=1),
                            windows[list(COUNSELLOR_CODES)].to_numpy().sum(axis=1)])
        out["length"] = fit_length(np.concatenate([held, held_windows]), n, np.concatenate([good, good[owner]]),
                                   base=float(good.mean()), windows=np.arange(len(n)) >= len(held))
    return out


def _logit(p):
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def shrink(p, n_counsellor, length: dict | None) -> np.ndarray:
    """P(good) pulled toward the base rate on few counsellor utterances: its logit weighted n / (n + k)."""
    p = np.asarray(p, dtype=float)
    if not length:
        return p
    n = np.asarray(n_counsellor, dtype=float)
    base = _logit(length["base"])
    return 1 / (1 + np.exp(-(base + n / (n + length["k"]) * (_logit(p) - base))))


def fit_length(p, n_counsellor, good, base: float, windows=None) -> dict:
    """The length calibration of held-out P(good) of sessions and windows.

    `k` by maximum likelihood (the weight n / (n + k) only ever tempers the model, never sharpens
    it); `min_counsellor`, the fewest counsellor utterances from which held-out windows (`windows`
    marks them among the rows) separate good from poor sessions with AUC >= `MIN_AUC` and the
    tempered estimate beats the base rate's Brier score, at every count of counsellor utterances
    from there on that has at least 10 windows of each label.
    """
    from scipy.optimize import minimize_scalar
    from sklearn.metrics import roc_auc_score

    p, n, good = np.asarray(p, float), np.asarray(n_counsellor, float), np.asarray(good, bool)
    windows = np.ones(len(p), bool) if windows is None else np.asarray(windows, bool)
    ok = ~np.isnan(p) & (n > 0)
    p, n, good, windows = p[ok], n[ok], good[ok], windows[ok]

    def loss(log_k):
        q = np.clip(shrink(p, n, {"base": base, "k": np.exp(log_k)}), 1e-9, 1 - 1e-9)
        return -np.mean(good * np.log(q) + (~good) * np.log(1 - q))

    length = {"base": base, "k": float(np.exp(minimize_scalar(loss, bounds=(np.log(0.1), np.log(1000)),
                                                             method="bounded").x))}
    minimum, checked, skills = None, {}, {}
    for m in range(1, int(n[windows].max(initial=1)) + 1):
        band = windows & (n == m)
        if min(good[band].sum(), (~good[band]).sum()) < 10:
            continue
        checked[m] = float(roc_auc_score(good[band], p[band]))
        tempered = shrink(p[band], n[band], length)
        skills[m] = float(1 - np.mean((tempered - good[band]) ** 2) / np.mean((base - good[band]) ** 2))
        if checked[m] < MIN_AUC or skills[m] <= 0:
            minimum = None  # a longer band fails: the minimum lies above it
        elif minimum is None:
            minimum = m
    length["min_counsellor"] = int(minimum if minimum is not None else max(checked, default=1) * 2)
    length["auc_by_counsellor_utterances"] = {str(m): round(a, 3) for m, a in checked.items()}
    length["brier_skill_by_counsellor_utterances"] = {str(m): round(b, 3) for m, b in skills.items()}
    return length


def standardized(count_rows: np.ndarray, model: dict) -> np.ndarray:
    """The model's evidence of rows of code counts, standardized and clipped to +-`CLIP`.

    The clip keeps a chat unlike AnnoMI's sessions (a third of its turns affirmations: 17 standard
    deviations out) from extrapolating the logistic far past anything it was fitted on.
    """
    X = evidence(count_rows, model["features"])
    return np.clip((X - np.asarray(model["mean"])) / np.asarray(model["scale"]), -CLIP, CLIP)


def probability(count_rows: np.ndarray, model: dict, z: np.ndarray | None = None) -> np.ndarray:
    """P(good MI) for rows of code counts (at the training base rate, before the length calibration);
    `z`: their `standardized` evidence, when already at hand."""
    z = standardized(count_rows, model) if z is None else z
    return 1 / (1 + np.exp(-(z @ np.asarray(model["coef"]) + model["intercept"])))


def moved_by(z: np.ndarray, model: dict, top: int = 2) -> list[str]:
    """Per row of `standardized` evidence, what moved its estimate most, as '+name' (toward good) or '-name',
    '; '-joined."""
    contributions = z * np.asarray(model["coef"])
    out = []
    for row in contributions:
        order = np.argsort(-np.abs(row))[:top]
        out.append("; ".join(f"{'+' if row[j] > 0 else '-'}{model['features'][j]}" for j in order
                             if abs(row[j]) >= 0.25))
    return out


def check_prior(prior) -> float:
    """A prior share of good sessions, strictly between 0 and 1 (InputError otherwise)."""
    from ..errors import InputError, option

    try:
        value = float(prior)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0 < value < 1:
        raise InputError(f"the quality prior must be a share of good sessions between 0 and 1 (0.5: even odds), "
                         f"not {str(prior)[:20]!r}; pass it with {option('quality_prior')}")
    return value


def at_prior(p, base: float, prior: float) -> np.ndarray:
    """P(good) learnt at the base rate `base`, restated at `prior` (Bayes' rule on the odds)."""
    return 1 / (1 + np.exp(-(_logit(p) - _logit(base) + _logit(prior))))


def quality_columns(counts: pd.DataFrame, model: dict, level: float = 0.90, n_draws: int = 2000,
                    seed: int = 0, prior: float = PRIOR) -> pd.DataFrame:
    """`mi_quality_probability` with a `_low`/`_high` interval per transcript (rows of `counts`), length-calibrated,
    at `prior` (default even odds; `mi_quality_prior` records it).

    `mi_quality_evidence` names the evidence that moved it most ('+pct_complex_reflections; -advice_rate').
    Empty, with `mi_quality_reason` saying why, without counsellor utterances or with fewer than
    `MIN_COUNSELLOR` (or the model's lower `min_counsellor`: "too short to judge"); "" where there is one.
    """
    import zlib

    prior = check_prior(prior)
    length = model.get("length") or LENGTH_FALLBACK
    base = length["base"]
    minimum = min(length["min_counsellor"], MIN_COUNSELLOR)
    values = count_matrix(counts)
    n_counsellor = values[:, :len(COUNSELLOR_CODES)].sum(axis=1)
    z = standardized(values, model)
    point = at_prior(shrink(probability(values, model, z), n_counsellor, length), base, prior)
    low, high = np.full(len(values), np.nan), np.full(len(values), np.nan)
    reason = np.full(len(values), "", dtype=object)
    tail = (1 - level) / 2
    for i, (key, row) in enumerate(zip(counts.index, values)):
        if n_counsellor[i] < max(minimum, 1):
            point[i] = np.nan
            reason[i] = ("no counsellor utterances" if n_counsellor[i] == 0 else
                         f"too short to judge ({int(n_counsellor[i])} counsellor utterances; needs {minimum})")
            continue
        rng = np.random.default_rng([seed, zlib.crc32(str(key).encode("utf-8"))])
        draws = np.zeros((n_draws, len(row)))
        for cols in (slice(0, len(COUNSELLOR_CODES)), slice(len(COUNSELLOR_CODES), len(CODE_COUNTS))):
            if row[cols].sum() > 0:
                draws[:, cols] = rng.dirichlet(row[cols] + 0.5, size=n_draws) * row[cols].sum()
        if len(row) > len(CODE_COUNTS):  # reflected change talk: a share of the drawn change talk
            talk = CODE_COUNTS.index("change_talk")
            share = rng.beta(row[-1] + 0.5, row[talk] - row[-1] + 0.5, size=n_draws)
            draws[:, -1] = draws[:, talk] * share
        p = at_prior(shrink(probability(draws, model), n_counsellor[i], length), base, prior)
        # the draws smooth a short session's counts toward even shares; the interval always holds the estimate
        low[i], high[i] = min(np.quantile(p, tail), point[i]), max(np.quantile(p, 1 - tail), point[i])
    out = pd.DataFrame({"mi_quality_probability": point, "mi_quality_probability_low": low,
                        "mi_quality_probability_high": high}, index=counts.index).round(4)
    out["mi_quality_reason"] = reason
    out["mi_quality_prior"] = prior
    out["mi_quality_evidence"] = np.where(np.isnan(point), "", moved_by(z, model))
    return out
