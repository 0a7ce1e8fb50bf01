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

# Phrase cues, matched on lower-cased tokens anywhere in the utterance.
PHRASES: dict[str, tuple[str, ...]] = {
    "reflect_stem": (
        "it sounds like", "sounds like", "it seems", "it seems like", "seems like", "you feel",
        "you're feeling", "you are feeling", "you felt", "you mean", "what i'm hearing",
        "what i hear", "you're saying", "you are saying", "it's like", "you've been", "you're not sure",
        "you're wondering", "i'm hearing", "if i understand", "in other words", "you sound",
        "must be", "must have been", "it must", "that must", "i can see", "i can imagine",
        "i imagine", "i understand", "i see that", "for you", "you're worried", "you're concerned",
    ),
    "double_sided": ("on the one hand", "on the other hand", "part of you", "at the same time",
                     "and yet", "but also", "both"),
    "permission": (
        "would it be okay", "would it be ok", "is it okay if", "is it ok if", "would you mind",
        "do you mind if", "can i share", "could i share", "may i", "would you like me to",
        "would you be interested", "can i tell you", "could i tell you", "can i ask",
        "would it be alright", "is it alright if", "would you like to hear", "can i offer",
    ),
    "advice": (
        "you should", "you need to", "you have to", "you must", "you ought to", "i suggest",
        "i recommend", "i would recommend", "i'd recommend", "i'd suggest", "i would suggest",
        "try to", "why don't you", "why not", "have you tried", "have you considered",
        "maybe you could", "you could", "you might want to", "you may want to", "it might help",
        "it may help", "it would be good", "it would help", "make sure", "i'd encourage",
        "i would encourage", "i encourage", "consider", "you can try", "you could try",
        "try", "it's important to", "i think you should", "how about", "what about", "perhaps you",
        "one option", "some options", "another option", "you might try", "it could help",
    ),
    "information": (
        "research shows", "studies show", "research", "study", "studies", "recommended",
        "guidelines", "percent", "per cent", "for example", "what happens is", "can cause",
        "risk", "risks", "increase", "increases", "doctor", "medication", "effects", "side effects",
        "the law", "program", "programme", "appointment", "website", "called", "it's called",
        "there are", "there is", "is a", "means", "usually", "generally", "most people",
        "a lot of people", "many people", "statistics", "per week", "a day", "a week",
    ),
    "affirm": (
        "good job", "well done", "great", "proud", "that's great", "that's good", "good for you",
        "strength", "strengths", "courage", "courageous", "brave", "strong", "impressive",
        "appreciate", "thank you for", "thanks for", "it's okay to", "it is okay to", "it's ok to",
        "understandable", "that's normal", "normal to", "makes sense", "you're not alone",
        "not alone", "you can do it", "i admire", "commend", "effort", "amazing", "wonderful",
        "awesome", "glad", "excellent", "fantastic", "determined", "committed", "resourceful",
        "you did", "you've done", "you have done", "you managed", "you've managed", "hard work",
        "i believe in you", "you deserve", "it's not your fault", "don't blame yourself",
        "you will be fine", "it will be okay", "it'll be okay", "things will get better",
        "you are doing", "you're doing", "that's a good", "good idea", "smart", "wise",
        "i'm sure you", "i am sure you", "hang in there", "you got this", "you've got this",
    ),
    "greeting": (
        "hi", "hello", "hey", "bye", "goodbye", "good morning", "good afternoon", "good evening",
        "nice to meet", "welcome", "how are you", "take care", "have a good", "have a great",
        "have a nice", "see you", "you're welcome", "no problem", "good luck", "best of luck",
        "my name is", "i'm here to", "i am here to",
    ),
    "filler": ("mm-hmm", "mhm", "mm", "hmm", "uh-huh", "okay", "ok", "yeah", "yes", "right",
               "sure", "alright", "all right", "i see", "oh", "uh", "um", "wow", "yep"),
    "self_disclosure": (
        "i had", "i have had", "i've had", "i was", "i've been", "i have been", "when i", "i remember",
        "happened to me", "my wife", "my husband", "my son", "my daughter", "my friend", "my mom",
        "my dad", "my family", "i went through", "i also", "me too", "i know how", "i used to",
        "in my experience", "personally", "myself",
    ),
    "autonomy": ("up to you", "your choice", "your decision", "you decide", "whatever you decide",
                 "you're the expert", "your call", "it's your", "choose", "you know best"),
    "collaboration": ("together", "we could", "we can", "let's", "let us", "work with you",
                      "what do you think", "how does that sound", "does that make sense",
                      "where would you like", "what would you like"),
    "open_opener": (
        "tell me", "tell me more", "what else", "how do you feel", "how did you feel",
        "help me understand", "what would", "how might", "what do you", "how do you", "what are",
        "what is", "what was", "how would", "what makes", "in what way", "describe", "what kind of",
        "how come", "what happened", "how has", "how have", "what has", "what have",
    ),
    "closed_opener": (
        "do you", "did you", "are you", "is it", "is that", "have you", "has it", "was it",
        "were you", "can you", "could you", "would you", "will you", "is there", "are there",
        "right ?", "correct ?", "yeah ?", "okay ?", "is this", "does it", "does that", "how many",
        "how much", "how long", "how often", "when did", "which",
    ),
    "emotion": (
        "feel", "feeling", "feelings", "felt", "sad", "angry", "anxious", "anxiety", "frustrated",
        "frustrating", "scared", "worried", "worry", "upset", "lonely", "stressed", "stress",
        "depressed", "overwhelmed", "hurt", "afraid", "hopeless", "happy", "fear", "nervous",
        "embarrassed", "ashamed", "guilty", "confused", "disappointed", "tired", "exhausted",
        "concerned", "torn", "stuck", "struggling", "difficult", "hard", "tough", "painful",
    ),
    # Client talk: towards change, or for the status quo.
    "change_talk": (
        "i want to", "i'd like to", "i would like to", "i need to", "i have to", "i will",
        "i'm going to", "i am going to", "i'm gonna", "i can", "i could", "i should", "i've been trying",
        "i'm ready", "i am ready", "quit", "cut down", "cut back", "stop", "reduce", "change",
        "better", "healthier", "i tried", "willing", "plan", "going to try", "i wish", "i hope",
        "i'd like", "i want", "i've decided", "i decided", "i'll", "i will try", "i think i can",
        "it would be good", "worried about", "concerned about", "it's a problem", "too much",
        "i've cut", "i stopped", "less", "exercise", "healthy", "my health", "my kids",
    ),
    "sustain_talk": (
        "i don't want", "i do not want", "i can't", "i cannot", "i won't", "not ready", "i like",
        "i enjoy", "i love", "helps me", "relax", "not a problem", "no problem", "not a big deal",
        "i don't think", "i don't see", "i'm fine", "everyone does", "all my friends", "i don't need",
        "don't have a problem", "i'm not going to", "not that bad", "i need it", "too hard",
        "not really", "i don't care", "why should", "it's fine", "it's not like", "only",
        "just a few", "just one", "i'm not", "never", "i don't drink that much", "not much",
        "what's the point", "can't stop", "it's hard to", "i'm not sure",
    ),
    # MITI 4.2.1 "Confront": disagreeing, arguing, shaming, labelling.
    "confront": (
        "you're in denial", "you are in denial", "you're an alcoholic", "you are an alcoholic",
        "you're an addict", "you are an addict", "admit it", "you have to admit", "you need to admit",
        "that's not true", "you're wrong", "you are wrong", "you're lying", "you are lying",
        "making excuses", "just an excuse", "what's wrong with you", "how could you", "shame on you",
        "you should be ashamed", "you don't care", "you're kidding yourself", "face the facts",
        "face reality", "you're fooling yourself",
    ),
    "negation": ("not", "n't", "never", "no", "nothing", "nobody", "none"),
    "first_person": ("i", "me", "my", "mine", "myself", "i'm", "i've", "i'll", "i'd"),
    "second_person": ("you", "your", "you're", "you've", "yours", "yourself", "you'll", "you'd"),
    "we": ("we", "us", "our", "let's"),
}

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
    + ("question_mark", "question_sentences", "sentences", "tokens_log", "numbers", "exclamation")
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
        cues[:, _INDEX["tokens_log"]] = np.log1p(np.bincount(doc_of, minlength=n_docs))
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
