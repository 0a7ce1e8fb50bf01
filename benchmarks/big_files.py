"""After coding a big file: how long `summarize` and `report` take, and how fast the report opens in a browser.

    python benchmarks/big_files.py [--rows 100000] [--per-transcript 60] [--data-dir DIR]

Builds a file of `--rows` AnnoMI utterances cut into transcripts of `--per-transcript` rows, codes it
with `--tier fast`, then times `mi-coder summarize` (with intervals and the quality estimate) and
`mi-coder report`, and opens the report's index in headless Chromium (`--dump-dom`) when Chromium is
installed. The README's claims on big files (#29: summarize 100,000 rows in under 10 s, a report
that opens in under 10 s) are these numbers.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from mi_coder.training._corpora import default_data_dir


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--per-transcript", type=int, default=60)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    annomi = pd.read_csv(Path(args.data_dir or default_data_dir()) / "annomi" / "AnnoMI-full.csv")
    rows = annomi.iloc[[i % len(annomi) for i in range(args.rows)]]
    cli = [sys.executable, "-m", "mi_coder.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pd.DataFrame({"transcript_id": [i // args.per_transcript for i in range(args.rows)],
                      "interlocutor": rows["interlocutor"].to_numpy(),
                      "utterance_text": rows["utterance_text"].to_numpy()}).to_csv(tmp / "in.csv", index=False)
        code = timed(cli + ["code", str(tmp / "in.csv"), "-o", str(tmp / "coded.csv"), "--tier", "fast", "--quiet"])
        summarize = timed(cli + ["summarize", str(tmp / "coded.csv"), "-o", str(tmp / "summary.csv"), "--quiet"])
        report = timed(cli + ["report", str(tmp / "coded.csv"), "-o", str(tmp / "report.html"), "--quiet"])
        pages = tmp / "report_transcripts"
        size = (tmp / "report.html").stat().st_size
        folder = sum(p.stat().st_size for p in pages.iterdir()) if pages.is_dir() else 0
        transcripts = -(-args.rows // args.per_transcript)
        print(f"{args.rows:,} rows in {transcripts:,} transcripts: code --tier fast {code:.1f} s, "
              f"summarize {summarize:.1f} s, report {report:.1f} s")
        print(f"report index {size / 1e6:.1f} MB; {len(list(pages.iterdir())) if pages.is_dir() else 0} transcript "
              f"pages, {folder / 1e6:.1f} MB in all")
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if browser is None:
            print("chromium not installed: the opening time is not measured")
            return
        for name, page in (("index", tmp / "report.html"),
                           ("one transcript page", pages / "t0.html" if pages.is_dir() else tmp / "report.html")):
            seconds = timed([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()])
            print(f"headless Chromium opens the {name} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
