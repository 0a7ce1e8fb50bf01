"""Intervals and band probabilities from the model's held-out confusions."""

import math

import numpy as np
import pandas as pd
import pytest

from mi_coder.codes import CLIENT_CODES, COUNSELLOR_CODES
from mi_coder.summarize import SCORES, summarize
from mi_coder.uncertainty import posterior, summary_uncertainty


def perfect():
    return {"counsellor": {"codes": list(COUNSELLOR_CODES), "counts": (np.eye(8, dtype=int) * 100).tolist()},
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
    prior = np.array([0.15, 0.12, 0.15, 0.13, 0.05, 0.05, 0.1, 0.25])
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
