"""Find the text, speaker and transcript columns of a user's table and tell each row's side."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .codes import CLIENT, CLIENT_VALUES, COUNSELLOR, COUNSELLOR_VALUES
from .errors import InputError

TEXT_NAMES = ("utterance_text", "text", "utterance", "content")
SPEAKER_NAMES = ("interlocutor", "speaker", "role", "author")
TRANSCRIPT_NAMES = ("transcript_id", "conversation_id", "session_id", "dialog_id", "conv_id")
# Optional: a within-transcript order column; when it goes down, a new copy of the transcript starts.
ORDER_NAMES = ("utterance_id", "turn", "turn_id", "utterance_index")


@dataclass(frozen=True)
class Columns:
    """The columns of a table that mi_coder reads; speaker and transcript may be absent."""

    text: str
    speaker: str | None = None
    transcript: str | None = None
    order: str | None = None


def find_one(frame: pd.DataFrame, given: str | None, names, what: str, source: str = "input",
             required: bool = False, unique: bool = True) -> str | None:
    """The column given by name (case-insensitive), else the one of `names` present.

    Two candidates (say `text` and `content`) are ambiguous: coding the wrong one would go
    unnoticed, so that is an error asking for the flag, unless `unique` is False.
    """
    if given is not None:
        if given in frame.columns:
            return given
        lowered = {str(c).lower(): c for c in frame.columns}
        if given.lower() in lowered:
            return lowered[given.lower()]
        raise InputError(f"{source}: no column named {given!r} (given as the {what} column); "
                         f"columns are {', '.join(map(str, frame.columns))}")
    lowered = {str(c).strip().lower(): c for c in frame.columns}
    present = [lowered[name] for name in names if name in lowered]
    if len(present) > 1 and unique:
        raise InputError(f"{source}: columns {', '.join(map(repr, map(str, present)))} could each be the "
                         f"{what} column; choose one with --{what}-col")
    if present:
        return present[0]
    if required:
        raise InputError(f"{source}: no {what} column found (looked for {', '.join(names)}); "
                         f"name it with --{what}-col")
    return None


def file_row(frame: pd.DataFrame, pos: int) -> int:
    """The spreadsheet row number (header = 1) of the row at position `pos`.

    Frames read in chunks keep their file's row numbers as an integer index.
    """
    label = frame.index[pos]
    return int(label) + 2 if isinstance(label, (int, np.integer)) else pos + 2


def find_columns(frame: pd.DataFrame, text_col=None, speaker_col=None, transcript_col=None,
                 source: str = "input") -> Columns:
    """Detect columns by name (case-insensitive) unless given; raise InputError naming the file."""
    return Columns(
        text=find_one(frame, text_col, TEXT_NAMES, "text", source, True),
        speaker=find_one(frame, speaker_col, SPEAKER_NAMES, "speaker", source, False),
        transcript=find_one(frame, transcript_col, TRANSCRIPT_NAMES, "transcript", source, False),
        order=find_one(frame, None, ORDER_NAMES, "order", source, False, unique=False),
    )


def _values(given) -> tuple[str, ...] | None:
    if given is None:
        return None
    if isinstance(given, str):
        given = given.split(",")
    return tuple(v.strip().lower() for v in given if v.strip())


def sides(frame: pd.DataFrame, cols: Columns, counsellor_values=None, client_values=None,
          source: str = "input") -> pd.Series:
    """Each row's side, 'counsellor' or 'client'; a table without speakers is all counsellor."""
    if cols.speaker is None:
        return pd.Series(COUNSELLOR, index=frame.index)
    couns = _values(counsellor_values) or COUNSELLOR_VALUES
    client = _values(client_values) or CLIENT_VALUES
    speaker = frame[cols.speaker].astype("string").str.strip().str.lower()
    side = pd.Series(pd.NA, index=frame.index, dtype="object")
    side[speaker.isin(couns).fillna(False).to_numpy()] = COUNSELLOR
    side[speaker.isin(client).fillna(False).to_numpy()] = CLIENT
    unknown = side.isna().to_numpy()
    if unknown.any():
        pos = int(unknown.nonzero()[0][0])
        values = pd.unique(frame[cols.speaker][unknown].astype("string").fillna("<empty>"))
        shown = ", ".join(repr(str(v)) for v in values[:5]) + (" …" if len(values) > 5 else "")
        raise InputError(
            f"{source}: column {cols.speaker!r}, row {file_row(frame, pos)} (first of {int(unknown.sum())}): speaker "
            f"value(s) {shown} are neither counsellor ({', '.join(couns)}) nor client "
            f"({', '.join(client)}); map them with --counsellor-values or --client-values")
    return side
