"""Code a file of any size in chunks of whole transcripts, optionally in parallel processes.

Rows are read `chunk_rows` at a time; the rows of the transcript a chunk ends in are held back
for the next chunk, so every transcript is coded with its full context as long as its rows are
contiguous in the file (a transcript whose rows are scattered restarts its context in each
chunk). Chunks are coded in order, by one process or by `jobs` processes, and appended to a
temporary file that is renamed to the output at the end: memory stays bounded, output is in
input order and identical whatever `jobs` is, and a failure leaves no output behind.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .columns import TRANSCRIPT_NAMES, find_one
from .errors import InputError
from .tables import CHUNK_ROWS, CsvAppender, ParquetAppender, excel_safe, read_chunks

_CODERS: dict = {}  # per process: model path -> loaded Coder, so each worker loads it once


def whole_transcripts(chunks, transcript_col: str | None, source: str):
    """Re-cut chunks so that no transcript (a contiguous run of equal ids) spans two of them."""
    carry, column = None, None
    for chunk in chunks:
        if column is None:  # resolved on the first chunk, case-insensitively as everywhere
            column = find_one(chunk, transcript_col, TRANSCRIPT_NAMES, "transcript", source) or ""
        if carry is not None:
            chunk = pd.concat([carry, chunk])
        if not column:  # one transcript: it cannot be cut without losing context, so code it as it comes
            yield chunk
            continue
        keys = chunk[column].astype("string").fillna("").to_numpy()
        change = np.flatnonzero(keys[1:] != keys[:-1])
        if not len(change):
            carry = chunk
            continue
        cut = int(change[-1]) + 1
        yield chunk.iloc[:cut]
        carry = chunk.iloc[cut:]
    if carry is not None and len(carry):
        yield carry


def _coder(model, trusted: bool):
    from .modelio import load_model

    key = (str(model), trusted)
    if key not in _CODERS:
        _CODERS[key] = load_model(model, trusted=trusted)
    return _CODERS[key]


def code_chunk(chunk: pd.DataFrame, model, trusted: bool, options: dict) -> pd.DataFrame:
    """Code one chunk with the model at `model` (loaded once per process)."""
    safe = options.pop("excel_safe", False)
    coded = _coder(model, trusted).code_frame(chunk, **options)
    return excel_safe(coded) if safe else coded


def code_file(source, output, model=None, trusted: bool = False, jobs: int = 1, chunk_rows: int = CHUNK_ROWS,
              progress=None, excel_safe: bool = False, **options) -> int:
    """Code `source` into `output` (CSV or Parquet by suffix) chunk by chunk; returns rows written.

    `options` go to `Coder.code_frame` (column names, speaker values, probabilities).
    """
    from .modelio import default_model_path

    source, output = Path(source), Path(output)
    model = model or default_model_path()
    _coder(model, trusted)  # fail early (missing or tampered model) before reading anything
    options = dict(options, source=str(source))
    tmp = output.with_name(f".tmp-{os.getpid()}-{output.name}")  # keeps the suffix: it says the format
    try:
        rows = _code_to(tmp, source, model, trusted, jobs, chunk_rows, progress, excel_safe, options, None)
        os.replace(tmp, output)
        return rows
    except UnicodeDecodeError:
        warnings.warn(f"{source}: not valid UTF-8; read as Windows-1252/Latin-1. Re-save as UTF-8 if "
                      f"characters look wrong", stacklevel=2)
        rows = _code_to(tmp, source, model, trusted, jobs, chunk_rows, progress, excel_safe, options, "latin-1")
        os.replace(tmp, output)
        return rows
    except OSError as exc:
        raise InputError(f"{output}: cannot be written ({exc.strerror}); choose another path") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _code_to(tmp: Path, source: Path, model, trusted, jobs, chunk_rows, progress, safe, options, encoding) -> int:
    chunks = whole_transcripts(read_chunks(source, chunk_rows, encoding), options.get("transcript_col"),
                               str(source))
    opts = dict(options, excel_safe=safe)
    if jobs == 1:
        coded = (code_chunk(chunk, model, trusted, dict(opts)) for chunk in chunks)
    else:
        from joblib import Parallel, delayed

        coded = Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="2*n_jobs")(
            delayed(code_chunk)(chunk, model, trusted, dict(opts)) for chunk in chunks)
    writer = ParquetAppender(tmp) if tmp.suffix.lower() in (".parquet", ".pq") else CsvAppender(tmp)
    rows = 0
    with writer:
        for part in coded:
            writer.write(part)
            rows += len(part)
            if progress:
                progress(len(part))
    return rows
