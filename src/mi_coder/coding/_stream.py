"""Code a file of any size in chunks of whole transcripts, optionally in parallel processes.

Rows are read `chunk_rows` at a time; the rows of the transcript a chunk ends in are held back
for the next chunk, so every transcript is coded with its full context as long as its rows are
contiguous in the file (a transcript whose rows are scattered restarts its context in each
chunk). Chunks are coded in order, by one process or by `jobs` processes, and appended to a
temporary file that is renamed to the output at the end: memory stays bounded, output is in
input order and identical whatever `jobs` is, and a failure leaves no output behind.

Workers are plain processes on pipes, with no helper threads: an interruption (Ctrl-C, SIGTERM)
anywhere in the parent ends them, terminated and then killed within seconds, and a worker whose
parent vanished leaves on its own when the pipe closes.
"""

from __future__ import annotations

import os
import signal
import time
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from ..codes import ALL_CODES
from ..io._columns import ADDED_COLUMNS, Layout, UnknownSpeakers, with_layout
from ..errors import InputError, cli_words, speaking
from ..io._tables import CHUNK_ROWS, FALLBACK_ENCODING, appender, atomic_write, excel_safe, read_chunks, warn_not_utf8

_CODERS: dict = {}  # per process: model path -> loaded Coder, so each worker loads it once


PARALLEL_BYTES = 5_000_000  # about 50,000 utterances: below this, starting workers costs more than it saves
# The accurate tier codes a few hundred utterances a second, so workers pay off sooner. Its encoder runs
# two rows at once in one process, so on 2 cores two processes gain little: 10,000 utterances 29.6 s
# against 29.3 s, 100,000 256 s against 244 s (5%) at 1.9x the memory (`benchmarks/throughput.py`).
ACCURATE_PARALLEL_BYTES = 500_000


def auto_jobs(source, tier: str = "fast") -> int:
    """Processes for `mi-coder code` without --jobs: one per core for a big file (by the tier's measure of
    big), else 1."""
    try:
        big = Path(source).stat().st_size > (ACCURATE_PARALLEL_BYTES if tier == "accurate" else PARALLEL_BYTES)
    except OSError:  # missing: let the reader report it
        return 1
    return max(1, os.cpu_count() or 1) if big else 1


IN_MEMORY_BYTES = 500_000_000  # a file whose transcripts are scattered is coded in memory up to this size


class ScatteredTranscripts(Exception):
    """A transcript's rows are not contiguous: streaming would restart its context at each break."""


def whole_transcripts(chunks, layout: Layout):
    """Re-cut chunks so that no transcript (a run of equal ids in the layout's transcript column) spans two.

    Raises ScatteredTranscripts when an id comes back after another transcript started.
    """
    transcript = layout.transcript
    carry, finished = None, set()
    for chunk in chunks:
        if carry is not None:
            chunk = pd.concat([carry, chunk])
        if not transcript:  # one transcript: it cannot be cut without losing context, so code it as it comes
            yield chunk
            continue
        keys = layout.transcripts(chunk).to_numpy()  # a blank id is an error naming its row
        change = np.flatnonzero(keys[1:] != keys[:-1])
        runs = keys[np.concatenate([[0], change + 1])]
        if len(set(runs)) < len(runs) or finished.intersection(runs):
            raise ScatteredTranscripts(transcript)
        if not len(change):
            carry = chunk
            continue
        finished.update(runs[:-1])
        cut = int(change[-1]) + 1
        yield chunk.iloc[:cut]
        carry = chunk.iloc[cut:]
    if carry is not None and len(carry):
        yield carry


def _coder(model, trusted):
    """The model at `model` (None: the shipped one), loaded once per process; `trusted` as `load_model` takes it."""
    from ._tiers import load_coder

    # None means $MI_CODER_MODEL's file when it is set: a process that changes it gets that model, not the last one
    key = (str(model), trusted, os.environ.get("MI_CODER_MODEL") if model is None else None)
    if key not in _CODERS:
        _CODERS[key] = load_coder(model, trusted=trusted)
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
    source = Path(source)
    options = dict(options, source=str(source))
    rows = 0

    def write(tmp):
        nonlocal rows
        encoding = None
        for _ in range(3):  # each problem found mid-file starts again; the temporary file is rewritten
            try:
                rows = _code_to(tmp, source, model, trusted, jobs, chunk_rows, progress, excel_safe, options,
                                encoding)
                return
            except UnicodeDecodeError:
                warn_not_utf8(source)
                encoding = FALLBACK_ENCODING
            except ScatteredTranscripts as exc:
                rows = _code_in_memory(tmp, source, model, trusted, excel_safe, options, str(exc), encoding)
                return

    atomic_write(output, write)
    return rows


def _code_in_memory(tmp: Path, source: Path, model, trusted, safe, options, column, encoding) -> int:
    """Code a file whose transcripts are scattered as one table (the Python API's way), if it fits."""
    import warnings

    if source.stat().st_size > IN_MEMORY_BYTES:
        raise InputError(f"{source}: the rows of a transcript in column {column!r} are not contiguous and the file "
                         f"is too big to code in memory; sort it by {column} (keeping each transcript's order)")
    warnings.warn(f"{source}: the rows of some transcripts in column {column!r} are not contiguous; coding the "
                  f"whole file in memory so that each keeps its context", stacklevel=2)
    frame = pd.concat(list(read_chunks(source, encoding=encoding)))
    coded = code_chunk(frame, model, trusted, with_layout(frame, options), safe)
    with appender(tmp, like=source) as writer:
        writer.write(coded)
    return len(coded)


def _code_to(tmp: Path, source: Path, model, trusted, jobs, chunk_rows, progress, safe, options, encoding) -> int:
    """Code `source` chunk by chunk into `tmp`; unknown speakers are counted over the whole file before stopping."""
    layout = None
    try:
        chunks = read_chunks(source, chunk_rows, encoding)
        first = next(chunks)
        options = with_layout(first, options)  # resolved once, on the first chunk; every chunk is coded with it
        layout = options["layout"]
        return _code_chunks(tmp, chain([first], chunks), model, trusted, jobs, progress, safe, options, like=source)
    except UnknownSpeakers:
        if layout is None or layout.speaker is None:
            raise
        raise layout.speaker_error(read_chunks(source, chunk_rows, encoding)) from None


def _code_chunks(tmp: Path, chunks, model, trusted, jobs, progress, safe, options, like=None) -> int:
    # The input is checked (readable, columns found) before the model is loaded: a bad file fails
    # in a second, not after loading. With workers, only they unpickle the model; the main process
    # checks that it would load (a pinned hash, a tier's files), then just reads, hands out chunks and writes.
    if jobs == 1:
        _coder(model, trusted)
    else:
        from ._tiers import check_loadable
        check_loadable(model, trusted)
    chunks = whole_transcripts(chunks, options["layout"])
    rows = 0
    with Workers(jobs if jobs > 1 else 0, model, trusted, options) as pool:
        if jobs == 1:
            coded = (code_chunk(chunk, model, trusted, options, safe) for chunk in chunks)
        else:  # workers send back only the columns they add; the chunk they were sent waits here
            coded = (_with_columns(chunk, part, safe) for chunk, part in pool.imap(chunks))
        with appender(tmp, like=like) as writer:
            for part in coded:
                writer.write(part)
                rows += len(part)
                if progress:
                    progress(len(part))
    return rows


class WorkerDied(RuntimeError):
    """A worker process ended without answering (killed, out of memory)."""


class Workers:
    """`jobs` worker processes coding chunks (`_added_columns`) one at a time each, results in input order.

    On leaving the block, whatever happened, every worker is ended: told to stop (its pipe closes),
    then terminated, then killed, each step with a bounded wait. Workers ignore Ctrl-C, which a
    terminal sends to the whole process group: the parent decides and ends them.
    """

    GRACE_S = 2.0  # a worker that finished its chunk leaves at once; one still coding is terminated after this

    def __init__(self, jobs: int, model, trusted, options: dict):
        self.jobs, self.args, self.started = jobs, (model, trusted, options), []

    def __enter__(self):
        import multiprocessing

        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited threads, locks or handlers
        threads = max(1, (os.cpu_count() or 1) // max(1, self.jobs))  # accurate tier's rows at once: cores shared
        for _ in range(self.jobs):
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, *self.args, cli_words(), threads), daemon=True,
                                      name="mi-coder worker")
            self.started.append((process, mine))  # before start: an interruption mid-start still ends it
            process.start()
            theirs.close()
        return self

    def imap(self, chunks):
        """(chunk, the columns its worker added) for each chunk, in input order."""
        from multiprocessing.connection import wait

        chunks = iter(chunks)
        idle = [conn for _, conn in self.started]
        busy, sent, done = {}, {}, {}  # busy: pipe -> chunk number; sent: number -> chunk; done: number -> columns
        dispatched = returned = 0
        exhausted = False
        while True:
            while idle and not exhausted:  # an idle worker waits in recv, so this send cannot block for long
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    break
                conn = idle.pop()
                conn.send((dispatched, chunk))
                busy[conn], sent[dispatched] = dispatched, chunk
                dispatched += 1
            while returned in done:
                yield sent.pop(returned), done.pop(returned)
                returned += 1
            if exhausted and returned == dispatched:
                return
            for conn in wait(list(busy)):
                try:
                    kind, number, payload = conn.recv()
                except (EOFError, OSError):
                    raise WorkerDied("a worker process ended without finishing its chunk (out of memory?); "
                                     "rerun with --jobs 1 or fewer jobs") from None
                if kind == "error":
                    raise payload
                del busy[conn]
                idle.append(conn)
                done[number] = payload

    def __exit__(self, kind, exc, traceback):
        """End every worker: closed pipes let finished ones leave; then terminate, then kill (bounded waits)."""
        for _, conn in self.started:
            conn.close()
        alive = [process for process, _ in self.started if process.pid is not None]
        if kind is None:  # finished: workers are waiting in recv and leave as their pipe closes
            _join(alive, self.GRACE_S)
        for step in ("terminate", "kill"):
            alive = [process for process in alive if process.is_alive()]
            for process in alive:
                getattr(process, step)()
            _join(alive, self.GRACE_S)
        return False


def _join(processes, seconds: float) -> None:
    """Wait up to `seconds` in all for `processes` to end."""
    deadline = time.monotonic() + seconds
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))


def _serve(conn, model, trusted, options: dict, cli: bool, threads: int = 1) -> None:
    """A worker: code the chunks that arrive on `conn` until it closes; errors go back as values. `threads`:
    the encoder's share of the cores (rows it runs at once), so that workers do not fight over them."""
    import pickle
    import sys
    import warnings

    from . import _encoder as encoder

    encoder.THREADS = threads
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it ends us
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # never hold the caller's standard output (`-o - | head`)
    warnings.showwarning = lambda message, *rest, **kw: print(f"mi-coder: warning: {message}", file=sys.stderr)
    with speaking(cli):
        while True:
            try:
                number, chunk = conn.recv()
            except (EOFError, OSError):  # the parent closed the pipe (done, interrupted or gone)
                return
            try:
                answer = ("ok", number, _added_columns(chunk, model, trusted, options))
            except Exception as exc:  # noqa: BLE001 - the parent raises it
                try:
                    pickle.dumps(exc)
                except Exception:  # noqa: BLE001
                    exc = RuntimeError(f"{type(exc).__name__} in a worker process")
                answer = ("error", number, exc)
            try:
                conn.send(answer)
            except (BrokenPipeError, OSError):
                return
