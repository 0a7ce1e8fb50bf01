"""spaCy preprocessing: the blank English tokenizer plus rule patterns for MI cues.

Nothing is downloaded: the pipeline is `spacy.blank("en")` and the `mi_cues` component, which
counts cue phrases, rule-split sentences and their openers and stores them as `Doc._.mi_cues`
(a vector in the order of `CUE_NAMES`). `analyse` is the batch path the coder uses.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import scipy.sparse as sp
import spacy
from spacy.attrs import IS_SPACE, LOWER
from spacy.language import Language
from spacy.util import minibatch
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from ._phrases import PHRASES

# Sentence-initial patterns: the first token of a sentence.
SENTENCE_STARTS: dict[str, tuple[str, ...]] = {
    "start_wh": ("what", "how", "why", "where", "when", "who", "whom", "which", "tell", "describe"),
    "start_aux": ("do", "does", "did", "is", "are", "was", "were", "have", "has", "had", "can",
                  "could", "would", "will", "should", "shall", "may", "might", "am", "any", "anything"),
    "start_you": ("you", "you're", "your", "you've", "yours"),
    "start_so": ("so", "sounds", "seems"),
    "start_and_but": ("and", "but", "or", "because", "cause"),
    "start_i": ("i", "i'm", "i've", "i'd", "i'll"),
    "start_imperative": ("try", "make", "go", "take", "call", "talk", "think", "consider", "start",
                         "stop", "keep", "find", "look", "write", "ask", "remember", "don't", "avoid"),
}

# A question's form: the first word of each sentence that is not a filler ("so, um, what...").
# MITI's open/closed line is mostly this: a wh-word invites an answer in the client's words,
# an auxiliary ("do you...", "is it...") asks for yes or no.
WH_WORDS = frozenset(("what", "how", "why", "where", "when", "which", "who", "whom", "whose", "tell",
                      "describe", "explain"))
AUX_WORDS = frozenset(SENTENCE_STARTS["start_aux"]) | {"anyone", "anybody", "isn't", "aren't", "don't",
                                                        "didn't", "doesn't", "won't", "wouldn't", "can't"}
FILLER_WORDS = frozenset(("so", "and", "but", "okay", "ok", "well", "um", "uh", "yeah", "right", "now",
                          "then", "alright", "oh", "mm", "hmm", "mhm", "mm-hmm", "like", "just"))
QUESTION_FORM = ("question_wh_head", "question_aux_head", "question_wh_word", "question_or", "last_wh_head",
                 "last_aux_head")

CUE_NAMES: tuple[str, ...] = (
    tuple(PHRASES) + tuple(SENTENCE_STARTS)
    + ("question_mark", "question_sentences", "sentences", "tokens_log", "numbers", "exclamation", "unpunctuated")
    + QUESTION_FORM
)
N_CUES = len(CUE_NAMES)
_INDEX = {name: i for i, name in enumerate(CUE_NAMES)}

if not Doc.has_extension("mi_cues"):
    Doc.set_extension("mi_cues", default=None)

SENTENCE_ENDS = frozenset((".", "!", "?", "...", "..", "?!", "!?"))


class MICueMatcher:
    """spaCy component that counts MI cue patterns: `Doc._.mi_cues` (in `CUE_NAMES` order).

    A batch of Docs is matched at once in numpy (`pipe`): every token is its LOWER hash, every phrase of n tokens a hash of
    n hashes looked up in one table, and sentences are split at . ! ? by rule. That counts
    the same phrases as spaCy's PhraseMatcher, several times faster than matching Doc by Doc.
    """

    def __init__(self, nlp: Language, name: str = "mi_cues"):
        self.name = name
        hashes = {}  # phrase key -> the cues it counts for (a phrase may serve two cues)
        self.lengths = set()
        for cue, phrases in PHRASES.items():
            for doc in nlp.tokenizer.pipe(phrases):
                tokens = doc.to_array(LOWER).astype(np.uint64)
                self.lengths.add(len(tokens))
                hashes.setdefault(int(_phrase_keys(tokens, len(tokens))[0]), []).append(_INDEX[cue])
        self._phrases = pd.Index(np.fromiter(hashes, dtype=np.uint64, count=len(hashes)))
        pairs = [(row, cue) for row, cues in enumerate(hashes.values()) for cue in cues]
        self._phrase_cues = sp.csr_matrix((np.ones(len(pairs), np.float32), tuple(np.array(pairs).T)),
                                          shape=(len(hashes), N_CUES))  # phrase x cue
        # Sentence openers are looked up on each sentence's first word.
        starts = {nlp.vocab.strings.add(word): _INDEX[cue] for cue, words in SENTENCE_STARTS.items() for word in words}
        self._starts = pd.Index(np.fromiter(starts, dtype=np.uint64, count=len(starts)))
        self._start_cues = np.fromiter(starts.values(), dtype=np.int64, count=len(starts))
        self._ends = np.array([nlp.vocab.strings.add(w) for w in SENTENCE_ENDS], dtype=np.uint64)
        self._question_ends = np.array([nlp.vocab.strings.add(w) for w in SENTENCE_ENDS if "?" in w], dtype=np.uint64)

    def __call__(self, doc: Doc) -> Doc:
        self._annotate([doc])
        return doc

    def pipe(self, docs, batch_size: int = 1000):
        for batch in minibatch(docs, batch_size):
            self._annotate(batch)
            yield from batch

    def _annotate(self, docs: list[Doc]) -> None:
        hashes, doc_of = words_of([doc.to_array([LOWER, IS_SPACE]) for doc in docs])
        cues, _, _ = self.count(hashes, doc_of, len(docs), docs[0].vocab if docs else None)
        for doc, row in zip(docs, cues):
            doc._.mi_cues = row

    def count(self, hashes: np.ndarray, doc_of: np.ndarray, n_docs: int, vocab):
        """Cue counts (n_docs x N_CUES) of a batch of tokens, and its words as (codes, distinct words).

        `hashes` are the LOWER hashes of the non-space tokens of `n_docs` documents, in order,
        and `doc_of` the document each belongs to (non-decreasing).
        """
        hashes = hashes.astype(np.uint64)
        cues = self._phrase_counts(hashes, doc_of, n_docs)
        codes, uniques = pd.factorize(hashes)
        words = np.array([vocab.strings[h] for h in uniques.tolist()], dtype=object)
        self._sentence_counts(hashes, doc_of, cues, _word_kinds(words)[:, codes])
        for name, count in (("question_mark", _count("?")), ("exclamation", _count("!")), ("numbers", _digits)):
            per_word = np.fromiter(map(count, words), dtype=np.float64, count=len(words))
            cues[:, _INDEX[name]] = np.bincount(doc_of, weights=per_word[codes], minlength=n_docs)
        tokens = np.bincount(doc_of, minlength=n_docs)
        cues[:, _INDEX["tokens_log"]] = np.log1p(tokens)
        # No . , ? ! at all in 4 or more tokens: a caption or speech-to-text line, where the question form
        # cues of the last sentence must stand in for "?".
        marks = np.fromiter(map(_marks, words), dtype=np.float64, count=len(words))
        cues[:, _INDEX["unpunctuated"]] = (np.bincount(doc_of, weights=marks[codes], minlength=n_docs) == 0) & (tokens >= 4)
        return cues, codes, words

    def _phrase_counts(self, hashes, doc_of, n_docs) -> np.ndarray:
        """Occurrences of every phrase per Doc (overlapping ones too, as PhraseMatcher counts)."""
        rows, phrases = [], []
        for n in sorted(self.lengths):
            m = len(hashes) - n + 1
            if m <= 0:
                break
            found = self._phrases.get_indexer(_phrase_keys(hashes, n))
            hit = (found >= 0) & (doc_of[:m] == doc_of[n - 1:])
            rows.append(doc_of[:m][hit])
            phrases.append(found[hit])
        rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        phrases = np.concatenate(phrases) if phrases else np.zeros(0, np.int64)
        hits = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, phrases)),
                             shape=(n_docs, self._phrase_cues.shape[0]))
        return (hits @ self._phrase_cues).toarray().astype(np.float32)

    def _sentence_counts(self, hashes, doc_of, cues, kinds) -> None:
        """Sentences, questions, sentence openers and question form; . ! ? end a sentence.

        `kinds` holds, per token, whether it is a wh-word, an auxiliary, or a filler (or not a word).
        """
        n = len(hashes)
        is_end = np.isin(hashes, self._ends)
        first = np.ones(n, dtype=bool)
        first[1:] = doc_of[1:] != doc_of[:-1]
        after_end = np.zeros(n, dtype=bool)
        after_end[1:] = is_end[:-1]
        start = ~is_end & (first | after_end)
        cues[:, _INDEX["sentences"]] = np.bincount(doc_of[start], minlength=len(cues))
        opener = self._starts.get_indexer(hashes[start])
        np.add.at(cues, (doc_of[start][opener >= 0], self._start_cues[opener[opener >= 0]]), 1)
        # A sentence is a question if a ? ends it: the end tokens after its start, before the next.
        sentence = np.cumsum(start)
        before_doc = np.zeros(len(cues), dtype=np.int64)
        before_doc[doc_of[first]] = (sentence - start)[first]
        asked = np.isin(hashes, self._question_ends) & (sentence > before_doc[doc_of])
        _, once = np.unique(sentence[asked], return_index=True)
        cues[:, _INDEX["question_sentences"]] = np.bincount(doc_of[asked][once], minlength=len(cues))
        self._question_form(sentence, np.unique(sentence[asked]), is_end, doc_of, kinds, cues)

    @staticmethod
    def _question_form(sentence, questions, is_end, doc_of, kinds, cues) -> None:
        """Wh- or auxiliary heads of question sentences and of each Doc's last sentence; wh/or inside questions."""
        is_wh, is_aux, is_or, skip = kinds
        n_docs = len(cues)
        in_question = np.isin(sentence, questions)
        # A sentence's head: its first token that is a word and not a filler.
        candidates = np.flatnonzero(~skip & ~is_end)
        _, first = np.unique(sentence[candidates], return_index=True)
        heads = candidates[first]
        for name, kind in (("question_wh_head", is_wh), ("question_aux_head", is_aux)):
            hit = heads[in_question[heads] & kind[heads]]
            cues[:, _INDEX[name]] = np.bincount(doc_of[hit], minlength=n_docs)
        for name, kind in (("question_wh_word", is_wh), ("question_or", is_or)):
            hit = np.flatnonzero(in_question & kind)
            _, once = np.unique(sentence[hit], return_index=True)
            cues[:, _INDEX[name]] = np.bincount(doc_of[hit[once]], minlength=n_docs)
        last = heads[np.append(doc_of[heads][1:] != doc_of[heads][:-1], True)] if len(heads) else heads
        for name, kind in (("last_wh_head", is_wh), ("last_aux_head", is_aux)):
            cues[doc_of[last[kind[last]]], _INDEX[name]] = 1.0


def _marks(word: str) -> int:
    """1 for a token holding sentence punctuation (. , ? ! ; :), else 0."""
    return int(any(ch in ".,?!;:" for ch in word))


def _word_kinds(words: np.ndarray) -> np.ndarray:
    """Rows (wh-word, auxiliary, "or", filler or not a word) x distinct words, as booleans."""
    words = words.tolist()
    return np.array([[w in WH_WORDS for w in words], [w in AUX_WORDS for w in words], [w == "or" for w in words],
                     [w in FILLER_WORDS or not any(map(str.isalpha, w)) for w in words]], dtype=bool).reshape(4, -1)


def _phrase_keys(hashes: np.ndarray, n: int) -> np.ndarray:
    """A 64-bit key for every run of n consecutive token hashes (wrapping arithmetic)."""
    m = len(hashes) - n + 1
    key = np.full(m, n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):
            key = key * np.uint64(1_000_003) + hashes[j: j + m]
    return key


@Language.factory("mi_cues")
def make_mi_cues(nlp: Language, name: str):
    """Factory for the cue matcher, so that `nlp.add_pipe("mi_cues")` works."""
    return MICueMatcher(nlp, name)


@lru_cache(maxsize=1)
def english() -> Language:
    """The shared preprocessing pipeline: blank English tokenizer and MI cues (nothing downloaded)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("mi_cues")
    return nlp


_SUFFIXES = ("ings", "ing", "edly", "ed", "ies", "es", "s", "ly")


def stem(word: str) -> str:
    """A crude suffix stripper, enough to match 'drinking' with 'drink' across turns."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


# An utterance longer than this is analysed by its first MAX_CHARS characters only: real turns
# are far shorter, and a runaway cell (a whole transcript pasted in one row) must not stall a run.
MAX_CHARS = 10_000


def _count(char: str):
    return lambda word: word.count(char)


def _digits(word: str) -> int:
    return 0 if word.isalpha() else sum(map(str.isdigit, word))


def words_of(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(LOWER hashes, document index) of the non-space tokens of Docs' [LOWER, IS_SPACE] arrays."""
    if not arrays:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    flat = np.concatenate(arrays)
    doc_of = np.repeat(np.arange(len(arrays)), [len(a) for a in arrays])
    words = flat[:, 1] == 0
    return flat[words, 0], doc_of[words]


def analyse(texts, batch_size: int = 2000):
    """Tokenize and cue-match utterances: (token strings, cue matrix, content-stem matrix).

    Each utterance is tokenized alone and only its token array kept (a batch of live Docs, or
    one Doc for many utterances, defeats the tokenizer's cache); the cues of a whole batch are
    then matched in one numpy pass. The content-stem matrix is sparse 0/1, a column per stem
    of the alphabetic non-stop-words: what a reflection shares with the client's turn.
    """
    nlp = english()
    tokenizer, matcher = nlp.tokenizer, nlp.get_pipe("mi_cues")
    tokens: list[str] = []
    cues = np.zeros((len(texts), N_CUES), dtype=np.float32)
    stems: dict[str, int] = {}
    stem_of: dict[str, int] = {}  # word -> stem column, or -1 for stop words and non-words
    rows, cols = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for start in range(0, len(texts), batch_size):
        part = texts[start: start + batch_size]
        hashes, doc_of = words_of([tokenizer(t[:MAX_CHARS]).to_array([LOWER, IS_SPACE]) for t in part])
        cues[start: start + len(part)], codes, distinct = matcher.count(hashes, doc_of, len(part), nlp.vocab)
        words = distinct[codes]
        bounds = np.searchsorted(doc_of, np.arange(len(part) + 1))
        tokens.extend(" ".join(words[bounds[i]: bounds[i + 1]].tolist()) for i in range(len(part)))
        column = np.fromiter((_stem_column(w, stem_of, stems) for w in distinct.tolist()), dtype=np.int64,
                             count=len(distinct))[codes]
        rows.append(doc_of[column >= 0] + start)
        cols.append(column[column >= 0])
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    content = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(texts), len(stems)))
    content.data[:] = 1.0  # a set: a stem used twice counts once
    return tokens, cues, content


def _stem_column(word: str, stem_of: dict, stems: dict) -> int:
    column = stem_of.get(word)
    if column is None:
        if word.isalpha() and word not in STOP_WORDS:
            column = stems.setdefault(stem(word), len(stems))
        else:
            column = -1
        stem_of[word] = column
    return column
