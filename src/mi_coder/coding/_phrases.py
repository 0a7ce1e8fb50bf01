"""The MI cue phrases, and whether texts hold them: a leaf module without spaCy.

The cue matcher (`_preprocess`) counts these phrases on spaCy tokens while coding; summaries
and the confrontation rule ask only whether a text holds one, with a regular expression per cue.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

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
        "face reality", "you're fooling yourself", "you keep saying", "you keep telling", "you always say",
        "you never listen", "you're not listening", "you're not trying", "you should know better",
        "what were you thinking", "i don't believe you", "that's ridiculous", "that's an excuse",
        "stop making excuses", "you're still smoking", "you're still drinking", "you're still using",
        "you're just making", "you obviously", "you clearly don't", "you need to face", "no excuse",
    ),
    # Question wording anywhere in an utterance: what finds a question where no "?" was written.
    "question_phrase": (
        "do you", "did you", "are you", "have you", "would you", "could you", "can you", "will you",
        "were you", "is it", "is that", "was it", "does it", "does that", "what do you", "how do you",
        "what would", "how would", "what are", "what is", "what's", "how is", "how are", "how does",
        "how did", "what did", "tell me", "what else", "how about", "what about", "is there", "are there",
        "do they", "what makes", "what brings", "how come", "what kind", "how many",
    ),
    "negation": ("not", "n't", "never", "no", "nothing", "nobody", "none"),
    "first_person": ("i", "me", "my", "mine", "myself", "i'm", "i've", "i'll", "i'd"),
    "second_person": ("you", "your", "you're", "you've", "yours", "yourself", "you'll", "you'd"),
    "we": ("we", "us", "our", "let's"),
}


# MITI 4.2.1 "Persuade" without permission in so many words: warnings and directives. Not a cue of the
# fast tier's features (PHRASES are); only the rule that such an utterance is no reflection reads them.
DIRECTING = (
    "you must", "you'd better", "you had better", "you've got to", "you have got to", "you really need to",
    "you really should", "you need to stop", "you have to stop", "you need to quit", "you have to quit",
    "if you keep", "if you continue", "if you don't stop", "if you don't get", "you'll end up", "you will end up",
    "you're going to end up", "i'm warning you", "i warn you", "i'm telling you", "i strongly suggest",
    "i strongly recommend", "i strongly advise", "i suggest you", "i suggest that you", "i advise you",
    "i want you to", "the best thing you can do", "the only way", "don't let", "do not let", "stop doing",
    "you shouldn't", "you should not", "you should never", "you need to get", "you need to force",
    "before it's too late", "or else",
)
# A sentence that starts with one of these verbs is a directive ("Take the breaks you are offered."),
# unless it asks for more (MI's "tell me more", "let me check") or proposes ("let's").
IMPERATIVES = (
    "take", "give", "stop", "keep", "make", "get", "call", "focus", "remember", "try", "avoid",
    "accept", "forget", "leave", "move", "close", "lay", "run", "seek", "find", "start", "quit", "don't",
    "do not", "please", "realize", "realise", "decide", "commit", "ask", "talk to", "reach out",
    "cut", "drink less", "put", "set", "write", "look for", "consider", "think about", "be careful", "be honest",
)
# Contractions as chats and some speech-to-text write them, without the apostrophe ("youre in denial"): the
# phrase patterns match them either way, so that such a text reads as its spelled-out form does.
_BARE = frozenset(("you're", "you've", "you'll", "you'd", "don't", "doesn't", "didn't", "can't", "won't", "isn't",
                   "aren't", "wasn't", "weren't", "shouldn't", "wouldn't", "couldn't", "haven't", "hasn't", "that's",
                   "what's", "they're", "i'm", "i've"))


def _words(phrase: str) -> str:
    """A phrase as a regular expression, the apostrophe of each word in _BARE optional."""
    return " ".join(re.escape(w).replace("'", "'?") if w in _BARE else re.escape(w) for w in phrase.split(" "))


_IMPERATIVE = re.compile(r"(?:^|[.!?]\s+|\n)\s*[\"'(]*(?:" + "|".join(
    _words(v) for v in sorted(IMPERATIVES, key=len, reverse=True)) + r")(?![\w'])(?!\s+(?:me|us)\b)")
RULE_PHRASES = {"directing": DIRECTING}


@lru_cache(maxsize=None)
def _phrase_pattern(cue: str) -> re.Pattern:
    # whole words as the tokenizer splits them: "we can" is not in "we can't" (spaCy: we / ca / n't)
    phrases = PHRASES[cue] if cue in PHRASES else RULE_PHRASES[cue]
    words = "|".join(_words(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(r"(?<![\w'])(?:" + words + r")(?![\w'])")


def phrase_hits(texts, cues) -> dict[str, np.ndarray]:
    """For each named cue of PHRASES (or RULE_PHRASES), whether each text holds one of its phrases (whole
    words, any case).

    A regular expression per cue: what summaries ask of texts already coded, without tokenizing them
    again (the cue matcher counts the same phrases on spaCy tokens while coding; on AnnoMI's utterances
    the two differ on 6, disfluencies such as "could--" that spaCy keeps as one token).
    """
    lowered = _lowered(texts)
    return {cue: _found(_phrase_pattern(cue), lowered) for cue in cues}


def _lowered(texts) -> list[str]:
    return [str(t).lower().replace("\u2019", "'") for t in texts]


def _found(pattern: re.Pattern, lowered: list[str]) -> np.ndarray:
    return np.fromiter((bool(pattern.search(t)) for t in lowered), dtype=bool, count=len(lowered))


def mi_inconsistent(texts) -> tuple[np.ndarray, np.ndarray]:
    """(confronting, directing) for each text, from one pass over the lowered texts: what the coder reads
    of every counsellor utterance it codes (`confronting` and `directing` say what each means)."""
    lowered = _lowered(texts)
    hits = {cue: _found(_phrase_pattern(cue), lowered) for cue in ("confront", "directing", "reflect_stem")}
    return hits["confront"], (hits["directing"] | _found(_IMPERATIVE, lowered)) & ~hits["reflect_stem"]


def confronting(texts) -> np.ndarray:
    """True for each text holding confronting wording (the `confront` phrases: "you're in denial", "you keep
    saying"): MITI 4.2.1 never codes such an utterance as a reflection, so the coder does not either."""
    return phrase_hits(texts, ("confront",))["confront"]


def directing(texts) -> np.ndarray:
    """True for each text that warns or directs in so many words (DIRECTING, or a sentence opening with an
    imperative verb) and has no reflective stem ("it sounds like you need to…"): MITI's Persuade, which
    the coder codes as advice, never as a reflection."""
    return mi_inconsistent(texts)[1]
