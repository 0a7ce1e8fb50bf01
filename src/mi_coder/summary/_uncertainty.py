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


def summary_uncertainty(counts: pd.DataFrame, confusion: dict, scores: dict, level: float = 0.90,
                        n_draws: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Per transcript and score: `<score>_expected`, `_low`, `_high` and, where banded, `_band_probability`.

    `counts` has one count column per code (as `summarize` builds it); `confusion` maps each side
    to {"codes": [...], "counts": [[...]], "concentration": float or None (optional)}; `scores`
    is `scores.SCORES`. The band probability
    is the share of draws that fall in the band the hard-coded score reports.
    """
    posts = {side: (list(c["codes"]), posterior(c["counts"]), c.get("concentration"))
             for side, c in confusion.items()}
    tail = (1 - level) / 2
    rows = []
    for key, row in counts.iterrows():
        # seeded by the transcript's id: its interval does not depend on the other rows of the file
        rng = np.random.default_rng([seed, zlib.crc32(str(key).encode("utf-8"))])
        drawn = {}
        for side, (codes, post, concentration) in posts.items():
            true = draw_true_counts(row[codes].to_numpy(), post, n_draws, rng, concentration)
            drawn.update({c: true[:, i] for i, c in enumerate(codes)})
        out = {}
        for name, (num, den, fair, good) in scores.items():
            values = ratio(sum(drawn[c] for c in num), sum(drawn[c] for c in den))
            defined = values[~np.isnan(values)]
            point = ratio(row[list(num)].sum(), row[list(den)].sum())
            if len(defined) < n_draws / 2:  # mostly undefined: too few utterances to say anything
                out.update({f"{name}_expected": np.nan, f"{name}_low": np.nan, f"{name}_high": np.nan})
            else:
                out.update({f"{name}_expected": float(np.mean(defined)),
                            f"{name}_low": float(np.quantile(defined, tail)),
                            f"{name}_high": float(np.quantile(defined, 1 - tail))})
            if fair is not None:
                reported = band([point], fair, good)[0]
                out[f"{name}_band_probability"] = (
                    float(np.mean(band(defined, fair, good) == reported)) if reported and len(defined) else np.nan)
        rows.append(out)
    columns = [f"{name}_{part}" for name, (_, _, fair, _) in scores.items()
               for part in ("expected", "low", "high") + (("band_probability",) if fair is not None else ())]
    return pd.DataFrame(rows, index=counts.index, columns=columns).round(4)  # estimates: 4 decimals is plenty
