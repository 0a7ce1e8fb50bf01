"""The fast TF-IDF vectorizer must give scikit-learn's matrix, for any documents."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer

from mi_coder.coding._vectorize import TokenTfidfVectorizer

WORDS = ["i", "want", "to", "quit", "you", "feel", "it", "'s", "hard", ".", "?", "mm-hmm", "drinking", "a"]
TRAIN = [" ".join(np.random.default_rng(k).choice(WORDS, size=k % 12 + 1)) for k in range(200)] + [""]

SETTINGS = [
    dict(analyzer="word", ngram_range=(1, 3), min_df=2, max_features=300),
    dict(analyzer="word", ngram_range=(1, 1), min_df=1),
    dict(analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=400),
]


def reference(params):
    """The plain scikit-learn vectorizer the fast one stands in for."""
    word = params["analyzer"] == "word"
    return TfidfVectorizer(**params, sublinear_tf=True, dtype=np.float32, lowercase=False,
                           tokenizer=str.split if word else None, token_pattern=None)


docs = st.lists(st.lists(st.sampled_from(WORDS + ["unseen", "x", "Ünï"]), max_size=15).map(" ".join)
                | st.text(max_size=40), min_size=1, max_size=8)


@pytest.mark.parametrize("params", SETTINGS)
@settings(max_examples=40, deadline=None)
@given(documents=docs)
def test_transform_matches_scikit_learn(params, documents):
    fast, slow = TokenTfidfVectorizer(**params).fit(TRAIN), reference(params).fit(TRAIN)
    assert fast.vocabulary_ == slow.vocabulary_
    a, b = fast.transform(documents), slow.transform(documents)
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_allclose(a.toarray(), b.toarray(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("params", SETTINGS)
def test_clone_and_pickle_keep_behaviour(params):
    fitted = TokenTfidfVectorizer(**params).fit(TRAIN)
    before = fitted.transform(TRAIN).toarray()
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(TRAIN).toarray(), before)
    np.testing.assert_array_equal(clone(fitted).fit(TRAIN).transform(TRAIN).toarray(), before)


def test_refuses_a_single_string_and_other_analyzers():
    fitted = TokenTfidfVectorizer().fit(TRAIN)
    with pytest.raises(ValueError, match="Iterable"):
        fitted.transform("i want to quit")
    with pytest.raises(ValueError, match="analyzer"):
        TokenTfidfVectorizer(analyzer="char").fit(TRAIN)


@pytest.mark.parametrize("params", SETTINGS)
def test_repeated_neighbouring_documents_are_counted_alike(params):
    documents = ["i want to quit", "i want to quit", "you feel", "i want to quit", "", "", "a"]
    fast, slow = TokenTfidfVectorizer(**params).fit(TRAIN), reference(params).fit(TRAIN)
    np.testing.assert_allclose(fast.transform(documents).toarray(), slow.transform(documents).toarray(), rtol=1e-5)
