"""How sure a summary score is: expected true counts and intervals from the model's known confusions.

At training time the model is cross-validated by transcript and the confusion counts
(expert code x predicted code) are stored with it. For a coded transcript, each utterance
coded k stands for a true code drawn from P(true | predicted = k); drawing every utterance
many times gives the distribution of each true count and of each ratio, hence an expected
value, a 90% interval and the probability of each MITI band.

Errors are not independent within a transcript (one client's way of talking, one counsellor's
habits), so each transcript first draws its own P(true | predicted) from a Dirichlet centred
on the pooled one, with a concentration fitted at training time to how much those
probabilities varied between held-out transcripts (`fit_concentration`). Without the
concentration the utterances are drawn independently and the intervals come out too narrow.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from ._scores import band, ratio


def posterior(counts, smoothing: float = 1.0) -> np.ndarray:
    """P(true = t | predicted = k) as rows k, from confusion counts, with add-`smoothing` on the diagonal.

    Smoothing only on the diagonal keeps a code the model rarely predicts (no evidence) mostly
    itself rather than spreading it evenly over every code.
    """
    counts = np.asarray(counts, dtype=float).T + smoothing * np.eye(len(counts))
    return counts / counts.sum(axis=1, keepdims=True)


def draw_true_counts(predicted_counts: np.ndarray, post: np.ndarray, n_draws: int,
                     rng: np.random.Generator, concentration: float | None = None) -> np.ndarray:
    """(n_draws, n_codes) true counts: each predicted-k utterance redrawn from post[k].

    With a `concentration`, every draw first picks the transcript's own row from
    Dirichlet(concentration x post[k]) (a Dirichlet-multinomial draw).
    """
    out = np.zeros((n_draws, post.shape[1]), dtype=np.int64)
    for k, n in enumerate(np.asarray(predicted_counts, dtype=np.int64)):
        if n:
            if concentration:
                rows = rng.dirichlet(concentration * _floor(post[k]), size=n_draws)
                out += rng.multinomial(n, rows)
            else:
                out += rng.multinomial(n, post[k], size=n_draws)
    return out


def _floor(p: np.ndarray) -> np.ndarray:
    """A probability row with no exact zeros (a Dirichlet needs positive parameters)."""
    p = np.maximum(p, 1e-4)
    return p / p.sum()


CONCENTRATIONS = tuple(float(c) for c in np.geomspace(1, 10_000, 41))


def fit_concentration(true, predicted, transcripts, codes, counts) -> float | None:
    """The Dirichlet concentration of transcripts' own P(true | predicted), by maximum likelihood.

    `true`, `predicted` and `transcripts` are per held-out utterance; `counts` is the pooled
    confusion (true x predicted) that sets the Dirichlet's mean. Each transcript's true codes
    among its predicted-k utterances are one Dirichlet-multinomial observation; the
    concentration is chosen on a grid from 1 to 10,000. None (independent draws) wins when
    transcripts vary no more than chance says.
    """
    from scipy.special import gammaln

    post = posterior(counts)
    index = {c: i for i, c in enumerate(codes)}
    frame = pd.DataFrame({"t": np.asarray(transcripts), "k": [index[c] for c in predicted],
                          "true": [index[c] for c in true]})
    table = frame.groupby(["t", "k", "true"]).size().unstack(fill_value=0).reindex(
        columns=range(len(codes)), fill_value=0)
    x = table.to_numpy(dtype=float)
    mean = np.array([_floor(p) for p in post])[table.index.get_level_values("k").to_numpy()]
    n = x.sum(axis=1)
    constant = gammaln(n + 1) - gammaln(x + 1).sum(axis=1)  # the multinomial coefficient

    def loglik(c: float | None) -> float:
        if c is None:  # multinomial: the limit of an infinite concentration
            return float((constant + (x * np.log(mean)).sum(axis=1)).sum())
        alpha = c * mean
        return float((constant + gammaln(c) - gammaln(n + c) + (gammaln(x + alpha) - gammaln(alpha)).sum(axis=1)).sum())

    return max((None,) + CONCENTRATIONS, key=loglik)


def row_quantiles(values: np.ndarray, defined: np.ndarray, qs) -> list[np.ndarray]:
    """Each row's quantiles over its defined (non-NaN) entries, linear as `np.quantile`'s default; NaN for
    a row with none. One sort for all rows (`np.nanquantile` loops over them in Python)."""
    ordered = np.sort(values, axis=1)  # NaN sort last
    m = defined.sum(axis=1)
    out = []
    for q in qs:
        position = q * np.maximum(m - 1, 0)
        below = np.floor(position).astype(int)
        above = np.minimum(below + 1, np.maximum(m - 1, 0))
        rows = np.arange(len(values))
        value = ordered[rows, below] + (position - below) * (ordered[rows, above] - ordered[rows, below])
        out.append(np.where(m > 0, value, np.nan))
    return out


def summary_uncertainty(counts: pd.DataFrame, confusion: dict, scores: dict, level: float = 0.90,
                        n_draws: int = 2000, seed: int = 0, chunk: int = 256) -> pd.DataFrame:
    """Per transcript and score: `<score>_expected`, `_low`, `_high` and, where banded, `_band_probability`.

    `counts` has one count column per code (as `summarize` builds it); `confusion` maps each side
    to {"codes": [...], "counts": [[...]], "concentration": float or None (optional)}; `scores`
    is `scores.SCORES`. The band probability is the share of draws that fall in the band the
    hard-coded score reports.

    The true counts of the n utterances coded k are drawn once per (side, k, n), seeded by those
    alone, and shared by every transcript with n such utterances: a transcript's interval depends
    on its own counts only (never on the other rows of the file), and a file of thousands of
    transcripts needs a few hundred draws, not thousands.
    """
    tail = (1 - level) / 2
    drawn_sides = []
    for side, c in confusion.items():
        codes, post, concentration = list(c["codes"]), posterior(c["counts"]), c.get("concentration")
        drawn_sides.append((codes, post, concentration, counts[codes].to_numpy(dtype=np.int64),
                            zlib.crc32(side.encode("utf-8"))))
    columns = [f"{name}_{part}" for name, (_, _, fair, _) in scores.items()
               for part in ("expected", "low", "high") + (("band_probability",) if fair is not None else ())]
    cache: dict = {}

    def true_counts(post, concentration, side_key, k, n):
        key = (side_key, k, n)
        if key not in cache:
            rng = np.random.default_rng([seed, side_key, k, n])
            cache[key] = draw_true_counts(np.eye(len(post), dtype=np.int64)[k] * n, post, n_draws, rng, concentration)
        return cache[key]

    parts = []
    for start in range(0, len(counts), chunk):
        rows = slice(start, start + chunk)
        drawn, observed = {}, {}
        for codes, post, concentration, table, side_key in drawn_sides:
            part = table[rows]
            true = np.zeros((len(part), n_draws, len(codes)), dtype=np.int64)
            for k in range(len(codes)):
                for n in np.unique(part[:, k]):
                    if n:
                        true[part[:, k] == n] += true_counts(post, concentration, side_key, k, int(n))
            drawn.update({c: true[:, :, i] for i, c in enumerate(codes)})
            observed.update({c: part[:, i] for i, c in enumerate(codes)})
        out = {}
        for name, (num, den, fair, good) in scores.items():
            values = ratio(sum(drawn[c] for c in num), sum(drawn[c] for c in den))  # (transcripts, draws)
            point = ratio(sum(observed[c] for c in num), sum(observed[c] for c in den))
            defined = ~np.isnan(values)
            n_defined = defined.sum(axis=1)
            enough = n_defined >= n_draws / 2  # mostly undefined: too few utterances to say anything
            low, high = row_quantiles(values, defined, (tail, 1 - tail))
            expected = np.where(defined, values, 0).sum(axis=1) / np.maximum(n_defined, 1)
            out[f"{name}_expected"] = np.where(enough, expected, np.nan)
            out[f"{name}_low"] = np.where(enough, low, np.nan)
            out[f"{name}_high"] = np.where(enough, high, np.nan)
            if fair is not None:
                reported = band(point, fair, good)
                same = (band(values, fair, good) == reported[:, None]) & defined
                share = same.sum(axis=1) / np.maximum(n_defined, 1)
                out[f"{name}_band_probability"] = np.where((reported != "") & (n_defined > 0), share, np.nan)
        parts.append(pd.DataFrame(out, index=counts.index[rows], columns=columns))
    if not parts:
        return pd.DataFrame(index=counts.index, columns=columns, dtype=float)
    return pd.concat(parts).round(4)  # estimates: 4 decimals is plenty
