"""What each corpus adds: the fast tier's first stage trained on a mix of corpora, scored on every domain.

    python benchmarks/corpus_mix.py annomi,esconv
    python benchmarks/corpus_mix.py annomi,esconv,welivita,mibot,reddit_advice [--weights '{"mibot": 0.5}']

Grouped 3-fold cross-validation over every shared corpus (`evaluate.fold_assignment`): each fold's
model learns only from the named corpora's rows of the other folds, and every corpus's held-out rows
are scored, so a mix is judged on the domains it did not learn from too. First stage only
(`MICoder(session=None)`): the session stage triples the time and moves these scores little.
About 7 minutes for AnnoMI + ESConv and 25 for all five on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from sklearn.base import clone

from mi_coder.coding import MICoder
from mi_coder.training._corpora import CORPORA, corpus_weights, estimator_input, read_corpora
from mi_coder.training import fold_assignment, headline, score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", help="comma-separated corpora to learn from")
    parser.add_argument("--weights", help="JSON of corpus weights (default: corpora.CORPUS_WEIGHTS)")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--data-dir")
    args = parser.parse_args()

    frame = read_corpora(args.data_dir, CORPORA)
    learn = frame["corpus"].isin(args.corpora.split(",")).to_numpy()
    X, y = estimator_input(frame)
    weight = corpus_weights(frame, json.loads(args.weights) if args.weights else None)
    fold = fold_assignment(frame, args.folds, 0)
    out = {side: np.full((len(frame), k), np.nan) for side, k in (("counsellor", 8), ("client", 3))}
    started = time.time()
    for k in range(args.folds):
        train, test = np.flatnonzero((fold != k) & learn), np.flatnonzero(fold == k)
        fitted = clone(MICoder(session=None)).fit(X.iloc[train].reset_index(drop=True), y[train],
                                                  sample_weight=weight[train])
        proba = fitted.side_proba(X.iloc[test].reset_index(drop=True))
        for side in out:
            mine = frame["side"].to_numpy()[test] == side
            out[side][test[mine]] = proba[side][mine]
    flat = headline(score(frame, out))
    print(f"trained on {args.corpora}, {args.folds}-fold grouped CV, {time.time() - started:.0f} s")
    print(json.dumps({key: round(value, 3) for key, value in flat.items()}, indent=1))


if __name__ == "__main__":
    main()
