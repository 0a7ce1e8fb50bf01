"""Throughput of `mi-coder code` end to end (CSV in, coded CSV out), measured from outside.

    python benchmarks/throughput.py [--sizes 10000 100000 1000000] [--jobs 1 2]

Builds a synthetic input by repeating the example transcripts in data/ under new transcript
ids (so context works as in real files), runs the CLI as a subprocess, and prints
utterances/s and the peak memory of the largest process (main or worker). Numbers depend on
the machine: record it.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def synthetic_input(n_rows: int, path: Path) -> None:
    """n_rows utterances: the counselling example repeated as numbered transcripts."""
    base = pd.read_csv(ROOT / "data" / "counselling_session.csv")
    copies = -(-n_rows // len(base))
    frame = pd.concat([base.assign(transcript_id=f"t{i}") for i in range(copies)], ignore_index=True)
    frame.iloc[:n_rows].to_csv(path, index=False)


def run(n_rows: int, jobs: int, extra: list[str]) -> tuple[float, float]:
    """Seconds and peak MB of one `mi-coder code` run, measured in a fresh wrapper process."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        synthetic_input(n_rows, src)
        command = [sys.executable, "-m", "mi_coder.cli", "code", str(src), "-o", str(out), "--quiet",
                   "--jobs", str(jobs), *extra]
        wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
                   f"subprocess.run({command!r}, check=True); "
                   "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        seconds, peak_kb = subprocess.run([sys.executable, "-c", wrapper], check=True, capture_output=True,
                                          text=True).stdout.split()
    return float(seconds), float(peak_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1])
    parser.add_argument("extra", nargs="*", help="extra arguments for `mi-coder code` (after --)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()}, "
          f"python {platform.python_version()}")
    print(f"{'utterances':>12}{'jobs':>6}{'seconds':>10}{'utt/s':>10}{'peak MB':>10}")
    for n in args.sizes:
        for jobs in args.jobs:
            seconds, peak = run(n, jobs, args.extra)
            print(f"{n:>12}{jobs:>6}{seconds:>10.1f}{n / seconds:>10.0f}{peak:>10.0f}", flush=True)


if __name__ == "__main__":
    main()
