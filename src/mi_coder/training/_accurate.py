"""Build the accurate tier (`mi-coder train --tier accurate`): fine-tune the encoder on every grouped fold but
one, then measure it, mixed with the fast tier, on that fold; write the folder and manifest `tiers` loads.

Fine-tuning all-MiniLM-L6-v2 takes about 12 minutes an epoch on a 2-core CPU (two ship), so the
shipped encoder is the one trained on four of the five folds (`evaluate.fold_assignment`): its held-out
fold gives the tier's scores, confusions (the summaries' intervals) and review thresholds. The fast
tier's codes of that fold come from the shipped recipe fitted on the same four folds. Needs the
`train` extra (torch); nothing here is imported when coding.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from ._corpora import (UNPUNCTUATED, corpus_weights, estimator_input, licence_terms, unpunctuate,
                       unpunctuated_conversations)
from ._distil import DISTIL, TEACHER, distilled_targets
from ._evaluate import (fold_assignment, held_out_confusion, load_held_out, review_thresholds, save_held_out, score,
                        view, view_key)

VIEWS = {"unpunctuated": unpunctuate}  # the other texts each held-out row is also coded with (model card)

HOLDOUT_FOLD = 0
# The encoder's share of the log-linear mix, per side: the weights that `benchmarks/tier_cv.py` picks on
# the five folds' held-out rows of this recipe (the counsellor's 8-code and the client's macro-F1); its
# `mix_inner` column measures that choice made on four folds and scored on the fifth.
MIX_WEIGHT = {"counsellor": 0.6, "client": 0.3}
EPOCHS = 2  # passes over the training rows: two beat one over five folds on every headline score (model card)
MAX_LENGTH = 48  # tokens of an utterance and its previous turns: shorter trains and codes faster
# AdamW's peak: over five folds 1e-4 beat 5e-5 on the encoder alone, and mixed it ties or gains a little (card)
LEARNING_RATE = 1e-4
# Coded rows drawn per corpus for the encoder (the rest stay context): an epoch over every row of
# every corpus would take an hour on 2 cores; AnnoMI and Welivita, the expert-coded ones, are kept whole.
SUBSAMPLE = {"esconv": 6000, "reddit_advice": 3000, "mibot": 4000}
SHIPPED_FILES = ("tokenizer.json", "encoder.json")


def training_rows(frame: pd.DataFrame, fold: np.ndarray, k: int, subsample: dict | None = None,
                  seed: int = 0) -> np.ndarray:
    """Rows the encoder learns from: not in fold k, and at most `subsample[corpus]` coded rows of a corpus."""
    rows = fold != k
    rng = np.random.default_rng(seed)
    coded = frame["code"].notna().to_numpy()
    for corpus, n in (SUBSAMPLE if subsample is None else subsample).items():
        mine = np.flatnonzero(rows & coded & frame["corpus"].eq(corpus).to_numpy())
        if len(mine) > n:
            rows[rng.choice(mine, len(mine) - n, replace=False)] = False
    return rows


def _held_out(proba_of, frame: pd.DataFrame, held: np.ndarray) -> dict:
    """Probabilities of the `held` rows, NaN elsewhere, as they are and in each of VIEWS ("<side>/<view>")."""
    X = pd.DataFrame({"text": frame["text"].to_numpy(dtype=object)[held],
                      "side": frame["side"].to_numpy(dtype=object)[held],
                      "transcript": frame["conversation"].to_numpy(dtype=object)[held]})
    out = {}
    for name, change in ((None, None),) + tuple(VIEWS.items()):
        proba = proba_of(X if change is None else X.assign(text=X["text"].map(change)))
        for side, p in proba.items():
            key = view_key(side, name)
            out[key] = np.full((len(frame), p.shape[1]), np.nan)
            out[key][held] = p
    return out


def _cached(cache: Path | None, make) -> dict:
    if cache is not None and Path(cache).is_file():
        return load_held_out(cache)
    out = make()
    if cache is not None:
        save_held_out(cache, out)
    return out


def fast_fold(frame: pd.DataFrame, fold: np.ndarray, k: int, cache: Path | None = None, learn=None) -> dict:
    """The shipped fast recipe's probabilities on fold k, fitted on the other folds of `learn` (default `frame`:
    the same rows, some texts unpunctuated), as they are and in each of VIEWS (cached in `cache`)."""
    from ..coding._estimator import MICoder
    from ..coding._session import DEFAULT_SESSION

    def make():
        X, y = estimator_input(frame if learn is None else learn)
        train = np.flatnonzero(fold != k)
        coder = MICoder(session=DEFAULT_SESSION).fit(X.iloc[train].reset_index(drop=True), y[train],
                                                     sample_weight=corpus_weights(frame)[train],
                                                     groups=frame["group"].to_numpy()[train])
        return _held_out(coder.side_proba, frame, np.flatnonzero(fold == k))

    return _cached(cache, make)


def encoder_fold(frame: pd.DataFrame, fold: np.ndarray, k: int, folder, sha256: str, cache: Path | None = None) -> dict:
    """The exported encoder's probabilities on fold k (NaN elsewhere), as they are and in each of VIEWS."""
    from ..coding._encoder import EncoderCoder

    return _cached(cache, lambda: _held_out(EncoderCoder(folder, sha256=sha256).side_proba, frame,
                                            np.flatnonzero(fold == k)))


def tier_proba(fast: dict, encoder: dict, weight: float | dict, frame: pd.DataFrame, name: str | None = None) -> dict:
    """The accurate tier's probabilities of held-out caches as serving makes them: the mix of the fast and
    the encoder probabilities of view `name` (None: the texts as they are), then the rule that
    MI-inconsistent wording is no reflection, read on that view's texts."""
    from ..coding._estimator import mix, no_mi_inconsistent_reflections

    texts = frame["text"] if name is None else frame["text"].map(VIEWS[name])
    return no_mi_inconsistent_reflections(mix(view(fast, name), view(encoder, name), weight),
                                          pd.DataFrame({"text": texts.to_numpy(dtype=object)}))


def tier_manifest(frame: pd.DataFrame, fold: np.ndarray, k: int, fast: dict, encoder: dict, weight: float | dict,
                  fast_manifest: dict, encoder_config: dict, training: dict) -> dict:
    """The accurate tier's manifest: identity, mix weight and what summaries need, from fold k's mixed codes."""
    from ..coding._modelio import library_versions
    from ..coding._tiers import tier_id

    rows = fold == k
    part = frame[rows].reset_index(drop=True)
    mixed = {side: p[rows] for side, p in tier_proba(fast, encoder, weight, frame).items()}
    results = score(part, mixed)
    plain = {side: p[rows] for side, p in tier_proba(fast, encoder, weight, frame, "unpunctuated").items()}
    unpunctuated = score(part, plain)
    fast_sha = fast_manifest["sha256"]
    return {
        "tier": "accurate", "format": 1, "sha256": tier_id(fast_sha, encoder_config["sha256"]),
        "fast_sha256": fast_sha, "encoder_sha256": encoder_config["sha256"], "mix_weight": weight,
        "info": {
            "evaluation": results,
            "evaluation_unpunctuated": unpunctuated,
            "confusion": held_out_confusion(results, part, mixed),
            "review": review_thresholds(part, mixed),
            # The session-quality model reads a transcript's code mix: the fast tier's, fitted on all
            # five folds' held-out codes (one fold has too few low-quality AnnoMI sessions to refit it).
            "quality": fast_manifest["info"].get("quality"),
            "training": training,
            "conversations": fast_manifest["info"].get("conversations"),
            "licences": licence_terms(list(frame["corpus"].unique())),
            "versions": library_versions(),
        },
    }


def work_folder(out_dir) -> Path:
    """Where a build of `out_dir` trains and caches (checkpoints, the teacher, held-out codes): OUT-work."""
    out_dir = Path(out_dir)
    return out_dir.with_name(out_dir.name + "-work")


def build_accurate(frame: pd.DataFrame, out_dir, fast_model=None, work_dir=None, epochs: int = EPOCHS,
                   max_length: int = MAX_LENGTH, weight: float | dict = MIX_WEIGHT, k: int = HOLDOUT_FOLD,
                   subsample: dict | None = None, progress=None, lr: float = LEARNING_RATE,
                   unpunctuated: float = UNPUNCTUATED, teacher=None, distil: float = DISTIL,
                   **train_options) -> dict:
    """Train, export and measure the accurate tier; write `out_dir` (the served ONNX file, tokenizer,
    encoder.json) and `out_dir`.json (the manifest). The tier mixes in the fast model at `fast_model`
    (default: the shipped one), whose manifest is read once the encoder is trained. Resumable: a
    killed run picks up from `work_dir`. Both the encoder and the fast recipe it is measured with learn from
    `frame` with `unpunctuated` of its conversations unpunctuated. With `teacher` (a larger model's folder,
    such as all-mpnet-base-v2's) the encoder is distilled: the teacher learns the same rows first and the
    encoder also learns its probabilities (`distil`). `train_options` go to `_fine_tune.train_encoder`
    (tests pass a tiny random `base` and `tokenizer`)."""
    from ._fine_tune import train_encoder
    from ..coding._modelio import default_model_path, read_manifest

    out_dir = Path(out_dir)
    work_dir = Path(work_dir) if work_dir else work_folder(out_dir)
    fold = fold_assignment(frame, 5, 0)
    rows = training_rows(frame, fold, k, subsample)
    learn = unpunctuated_conversations(frame, unpunctuated) if unpunctuated else frame
    distilled, teacher_record = {}, None
    if teacher is not None:
        soft, rows, teacher_record = distilled_targets(
            learn, rows, teacher, work_dir, max_length, progress,
            **{key: value for key, value in train_options.items() if key != "base"})
        distilled = {"soft_targets": soft, "distil": distil}
    record = train_encoder(learn, work_dir, train_rows=rows, epochs=epochs, max_length=max_length, lr=lr,
                           corpus_weights=corpus_weights(frame), progress=progress, **distilled, **train_options)
    config = record["export"]
    encoder = encoder_fold(frame, fold, k, work_dir, config["sha256"],
                           work_dir / f"encoder_fold{k}_{config['sha256'][:12]}.npz")
    fast = fast_fold(frame, fold, k, work_dir / f"fast_fold{k}_unpunctuated{unpunctuated:g}.npz", learn=learn)
    training = {"holdout_fold": k, "folds": 5, "epochs": epochs, "max_length": max_length, "lr": lr,
                "unpunctuated_share": unpunctuated,
                "subsample": SUBSAMPLE if subsample is None else subsample,
                **{key: record[key] for key in ("rows", "examples", "train_s", "examples_per_s")}}
    if teacher_record is not None:
        training["teacher"] = {"base": Path(teacher).name if isinstance(teacher, (str, Path)) else "random (tests)",
                               "distil": distil, **TEACHER,
                               **{key: teacher_record[key] for key in ("rows", "examples", "train_s", "examples_per_s")}}
    fast_manifest = read_manifest(fast_model or default_model_path())
    manifest = tier_manifest(frame, fold, k, fast, encoder, weight, fast_manifest, config, training)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in (config["model"],) + SHIPPED_FILES:
        shutil.copyfile(work_dir / name, out_dir / name)
    served = json.loads((out_dir / "encoder.json").read_text())
    served["files"] = {config["model"]: config["sha256"]}  # only the served file travels
    (out_dir / "encoder.json").write_text(json.dumps(served, indent=2) + "\n", encoding="utf-8")
    out_dir.with_suffix(".json").write_text(json.dumps(manifest, indent=1, default=float) + "\n", encoding="utf-8")
    return manifest
