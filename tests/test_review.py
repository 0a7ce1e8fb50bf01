"""What the report marks for review: codes below the confidence at which held-out codes became more often right."""

import numpy as np
import pandas as pd
import pytest

from mi_coder.codes import COUNSELLOR_CODES
from mi_coder.training._evaluate import review_thresholds


def test_review_threshold_is_where_held_out_codes_stop_being_probably_wrong():
    """Rows at confidence 0.3 are right 1 time in 4, at 0.45 3 in 4: below a third right means below 0.45."""
    n = 400
    truth = np.array(["open_question"] * n, dtype=object)
    low = np.arange(n) < n // 2
    right = np.where(low, np.arange(n) % 4 == 0, np.arange(n) % 4 != 0)
    confidence = np.where(low, 0.30, 0.45)
    k = len(COUNSELLOR_CODES)
    proba = np.repeat(((1 - confidence) / (k - 1))[:, None], k, axis=1)  # the other codes share the rest evenly
    chosen = np.where(right, 0, 1)  # open_question when right, closed_question when wrong
    proba[np.arange(n), chosen] = confidence
    frame = pd.DataFrame({"corpus": "annomi", "group": np.arange(n) // 20, "side": "counsellor", "code": truth})
    out = review_thresholds(frame, {"counsellor": proba, "client": np.full((n, 3), np.nan)})["counsellor"]
    assert out["threshold"] == pytest.approx(0.45) and out["share_below"] == pytest.approx(0.5)
    assert out["accuracy_below"] == pytest.approx(0.25) and out["accuracy_above"] == pytest.approx(0.75)


@pytest.mark.slow
def test_training_stores_the_review_thresholds(tiny_model):
    from mi_coder.coding import read_manifest

    review = read_manifest(tiny_model)["info"]["review"]
    assert set(review) == {"counsellor", "client"}
    assert all(0 < r["threshold"] <= 1 and r["accuracy_below"] < 1 / 3 + 1e-9 for r in review.values()
               if r["share_below"] > 0)
