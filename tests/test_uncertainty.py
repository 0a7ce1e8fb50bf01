"""Intervals and band probabilities from the model's held-out confusions."""

import math

import numpy as np
import pandas as pd
import pytest

from mi_coder.codes import CLIENT_CODES, COUNSELLOR_CODES
from mi_coder.summary import SCORES, summarize
from mi_coder.summary._uncertainty import fit_concentration, posterior, summary_uncertainty


def perfect():
    return {"counsellor": {"codes": list(COUNSELLOR_CODES), "counts": (np.eye(len(COUNSELLOR_CODES), dtype=int) * 100).tolist()},
            "client": {"codes": list(CLIENT_CODES), "counts": (np.eye(3, dtype=int) * 100).tolist()}}


def test_posterior_rows_are_distributions_and_hand_computed():
    counts = [[8, 2], [0, 10]]  # true a: 8 coded a, 2 coded b; true b: all coded b
    post = posterior(counts, smoothing=0)
    assert post[0].tolist() == [1.0, 0.0]          # coded a -> always truly a
    assert post[1] == pytest.approx([2 / 12, 10 / 12])  # coded b -> truly a 1 time in 6
    assert np.allclose(posterior(counts).sum(axis=1), 1)


def test_perfect_model_gives_point_intervals_and_certain_bands():
    coded = pd.DataFrame({"transcript_id": "t", "mi_code": ["simple_reflection"] * 3 + ["open_question"] * 2
                          + ["closed_question"]})
    s = summarize(coded, confusion=perfect()).iloc[0]
    # smoothing of 1 against 100 leaves a tiny chance of confusion: intervals stay at the point
    assert s["reflection_to_question_low"] == s["reflection_to_question_high"] == pytest.approx(1.0)
    assert s["reflection_to_question_band_probability"] > 0.9
    assert math.isnan(s["pct_change_talk_expected"])  # no client talk at all: undefined


def test_intervals_cover_the_truth_at_about_their_nominal_rate():
    """Simulate a model with known confusions; 90% intervals should hold the true ratio ~90% of the time."""
    rng = np.random.default_rng(1)
    n_codes = len(COUNSELLOR_CODES)
    confusion = 0.7 * np.eye(n_codes) + 0.3 * rng.dirichlet(np.ones(n_codes), size=n_codes)
    prior = np.array([0.15, 0.12, 0.15, 0.13, 0.05, 0.05, 0.1, 0.23, 0.02])  # the 9 counsellor codes
    true_codes = rng.choice(n_codes, size=200_000, p=prior)
    predicted = np.array([rng.choice(n_codes, p=confusion[t]) for t in true_codes[:20_000]])
    counts = np.zeros((n_codes, n_codes), dtype=int)
    np.add.at(counts, (true_codes[:20_000], predicted), 1)
    model = {"counsellor": {"codes": list(COUNSELLOR_CODES), "counts": counts.tolist()}}
    hits, trials = 0, 0
    for _ in range(150):
        t = rng.choice(n_codes, size=60, p=prior)
        p = np.array([rng.choice(n_codes, p=confusion[x]) for x in t])
        pred_counts = pd.DataFrame([np.bincount(p, minlength=n_codes)], columns=list(COUNSELLOR_CODES))
        for c in CLIENT_CODES:
            pred_counts[c] = 0
        true_counts = np.bincount(t, minlength=n_codes)
        r = summary_uncertainty(pred_counts, model, {"reflection_to_question": SCORES["reflection_to_question"]},
                                n_draws=1000, seed=int(rng.integers(1e9))).iloc[0]
        truth = (true_counts[2] + true_counts[3]) / (true_counts[0] + true_counts[1])
        hits += r["reflection_to_question_low"] <= truth <= r["reflection_to_question_high"]
        trials += 1
    assert 0.80 <= hits / trials <= 0.98


def test_without_confusions_no_interval_columns():
    s = summarize(pd.DataFrame({"mi_code": ["open_question"]}), confusion=None)
    assert not [c for c in s.columns if c.endswith(("_low", "_high", "_band_probability"))]


def simulate_transcripts(rng, concentration, n_transcripts=200, size=40):
    """Client transcripts whose own P(true | predicted) varies around a pooled one (None: it does not)."""
    post = np.array([[0.7, 0.1, 0.2], [0.15, 0.6, 0.25], [0.1, 0.05, 0.85]])  # rows: predicted code
    rows = []
    for t in range(n_transcripts):
        own = post if concentration is None else np.array([rng.dirichlet(concentration * p) for p in post])
        predicted = rng.choice(3, size=size, p=[0.2, 0.1, 0.7])
        true = np.array([rng.choice(3, p=own[k]) for k in predicted])
        rows.append((t, predicted, true))
    counts = np.zeros((3, 3), dtype=int)  # true x predicted, pooled
    for _, predicted, true in rows:
        np.add.at(counts, (true, predicted), 1)
    return rows, counts


def fitted(rows, counts):
    transcripts = np.concatenate([[t] * len(p) for t, p, _ in rows])
    predicted = np.asarray(CLIENT_CODES, dtype=object)[np.concatenate([p for _, p, _ in rows])]
    true = np.asarray(CLIENT_CODES, dtype=object)[np.concatenate([x for _, _, x in rows])]
    return fit_concentration(true, predicted, transcripts, list(CLIENT_CODES), counts)


def test_fit_concentration_finds_how_much_transcripts_vary():
    rng = np.random.default_rng(3)
    assert 8 <= fitted(*simulate_transcripts(rng, 20.0)) <= 50
    independent = fitted(*simulate_transcripts(rng, None))
    assert independent is None or independent >= 200  # so concentrated it barely widens an interval


def test_concentration_restores_coverage_when_transcripts_vary():
    """Errors shared within a transcript: independent draws under-cover, the fitted Dirichlet does not."""
    rng = np.random.default_rng(5)
    rows, counts = simulate_transcripts(rng, 10.0, n_transcripts=150)
    concentration = fitted(rows, counts)
    score = {"pct_change_talk": SCORES["pct_change_talk"]}
    hits = {None: 0, concentration: 0}
    for t, predicted, true in rows:
        table = pd.DataFrame([np.bincount(predicted, minlength=3)], columns=list(CLIENT_CODES))
        truth = np.bincount(true, minlength=3)
        value = truth[0] / (truth[0] + truth[1])
        for c in hits:
            model = {"client": {"codes": list(CLIENT_CODES), "counts": counts.tolist(), "concentration": c}}
            r = summary_uncertainty(table, model, score, n_draws=1000, seed=t).iloc[0]
            hits[c] += r["pct_change_talk_low"] - 1e-9 <= value <= r["pct_change_talk_high"] + 1e-9
    assert hits[concentration] / len(rows) >= 0.84
    assert hits[concentration] > hits[None] + 0.05 * len(rows)
