"""The hierarchical counsellor classifier: leaf probabilities and columns read by the subtypes alone."""

import numpy as np

from mi_coder.codes import COUNSELLOR_CODES
from mi_coder.coding._classifiers import HierarchicalClassifier


def test_subtype_only_columns_are_hidden_from_the_coarse_classifier():
    rng = np.random.default_rng(0)
    y = np.array(["open_question", "closed_question", "simple_reflection", "advice", "question"] * 20, dtype=object)
    shared = rng.normal(size=(len(y), 5))
    # The last column tells open from closed exactly; the coarse classifier must not see it.
    form = np.where(y == "open_question", 1.0, 0.0)[:, None]
    X = np.hstack([shared, form])
    model = HierarchicalClassifier(subtype_only=1).fit(X, y)
    assert model.coarse_.n_features_in_ == 5
    assert model.subtypes_["question"].n_features_in_ == 6
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), len(COUNSELLOR_CODES)) and np.allclose(proba.sum(axis=1), 1)
    # Changing only the subtype column moves mass between open and closed, never out of question.
    flipped = X.copy()
    flipped[:, -1] = 1 - flipped[:, -1]
    coarse = model.coarse_.predict_proba(model.coarse_columns(X))
    assert np.allclose(coarse, model.coarse_.predict_proba(model.coarse_columns(flipped)))
    index = [COUNSELLOR_CODES.index(c) for c in ("open_question", "closed_question")]
    assert np.allclose(proba[:, index].sum(axis=1), model.predict_proba(flipped)[:, index].sum(axis=1))
    opens = y == "open_question"
    assert (proba[opens, index[0]] > model.predict_proba(flipped)[opens, index[0]]).all()
