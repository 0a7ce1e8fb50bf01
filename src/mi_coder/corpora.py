"""Read the expert-coded corpora (AnnoMI, ESConv) or a user's coded CSV into one canonical table.

Canonical columns: corpus, group (what a split keeps together: a transcript with all its
annotated copies), conversation (one annotated copy, the unit of context), side, text, code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .codes import CODES, COUNSELLOR, annomi_client_code, annomi_therapist_code, esconv_code
from .errors import InputError
from .tables import read_table

CANONICAL = ["corpus", "group", "conversation", "side", "text", "code"]


def default_data_dir() -> Path:
    """Where the shared corpora are: $MI_CODER_DATA, else ../shared/data beside the checkout."""
    env = os.environ.get("MI_CODER_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "data"


def read_annomi(path) -> pd.DataFrame:
    """AnnoMI-full.csv in canonical form, one row per annotated utterance, in transcript order."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: AnnoMI file not found; pass --data-dir pointing at the corpora folder")
    raw = pd.read_csv(path)
    if "annotator_id" not in raw.columns:
        raw["annotator_id"] = 0
    raw = raw.sort_values(["transcript_id", "annotator_id", "utterance_id"], kind="stable")
    therapist = raw["interlocutor"].str.lower().eq("therapist").to_numpy()
    codes = [
        annomi_therapist_code(b, q, r, i) if t else annomi_client_code(c)
        for t, b, q, r, i, c in zip(
            therapist, raw["main_therapist_behaviour"], raw["question_subtype"],
            raw["reflection_subtype"], raw["therapist_input_subtype"], raw["client_talk_type"])
    ]
    out = pd.DataFrame({
        "corpus": "annomi",
        "group": "annomi-" + raw["transcript_id"].astype(str),
        "conversation": "annomi-" + raw["transcript_id"].astype(str) + "-a" + raw["annotator_id"].astype(str),
        "side": [COUNSELLOR if t else "client" for t in therapist],
        "text": raw["utterance_text"].fillna("").astype(str).to_numpy(),
        "code": codes,
        "utterance_id": raw["utterance_id"].to_numpy(),
        "mi_quality": raw["mi_quality"].to_numpy() if "mi_quality" in raw else None,
    })
    return out.reset_index(drop=True)


def read_esconv(path, split: str | None = None) -> pd.DataFrame:
    """An ESConv jsonl split in canonical form; seeker turns are uncoded context."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: ESConv file not found; pass --data-dir pointing at the corpora folder")
    split = split or path.stem
    rows = []
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            if not line.strip():
                continue
            dialog = json.loads(line)
            conv = f"esconv-{split}-{n}"
            for turn in dialog["dialog"]:
                counsellor = turn["speaker"] == "sys"
                rows.append((conv, COUNSELLOR if counsellor else "client", turn["text"],
                             esconv_code(turn.get("strategy")) if counsellor else None))
    out = pd.DataFrame(rows, columns=["conversation", "side", "text", "code"])
    out.insert(0, "corpus", "esconv")
    out.insert(1, "group", out["conversation"])
    return out


def read_corpora(data_dir=None, corpora=("annomi", "esconv")) -> pd.DataFrame:
    """The shared training corpora in one canonical table (ESConv train and valid splits)."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    frames = []
    if "annomi" in corpora:
        frames.append(read_annomi(data_dir / "annomi" / "AnnoMI-full.csv"))
    if "esconv" in corpora:
        for split in ("train", "valid"):
            frames.append(read_esconv(data_dir / "esconv" / f"{split}.jsonl", split))
    if not frames:
        raise InputError(f"unknown corpora {corpora!r}; choose from annomi, esconv")
    return pd.concat(frames, ignore_index=True)


def read_coded_csv(path, code_col: str, text_col=None, speaker_col=None, transcript_col=None,
                   counsellor_values=None, client_values=None) -> pd.DataFrame:
    """A user's MI-coded CSV in canonical form; its codes must be the SPEC's code names."""
    from .columns import Layout  # local: keeps corpus reading free of CLI concerns

    path = Path(path)
    frame = read_table(path)
    layout = Layout.resolve(frame, text_col, speaker_col, transcript_col, counsellor_values, client_values,
                            source=str(path))
    if code_col not in frame.columns:
        raise InputError(f"{path}: no code column {code_col!r}; name it with --code-col")
    side = layout.sides(frame)
    codes = frame[code_col].astype("string").str.strip().str.lower()
    for pos, (s, c) in enumerate(zip(side, codes)):
        if pd.notna(c) and c != "" and c not in CODES[s] and c not in ("question", "reflection"):
            raise InputError(f"{path}: row {pos + 2}, column {code_col!r}: not a {s} code "
                             f"({', '.join(CODES[s])}); map your labels to these first")
    transcript = frame[layout.transcript].astype(str) if layout.transcript else pd.Series("1", index=frame.index)
    return pd.DataFrame({
        "corpus": path.stem,
        "group": path.stem + "-" + transcript,
        "conversation": path.stem + "-" + transcript,
        "side": side,
        "text": frame[layout.text].fillna("").astype(str).to_numpy(),
        "code": [c if (pd.notna(c) and c) else None for c in codes],
    })


def estimator_input(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """(X, y) for `MICoder.fit` from a canonical frame: each annotated copy is its own transcript."""
    X = pd.DataFrame({"text": frame["text"].to_numpy(dtype=object), "side": frame["side"].to_numpy(dtype=object),
                      "transcript": frame["conversation"].to_numpy(dtype=object)})
    return X, frame["code"].to_numpy(dtype=object)


ESCONV_WEIGHT = 0.25  # ESConv rows beside AnnoMI's (measured: AnnoMI coarse-4 +0.007, ESConv -0.012)


def corpus_weights(frame: pd.DataFrame, esconv_weight: float = ESCONV_WEIGHT) -> np.ndarray:
    """Sample weights: ESConv rows count `esconv_weight` beside AnnoMI's (and users' own) rows."""
    return np.where(frame["corpus"].to_numpy() == "esconv", esconv_weight, 1.0)
