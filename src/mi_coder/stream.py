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
from collections import deque
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from .codes import CLIENT_CODES, COUNSELLOR_CODES
from .columns import ADDED_COLUMNS, Layout
from .tables import CHUNK_ROWS, appender, atomic_write, excel_safe, read_chunks, warn_not_utf8

ALL_CODES = COUNSELLOR_CODES + CLIENT_CODES
_CODERS: dict = {}  # per process: model path -> loaded Coder, so each worker loads it once


PARALLEL_BYTES = 5_000_000  # about 50,000 utterances: below this, starting workers costs more than it saves


def auto_jobs(source) -> int:
    """Processes for `mi-coder code` without --jobs: one per core for a big file, else 1."""
    try:
        big = Path(source).stat().st_size > PARALLEL_BYTES
    except OSError:  # missing: let the reader report it
        return 1
    return max(1, os.cpu_count() or 1) if big else 1


def whole_transcripts(chunks, transcript: str | None):
    """Re-cut chunks so that no transcript (a contiguous run of equal ids in column `transcript`) spans two."""
    carry = None
    for chunk in chunks:
        if carry is not None:
            chunk = pd.concat([carry, chunk])
        if not transcript:  # one transcript: it cannot be cut without losing context, so code it as it comes
            yield chunk
            continue
        keys = chunk[transcript].astype("string").fillna("").to_numpy()
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


def code_chunk(chunk: pd.DataFrame, model, trusted: bool, options: dict, safe: bool = False) -> pd.DataFrame:
    """Code one chunk with the model at `model` (loaded once per process); `safe` applies --excel-safe."""
    coded = _coder(model, trusted).code_frame(chunk, **options)
    return excel_safe(coded) if safe else coded


def _added_columns(chunk: pd.DataFrame, model, trusted: bool, options: dict) -> pd.DataFrame:
    """What coding adds to a chunk: mi_code, mi_confidence, mi_side, mi_model (and p_<code>), nothing of the input."""
    coded = code_chunk(chunk, model, trusted, options)
    names = [c for c in coded.columns if c in ADDED_COLUMNS or (c.startswith("p_") and c[2:] in ALL_CODES)]
    return coded[names]


def _with_columns(chunk: pd.DataFrame, added: pd.DataFrame, safe: bool) -> pd.DataFrame:
    """The chunk with a worker's columns set, as `code_chunk` would have returned it."""
    result = chunk.copy()
    for name in added.columns:  # by position: the worker kept the chunk's row order
        result[name] = added[name].to_numpy()
    return excel_safe(result) if safe else result


def code_file(source, output, model=None, trusted: bool = False, jobs: int = 1, chunk_rows: int = CHUNK_ROWS,
              progress=None, excel_safe: bool = False, **options) -> int:
    """Code `source` into `output` (CSV or Parquet by suffix) chunk by chunk; returns rows written.

    `options` go to `Coder.code_frame` (column names, speaker values, probabilities).
    """
    from .modelio import check_model, default_model_path

    source = Path(source)
    model = model or default_model_path()
    # Fail early (missing or tampered model) before reading anything. With workers, only they
    # unpickle the model: the main process just reads, hands out chunks and writes.
    if jobs == 1:
        _coder(model, trusted)
    else:
        check_model(model, trusted)
    options = dict(options, source=str(source))
    rows = 0

    def write(tmp):
        nonlocal rows
        try:
            rows = _code_to(tmp, source, model, trusted, jobs, chunk_rows, progress, excel_safe, options, None)
        except UnicodeDecodeError:  # found mid-file: start again, the temporary file is rewritten
            warn_not_utf8(source)
            rows = _code_to(tmp, source, model, trusted, jobs, chunk_rows, progress, excel_safe, options, "latin-1")

    atomic_write(output, write)
    return rows


def _code_to(tmp: Path, source: Path, model, trusted, jobs, chunk_rows, progress, safe, options, encoding) -> int:
    chunks = read_chunks(source, chunk_rows, encoding)
    first = next(chunks)
    options = dict(options)  # a retry in another encoding gets the caller's options again
    # The layout is resolved once, on the first chunk, and every chunk is coded with it.
    layout = Layout.resolve(first, options.pop("text_col", None), options.pop("speaker_col", None),
                            options.pop("transcript_col", None), options.pop("counsellor_values", None),
                            options.pop("client_values", None), source=options.pop("source", str(source)))
    options = dict(options, layout=layout)
    chunks = whole_transcripts(chain([first], chunks), layout.transcript)
    if jobs == 1:
        coded = (code_chunk(chunk, model, trusted, options, safe) for chunk in chunks)
    else:
        from joblib import Parallel, delayed

        # Workers send back only the columns they add; the chunk they were sent waits here, in
        # order (results come back in the order of dispatch), instead of travelling back too.
        sent = deque()

        def tasks():
            for chunk in chunks:
                sent.append(chunk)
                yield delayed(_added_columns)(chunk, model, trusted, options)

        added = Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="2*n_jobs")(tasks())
        coded = (_with_columns(sent.popleft(), part, safe) for part in added)
    rows = 0
    with appender(tmp) as writer:
        for part in coded:
            writer.write(part)
            rows += len(part)
            if progress:
                progress(len(part))
    return rows
