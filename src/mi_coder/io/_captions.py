"""Captions and subtitles as transcripts: WebVTT (.vtt, what Zoom, Teams and YouTube export) and SubRip (.srt).

Parsed by `webvtt-py` and `srt` (the `captions` extra). Each cue's speaker is its voice tag
(`<v Anna Smith>`, as Teams writes it) or a "Name:" prefix (as Zoom and Otter write it); consecutive
cues of one speaker are one turn, since captions cut a turn wherever a line fills up. The table has
the columns `read_table` gives a CSV: transcript_id (the file's name), utterance_id, start, end,
speaker (absent when no cue names one) and text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from ._columns import PREFIX

SUFFIXES = (".vtt", ".srt")


def is_captions(path) -> bool:
    """Captions are told by the file name's suffix."""
    return Path(path).suffix.lower() in SUFFIXES


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
    """A caption file as a table of turns (strings), one row per run of cues by one speaker."""
    path = Path(path)
    rows = []
    for start, end, voice, text in _cues(path):
        text = " ".join(str(text).split())
        speaker = voice.strip() if voice else None
        match = PREFIX.match(text) if speaker is None else None
        if match:
            speaker, text = match.group(1).strip(), text[match.end():]
        if not text:
            continue
        if rows and rows[-1]["speaker"] == speaker:
            rows[-1]["text"] += " " + text
            rows[-1]["end"] = end
            continue
        rows.append({"start": start, "end": end, "speaker": speaker, "text": text})
    if not rows:
        raise InputError(f"{path}: has no caption cues with text; nothing to code")
    frame = pd.DataFrame(rows)
    frame.insert(0, "utterance_id", [str(i) for i in range(len(frame))])
    frame.insert(0, "transcript_id", path.stem)
    if frame["speaker"].isna().all():
        frame = frame.drop(columns=["speaker"])
    else:
        frame["speaker"] = frame["speaker"].fillna("")
    return frame.astype("string").astype(object)
