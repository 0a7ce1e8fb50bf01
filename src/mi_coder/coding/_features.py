"""Turn utterances with their preceding turns into the feature table the classifiers read.

Each row keeps its own tokens and cue counts and gains those of the other side's last turn
(the client's words a reflection echoes; the question a client answers) and of the same
side's previous utterance, plus the word overlap with the other side's last turn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import MaxAbsScaler

from ..codes import CLIENT, COUNSELLOR
from ._preprocess import CUE_NAMES, N_CUES, QUESTION_FORM, analyse
from ._vectorize import TokenTfidfVectorizer

OWN_CUES = [f"cue_{c}" for c in CUE_NAMES]
OTHER_CUES = [f"other_cue_{c}" for c in CUE_NAMES]
SAME_CUES = [f"same_cue_{c}" for c in CUE_NAMES]
CONTEXT_NUMBERS = ["overlap_own", "overlap_other", "overlap_count", "has_other", "consecutive",
                   "turn_log", "other_tokens_log"]
# The question-form cues (wh- or auxiliary heads of question sentences) are read by the
# open/closed classifier only: there they add +0.04 accuracy and +0.14 Spearman of % open questions
# in 5-fold CV, while in the coarse classifier they moved 4% of codes and cost R:Q Spearman 0.03.
FORM_COLUMNS = [f"cue_{c}" for c in QUESTION_FORM]
_FORM = {f"{prefix}cue_{c}" for prefix in ("", "other_", "same_") for c in QUESTION_FORM}
TABLE_COLUMNS = OWN_CUES + OTHER_CUES + SAME_CUES + CONTEXT_NUMBERS  # the numbers of a `context_table`
DENSE_COLUMNS = [c for c in TABLE_COLUMNS if c not in _FORM]
# The client model reads only the utterance's own cues and the context numbers: the other side's
# and the previous utterance's cue counts add noise there (client macro-F1 -0.007 in 5-fold CV).
CLIENT_DENSE_COLUMNS = [c for c in OWN_CUES + CONTEXT_NUMBERS if c not in _FORM]


def context_table(texts, sides, conversations) -> pd.DataFrame:
    """Per-utterance features with context; rows must be in conversation order.

    `texts`, `sides` ('counsellor'/'client') and `conversations` are equal-length sequences;
    a change of conversation value starts a new context. Within a conversation the sides take
    turns in runs of consecutive utterances, so the other side's last turn is the previous run.
    """
    texts = ["" if t is None else str(t) for t in texts]
    sides = np.asarray(list(sides), dtype=object)
    conversations = pd.factorize(pd.Series(list(conversations), dtype=object))[0]
    n = len(texts)
    tokens, cues, content = analyse(texts)
    n_tokens = np.array([len(t.split()) for t in tokens], dtype=np.float64)

    new_conv = np.ones(n, dtype=bool)
    new_conv[1:] = conversations[1:] != conversations[:-1]
    new_run = new_conv.copy()
    new_run[1:] |= sides[1:] != sides[:-1]
    run_of = np.cumsum(new_run) - 1
    starts = np.flatnonzero(new_run)
    ends = np.append(starts[1:], n)
    conv_start = np.maximum.accumulate(np.where(new_conv, np.arange(n), 0))
    # The other side's last run (the previous run in the same conversation), per row; -1 if none.
    prev_run = run_of - 1
    prev_run[(prev_run < 0) | (starts[np.maximum(prev_run, 0)] < conv_start)] = -1
    has_other = prev_run >= 0
    other = prev_run[has_other]

    last3 = np.maximum(starts, ends - 3)  # a run's text is its last three utterances
    run_text = [" ".join(tokens[a:b]) for a, b in zip(last3, ends)]
    other_tokens = np.full(n, "", dtype=object)
    other_tokens[has_other] = np.asarray(run_text, dtype=object)[other]
    other_cues = np.zeros((n, N_CUES), dtype=np.float32)
    if n:
        other_cues[has_other] = np.add.reduceat(cues, starts, axis=0)[other]
    # The same side's previous utterance: the row before in a run, else the end of the run before last.
    same = np.where(new_run, -1, np.arange(n) - 1)
    before_last = run_of - 2
    ok = new_run & (before_last >= 0)
    ok[ok] = starts[before_last[ok]] >= conv_start[ok]
    same[ok] = ends[before_last[ok]] - 1
    same_cues = np.zeros((n, N_CUES), dtype=np.float32)
    same_cues[same >= 0] = cues[same[same >= 0]]

    run_words = _run_sums(content, starts, ends)
    run_words.data[:] = 1.0  # the set of stems a run uses
    shared = np.zeros(n)
    if has_other.any():
        shared[has_other] = np.asarray(content[has_other].multiply(run_words[other]).sum(axis=1)).ravel()
    own_size = np.asarray(content.sum(axis=1)).ravel()
    other_size = np.zeros(n)
    other_size[has_other] = np.asarray(run_words.sum(axis=1)).ravel()[other]
    cumulative = np.concatenate([[0.0], np.cumsum(n_tokens)])
    run_tokens = cumulative[ends] - cumulative[last3]
    other_n_tokens = np.zeros(n)
    other_n_tokens[has_other] = run_tokens[other]

    numbers = np.column_stack([
        np.divide(shared, own_size, out=np.zeros(n), where=own_size > 0),
        np.divide(shared, other_size, out=np.zeros(n), where=other_size > 0),
        np.log1p(shared), has_other, ~new_run, np.log1p(np.arange(n) - conv_start),
        np.log1p(other_n_tokens),
    ]).astype(np.float32)
    table = pd.DataFrame(np.hstack([cues, other_cues, same_cues, numbers]), columns=TABLE_COLUMNS)
    table.insert(0, "text", tokens)
    table.insert(1, "other_text", other_tokens)
    return table


def _run_sums(matrix: sp.csr_matrix, starts: np.ndarray, ends: np.ndarray) -> sp.csr_matrix:
    """Row sums of a sparse matrix over each run [start, end)."""
    n = matrix.shape[0]
    membership = sp.csr_matrix((np.ones(n, np.float32), (np.repeat(np.arange(len(starts)), ends - starts),
                                                         np.arange(n))), shape=(len(starts), n))
    return (membership @ matrix).tocsr()


def without_context(table: pd.DataFrame) -> pd.DataFrame:
    """The same rows as if each utterance were coded alone (`coder.code(text)` with no context)."""
    out = table.copy()
    out["other_text"] = ""
    out[OTHER_CUES + SAME_CUES + CONTEXT_NUMBERS] = 0.0
    return out


class ContextFeatures(TransformerMixin, BaseEstimator):
    """Transformer step: utterances (text, side, transcript columns, in conversation order) to `context_table`.

    Stateless: `fit` learns nothing; each transcript value starts a new context.
    """

    def fit(self, X, y=None):
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        return context_table(X["text"].tolist(), X["side"].to_numpy(), X["transcript"].to_numpy())


class LinearFeaturizer(BaseEstimator):
    """Today's text featurizer: TF-IDF of the utterance and of the other side's last turn, plus cue counts.

    `make(side)` returns an unfitted transformer over `context_table` rows for that side. Another
    featurizer (an encoder) plugs into `MICoder(featurizer=...)` by offering the same method.
    """

    def __init__(self, word_ngram_range=(1, 3), word_min_df=2, word_max_features=200_000,
                 context_min_df=2, context_max_features=50_000, char_ngram_range=(2, 5), char_min_df=3,
                 char_max_features=200_000, counsellor_char_ngrams=False, client_char_ngrams=True):
        self.word_ngram_range = word_ngram_range
        self.word_min_df = word_min_df
        self.word_max_features = word_max_features
        self.context_min_df = context_min_df
        self.context_max_features = context_max_features
        self.char_ngram_range = char_ngram_range
        self.char_min_df = char_min_df
        self.char_max_features = char_max_features
        self.counsellor_char_ngrams = counsellor_char_ngrams  # measured +0.00 macro-F1 for 2x the training time
        self.client_char_ngrams = client_char_ngrams  # with own cues only and C=0.3: +0.01 macro-F1

    def make(self, side: str) -> ColumnTransformer:
        """The feature union for one side (the client reads only its own cues: see CLIENT_DENSE_COLUMNS).

        The counsellor's last `subtype_only(side)` columns are for the subtype classifiers alone.
        """
        # The text columns hold space-joined spaCy tokens: str.split is their tokenizer (26% faster than a regex).
        parts = [
            ("words", TokenTfidfVectorizer(ngram_range=tuple(self.word_ngram_range), min_df=self.word_min_df,
                                           max_features=self.word_max_features), "text"),
            ("context_words", TokenTfidfVectorizer(ngram_range=(1, 1), min_df=self.context_min_df,
                                                   max_features=self.context_max_features), "other_text"),
            ("cues", MaxAbsScaler(), list(CLIENT_DENSE_COLUMNS if side == CLIENT else DENSE_COLUMNS)),
        ]
        if self.client_char_ngrams if side == CLIENT else self.counsellor_char_ngrams:
            parts.insert(1, ("chars", TokenTfidfVectorizer(
                analyzer="char_wb", ngram_range=tuple(self.char_ngram_range), min_df=self.char_min_df,
                max_features=self.char_max_features), "text"))
        if self.subtype_only(side):
            parts.append(("question_form", MaxAbsScaler(), FORM_COLUMNS))
        return ColumnTransformer(parts, sparse_threshold=1.0)

    def subtype_only(self, side: str) -> int:
        """How many of `make(side)`'s last columns only the subtype classifiers read (the question form)."""
        return len(FORM_COLUMNS) if side == COUNSELLOR else 0
