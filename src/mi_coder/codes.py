"""The MI behaviour codes of the SPEC and how the training corpora's labels map onto them."""

from __future__ import annotations

import math

import numpy as np

from .errors import InputError

COUNSELLOR = "counsellor"
CLIENT = "client"

COUNSELLOR_CODES = (
    "open_question",
    "closed_question",
    "simple_reflection",
    "complex_reflection",
    "affirmation",
    "advice",
    "information",
    "other",
    "confront",  # added after the first eight (SPEC): MITI 4.2.1 Confront, MI non-adherent; coarse AnnoMI `other`
)
CLIENT_CODES = ("change_talk", "sustain_talk", "neutral")
CODES = {COUNSELLOR: COUNSELLOR_CODES, CLIENT: CLIENT_CODES}
ALL_CODES = COUNSELLOR_CODES + CLIENT_CODES

# Coarse classes the model learns first; ESConv only says "a question" or "a reflection".
QUESTION = "question"
REFLECTION = "reflection"
COARSE_OF = {
    "open_question": QUESTION,
    "closed_question": QUESTION,
    "simple_reflection": REFLECTION,
    "complex_reflection": REFLECTION,
    "affirmation": "affirmation",
    "advice": "advice",
    "information": "information",
    "other": "other",
    "confront": "confront",
    QUESTION: QUESTION,
    REFLECTION: REFLECTION,
}
# The coarse-6 scores' classes: `confront` counts as `other` there (see `training._evaluate.coarse_6`).
COARSE_CODES = ("question", "reflection", "affirmation", "advice", "information", "other")

# AnnoMI's four therapist classes, used to compare with published work.
ANNOMI_COARSE_OF = {
    "open_question": "question",
    "closed_question": "question",
    "simple_reflection": "reflection",
    "complex_reflection": "reflection",
    "affirmation": "other",
    "advice": "therapist_input",
    "information": "therapist_input",
    "other": "other",
    "confront": "other",
}
ANNOMI_COARSE_CODES = ("reflection", "question", "therapist_input", "other")

# Speaker values of each side (SPEC, "Command line").
COUNSELLOR_VALUES = (
    "therapist", "counselor", "counsellor", "clinician", "coach", "supporter",
    "helper", "listener", "interviewer", "peer", "sys",
)
CLIENT_VALUES = ("client", "patient", "seeker", "speaker", "user", "usr", "participant", "member")

_ANNOMI_INPUT = {"advice": "advice", "options": "advice",
                 "information": "information", "negotiation": "information"}
_ANNOMI_CLIENT = {"change": "change_talk", "sustain": "sustain_talk", "neutral": "neutral"}
_ESCONV = {
    "Question": QUESTION,
    "Restatement or Paraphrasing": REFLECTION,
    "Reflection of feelings": REFLECTION,
    "Affirmation and Reassurance": "affirmation",
    "Providing Suggestions": "advice",
    "Information": "information",
    "Self-disclosure": "other",
    "Others": "other",
}


_WELIVITA = {
    "Open Question": "open_question",
    "Closed Question": "closed_question",
    "Simple Reflection": "simple_reflection",
    "Complex Reflection": "complex_reflection",
    "Affirm": "affirmation",
    "Support": "affirmation",  # validation and sympathy: the contract's affirmation includes them
    "Give Information": "information",
    "Advise with Permission": "advice",
    "Advise without Permission": "advice",
    "Direct": "advice",
    "Warn": "advice",
    "Emphasize Autonomy": "other",
    "Confront": "confront",
    "Self-Disclose": "other",
    "Other": "other",
}
# MIBot's silver AutoMISC labels are coarser than the contract: each names the codes it allows.
_MIBOT = {
    "R": REFLECTION,
    "Q": QUESTION,
    "MICO": "affirmation|advice|other",  # affirm/support, advice with permission, emphasising autonomy
    "MIIN": "advice|confront",  # advice without permission, direct, warn / confront
    "Other": "other|information",
    "C": "change_talk",
    "S": "sustain_talk",
    "N": "neutral",
}
NOT_ADVICE = "|".join(c for c in COUNSELLOR_CODES if c != "advice")  # a Reddit sentence judged not advice


def allowed_codes(label) -> tuple[str, ...]:
    """The leaf codes a training label allows: itself, a coarse class's subtypes, or a '|'-joined partial label.

    Partial labels come from corpora coarser than the contract (MIBot's "MI-consistent" is an
    affirmation, advice or other; a Reddit sentence judged not advice is any counsellor code but advice).
    """
    out: list[str] = []
    for part in str(label).split("|"):
        part = part.strip()
        leaves = [c for c in ALL_CODES if COARSE_OF.get(c) == part] if part in (QUESTION, REFLECTION) else [part]
        for leaf in leaves:
            if leaf not in ALL_CODES:
                raise ValueError(f"unknown code {part!r} in a training label")
            if leaf not in out:
                out.append(leaf)
    return tuple(out)


def is_partial(label) -> bool:
    """True for a label that allows several coarse classes (the linear tier resolves these before fitting)."""
    return label is not None and "|" in str(label)


def _blank(value) -> str:
    """Lower-cased string of a cell, '' for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip().lower()


def annomi_therapist_code(behaviour, question_subtype, reflection_subtype, input_subtype) -> str | None:
    """Map AnnoMI's main therapist behaviour and its subtype to a SPEC code.

    Returns the coarse `question`/`reflection` when the subtype is missing, None when unusable.
    """
    behaviour = _blank(behaviour)
    if behaviour == "question":
        sub = _blank(question_subtype)
        return f"{sub}_question" if sub in ("open", "closed") else QUESTION
    if behaviour == "reflection":
        sub = _blank(reflection_subtype)
        return f"{sub}_reflection" if sub in ("simple", "complex") else REFLECTION
    if behaviour == "therapist_input":
        return _ANNOMI_INPUT.get(_blank(input_subtype), "information")
    if behaviour == "other":
        return "other"
    return None


def annomi_client_code(talk_type) -> str | None:
    """Map AnnoMI's client_talk_type to a SPEC client code."""
    return _ANNOMI_CLIENT.get(_blank(talk_type))


def esconv_code(strategy) -> str | None:
    """Map an ESConv supporter strategy to a SPEC code (coarse for questions and reflections)."""
    return _ESCONV.get(str(strategy).strip()) if strategy is not None else None


def welivita_code(label) -> str | None:
    """Map a Welivita & Pu MITI label to a contract code; '-' (unlabelled) and unknown labels give None."""
    return _WELIVITA.get(str(label).strip()) if label is not None else None


def mibot_code(label) -> str | None:
    """Map a MIBot AutoMISC label (silver) to a code, a coarse class or a partial label ('a|b')."""
    return _MIBOT.get(str(label).strip()) if label is not None else None


def side_name(value) -> str:
    """The side ('counsellor' or 'client') that a speaker or side value names: the one side vocabulary.

    'therapist', 'coach', 'seeker', 'user' … map as the SPEC lists; anything else is an InputError
    that lists the accepted values.
    """
    v = _blank(value)
    if v in (COUNSELLOR, "counselor") or v in COUNSELLOR_VALUES:
        return COUNSELLOR
    if v == CLIENT or v in CLIENT_VALUES:
        return CLIENT
    raise InputError(f"unknown side {str(value)[:40]!r}; use one of {COUNSELLOR} ({', '.join(COUNSELLOR_VALUES)}) "
                     f"or {CLIENT} ({', '.join(CLIENT_VALUES)})")


def best_codes(proba: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray]:
    """(code, confidence) per row of a side's probability matrix: the argmax; '' and NaN for NaN rows."""
    proba = np.asarray(proba, dtype=float).reshape(-1, len(CODES[side]))
    codes = np.full(len(proba), "", dtype=object)
    confidence = np.full(len(proba), np.nan)
    ok = ~np.isnan(proba).any(axis=1)
    codes[ok] = np.asarray(CODES[side], dtype=object)[proba[ok].argmax(axis=1)]
    confidence[ok] = proba[ok].max(axis=1)
    return codes, confidence


def side_codes(proba: dict, sides) -> np.ndarray:
    """The code of every row from per-side probabilities ({side: (n, k)}), each row by its own side."""
    sides = np.asarray(sides, dtype=object)
    out = np.full(len(sides), "", dtype=object)
    for side in CODES:
        rows = sides == side
        out[rows] = best_codes(np.asarray(proba[side])[rows], side)[0]
    return out
