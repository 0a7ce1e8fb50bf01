"""Read users' tables robustly and write results atomically (complete file or none).

Reading decodes UTF-8 (with or without BOM) and UTF-16 with a BOM; other 8-bit files are read
as Windows-1252 with a warning that names the file. Every failure is a one-line InputError that
names the file and, where known, the line; cell contents never appear in messages.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import shutil
import sys
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ._captions import is_captions, read_captions

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 5_000  # rows read at a time: bounds memory, and the progress bar moves every 5,000 rows
# RFC 4180 line ends: with "\r\n" as the terminator, cells holding a lone "\r" or "\n" get quoted,
# so they cannot split a row when the file is read back.
CSV_OPTIONS = {"index": False, "lineterminator": "\r\n"}


def is_parquet(path) -> bool:
    """Parquet or CSV is told by the file name's suffix."""
    return Path(path).suffix.lower() in (".parquet", ".pq")


FALLBACK_ENCODING = "cp1252"  # what Word and Excel write on Windows when a file is not UTF-8
DELIMITERS = (",", "\t", ";", "|")
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx files are zip archives


def _cp1252_gaps(error: UnicodeDecodeError):
    """The five bytes Windows-1252 leaves undefined decode as the Latin-1 characters of the same value."""
    return "".join(chr(b) for b in error.object[error.start:error.end]), error.end


codecs.register_error("mi_coder_cp1252", _cp1252_gaps)


def warn_not_utf8(path) -> None:
    """The one warning for a file read as Windows-1252 after UTF-8 failed."""
    warnings.warn(f"{path}: not valid UTF-8; read as Windows-1252. Re-save as UTF-8 if characters look wrong",
                  stacklevel=3)


def _is_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # only a character cut at the end of the sample
    return True


def _raw_head(path: Path, size: int = 65536) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def _head(path: Path, raw: bytes, size: int = 65536) -> bytes:
    """The first bytes of a file (`raw`), decompressed when it is gzip."""
    if not raw.startswith(GZIP_MAGIC):
        return raw
    import gzip
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(size)
    except (OSError, EOFError):
        raise InputError(f"{path}: looks gzip-compressed but cannot be decompressed; check the file") from None


# What a file that is not a table usually is, by its first bytes (and, for text, its first characters).
_NOT_TABLES = (
    (b"PK\x03\x04", "a zip archive (a Word .docx, or an Excel workbook not named .xlsx?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.doc or .xls)"),
    (b"%PDF", "a PDF document"),
    (b"{\\rtf", "an RTF document"),
)
_NOT_TABLE_TEXT = (("<?xml", "XML"), ("<!doctype html", "an HTML page"), ("<html", "an HTML page"),
                   ("{", "JSON"), ("[", "JSON"))


def _refuse_non_table(path: Path, head: bytes) -> None:
    """Stop on a JSON, HTML, XML, PDF or Word file given as a CSV, saying what it looks like: read as a
    CSV, its first line would become column names, and an error would quote what someone said."""
    for magic, what in _NOT_TABLES:
        if head.startswith(magic):
            break
    else:
        encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
        text = head[:512].decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n").lower()
        what = next((kind for start, kind in _NOT_TABLE_TEXT if text.startswith(start)), None)
        if what is None:
            return
    raise InputError(f"{path}: looks like {what}, not a CSV table; save or export it as CSV (one utterance per "
                     f"row, a header row naming the columns), Excel .xlsx or Parquet")


def _encoding_of(path: Path, head: bytes) -> str:
    """The encoding to read a CSV with, from its first (decompressed) bytes; refuses binary files."""
    if not head.strip():
        raise InputError(f"{path}: is empty; give a CSV with a header row and one utterance per row")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in head and (head.count(b"\x00") > len(head) // 10 or not _is_utf8(head)):
        # a stray NUL in a text cell is text; many NULs, or NULs in undecodable bytes, are not
        raise InputError(f"{path}: looks binary (NUL bytes), not a CSV text file; export it as UTF-8 CSV")
    return "utf-8-sig"


def _header(head: bytes, encoding: str) -> tuple[list[str], str]:
    """The header's fields and the delimiter they are separated by (comma, tab, semicolon or bar)."""
    text = head.decode(encoding if encoding != "utf-8-sig" else "utf-8", errors="replace").lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    counts = {d: next(csv.reader([first], delimiter=d), []).__len__() for d in DELIMITERS}
    sep = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return next(csv.reader([first], delimiter=sep), []), sep


def _check_header(path: Path, header: list[str]) -> None:
    seen = set()
    for name in (h.strip().lower() for h in header):
        if name in seen and name:
            raise InputError(f"{path}: column {name!r} appears twice in the header (names are "
                             f"case-insensitive); rename one of them")
        seen.add(name)


def csv_options(path, encoding: str | None = None) -> dict:
    """How pandas (or Dask) must read a CSV: encoding, delimiter, compression, columns; from one look at its head.

    The header is checked (no column twice). A delimiter ending every line (header included)
    makes an unnamed, empty last column: that is not data, so it is left out.
    """
    path = Path(path)
    raw = _raw_head(path)
    head = _head(path, raw)
    _refuse_non_table(path, head)
    encoding = encoding or _encoding_of(path, head)
    header, sep = _header(head, encoding)
    _check_header(path, header)
    options = {"dtype": str, "keep_default_na": False, "na_values": [""], "encoding": encoding, "sep": sep,
               "index_col": False, "compression": "gzip" if raw.startswith(GZIP_MAGIC) else None,
               "usecols": list(range(len(header) - 1)) if len(header) > 1 and not header[-1].strip() else None}
    if encoding == FALLBACK_ENCODING:
        options["encoding_errors"] = "mi_coder_cp1252"
    return options


def is_gzip(path) -> bool:
    """Whether a file is gzip-compressed (by its first bytes, whatever its name)."""
    return _raw_head(Path(path), 2) == GZIP_MAGIC


def read_chunks(path, chunk_rows: int = CHUNK_ROWS, encoding: str | None = None):
    """DataFrames of up to `chunk_rows` rows (strings), indexed by their row number in the file.

    CSV with a comma, tab, semicolon or bar between fields (told from the header), gzip-compressed
    or not; Parquet (.parquet) and Excel (.xlsx) by their suffix.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found; check the path")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file; give the input CSV file")
    if is_parquet(path):
        yield from _parquet_chunks(path, chunk_rows)
        return
    if is_excel(path):
        yield from _excel_chunks(path, chunk_rows)
        return
    if is_captions(path):
        frame = read_captions(path)
        for start in range(0, len(frame), chunk_rows):
            yield frame.iloc[start:start + chunk_rows]
        return
    options = csv_options(path, encoding)
    try:
        with pd.read_csv(path, chunksize=chunk_rows, skip_blank_lines=True, **options) as reader:
            any_rows = False
            for chunk in reader:
                if len(chunk):
                    any_rows = True
                    yield chunk
        if not any_rows:
            raise InputError(f"{path}: has a header but no rows; nothing to code")
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: is empty; give a CSV with a header row and one utterance per row") from None
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        where = f"line {match.group(1)}" if match else "a row"
        raise InputError(f"{path}: {where} has more fields than the header; fix that row or quote "
                         f"cells that contain commas") from None


def is_excel(path) -> bool:
    """An Excel workbook is told by its suffix (and must be a zip archive, as .xlsx files are)."""
    return Path(path).suffix.lower() in (".xlsx", ".xlsm")


def _excel_chunks(path: Path, chunk_rows: int):
    try:
        import openpyxl  # noqa: F401 - pandas reads .xlsx through it
    except ImportError:
        raise InputError(f"{path}: reading Excel files needs openpyxl; pip install 'mi_coder[excel]' "
                         f"or save the sheet as CSV") from None
    if _raw_head(path, 4) != ZIP_MAGIC:
        raise InputError(f"{path}: is not an Excel .xlsx workbook; save it as .xlsx or CSV")
    try:
        frame = pd.read_excel(path, dtype=str, keep_default_na=False, na_values=[""])
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError(f"{path}: cannot be read as an Excel workbook ({type(exc).__name__})") from None
    if not len(frame):
        raise InputError(f"{path}: the first sheet has a header but no rows; nothing to code")
    frame.columns = [str(c) for c in frame.columns]
    empty = frame.isna().to_numpy()
    if empty.any():  # formulas are read as the values Excel saved; say where none was saved
        _warn_unsaved_formulas(path, frame.columns, empty)
    for start in range(0, len(frame), chunk_rows):
        yield frame.iloc[start:start + chunk_rows]


def _warn_unsaved_formulas(path: Path, columns, empty) -> None:
    """Warn (naming the first cell, never its content) when `empty` cells of the first sheet are formulas whose
    value the workbook does not hold: files written by scripts, not saved by Excel, have none."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        found, first = 0, None
        rows = book.worksheets[0].iter_rows(min_row=2, max_row=len(empty) + 1, max_col=len(columns))
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if empty[r, c] and getattr(cell, "data_type", None) == "f":
                    found += 1
                    first = first or (r + 2, columns[c])
    finally:
        book.close()
    if found:
        warnings.warn(f"{path}: {found} cell(s) are formulas with no saved value (first: row {first[0]}, column "
                      f"{first[1]!r}) and are read as empty; open and save the workbook in Excel, or paste the "
                      f"cells as values", stacklevel=4)


def first_sheet(path) -> str | None:
    """The name of an Excel workbook's first sheet (None for any other file or one that cannot be read)."""
    if path is None or not is_excel(path):
        return None
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return book.sheetnames[0]
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - only a name is wanted; reading the file reports its errors
        return None


def _parquet_chunks(path: Path, chunk_rows: int):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{path}: reading Parquet needs pyarrow; pip install 'mi_coder[parquet]'") from None
    try:
        start = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
            frame = batch.to_pandas()
            frame.index = pd.RangeIndex(start, start + len(frame))
            start += len(frame)
            yield frame
    except Exception as exc:  # pyarrow raises many types for damaged files
        raise InputError(f"{path}: cannot be read as Parquet ({type(exc).__name__})") from None


def read_table(path) -> pd.DataFrame:
    """A whole CSV (or Parquet) file as a DataFrame of strings; InputError for anything unreadable.

    Not valid UTF-8: read as Windows-1252, with a warning naming the file.
    """
    try:
        return pd.concat(list(read_chunks(path)))
    except UnicodeDecodeError:
        warn_not_utf8(path)
        return pd.concat(list(read_chunks(path, encoding=FALLBACK_ENCODING)))


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


def check_output(inputs, output, table: bool = False) -> Path:
    """Refuse an output that is one of the inputs or cannot be written, before any work is done.

    A `table` output named .parquet or .xlsx also needs its writer (pyarrow, openpyxl) installed.
    """
    if str(output) == STDIO:
        return Path(STDIO)
    output = Path(output)
    if table:
        check_writer(output)
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


# What a table output may be named: CSV or TSV (each maybe .gz), Parquet, Excel; .txt and no suffix are CSV.
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".gz", ".parquet", ".pq", ".xlsx", "")


def check_writer(output: Path) -> None:
    """Refuse a table output of a kind that cannot be written, or whose writer package is missing: say what
    to do, before coding (a `.docx` once came back as a CSV under that name)."""
    suffixes = [x.lower() for x in output.suffixes[-2:]]
    kind = suffixes[-2] if suffixes[-1:] == [".gz"] and len(suffixes) == 2 else (suffixes[-1] if suffixes else "")
    if kind not in TABLE_SUFFIXES and not is_excel(output):
        raise InputError(f"{output}: mi-coder cannot write a {kind} file; name the output .csv, .tsv, .csv.gz, "
                         f".parquet or .xlsx")
    if is_parquet(output):
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise InputError(f"{output}: writing Parquet needs pyarrow; pip install 'mi_coder[parquet]' "
                             f"or write a .csv") from None
    elif is_excel(output):
        if output.suffix.lower() != ".xlsx":
            raise InputError(f"{output}: Excel output is written as .xlsx; name the output file .xlsx (or .csv)")
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise InputError(f"{output}: writing Excel files needs openpyxl; pip install 'mi_coder[excel]' "
                             f"or write a .csv") from None


STDIO = "-"  # as a file name: standard input or output


def atomic_write(path, write) -> None:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it: all or nothing.

    `-` writes to standard output once the whole result is ready (the temporary file then lives
    in a private temporary folder and is removed whatever happens).
    """
    if str(path) == STDIO:
        folder = Path(tempfile.mkdtemp(prefix="mi_coder-"))
        try:
            write(folder / "out")
            with open(folder / "out", "rb") as handle:
                shutil.copyfileobj(handle, sys.stdout.buffer)
            sys.stdout.flush()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    path = Path(path)
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror}); choose another path") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def write_pages(index: str, pages: dict[str, str], path, folder: str) -> None:
    """A report's index at `path` and its pages in the folder `folder` beside it, all or nothing: the pages
    are written to a temporary folder that replaces the old one, then the index."""
    path = Path(path)
    target = path.with_name(folder)
    tmp = path.with_name(f".tmp-{os.getpid()}-{folder}")
    old = path.with_name(f".old-{os.getpid()}-{folder}")
    try:
        tmp.mkdir()
        for name, page in pages.items():
            (tmp / name).write_text(page, encoding="utf-8")
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        write_text(index, path)
    except OSError as exc:
        if old.exists() and not target.exists():
            os.replace(old, target)
        raise InputError(f"{path}: cannot be written ({exc.strerror}); choose another path") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def readable(source):
    """A path to read `source` from: itself, or for `-` standard input spooled to a private temporary file."""
    if str(source) != STDIO:
        yield source
        return
    folder = Path(tempfile.mkdtemp(prefix="mi_coder-"))
    try:
        with open(folder / "stdin", "wb") as handle:
            shutil.copyfileobj(sys.stdin.buffer, handle)
        yield folder / "stdin"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_table(frame: pd.DataFrame, path) -> None:
    """Write CSV (or Parquet or Excel, by suffix) atomically."""
    def write(tmp):
        with appender(tmp) as out:
            out.write(frame)
    atomic_write(path, write)


def write_text(text: str, path) -> None:
    """Write a UTF-8 text file atomically."""
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def appender(path: Path, like=None):
    """A writer that appends frames to one CSV, Parquet or Excel file (by suffix), header or schema once; an
    Excel output names its sheet as the first sheet of `like` (the input), if that is a workbook."""
    if is_parquet(path):
        return ParquetAppender(path)
    return ExcelAppender(path, first_sheet(like) or "Sheet1") if is_excel(path) else CsvAppender(path)


def shown_name(path: Path) -> str:
    """The output's own name for messages: `out.xlsx`, not the temporary `.tmp-123-out.xlsx` being written."""
    return re.sub(r"^\.tmp-\d+-", "", Path(path).name)


class ExcelAppender:
    """Rows appended to one sheet of an .xlsx workbook in openpyxl's write-only mode (memory stays bounded).

    Text is stored as text, never as a formula; Excel's row limit and the control characters a
    workbook cannot hold stop with an InputError naming the row and column.
    """

    MAX_ROWS = 1_048_576  # of an Excel sheet, header included
    # Text that a workbook held as a number (every cell is read as text): written back as one. Leading zeros
    # ("007") and ids longer than Excel's 15 significant digits stay text.
    NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?")

    def __init__(self, path: Path, sheet: str = "Sheet1"):
        self.path, self.book, self.sheet, self.columns, self.rows = Path(path), None, None, None, 0
        self.sheet_name = sheet

    def __enter__(self):
        try:
            from openpyxl import Workbook
        except ImportError:
            raise InputError(f"{shown_name(self.path)}: writing Excel files needs openpyxl; "
                             f"pip install 'mi_coder[excel]'") from None
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(self.sheet_name)
        return self

    def write(self, frame: pd.DataFrame) -> None:
        if self.columns is None:
            self.columns = list(frame.columns)
            self._append([str(c) for c in self.columns])
        if self.rows + len(frame) > self.MAX_ROWS:
            raise InputError(f"{shown_name(self.path)}: more than {self.MAX_ROWS - 1:,} rows do not fit in an Excel "
                             f"sheet; write a .csv or .parquet instead")
        for values in frame[self.columns].itertuples(index=False, name=None):
            self._append(values)

    def _append(self, values) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils.exceptions import IllegalCharacterError

        cells = []
        for column, value in enumerate(values):
            if value is None or value is pd.NA or (isinstance(value, float) and value != value):
                cells.append(None)
                continue
            if isinstance(value, str) and self.NUMBER.fullmatch(value):
                value = float(value) if "." in value else int(value)
            try:
                cell = WriteOnlyCell(self.sheet, value=value)
            except IllegalCharacterError:
                raise InputError(f"{shown_name(self.path)}: row {self.rows + 1}, column "
                                 f"{str(self.columns[column])!r} holds a control character that Excel cannot "
                                 f"store; write a .csv or .parquet instead") from None
            if cell.data_type == "f":  # text starting with '=' stays text (--excel-safe adds the quote too)
                cell.data_type = "s"
            cells.append(cell)
        self.sheet.append(cells)
        self.rows += 1

    def __exit__(self, *exc):
        if exc[0] is None:
            self.book.save(self.path)


class CsvAppender:
    """CSV rows appended chunk by chunk; tab-separated for .tsv/.tab names, gzip-compressed for .gz."""

    def __init__(self, path: Path):
        self.path, self.handle, self.columns = Path(path), None, None
        suffixes = [x.lower() for x in self.path.suffixes]
        self.gzip = suffixes[-1:] == [".gz"]
        self.sep = "\t" if set(suffixes) & {".tsv", ".tab"} else ","

    def __enter__(self):
        if self.gzip:
            import gzip
            self.handle = gzip.open(self.path, "wt", encoding="utf-8", newline="")
        else:
            self.handle = open(self.path, "w", encoding="utf-8", newline="")
        return self

    def write(self, frame: pd.DataFrame) -> None:
        header = self.columns is None
        if header:
            self.columns = list(frame.columns)
        frame.to_csv(self.handle, header=header, columns=self.columns, sep=self.sep, **CSV_OPTIONS)

    def __exit__(self, *exc):
        self.handle.close()


class ParquetAppender:
    def __init__(self, path: Path):
        self.path, self.writer, self.schema = path, None, None

    def __enter__(self):
        return self

    def write(self, frame: pd.DataFrame) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(f"{shown_name(self.path)}: writing Parquet needs pyarrow; "
                             f"pip install 'mi_coder[parquet]'") from None
        if self.writer is None:
            self.schema = pa.Schema.from_pandas(frame, preserve_index=False)
            self.writer = pq.ParquetWriter(self.path, self.schema)
        self.writer.write_table(pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False))

    def __exit__(self, *exc):
        if self.writer is not None:
            self.writer.close()
