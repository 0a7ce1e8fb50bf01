"""Time a long session through the spaCy component against `code_frame` (issue: no more than twice).

    python benchmarks/spacy_component.py [--turns 173]

Each turn gets the whole transcript so far as `previous` (the README's way). With a first-stage
model the component featurizes only the last runs of turns; with the shipped model's session
stage it codes the turns of a batch that continue one transcript together (the transcript once,
live). Both are timed: the shipped model, then its first stage alone.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
import spacy

import mi_coder
from mi_coder.integrations import turn_doc

ROOT = Path(__file__).resolve().parent.parent


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=173)
    args = parser.parse_args()
    demo = pd.read_csv(ROOT / "data" / "counselling_session.csv")
    frame = pd.concat([demo] * (args.turns // len(demo) + 1), ignore_index=True).iloc[:args.turns]
    coder = mi_coder.load()
    nlp = spacy.blank("en")
    nlp.add_pipe("mi_coder")
    turns = list(zip(frame["interlocutor"], frame["utterance_text"]))
    docs = lambda: [turn_doc(nlp, text, side, turns[:i]) for i, (side, text) in enumerate(turns)]  # noqa: E731
    for name in ("shipped model", "first stage alone"):
        if name == "first stage alone":
            coder.stages_ = nlp.get_pipe("mi_coder").coder.stages_ = {}
        framed = best_of(5, lambda: coder.code_frame(frame))
        piped = best_of(5, lambda: list(nlp.pipe(docs())))
        print(f"{name}, {args.turns} turns: code_frame {framed:.3f} s, spaCy component (nlp.pipe) {piped:.3f} s, "
              f"ratio {piped / framed:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
