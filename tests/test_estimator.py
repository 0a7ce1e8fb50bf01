"""MICoder follows scikit-learn's conventions: clone, get/set_params, grouped CV and grid search."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_predict

from mi_coder import MICoder
from mi_coder.codes import ALL_CODES, CLIENT_CODES, COUNSELLOR_CODES
from mi_coder.training._corpora import estimator_input

pytestmark = pytest.mark.slow  # trains models or runs notebooks: skipped by the quick loop


@pytest.fixture(scope="module")
def annomi_rows(corpus_slice):
    """AnnoMI rows of the slice with a full code (accuracy needs every row labelled)."""
    frame = corpus_slice[(corpus_slice["corpus"] == "annomi")
                         & corpus_slice["code"].isin(COUNSELLOR_CODES + CLIENT_CODES)].reset_index(drop=True)
    X, y = estimator_input(frame)
    return X, y.astype(str), frame["group"].to_numpy()


def test_constructor_is_cheap_and_params_round_trip():
    coder = MICoder(counsellor_C=2.0)
    assert coder.get_params()["counsellor_C"] == 2.0
    twin = clone(coder)
    assert twin is not coder and twin.get_params() == coder.get_params()
    assert not hasattr(twin, "pipelines_")  # clone is unfitted
    coder.set_params(client_C=0.1)
    assert coder.client_C == 0.1


def test_fit_predict_and_probabilities_follow_the_side(annomi_rows):
    X, y, _ = annomi_rows
    coder = MICoder().fit(X, y)
    assert list(coder.classes_) == list(COUNSELLOR_CODES + CLIENT_CODES)
    proba = coder.predict_proba(X)
    assert proba.shape == (len(X), len(ALL_CODES))
    counsellor = (X["side"] == "counsellor").to_numpy()
    k = len(COUNSELLOR_CODES)
    assert np.allclose(proba[counsellor, :k].sum(axis=1), 1) and np.isnan(proba[counsellor, k:]).all()
    assert np.allclose(proba[~counsellor, k:].sum(axis=1), 1) and np.isnan(proba[~counsellor, :k]).all()
    predicted = coder.predict(X)
    assert np.isin(predicted[counsellor], COUNSELLOR_CODES).all()
    assert np.isin(predicted[~counsellor], CLIENT_CODES).all()
    assert coder.score(X, y) > 0.6  # its own training rows


def test_cross_val_predict_with_transcript_groups(annomi_rows):
    X, y, groups = annomi_rows
    predicted = cross_val_predict(MICoder(), X, y, groups=groups, cv=GroupKFold(n_splits=3))
    assert len(predicted) == len(X)
    # Held-out transcripts: well above the majority-class rate of each side, below the training fit.
    counsellor = (X["side"] == "counsellor").to_numpy()
    accuracy = np.mean(predicted[counsellor] == y[counsellor])
    majority = pd.Series(y[counsellor]).value_counts(normalize=True).iloc[0]
    assert accuracy > majority + 0.1


def test_grid_search_over_one_hyper_parameter_with_grouped_folds(annomi_rows):
    X, y, groups = annomi_rows
    search = GridSearchCV(MICoder(), {"counsellor_C": [0.05, 4.0]}, cv=GroupKFold(n_splits=2),
                          scoring="f1_macro")
    search.fit(X, y, groups=groups)
    assert search.best_params_["counsellor_C"] in (0.05, 4.0)
    assert len(search.cv_results_["mean_test_score"]) == 2
    assert search.cv_results_["mean_test_score"].max() > 0.3
    assert isinstance(search.best_estimator_, MICoder)


def test_input_without_the_utterance_columns_is_refused():
    with pytest.raises(ValueError, match="transcript"):
        MICoder().fit(pd.DataFrame({"text": ["hi"], "side": ["client"]}), ["neutral"])
    with pytest.raises(TypeError, match="DataFrame"):
        MICoder().fit([["hi", "client", 0]], ["neutral"])


def test_sides_pass_through_the_one_side_vocabulary(annomi_rows):
    X, y, _ = annomi_rows
    therapist = X.assign(side=X["side"].map({"counsellor": "therapist", "client": "patient"}))
    coder = MICoder().fit(X, y)
    assert (coder.predict(therapist) == coder.predict(X)).all()
    from mi_coder.errors import InputError
    with pytest.raises(InputError, match="therapist"):
        coder.predict(X.assign(side="narrator"))
