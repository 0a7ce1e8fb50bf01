"""spaCy preprocessing: the blank English tokenizer plus rule patterns for MI cues.

Nothing is downloaded: the pipeline is `spacy.blank("en")`, a rule-based sentencizer and the
`mi_cues` component, which counts Matcher/PhraseMatcher hits per cue and stores them as
`Doc._.mi_cues` (a vector in the order of `CUE_NAMES`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.attrs import LOWER
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

CUE_NAMES: tuple[str, ...] = (
    tuple(PHRASES) + tuple(SENTENCE_STARTS)
    + ("question_mark", "question_sentences", "sentences", "tokens_log", "numbers", "exclamation")
)
N_CUES = len(CUE_NAMES)
_INDEX = {name: i for i, name in enumerate(CUE_NAMES)}

for _name in ("mi_cues", "mi_words"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

SENTENCE_ENDS = frozenset((".", "!", "?", "...", "..", "?!", "!?"))


class MICueMatcher:
    """spaCy component that counts MI cue patterns: `Doc._.mi_cues` (in `CUE_NAMES` order).

    It also leaves the lower-cased words in `Doc._.mi_words`. Tokens are read through
    `Doc.to_array` and sentences split at . ! ? by rule, without creating Token objects:
    that keeps preprocessing several times faster than iterating the Doc.
    """

    def __init__(self, nlp: Language, name: str = "mi_cues"):
        self.name = name
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for cue, phrases in PHRASES.items():
            self.phrases.add(cue, list(nlp.tokenizer.pipe(phrases)))
        self._ids = {nlp.vocab.strings[cue]: _INDEX[cue] for cue in PHRASES}
        # Sentence openers are a dictionary lookup: a token Matcher with IS_SENT_START costs 5x more.
        self._starts = {word: _INDEX[cue] for cue, words in SENTENCE_STARTS.items() for word in words}
        self._words: dict[int, str] = {}  # memo: LOWER hash -> string

    def words(self, doc: Doc) -> list[str]:
        """The lower-cased words of a Doc, via one array read and a memo of the vocabulary."""
        memo, strings = self._words, doc.vocab.strings
        out = []
        for h in doc.to_array(LOWER).tolist():
            word = memo.get(h)
            if word is None:
                word = memo[h] = strings[h]
            out.append(word)
        return out

    def __call__(self, doc: Doc) -> Doc:
        cues = np.zeros(N_CUES, dtype=np.float32)
        ids = self._ids
        for match_id, _, _ in self.phrases(doc):
            cues[ids[match_id]] += 1
        words = self.words(doc)
        starts = self._starts
        n_sents = n_questions = 0
        at_start, question = True, False
        for word in words:
            if word in SENTENCE_ENDS:
                question = question or "?" in word
                at_start = True
                continue
            if at_start:
                if n_sents and question:
                    n_questions += 1
                n_sents += 1
                question = at_start = False
                cue = starts.get(word)
                if cue is not None:
                    cues[cue] += 1
        if n_sents and question:
            n_questions += 1
        text = "".join(words)  # Doc.text would build every Token; the words carry the same characters
        cues[_INDEX["question_mark"]] = text.count("?")
        cues[_INDEX["question_sentences"]] = n_questions
        cues[_INDEX["sentences"]] = n_sents
        cues[_INDEX["tokens_log"]] = np.log1p(len(words))
        cues[_INDEX["numbers"]] = sum(c.isdigit() for c in text)
        cues[_INDEX["exclamation"]] = text.count("!")
        doc._.mi_cues = cues
        doc._.mi_words = words
        return doc


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


def content_stems(words, memo: dict) -> frozenset:
    """Stems of the alphabetic non-stop-words: what a reflection shares with the client's turn."""
    out = set()
    for word in words:
        st = memo.get(word, 0)
        if st == 0:
            st = memo[word] = stem(word) if word.isalpha() and word not in STOP_WORDS else None
        if st is not None:
            out.add(st)
    return frozenset(out)


def analyse(texts, batch_size: int = 1000):
    """Tokenize and cue-match utterances: (normalised token strings, cue matrix, content-stem sets)."""
    nlp = english()
    tokens, cues, content = [], np.zeros((len(texts), N_CUES), dtype=np.float32), []
    texts = (t[:MAX_CHARS] for t in texts)
    memo: dict = {}
    for i, doc in enumerate(nlp.pipe(texts, batch_size=batch_size)):
        words = doc._.mi_words
        tokens.append(" ".join(words))
        cues[i] = doc._.mi_cues
        content.append(content_stems(words, memo))
    return tokens, cues, content
