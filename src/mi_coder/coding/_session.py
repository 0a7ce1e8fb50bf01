"""Session features for the second stage: what the rest of the session says an utterance is.

From first-stage probabilities of every utterance of a transcript: the mean probabilities of the
session's *other* counsellor and client utterances (all of them, `"whole"`, or only earlier ones,
`"causal"`), how many there are, and the probabilities of the previous counsellor and client
utterance. A session's overall style says a lot about its ambiguous utterances ("so it sounds
like you need to…" in a session full of advice is rarely a reflection).
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
