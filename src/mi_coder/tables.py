"""Read users' tables robustly and write results atomically (complete file or none).

Reading decodes UTF-8 (with or without BOM) and UTF-16 with a BOM; other 8-bit files are read
as Windows-1252 with a warning that names the file. Every failure is a one-line InputError that
names the file and, where known, the line; cell contents never appear in messages.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from pathlib import Path

import pandas as pd

from .errors import InputError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{path}: starts with a UTF-16 mark but does not decode as UTF-16; "
                             f"re-save it as UTF-8 CSV") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw[:65536]:
        raise InputError(f"{path}: looks binary (NUL bytes), not a CSV text file; export it as UTF-8 CSV")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        warnings.warn(f"{path}: not valid UTF-8 (first at line {line}); read as Windows-1252/Latin-1. "
                      f"Re-save as UTF-8 if characters look wrong", stacklevel=3)
        return text


def read_table(path, what: str = "input") -> pd.DataFrame:
    """A CSV (or Parquet) file as a DataFrame of strings; InputError for anything unreadable."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found; check the path")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file; give the {what} CSV file")
    if path.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); check its permissions") from None
    text = _decode(path, raw)
    if not text.strip():
        raise InputError(f"{path}: is empty; give a CSV with a header row and one utterance per row")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
                            skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        where = f"line {match.group(1)}" if match else "a row"
        raise InputError(f"{path}: {where} has more fields than the header; fix that row or quote "
                         f"cells that contain commas") from None
    except (ValueError, csv.Error) as exc:
        raise InputError(f"{path}: cannot be read as CSV ({type(exc).__name__}); save it as UTF-8 CSV") from None
    if frame.empty:
        raise InputError(f"{path}: has a header but no rows; nothing to code")
    _check_header(path, text)
    return frame


def _check_header(path: Path, text: str) -> None:
    """Refuse repeated column names, which pandas would silently rename to 'name.1'."""
    header = next(csv.reader(io.StringIO(text)), [])
    seen = set()
    for name in (h.strip().lower() for h in header):
        if name in seen:
            raise InputError(f"{path}: column {name!r} appears twice in the header (names are "
                             f"case-insensitive); rename one of them")
        seen.add(name)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except ImportError:
        raise InputError(f"{path}: reading Parquet needs pyarrow; pip install 'mi_coder[parquet]'") from None
    except Exception as exc:  # pyarrow raises many types for damaged files
        raise InputError(f"{path}: cannot be read as Parquet ({type(exc).__name__})") from None
    if frame.empty:
        raise InputError(f"{path}: has no rows; nothing to code")
    return frame


def excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a single quote."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            values = out[column]
            risky = values.astype("string").str.startswith(FORMULA_START).fillna(False)
            if risky.any():
                out[column] = values.where(~risky, "'" + values.astype("string"))
    return out


def check_output(inputs, output) -> Path:
    """Refuse an output that is one of the inputs or cannot be written, before any work is done."""
    output = Path(output)
    for source in inputs:
        if Path(source).exists() and output.exists() and os.path.samefile(source, output):
            raise InputError(f"{output}: is also the input; write the result to another file")
    if output.is_dir():
        raise InputError(f"{output}: is a folder; give an output file name")
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{output}: folder {folder} does not exist; create it or choose another path")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{output}: folder {folder} is not writable; choose another path")
    return output


def atomic_write(path, write) -> None:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it: all or nothing."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror}); choose another path") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def write_table(frame: pd.DataFrame, path) -> None:
    """Write CSV (or Parquet, by suffix) atomically."""
    if Path(path).suffix.lower() in (".parquet", ".pq"):
        def write(tmp):
            try:
                frame.to_parquet(tmp, index=False)
            except ImportError:
                raise InputError(f"{path}: writing Parquet needs pyarrow; pip install 'mi_coder[parquet]'") from None
    else:
        def write(tmp):
            frame.to_csv(tmp, index=False)
    atomic_write(path, write)


def write_text(text: str, path) -> None:
    """Write a UTF-8 text file atomically."""
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
