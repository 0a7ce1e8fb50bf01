"""The classifiers behind `MICoder`: the counsellor's 8 codes (hierarchical) and the client's 3.

The counsellor model is hierarchical because ESConv says only "a question" or "a reflection":
a coarse classifier learns six classes from both corpora, and two subtype classifiers
(open/closed, simple/complex) learn from the rows that carry a subtype. The probability of
`open_question` is P(question) x P(open | question), so every code gets a probability.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression

from ..codes import CLIENT_CODES, COARSE_OF, COUNSELLOR_CODES, QUESTION, REFLECTION

SUBTYPES = {
    QUESTION: ("open_question", "closed_question"),
    REFLECTION: ("simple_reflection", "complex_reflection"),
}


class HierarchicalClassifier(ClassifierMixin, BaseEstimator):
    """Coarse classifier plus per-parent subtype classifiers, with probabilities over leaf codes.

    `y` may hold a leaf code or just its parent (`question`, `reflection`): such rows teach the
    coarse classifier only. The last `subtype_only` columns of X are read by the subtype
    classifiers alone (features that tell open from closed but blur question from reflection).
    """

    def __init__(self, estimator=None, subtype_estimator=None, classes=COUNSELLOR_CODES, subtype_only=0):
        self.estimator = estimator
        self.subtype_estimator = subtype_estimator
        self.classes = classes
        self.subtype_only = subtype_only

    def coarse_columns(self, X):
        """The columns of X the coarse classifier reads (all of them in models saved before `subtype_only`)."""
        k = getattr(self, "subtype_only", 0)
        return X[:, : X.shape[1] - k] if k else X

    def _base(self, which):
        est = self.estimator if which == "coarse" else (self.subtype_estimator or self.estimator)
        return clone(est if est is not None else LogisticRegression(max_iter=3000))

    def fit(self, X, y, sample_weight=None):
        y = np.asarray(y, dtype=object)
        coarse = np.array([COARSE_OF[v] for v in y], dtype=object)
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.coarse_ = self._base("coarse").fit(self.coarse_columns(X), coarse, sample_weight=weight)
        self.subtypes_ = {}
        for parent, children in SUBTYPES.items():
            mask = np.isin(y, children)
            if len(set(y[mask])) == 2:
                self.subtypes_[parent] = self._base("subtype").fit(
                    X[mask], y[mask], sample_weight=None if weight is None else weight[mask])
        self.classes_ = np.array(self.classes, dtype=object)
        return self

    def predict_proba(self, X):
        return self.leaf_proba(self.coarse_.predict_proba(self.coarse_columns(X)), self.coarse_.classes_, X)

    def leaf_proba(self, coarse: np.ndarray, coarse_classes, X) -> np.ndarray:
        """Leaf-code probabilities from coarse ones (in `coarse_classes` order) and this model's subtypes on X.

        The session stage re-estimates the coarse classes and keeps these subtype classifiers.
        """
        out = np.zeros((coarse.shape[0], len(self.classes_)))
        index = {c: i for i, c in enumerate(self.classes_)}
        for k, parent in enumerate(coarse_classes):
            if parent in self.subtypes_:
                sub = self.subtypes_[parent]
                sub_p = sub.predict_proba(X)
                for j, child in enumerate(sub.classes_):
                    out[:, index[child]] += coarse[:, k] * sub_p[:, j]
            elif parent in SUBTYPES:  # no subtype data: split evenly
                for child in SUBTYPES[parent]:
                    out[:, index[child]] += coarse[:, k] / len(SUBTYPES[parent])
            else:
                out[:, index[parent]] += coarse[:, k]
        return out

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class CodeOrderClassifier(ClassifierMixin, BaseEstimator):
    """Wraps a classifier so that `predict_proba` columns follow `classes`, not sorted labels.

    The Coder reads probability columns in the SPEC's code order; scikit-learn sorts labels
    alphabetically, so without this wrapper `neutral` and `sustain_talk` would swap.
    """

    def __init__(self, estimator=None, classes=CLIENT_CODES):
        self.estimator = estimator
        self.classes = classes

    def fit(self, X, y, sample_weight=None):
        est = clone(self.estimator if self.estimator is not None else LogisticRegression(max_iter=3000))
        self.estimator_ = est.fit(X, y, sample_weight=sample_weight)
        self.classes_ = np.array(self.classes, dtype=object)
        return self

    def predict_proba(self, X):
        p = self.estimator_.predict_proba(X)
        out = np.zeros((p.shape[0], len(self.classes_)))
        index = {c: i for i, c in enumerate(self.classes_)}
        for j, c in enumerate(self.estimator_.classes_):
            out[:, index[c]] = p[:, j]
        return out

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
