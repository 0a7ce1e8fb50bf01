"""A TF-IDF vectorizer over whitespace tokens whose `transform` runs in numpy, not per document.

scikit-learn's `TfidfVectorizer.transform` builds every n-gram string in Python, which made it
the slowest step of coding (about 11,000 utterances/s for word 1-3-grams, 5,000 for char n-grams).
`TokenTfidfVectorizer` is fitted by scikit-learn itself (same vocabulary and idf) and gives the
same matrix, but counts n-grams as integer keys of token ids, looked up for a whole batch at once.
"""

from __future__ import annotations

from itertools import chain, compress, repeat
from operator import ne

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted


CHAR_CACHE = 200_000  # distinct tokens whose char n-gram columns a vectorizer remembers


class TokenTfidfVectorizer(TfidfVectorizer):
    """TF-IDF of word n-grams (`analyzer="word"`) or word-bounded char n-grams (`"char_wb"`).

    Documents are strings of whitespace-separated tokens that are already normalised (the
    preprocessing step lower-cases them), so the tokenizer is `str.split` and nothing is
    lower-cased again. `fit` is scikit-learn's; `transform` returns the same matrix, faster.
    """

    def __init__(self, analyzer="word", ngram_range=(1, 1), min_df=1, max_features=None,
                 sublinear_tf=True, dtype=np.float32):
        super().__init__(analyzer=analyzer, ngram_range=ngram_range, min_df=min_df,
                         max_features=max_features, sublinear_tf=sublinear_tf, dtype=dtype,
                         token_pattern=None, lowercase=False)

    def build_tokenizer(self):
        """Whitespace: the documents are already tokenized (so `set_params(analyzer=...)` is safe)."""
        return str.split

    def fit(self, raw_documents, y=None):
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        if self.analyzer not in ("word", "char_wb"):
            raise ValueError(f"analyzer must be 'word' or 'char_wb', not {self.analyzer!r}")
        X = super().fit_transform(raw_documents, y)
        # The n-grams cut by min_df/max_features: introspection only, and most of a model's size
        # (scikit-learn documents that it can be dropped before pickling).
        self.stop_words_ = None
        self._index_ngrams()
        return X

    def __getstate__(self):
        # joblib unpickles in pure Python, which takes seconds for dicts of 10^5 strings: the
        # vocabulary and the token ids travel as one newline-joined string each (terms are
        # whitespace-split tokens and never hold a newline) and a numpy array; no nested pickle.
        state = dict(super().__getstate__())
        state.pop("_char_cache", None)
        if isinstance(state.get("vocabulary_"), dict):
            vocabulary = state.pop("vocabulary_")
            state["vocabulary_joined_"] = "\n".join(sorted(vocabulary, key=vocabulary.get))
        if isinstance(state.get("_tokens"), dict):
            state["_tokens_joined"] = "\n".join(state.pop("_tokens"))
            state["_keys"] = state["_keys"].to_numpy()
        return state

    def __setstate__(self, state):
        if "vocabulary_joined_" in state:
            terms = _split(state.pop("vocabulary_joined_"))
            state["vocabulary_"] = dict(zip(terms, range(len(terms))))
        if "_tokens_joined" in state:
            tokens = _split(state.pop("_tokens_joined"))
            state["_tokens"] = dict(zip(tokens, range(1, len(tokens) + 1)))
            state["_keys"] = pd.Index(state["_keys"])
        super().__setstate__(state)

    def _index_ngrams(self):
        """Word analyzer: ids for the tokens of kept n-grams, and each column's n-gram as an integer key.

        An n-gram of token ids (t1, ..., tn) is the number t1 t2 ... tn in base V + 1 (V tokens;
        0 stands for an unknown token), so n-grams of any length get distinct int64 keys.
        """
        if self.analyzer != "word":
            return
        terms = sorted(self.vocabulary_, key=self.vocabulary_.get)  # in column order
        tokens = sorted({t for term in terms for t in term.split(" ")})
        ids = self._tokens = dict(zip(tokens, range(1, len(tokens) + 1)))
        base = len(tokens) + 1
        if float(base) ** self.ngram_range[1] >= 2.0 ** 63:
            raise ValueError("vocabulary too large for int64 n-gram keys; lower ngram_range")
        keys = np.zeros(len(terms), dtype=np.int64)
        for n in range(1, self.ngram_range[1] + 1):
            rows = [k for k, term in enumerate(terms) if term.count(" ") == n - 1]
            if rows:
                parts = np.array([[ids[t] for t in terms[k].split(" ")] for k in rows], dtype=np.int64)
                key = np.zeros(len(rows), dtype=np.int64)
                for j in range(n):
                    key = key * base + parts[:, j]
                keys[rows] = key
        self._keys = pd.Index(keys)

    def transform(self, raw_documents):
        check_is_fitted(self, "vocabulary_")
        if isinstance(raw_documents, str):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        documents = raw_documents.tolist() if hasattr(raw_documents, "tolist") else list(raw_documents)
        # A run of equal documents is counted once (the context column repeats the other side's
        # turn on every row of a run): comparing neighbours is cheap, and often by identity.
        first = np.ones(len(documents), dtype=bool)
        first[1:] = np.fromiter(map(ne, documents[1:], documents[:-1]), dtype=bool, count=len(documents) - 1)
        split = [doc.split() for doc in compress(documents, first)]
        lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        tokens = list(chain.from_iterable(split))
        counts = (self._char_counts if self.analyzer == "char_wb" else self._word_counts)(tokens, lengths)
        X = self._weight(counts)
        return X if first.all() else X[np.cumsum(first) - 1]

    def _weight(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Counts to TF-IDF exactly as `TfidfTransformer.transform` does."""
        X = counts.astype(self.dtype)
        if self.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1
        if self.use_idf:
            X.data *= self.idf_.astype(self.dtype)[X.indices]
        if self.norm is not None:
            X = normalize(X, norm=self.norm, copy=False)
        return X

    def _word_counts(self, tokens, lengths) -> sp.csr_matrix:
        """Each n-gram is a base-(V+1) number of its token ids; a hash lookup finds its column."""
        token_ids, keys = self._tokens, self._keys
        ids = np.fromiter(map(token_ids.get, tokens, repeat(0, len(tokens))), dtype=np.int64,
                          count=len(tokens))  # 0: an unknown token
        base = len(token_ids) + 1
        doc = np.repeat(np.arange(len(lengths)), lengths)
        rows, cols = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        lo, hi = self.ngram_range
        for n in range(lo, hi + 1):
            m = len(ids) - n + 1
            if m <= 0:
                break
            key = np.zeros(m, dtype=np.int64)
            valid = doc[: m] == doc[n - 1:]  # the n-gram lies inside one document
            for j in range(n):
                part = ids[j: j + m]
                valid &= part > 0
                key = key * base + part
            col = keys.get_indexer(key[valid])
            found = col >= 0
            rows.append(doc[: m][valid][found])
            cols.append(col[found])
        return self._matrix(np.concatenate(rows), np.concatenate(cols), len(lengths))

    def _char_counts(self, tokens, lengths) -> sp.csr_matrix:
        """Char n-grams of each distinct token, once, summed over each document's tokens.

        A token's columns are remembered (up to CHAR_CACHE tokens): the same words come back
        in every batch of a long file.
        """
        analyze, vocabulary = self.build_analyzer(), self.vocabulary_
        cache = self.__dict__.setdefault("_char_cache", {})
        codes, uniques = pd.factorize(np.asarray(tokens, dtype=object), sort=False)
        columns = []
        for token in uniques:
            found = cache.get(token)
            if found is None:
                found = np.fromiter((c for c in map(vocabulary.get, analyze(token)) if c is not None), dtype=np.int64)
                if len(cache) < CHAR_CACHE:
                    cache[token] = found
            columns.append(found)
        indptr = np.zeros(len(uniques) + 1, dtype=np.int64)
        np.cumsum([len(c) for c in columns], out=indptr[1:])
        indices = np.concatenate(columns) if columns else np.zeros(0, np.int64)
        per_token = sp.csr_matrix((np.ones(len(indices), np.int64), indices, indptr),
                                  shape=(len(uniques), len(vocabulary)))
        per_token.sum_duplicates()
        doc = np.repeat(np.arange(len(lengths)), lengths)
        occurrences = sp.csr_matrix((np.ones(len(codes), np.int64), (doc, codes)), shape=(len(lengths), len(uniques)))
        return (occurrences @ per_token).tocsr()

    def _matrix(self, rows, cols, n_rows) -> sp.csr_matrix:
        X = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(n_rows, len(self.vocabulary_)))
        X.sum_duplicates()
        return X


def _split(joined: str) -> list:
    """The strings a newline join held ([] for none)."""
    return joined.split("\n") if joined else []
