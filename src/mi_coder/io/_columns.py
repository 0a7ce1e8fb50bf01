"""Resolve a user's table layout once: text, speaker, transcript and order columns, and each row's side."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..codes import CLIENT, CLIENT_VALUES, COUNSELLOR, COUNSELLOR_VALUES
from ..errors import InputError, Notice, cli_words, option

TEXT_NAMES = ("utterance_text", "text", "utterance", "content")
# Looked for only when none of TEXT_NAMES is there: chat exports and chatbot logs name their text column so.
TEXT_FALLBACK_NAMES = ("reply", "response", "message", "msg", "body", "sentence", "transcript_text", "message_text")
SPEAKER_NAMES = ("interlocutor", "speaker", "role", "author")
SPEAKER_FALLBACK_NAMES = ("who", "from", "sender", "sender_name", "speaker_name", "speaker_role", "speaker_id",
                          "name", "user", "party", "person", "side", "speaker_label")
TRANSCRIPT_NAMES = ("transcript_id", "conversation_id", "session_id", "dialog_id", "conv_id")
# What chat exports, call logs and research files call a transcript, bare or as `_id`/`_no`/`_number`.
TRANSCRIPT_FALLBACK_NAMES = tuple(f"{base}{suffix}" for base in ("transcript", "session", "conversation", "conv",
                                                                  "chat", "dialogue", "dialog", "call", "thread")
                                  for suffix in ("", "_id", "id", "_no", "no", "_number", "_num", "_nr"))
NONE = "none"  # `--speaker-col none` / `--transcript-col none`: the table has no such column, do not look for one
# Optional: a within-transcript order column; when it goes down, a new copy of the transcript starts.
ORDER_NAMES = ("utterance_id", "turn", "turn_id", "utterance_index")


def find_one(frame: pd.DataFrame, given: str | None, names, what: str, source: str = "input",
             required: bool = False, unique: bool = True, fallback=()) -> str | None:
    """The column given by name (case-insensitive), else the one of `names` present, else of `fallback`.

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
    lowered = {}
    for c in frame.columns:
        lowered.setdefault(_normal(c), c)
    for group in (names, fallback):
        present = [lowered[name] for name in group if name in lowered]
        if len(present) > 1 and unique:
            raise InputError(f"{source}: columns {', '.join(map(repr, map(str, present)))} could each be the "
                             f"{what} column; choose one with {option(what + '_col')}")
        if present:
            return present[0]
    if required:
        raise InputError(f"{source}: no {what} column found (looked for {', '.join((*names, *fallback))}); "
                         f"name it with {option(what + '_col')}")
    return None


def _normal(name) -> str:
    """A column name as the name lists spell it: lower case, spaces, dashes and dots as '_' ('Session ID' -> session_id)."""
    return re.sub(r"[\s.\-]+", "_", str(name).strip().lower())


def _none(given) -> bool:
    """True where the user said the table has no such column (`none`, or False in Python)."""
    return given is False or (isinstance(given, str) and given.strip().lower() == NONE)


def file_row(frame: pd.DataFrame, pos: int) -> int:
    """The spreadsheet row number (header = 1) of the row at position `pos`.

    Frames read in chunks keep their file's row numbers as an integer index.
    """
    label = frame.index[pos]
    return int(label) + 2 if isinstance(label, (int, np.integer)) else pos + 2


def row_name(frame: pd.DataFrame, pos: int) -> str:
    """The row at position `pos` as its user finds it: the file row on the command line, the index label in Python."""
    if cli_words():
        return f"row {file_row(frame, pos)}"
    label = frame.index[pos]
    label = label.item() if isinstance(label, np.generic) else label
    return f"row with index {label!r}"


class UnknownSpeakers(InputError):
    """Speaker values of neither side; streaming recounts them over the whole file (see `Layout.speaker_error`)."""

def _values(given) -> tuple[str, ...] | None:
    """Speaker values given as "a,b" or a list, lower-cased; None when not given."""
    if given is None:
        return None
    if isinstance(given, str):
        given = given.split(",")
    return tuple(v.strip().lower() for v in given if v.strip()) or None


# "Therapist: how are you" with no speaker column: the prefix says who speaks. T/C is the usual
# shorthand of MI transcripts (therapist/client).
PREFIX = re.compile(r"^\s*([A-Za-z][A-Za-z .'-]{0,24}?)\s*:\s+")
PREFIX_SIDES = {"t": COUNSELLOR, "th": COUNSELLOR, "c": CLIENT, "cl": CLIENT}
PREFIX_SHARE = 0.8  # this share of the non-blank texts starting with a prefix makes a prefixed transcript

SIDE_COLUMN = "mi_side"  # written by `mi-coder code`, so later steps never guess a row's side
# Written by `mi-coder code`: the transcript each row was coded in ('' when the table had no transcript
# column), so that summarize and report find the sessions the way code did, without the flags.
TRANSCRIPT_COLUMN = "mi_transcript"
MODEL_COLUMN = "mi_model"  # written by `mi-coder code`: the first 16 hex digits of the model file's SHA-256
ADDED_COLUMNS = ("mi_code", "mi_confidence", SIDE_COLUMN, TRANSCRIPT_COLUMN, MODEL_COLUMN)  # and p_<code>


@dataclass(frozen=True)
class Layout:
    """Where a table keeps what mi_coder reads, resolved once and carried through code, summarize, report.

    `text`, `speaker`, `transcript` and `order` are column names (None when absent); `side` is
    an `mi_side` column of a coded table; speaker values are the user's or the contract's lists.
    `independent`: each row is a transcript of its own (a list of replies, not a conversation).
    """

    text: str | None
    speaker: str | None = None
    transcript: str | None = None
    order: str | None = None
    side: str | None = None
    counsellor_values: tuple = COUNSELLOR_VALUES
    client_values: tuple = CLIENT_VALUES
    source: str = "input"
    prefixed: bool = False  # no speaker column: each text starts with "Speaker: "
    independent: bool = False  # each row its own transcript: no context, no session around it
    # The side whose speaker values the user named alone (say --counsellor-values "Anna Smith"): in a
    # conversation of two voices, the one other voice is then the other side's.
    named_side: str | None = None

    @classmethod
    def resolve(cls, frame: pd.DataFrame, text_col=None, speaker_col=None, transcript_col=None,
                counsellor_values=None, client_values=None, source: str = "input",
                require_text: bool = True, independent: bool | None = None) -> "Layout":
        """Detect columns by name (case-insensitive) unless given; InputError naming the file otherwise.

        `independent` None reads a table with neither a speaker nor a transcript column (nor speaker
        prefixes) as independent utterances, as the contract says; True or False chooses the reading.
        """
        # A coded table's own record of each row's side, unless the user says how to read speakers.
        explicit = speaker_col is not None or counsellor_values is not None or client_values is not None
        side = SIDE_COLUMN if SIDE_COLUMN in frame.columns and not explicit else None
        no_speaker, no_transcript = _none(speaker_col), _none(transcript_col)
        text = find_one(frame, text_col, TEXT_NAMES, "text", source, required=require_text,
                        fallback=TEXT_FALLBACK_NAMES)
        speaker = None if no_speaker else find_one(frame, speaker_col, SPEAKER_NAMES, "speaker", source,
                                                   fallback=SPEAKER_FALLBACK_NAMES)
        transcript = None if no_transcript else find_one(frame, transcript_col, TRANSCRIPT_NAMES, "transcript",
                                                         source, fallback=TRANSCRIPT_FALLBACK_NAMES)
        coded_in = _coded_transcript(frame) if transcript is None and transcript_col is None else False
        if coded_in is not False:  # a coded table without such a column by name: the transcripts code found
            transcript, no_transcript = coded_in, coded_in is None
        order = find_one(frame, None, ORDER_NAMES, "order", source, unique=False)
        given = (_values(counsellor_values), _values(client_values))
        both = [v for v in given[0] or () if v in (given[1] or ())]
        # A value given to one side leaves the other side's default list; given to both, it is refused.
        values = (given[0] or tuple(v for v in COUNSELLOR_VALUES if v not in (given[1] or ())),
                  given[1] or tuple(v for v in CLIENT_VALUES if v not in (given[0] or ())))
        if both:  # the client's list would win in silence: every such row coded as the client's
            raise InputError(f"{source}: speaker value(s) {', '.join(map(repr, both))} given to both sides; "
                             f"give each value to one of {option('counsellor_values')} and {option('client_values')}")
        prefixed = speaker is None and side is None and text is not None and _prefixed(frame[text], source, text,
                                                                                      values)
        if speaker is None and side is None and not prefixed and not no_speaker:
            _refuse_unnamed(frame, "speaker", _speaker_like(frame, {text, transcript, order}, values), source)
        if transcript is None and independent is None and not no_transcript:
            _refuse_unnamed(frame, "transcript", _transcript_like(frame, {text, speaker, order, side}), source)
        if independent is None:
            independent = _independent(frame, text, speaker, transcript, side, prefixed, source, values)
        return cls(
            text=text,
            speaker=speaker,
            prefixed=prefixed,
            transcript=transcript,
            order=order,
            side=side,
            counsellor_values=values[0],
            client_values=values[1],
            source=source,
            independent=bool(independent),
            named_side=(COUNSELLOR if given[0] and not given[1] else CLIENT if given[1] and not given[0] else None),
        )

    def sides(self, frame: pd.DataFrame) -> np.ndarray:
        """Each row's side, 'counsellor' or 'client': from `mi_side` if coded, else the speaker column.

        A table with neither is all counsellor; unknown speaker values are an `UnknownSpeakers`
        error naming the column, the first row, the count and the first few values (labels, not speech).
        """
        if self.side is not None:
            side = frame[self.side].astype("string").str.strip().str.lower()
            known = side.isin((COUNSELLOR, CLIENT)).fillna(False).to_numpy()
            if not known.all():
                pos = int(np.flatnonzero(~known)[0])
                raise InputError(f"{self.source}: column {self.side!r}, {row_name(frame, pos)}: side must be "
                                 f"{COUNSELLOR} or {CLIENT}; recode the file with `mi-coder code`")
            return side.to_numpy(dtype=object)
        if self.prefixed:
            speaker = frame[self.text].astype("string").str.extract(PREFIX, expand=False).str.strip().str.lower()
            side = speaker.map(lambda v: _prefix_side(v, self)).to_numpy(dtype=object)
            side[pd.isna(side)] = COUNSELLOR  # an unprefixed line continues as the counsellor's, the default side
            return side
        if self.speaker is None:
            return np.full(len(frame), COUNSELLOR, dtype=object)
        speaker = frame[self.speaker].astype("string").str.strip().str.lower()
        side = np.full(len(frame), None, dtype=object)
        side[speaker.isin(self.counsellor_values).fillna(False).to_numpy()] = COUNSELLOR
        side[speaker.isin(self.client_values).fillna(False).to_numpy()] = CLIENT
        unknown = pd.isna(side)
        others = speaker[unknown].dropna().unique()
        if unknown.any() and self.named_side and len(others) == 1 and others[0] and not speaker[unknown].isna().any():
            side[unknown] = CLIENT if self.named_side == COUNSELLOR else COUNSELLOR  # the one other voice
        elif unknown.any():
            raise self.speaker_error([frame])
        return side

    def speaker_error(self, frames) -> UnknownSpeakers:
        """The error for the unknown speaker values of `frames` (all chunks of a file): first row, count, values."""
        first, count, values = None, 0, {}
        for frame in frames:
            raw = frame[self.speaker].astype("string").str.strip()
            lower = raw.str.lower()
            known = (lower.isin(self.counsellor_values) | lower.isin(self.client_values)).fillna(False).to_numpy()
            unknown = np.flatnonzero(~known)
            if not len(unknown):
                continue
            first = first or row_name(frame, int(unknown[0]))
            count += len(unknown)
            for value in raw.iloc[unknown].fillna("").unique():
                values.setdefault(str(value).lower(), str(value))
        shown = [repr(v[:20] + "…" if len(v) > 20 else v) if v else "(blank)" for v in list(values.values())[:3]]
        more = f" and {len(values) - 3} more" if len(values) > 3 else ""
        return UnknownSpeakers(
            f"{self.source}: column {self.speaker!r}, {first} (first of {count} rows): speaker value(s) "
            f"{', '.join(shown)}{more} are neither counsellor ({', '.join(self.counsellor_values)}) nor client "
            f"({', '.join(self.client_values)}); map them with {option('counsellor_values')} or "
            f"{option('client_values')}")

    def transcripts(self, frame: pd.DataFrame) -> pd.Series:
        """Each row's transcript id as a string ('' where blank); 'all' when the table has no such column."""
        if self.transcript is None:
            return pd.Series("all", index=frame.index, dtype="string")
        ids = frame[self.transcript].astype("string").str.strip()
        blank = ids.isna().to_numpy() | ids.eq("").fillna(True).to_numpy()
        if blank.any():
            first = row_name(frame, int(np.flatnonzero(blank)[0]))
            raise InputError(f"{self.source}: column {self.transcript!r}, {first}"
                             f" (first of {int(blank.sum())} rows): blank transcript id; fill it in so that each row "
                             f"belongs to a transcript")
        return frame[self.transcript].astype("string")

    def conversations(self, frame: pd.DataFrame) -> np.ndarray:
        """Integer id per row: its transcript (by first appearance), split where the order column drops.

        A decreasing utterance_id within a transcript starts a new copy of it (AnnoMI repeats a
        transcript once per annotator); rows without an id stay in the current copy. Independent
        utterances are each a conversation of their own.
        """
        if self.independent:
            return np.arange(len(frame), dtype=np.int64)
        if self.transcript is None:
            transcript = np.zeros(len(frame), dtype=np.int64)
        else:
            transcript = pd.factorize(self.transcripts(frame))[0].astype(np.int64)
        if self.order is None:
            return transcript
        order = pd.Series(pd.to_numeric(frame[self.order], errors="coerce").to_numpy(dtype=float, na_value=np.nan))
        last = order.groupby(transcript).ffill().groupby(transcript).shift()
        drop = (order < last).to_numpy()
        copy = pd.Series(drop.astype(np.int64)).groupby(transcript).cumsum().to_numpy()
        return transcript * 1_000_000 + copy

    def utterances(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The estimator's input: columns text, side, transcript (a conversation key), rows as in `frame`."""
        text = frame[self.text]
        if self.prefixed:  # the model reads what was said, not who said it
            text = text.astype("string").str.replace(PREFIX, "", n=1, regex=True)
        return pd.DataFrame({"text": text.to_numpy(dtype=object), "side": self.sides(frame),
                             "transcript": self.conversations(frame)}, index=frame.index)


FLAGS = ("text_col", "speaker_col", "transcript_col", "counsellor_values", "client_values", "independent")


def with_layout(frame: pd.DataFrame, options: dict, source: str = "input") -> dict:
    """Keyword options of `code_frame` with the column flags among them resolved once into `layout`.

    A file read as independent utterances by default says so (a `Notice`), with the flag for the other reading.
    """
    import warnings

    options = dict(options)
    flags = {name: options.pop(name, None) for name in FLAGS}
    source = options.pop("source", source)
    layout = Layout.resolve(frame, **flags, source=source)
    if layout.independent and flags["independent"] is None:
        warnings.warn(f"{source}: no speaker or transcript column: coding each row on its own as an independent "
                      f"utterance; pass {option('one_transcript') if cli_words() else 'independent=False'} to read "
                      f"the rows as one conversation", Notice, stacklevel=2)
    return dict(options, layout=layout)


def _coded_transcript(frame: pd.DataFrame):
    """In a coded table, the column of the transcripts `code` found: the user's column that `mi_transcript`
    repeats (else `mi_transcript` itself), None where code found none; False for a table not coded so."""
    if TRANSCRIPT_COLUMN not in frame.columns:
        return False
    coded = frame[TRANSCRIPT_COLUMN].astype("string").fillna("").str.strip()
    if not coded.ne("").any():
        return None
    for column in frame.columns:
        if column not in ADDED_COLUMNS and not str(column).startswith("p_") and \
                frame[column].astype("string").fillna("").str.strip().equals(coded):
            return column
    return TRANSCRIPT_COLUMN


def _runs(values: pd.Series) -> int:
    """How many runs of equal consecutive values a column has."""
    return int(values.ne(values.shift()).fillna(True).sum())


def _speaker_like(frame: pd.DataFrame, used: set, values) -> list[str]:
    """Columns that look like speakers: short labels naming a side, or two voices taking turns; not numbers."""
    known = set(values[0]) | set(values[1]) | {COUNSELLOR, CLIENT, "counselor"}
    out = []
    for column in frame.columns:
        if column in used or str(column).startswith(("mi_", "p_")) or pd.api.types.is_numeric_dtype(frame[column]):
            continue
        labels = frame[column].astype("string").str.strip().str.lower().dropna()
        labels = labels[labels.ne("")]
        distinct = labels.nunique()
        if len(labels) < 4 or not 2 <= distinct <= 12 or labels.str.len().mean() > 40:
            continue
        two_sides = labels.value_counts().iloc[:2].sum() >= 0.8 * len(labels)  # two voices, taking turns
        if set(labels.unique()) & known or (two_sides and _runs(labels) >= max(4, len(labels) / 4)):
            out.append(str(column))
    return out


def _transcript_like(frame: pd.DataFrame, used: set) -> list[str]:
    """Columns that look like transcript ids: a few values, each in one block of rows, filled in on every row."""
    out = []
    for column in frame.columns:
        if column in used or str(column).startswith(("mi_", "p_")):
            continue
        ids = frame[column].astype("string").str.strip()
        if ids.isna().any() or ids.eq("").any() or len(ids) < 6:
            continue
        distinct = ids.nunique()
        if 2 <= distinct <= len(ids) / 3 and _runs(ids) == distinct:
            out.append(str(column))
    return out


def _refuse_unnamed(frame, what: str, candidates: list[str], source: str) -> None:
    """Stop when a table plainly has a speaker or transcript column under a name not looked for: coding it
    as one side or one session would give wrong numbers without a word."""
    if not candidates:
        return
    names = ", ".join(map(repr, candidates))
    flag = (lambda value: f"{option(what + '_col')} {value}") if cli_words() else \
        (lambda value: f"{what}_col={value!r}")
    if what == "speaker":
        reading = "every row would be coded as the counsellor's"
        other = (f"name it with {flag(candidates[0])} (and {option('counsellor_values')}/{option('client_values')} "
                 f"for its values), or pass {flag(NONE)} if every row is the counsellor's")
    else:
        reading = "the whole table would be coded as one transcript"
        other = f"name it with {flag(candidates[0])}, or pass {flag(NONE)} to read the table as one transcript"
    raise InputError(f"{source}: no {what} column found by name, but column(s) {names} look like one ({reading}); "
                     f"{other}")


def _independent(frame, text, speaker, transcript, side, prefixed, source, values) -> bool:
    """The contract's default reading: no speaker, no transcript column and no speaker prefixes is a list of replies.

    A coded table's `mi_side` is no speaker column: its text is checked for the prefixes that gave those sides.
    """
    if speaker is not None or transcript is not None or prefixed:
        return False
    if side is not None and text is not None:
        try:
            return not _prefixed(frame[text], source, text, values)
        except InputError:  # prefixes naming no side: not a list of lone replies either
            return False
    return True


def _prefixed(text: pd.Series, source: str, column: str, speakers=(COUNSELLOR_VALUES, CLIENT_VALUES)) -> bool:
    """Whether a table's texts carry their speaker as a prefix; an error when they do but it is unreadable.

    Recognised when most non-blank texts start with `Name: ` and every prefix names a side
    (therapist, client, T, C, …); coding them all as counsellor would give client turns counsellor
    codes without a word, so other prefixes stop with what to pass. `speakers`: the two sides' values.
    """
    values = text.astype("string").dropna()
    values = values[values.str.strip().ne("")]
    if len(values) < 2:
        return False
    prefixes = values.str.extract(PREFIX, expand=False).str.strip().str.lower()
    if prefixes.notna().mean() < PREFIX_SHARE or prefixes.nunique() < 2:
        return False
    layout = Layout(text=column, counsellor_values=speakers[0], client_values=speakers[1])
    unknown = [p for p in prefixes.dropna().unique() if _prefix_side(p, layout) is None]
    if unknown:
        raise InputError(f"{source}: column {column!r}: most texts start with a speaker prefix ('Name: …') and "
                         f"there is no speaker column, but {len(unknown)} prefix(es) name no side; put the speaker "
                         f"in its own column and pass {option('speaker_col')} (with {option('counsellor_values')}/"
                         f"{option('client_values')}), or map the prefixes with {option('counsellor_values')}/"
                         f"{option('client_values')}")
    return True


def _prefix_side(prefix, layout: Layout) -> str | None:
    if prefix is None or pd.isna(prefix):
        return None
    if prefix in PREFIX_SIDES:
        return PREFIX_SIDES[prefix]
    if prefix in layout.counsellor_values or prefix in (COUNSELLOR, "counselor"):
        return COUNSELLOR
    if prefix in layout.client_values or prefix == CLIENT:
        return CLIENT
    return None
