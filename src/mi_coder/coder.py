"""The Coder: a trained pair of pipelines that codes utterances, tables and single strings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .codes import CODES, COUNSELLOR
from .columns import find_columns, sides as find_sides
from .features import context_table


class Coder:
    """Codes counsellor and client utterances with the SPEC's codes.

    `counsellor` and `client` are fitted scikit-learn Pipelines over the feature table of
    `mi_coder.features.context_table`; `info` holds provenance (data, scores, versions).
    """

    def __init__(self, counsellor, client, info: dict | None = None):
        self.counsellor = counsellor
        self.client = client
        self.info = dict(info or {})

    def pipeline(self, side: str):
        return self.counsellor if side == COUNSELLOR else self.client

    def predict_proba(self, texts, sides, conversations) -> dict[str, np.ndarray]:
        """Probabilities per side for utterances in conversation order.

        Returns {'counsellor': (n, 8), 'client': (n, 3)}; rows of the other side hold NaN.
        Empty texts are left out of the context and get NaN on both sides.
        """
        texts = pd.Series(list(texts), dtype=object).fillna("").astype(str)
        sides = np.asarray(list(sides), dtype=object)
        conversations = np.asarray(list(conversations), dtype=object)
        present = texts.str.strip().ne("").to_numpy()
        out = {side: np.full((len(texts), len(CODES[side])), np.nan) for side in CODES}
        if not present.any():
            return out
        table = context_table(texts[present].tolist(), sides[present], conversations[present])
        rows = np.flatnonzero(present)
        for side in CODES:
            mask = sides[present] == side
            if mask.any():
                out[side][rows[mask]] = self.pipeline(side).predict_proba(table[mask])
        return out

    def code(self, text: str, side: str = COUNSELLOR, context=()) -> str:
        """The code of one utterance; `context` lists earlier (side, text) turns, oldest first."""
        context = list(context)
        texts = [t for _, t in context] + [text]
        turn_sides = [s for s, _ in context] + [side]
        proba = self.predict_proba(texts, turn_sides, [0] * len(texts))[side][-1]
        if np.isnan(proba).all():
            return ""
        return CODES[side][int(np.argmax(proba))]

    def code_frame(self, frame: pd.DataFrame, text_col=None, speaker_col=None, transcript_col=None,
                   counsellor_values=None, client_values=None, probabilities: bool = False,
                   source: str = "input") -> pd.DataFrame:
        """A copy of `frame` with `mi_code`, `mi_confidence` (and `p_<code>`) columns, rows in order.

        Columns and speaker values are found as the SPEC says; rows are coded within their
        transcript in file order, and a decreasing utterance_id starts a new copy of it.
        Features are built in chunks of whole transcripts, so memory stays bounded for big frames.
        """
        cols = find_columns(frame, text_col, speaker_col, transcript_col, source=source)
        side = find_sides(frame, cols, counsellor_values, client_values, source=source).to_numpy()
        conversation = conversation_keys(frame, cols)
        order = np.argsort(conversation, kind="stable")
        texts, sorted_sides, sorted_conv = frame[cols.text].to_numpy()[order], side[order], conversation[order]
        proba = {s: np.empty((len(frame), len(CODES[s]))) for s in CODES}
        for start, stop in chunks(sorted_conv, CHUNK_ROWS):
            part = self.predict_proba(texts[start:stop], sorted_sides[start:stop], sorted_conv[start:stop])
            for s in CODES:
                proba[s][start:stop] = part[s]
        result = frame.copy()
        codes = np.full(len(frame), "", dtype=object)
        confidence = np.full(len(frame), np.nan)
        p_columns = {}
        for s in CODES:
            p = np.empty_like(proba[s])
            p[order] = proba[s]
            mask = (side == s) & ~np.isnan(p).any(axis=1)
            codes[mask] = np.asarray(CODES[s], dtype=object)[p[mask].argmax(axis=1)]
            confidence[mask] = p[mask].max(axis=1)
            for j, code in enumerate(CODES[s]):
                p_columns[f"p_{code}"] = np.where(side == s, p[:, j], np.nan)
        result["mi_code"] = codes
        result["mi_confidence"] = np.round(confidence, 4)
        if probabilities:
            for name, values in p_columns.items():
                result[name] = np.round(values, 4)
        return result


CHUNK_ROWS = 10_000


def chunks(conversation: np.ndarray, size: int):
    """(start, stop) slices of about `size` rows that never split a run of equal conversation keys."""
    n = len(conversation)
    start = 0
    while start < n:
        stop = min(start + size, n)
        while stop < n and conversation[stop] == conversation[stop - 1]:
            stop += 1
        yield start, stop
        start = stop


def conversation_keys(frame: pd.DataFrame, cols) -> np.ndarray:
    """Integer id per row: its transcript (by first appearance), split where utterance_id drops."""
    if cols.transcript is None:
        transcript = np.zeros(len(frame), dtype=np.int64)
    else:
        transcript = pd.factorize(frame[cols.transcript].astype("string").fillna(""))[0].astype(np.int64)
    if cols.order is None:
        return transcript
    order = pd.Series(pd.to_numeric(frame[cols.order], errors="coerce").to_numpy(dtype=float, na_value=np.nan))
    # Within each transcript (rows in file order), a new copy starts where the id drops below
    # the last id seen; rows without an id stay in the current copy.
    last = order.groupby(transcript).ffill().groupby(transcript).shift()
    drop = (order < last).to_numpy()
    copy = pd.Series(drop.astype(np.int64)).groupby(transcript).cumsum().to_numpy()
    return transcript * 1_000_000 + copy
