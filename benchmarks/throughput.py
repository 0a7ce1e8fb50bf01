"""Throughput of `mi-coder code` end to end (CSV in, coded CSV out), measured from outside.

    python benchmarks/throughput.py [--sizes 10000 100000 1000000] [--jobs 1 2]

Builds the input from whole real transcripts (AnnoMI and ESConv from ../shared/data, or the
examples in data/ if the corpora are not there), drawn at random and renamed so that every
copy is a transcript of its own; runs the CLI as a subprocess; prints utterances/s, the peak
memory of the largest process (main or worker) and the peak of all of them together (sampled
proportional set size, so shared library pages count once).
Numbers depend on the machine: record it. Needs psutil (installed with the dev extra).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def source_transcripts() -> pd.DataFrame:
    """Real transcripts to sample from: AnnoMI + ESConv from ../shared/data, else the examples in data/."""
    try:
        from mi_coder.training import read_corpora

        corpus = read_corpora()
        return pd.DataFrame({"transcript_id": corpus["conversation"].astype(str),
                             "interlocutor": np.where(corpus["side"] == "counsellor", "therapist", "client"),
                             "utterance_text": corpus["text"]})
    except Exception as error:  # no corpora here: the examples still give a (less varied) measurement
        print(f"corpora not readable ({type(error).__name__}); sampling data/ examples", file=sys.stderr)
        return pd.concat([pd.read_csv(path).assign(transcript_id=path.stem) for path in sorted(
            (ROOT / "data").glob("*.csv"))], ignore_index=True)


def synthetic_input(n_rows: int, path: Path, seed: int = 0) -> None:
    """n_rows utterances: whole real transcripts drawn at random, each copy under a new id."""
    base = source_transcripts()
    groups = [g for _, g in base.groupby("transcript_id", sort=False)]
    rng = np.random.default_rng(seed)
    parts, rows = [], 0
    while rows < n_rows:
        g = groups[rng.integers(len(groups))]
        parts.append(g.assign(transcript_id=f"t{len(parts)}", utterance_id=np.arange(len(g))))
        rows += len(g)
    frame = pd.concat(parts, ignore_index=True).iloc[:n_rows]
    frame[["transcript_id", "utterance_id", "interlocutor", "utterance_text"]].to_csv(path, index=False)


def run(n_rows: int, jobs: int, extra: list[str]) -> tuple[float, float, float]:
    """Seconds, peak MB of the largest process and peak MB of all processes of one `mi-coder code` run.

    The total is the proportional set size (shared pages split between the processes that share
    them) of the CLI and its workers, sampled every second (psutil); the largest single process
    is the kernel's own maximum resident size of the waited-for children.
    """
    import psutil

    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        synthetic_input(n_rows, src)
        command = [sys.executable, "-m", "mi_coder.cli", "code", str(src), "-o", str(out), "--quiet",
                   "--jobs", str(jobs), *extra]
        wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
                   f"subprocess.run({command!r}, check=True); "
                   "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        process = psutil.Popen([sys.executable, "-c", wrapper], stdout=subprocess.PIPE, text=True)
        total = 0.0
        while process.poll() is None:
            try:
                tree = [process] + process.children(recursive=True)
                # PSS: pages shared between processes (libraries) count once, split between them
                total = max(total, sum(p.memory_full_info().pss for p in tree if p.is_running()) / 2**20)
            except psutil.Error:  # a worker ended between listing and reading it
                pass
            time.sleep(1.0)  # reading smaps costs CPU: sample sparingly
        if process.returncode:
            raise SystemExit(f"mi-coder code failed (exit {process.returncode})")
        seconds, peak_kb = process.stdout.read().split()
    return float(seconds), float(peak_kb) / 1024, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1])
    parser.add_argument("extra", nargs="*", help="extra arguments for `mi-coder code` (after --)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()}, "
          f"python {platform.python_version()}")
    print(f"{'utterances':>12}{'jobs':>6}{'seconds':>10}{'utt/s':>10}{'largest MB':>12}{'all MB':>10}")
    for n in args.sizes:
        for jobs in args.jobs:
            seconds, largest, total = run(n, jobs, args.extra)
            print(f"{n:>12}{jobs:>6}{seconds:>10.1f}{n / seconds:>10.0f}{largest:>12.0f}{total:>10.0f}",
                  flush=True)


if __name__ == "__main__":
    main()
