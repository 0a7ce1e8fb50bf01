"""Turn utterances with their preceding turns into the feature table the classifiers read.

Each row keeps its own tokens and cue counts and gains those of the other side's last turn
(the client's words a reflection echoes; the question a client answers) and of the same
side's previous utterance, plus the word overlap with the other side's last turn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import MaxAbsScaler

from .codes import CLIENT, COUNSELLOR
from .preprocess import CUE_NAMES, N_CUES, analyse

OWN_CUES = [f"cue_{c}" for c in CUE_NAMES]
OTHER_CUES = [f"other_cue_{c}" for c in CUE_NAMES]
SAME_CUES = [f"same_cue_{c}" for c in CUE_NAMES]
CONTEXT_NUMBERS = ["overlap_own", "overlap_other", "overlap_count", "has_other", "consecutive",
                   "turn_log", "other_tokens_log"]
DENSE_COLUMNS = OWN_CUES + OTHER_CUES + SAME_CUES + CONTEXT_NUMBERS
# The client model reads only the utterance's own cues and the context numbers: the other side's
# and the previous utterance's cue counts add noise there (client macro-F1 -0.007 in 5-fold CV).
CLIENT_DENSE_COLUMNS = OWN_CUES + CONTEXT_NUMBERS


def context_table(texts, sides, conversations) -> pd.DataFrame:
    """Per-utterance features with context; rows must be in conversation order.

    `texts`, `sides` ('counsellor'/'client') and `conversations` are equal-length sequences;
    a change of conversation value starts a new context.
    """
    texts = ["" if t is None else str(t) for t in texts]
    sides = list(sides)
    conversations = list(conversations)
    n = len(texts)
    tokens, cues, content = analyse(texts)
    other_tokens = [""] * n
    other_cues = np.zeros((n, N_CUES), dtype=np.float32)
    same_cues = np.zeros((n, N_CUES), dtype=np.float32)
    numbers = np.zeros((n, len(CONTEXT_NUMBERS)), dtype=np.float32)

    last_run = {COUNSELLOR: [], CLIENT: []}  # indices of each side's latest run of utterances
    previous_conv = object()
    previous_side = None
    turn = 0
    for i in range(n):
        side = sides[i]
        if conversations[i] != previous_conv:
            last_run = {COUNSELLOR: [], CLIENT: []}
            previous_conv, previous_side, turn = conversations[i], None, 0
        other = CLIENT if side == COUNSELLOR else COUNSELLOR
        run = last_run[other]
        consecutive = previous_side == side
        if run:
            other_tokens[i] = " ".join(tokens[j] for j in run[-3:])
            other_cues[i] = cues[run].sum(axis=0)
            other_words = frozenset().union(*(content[j] for j in run))
            shared = len(content[i] & other_words)
            numbers[i, 0] = shared / len(content[i]) if content[i] else 0.0
            numbers[i, 1] = shared / len(other_words) if other_words else 0.0
            numbers[i, 2] = np.log1p(shared)
            numbers[i, 3] = 1.0
            numbers[i, 6] = np.log1p(sum(len(tokens[j].split()) for j in run[-3:]))
        own_run = last_run[side]
        if own_run:
            same_cues[i] = cues[own_run[-1]]
        numbers[i, 4] = float(consecutive)
        numbers[i, 5] = np.log1p(turn)
        if consecutive:
            own_run.append(i)
        else:
            last_run[side] = [i]
        previous_side = side
        turn += 1

    table = pd.DataFrame(np.hstack([cues, other_cues, same_cues, numbers]), columns=DENSE_COLUMNS)
    table.insert(0, "text", tokens)
    table.insert(1, "other_text", other_tokens)
    return table


def without_context(table: pd.DataFrame) -> pd.DataFrame:
    """The same rows as if each utterance were coded alone (`coder.code(text)` with no context)."""
    out = table.copy()
    out["other_text"] = ""
    out[OTHER_CUES + SAME_CUES + CONTEXT_NUMBERS] = 0.0
    return out


def make_features(char_ngrams: bool = True, dense_columns=DENSE_COLUMNS) -> ColumnTransformer:
    """The feature union: TF-IDF of the utterance and of the other side's last turn, plus cues."""
    # The text columns hold space-joined spaCy tokens: str.split is their tokenizer (26% faster than a regex).
    words = dict(tokenizer=str.split, token_pattern=None, lowercase=False, sublinear_tf=True, dtype=np.float32)
    parts = [
        ("words", TfidfVectorizer(ngram_range=(1, 3), min_df=2, max_features=200_000, **words), "text"),
        ("context_words", TfidfVectorizer(ngram_range=(1, 1), min_df=2, max_features=50_000, **words),
         "other_text"),
        ("cues", MaxAbsScaler(), list(dense_columns)),
    ]
    if char_ngrams:
        parts.insert(1, ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3,
                                                  max_features=200_000, sublinear_tf=True,
                                                  dtype=np.float32), "text"))
    return ColumnTransformer(parts, sparse_threshold=1.0)
