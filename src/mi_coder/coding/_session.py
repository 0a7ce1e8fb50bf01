"""Session features for the second stage: what the rest of the session says an utterance is.

From first-stage probabilities of every utterance of a transcript: the mean probabilities of the
session's *other* counsellor and client utterances (all of them, `"whole"`, or only earlier ones,
`"causal"`), how many there are, and the probabilities of the previous counsellor and client
utterance. A session's overall style says a lot about its ambiguous utterances ("so it sounds
like you need to…" in a session full of advice is rarely a reflection). With the whole session, the
client's reply says the rest (`next_turn_columns`): a question gets an answer, a reflection a nod.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import CLIENT, CLIENT_CODES, COUNSELLOR, COUNSELLOR_CODES

FORMS = ("whole", "causal")
# The recipe of the shipped model (`mi-coder train`'s default): streaming keeps whole transcripts
# together, so the CLI and `code_frame` can read the whole session.
DEFAULT_SESSION = "whole"
COLUMNS = ([f"session_mean_{c}" for c in COUNSELLOR_CODES + CLIENT_CODES]
           + ["session_log_n_counsellor", "session_log_n_client"]
           + [f"previous_{c}" for c in COUNSELLOR_CODES + CLIENT_CODES])
COUNTS = [COLUMNS.index("session_log_n_counsellor"), COLUMNS.index("session_log_n_client")]  # 0: no other utterance
# In AnnoMI a counsellor's question is answered at length (median 13 words, opening "um", "well", "I"), a
# reflection mostly nodded to (median 3 words, 42% open with "yeah"): the cue that tells a declarative question
# ("you felt isolated") from a reflection where a transcript has no "?".
NEXT_COLUMNS = ["next_client", "next_client_log_words", "next_client_nods", "next_client_hesitates"]
NODS = frozenset({"yeah", "yes", "yep", "yup", "ya", "mm", "mhm", "mmhmm", "hmm", "right", "okay", "ok",
                  "exactly", "true", "sure", "absolutely", "definitely", "uh-huh"})
HESITATIONS = frozenset({"um", "uh", "er", "erm", "well"})


def session_columns(proba: dict[str, np.ndarray], sides, transcripts, form: str = "whole") -> np.ndarray:
    """(n, len(COLUMNS)) session features; rows must be in conversation order within each transcript.

    `proba` maps each side to (n, k) first-stage probabilities, NaN on rows of the other side and
    blank rows (which then count for nothing).
    """
    if form not in FORMS:
        raise ValueError(f"session form must be one of {', '.join(FORMS)}, not {form!r}")
    sides = np.asarray(sides, dtype=object)
    keys = pd.factorize(pd.Series(list(transcripts), dtype=object))[0]
    parts_mean, parts_count, parts_previous = [], [], []
    for side in (COUNSELLOR, CLIENT):
        p = np.asarray(proba[side], dtype=float)
        valid = (sides == side) & ~np.isnan(p).any(axis=1)
        values = np.where(valid[:, None], np.nan_to_num(p), 0.0)
        table = pd.DataFrame(np.column_stack([values, valid.astype(float)]))
        grouped = table.groupby(keys)
        totals = (grouped.cumsum() if form == "causal" else grouped.transform("sum")).to_numpy() - table.to_numpy()
        count = totals[:, -1:]
        parts_mean.append(np.divide(totals[:, :-1], count, out=np.zeros_like(totals[:, :-1]), where=count > 0))
        parts_count.append(np.log1p(count))
        previous = pd.DataFrame(np.where(valid[:, None], values, np.nan)).groupby(keys).shift(1)
        parts_previous.append(previous.groupby(keys).ffill().fillna(0.0).to_numpy())
    return np.hstack(parts_mean + parts_count + parts_previous).astype(np.float32)


def next_turn_columns(texts, sides, transcripts) -> np.ndarray:
    """(n, len(NEXT_COLUMNS)) for each counsellor utterance the client answers in the next row of its
    transcript: 1, the reply's log word count, whether it opens with a nod ("yeah", "mm") or a hesitation
    ("um", "well"); zeros elsewhere (the counsellor goes on, the transcript ends, client rows). Rows in
    conversation order."""
    sides = np.asarray(sides, dtype=object)
    keys = pd.factorize(pd.Series(list(transcripts), dtype=object))[0]
    words = [str(t).lower().replace(",", " ").replace(".", " ").split() if isinstance(t, str) else [] for t in texts]
    out = np.zeros((len(sides), len(NEXT_COLUMNS)), dtype=np.float32)
    for i in np.flatnonzero((keys[:-1] == keys[1:]) & (sides[:-1] == COUNSELLOR) & (sides[1:] == CLIENT)):
        reply = words[i + 1]
        if reply:
            first = reply[0].strip("?!'\"-")
            out[i] = (1.0, np.log1p(len(reply)), first in NODS, first in HESITATIONS)
    return out
