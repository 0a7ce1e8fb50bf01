"""Captions, subtitles and plain transcripts as tables: WebVTT (.vtt, what Zoom, Teams and YouTube export),
SubRip (.srt), "Name: text" lines in a .txt file or a Word .docx (what Otter, Zoom and typists write).

Captions are parsed by `webvtt-py` and `srt` (the `captions` extra), Word files by `python-docx` (the
`docx` extra). Each cue's speaker is its voice tag (`<v Anna Smith>`, as Teams writes it) or a "Name:"
prefix (as Zoom and Otter write it); consecutive cues of one speaker are one turn, since captions cut a
turn wherever a line fills up. In a plain transcript each "Name:" line is a turn, a line without a
prefix goes on the turn before it, and a leading time ("[00:01:02]", "00:01") is dropped. The table has the columns `read_table` gives a
CSV: transcript_id (the file's name), utterance_id, start and end (captions), speaker (absent when no
line names one) and text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ._columns import PREFIX, PREFIX_SHARE

SUFFIXES = (".vtt", ".srt", ".docx")
TIME = re.compile(r"^\s*[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])]?\s*")  # a leading time stamp
SNIFF_LINES = 50  # lines of a .txt file looked at to tell a transcript from a CSV


def is_captions(path) -> bool:
    """Captions and Word transcripts are told by the file name's suffix; a .txt file by its lines
    (most of its first lines start "Name: "), else it is a CSV as before."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return True
    return suffix == ".txt" and path.is_file() and _prefixed(_head_lines(path))


def _head_lines(path: Path) -> list[str]:
    lines = []
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    lines.append(line)
                if len(lines) >= SNIFF_LINES:
                    break
    except OSError:
        return []
    return lines


def _prefixed(lines: list[str]) -> bool:
    """Most lines start with a speaker's name and a colon (after a time stamp, if any)."""
    named = sum(bool(PREFIX.match(TIME.sub("", line, count=1))) for line in lines)
    return len(lines) >= 2 and named >= PREFIX_SHARE * len(lines)


def _lines(path: Path) -> list[str]:
    """The non-blank lines of a plain (.txt) or Word (.docx) transcript."""
    if path.suffix.lower() == ".docx":
        try:
            import docx
        except ImportError:
            raise InputError(f"{path}: reading Word files needs python-docx; pip install 'mi_coder[docx]', or save "
                             f"the transcript as .txt") from None
        try:
            paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
        except Exception as exc:  # python-docx raises several types for files that are not Word documents
            raise InputError(f"{path}: cannot be read as a Word document ({type(exc).__name__}); save it as .docx "
                             f"or .txt again") from None
        return [line for p in paragraphs for line in p.splitlines() if line.strip()]
    try:
        return [line for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    except UnicodeDecodeError:
        raise InputError(f"{path}: a transcript must be UTF-8 text; save the file as UTF-8") from None


def _cues(path: Path) -> list[tuple[str, str, str | None, str]]:
    """(start, end, voice or None, text) of each cue."""
    try:
        if path.suffix.lower() == ".vtt":
            import webvtt

            return [(c.start, c.end, getattr(c, "voice", None), c.text) for c in webvtt.read(str(path))]
        import srt

        text = path.read_text(encoding="utf-8-sig")
        return [(str(c.start), str(c.end), None, c.content) for c in srt.parse(text)]
    except ImportError:
        raise InputError(f"{path}: reading captions needs webvtt-py and srt; pip install 'mi_coder[captions]'") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: captions must be UTF-8 text; save the file as UTF-8") from None
    except Exception as exc:  # both parsers raise their own error types for malformed files
        raise InputError(f"{path}: cannot be read as {path.suffix.lower()} captions ({type(exc).__name__}); "
                         f"check the file or export it again") from None


def read_captions(path) -> pd.DataFrame:
    """A caption file or plain transcript as a table of turns (strings), one row per run of lines by one speaker."""
    path = Path(path)
    plain = path.suffix.lower() in (".txt", ".docx")
    items = [(None, None, None, TIME.sub("", line, count=1)) for line in _lines(path)] if plain else _cues(path)
    rows = []
    for start, end, voice, text in items:
        text = " ".join(str(text).split())
        speaker = voice.strip() if voice else None
        match = PREFIX.match(text) if speaker is None else None
        if match:
            speaker, text = match.group(1).strip(), text[match.end():]
        if not text:
            continue
        # captions: a run of cues by one speaker is one turn; a plain transcript's "Name:" line starts a
        # turn, and a line without a name goes on the turn before it
        if rows and (not match if plain else rows[-1]["speaker"] == speaker):
            rows[-1]["text"] += " " + text
            rows[-1]["end"] = end
            continue
        rows.append({"start": start, "end": end, "speaker": speaker, "text": text})
    if not rows:
        raise InputError(f"{path}: has no {'lines' if plain else 'caption cues'} with text; nothing to code")
    frame = pd.DataFrame(rows)
    if plain:
        frame = frame.drop(columns=["start", "end"])
    frame.insert(0, "utterance_id", [str(i) for i in range(len(frame))])
    frame.insert(0, "transcript_id", path.stem)
    if frame["speaker"].isna().all():
        frame = frame.drop(columns=["speaker"])
    else:
        frame["speaker"] = frame["speaker"].fillna("")
    return frame.astype("string").astype(object)
