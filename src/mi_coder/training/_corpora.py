"""Read the coded corpora (AnnoMI, ESConv, Welivita, MIBot, Reddit advice) or a user's coded CSV into one table.

Canonical columns: corpus, group (what a split keeps together: an AnnoMI source video with all
its transcripts and annotated copies, a forum thread, a chat), conversation (one annotated copy,
the unit of context), side, text, code. `code` is a contract code, a coarse class (`question`,
`reflection`) or a partial label of codes joined by '|' (see `codes.allowed_codes`); None marks
a row that is context only.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..codes import (CODES, COUNSELLOR, NOT_ADVICE, annomi_client_code, annomi_therapist_code, esconv_code,
                    mibot_code, welivita_code)
from ..errors import InputError
from ..io._tables import read_table

CANONICAL = ["corpus", "group", "conversation", "side", "text", "code"]
CORPORA = ("annomi", "esconv", "welivita", "mibot", "reddit_advice")
# The terms each corpus's data comes with; a model inherits the strictest of those it learnt from.
LICENCES = {
    "annomi": "public domain",
    "esconv": "CC-BY-NC-4.0",
    "welivita": "CC-BY-NC-SA-3.0",
    "mibot": "CC-BY-SA-4.0",
    "reddit_advice": "MIT",
}
SHIPPED_CORPORA = CORPORA  # what `mi-coder train` learns from by default (see the model card for the mix)
SILVER = ("mibot",)  # corpora whose labels an LLM gave, not people
LOW_QUALITY_OTHER = "other|confront"  # an AnnoMI `other` of a low-quality session (see `read_annomi`)
# The share of training conversations whose texts lose punctuation and case (`unpunctuated_conversations`),
# so both tiers find questions without "?" as captions and speech-to-text write them (model card).
UNPUNCTUATED = 0.3


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
    # MITI's Confront lives in the poor sessions: there an utterance AnnoMI calls `other` may be one
    # (AnnoMI has no Confront code), so it is learnt as the partial label other-or-confront.
    if "mi_quality" in raw:
        low = raw["mi_quality"].astype(str).str.lower().eq("low").to_numpy()
        codes = [LOW_QUALITY_OTHER if (c == "other" and t and q) else c for c, t, q in zip(codes, therapist, low)]
    # Some transcripts are cut from one video: a split keeps a video's transcripts together.
    source = raw["video_url"].astype(str) if "video_url" in raw else raw["transcript_id"].astype(str)
    out = pd.DataFrame({
        "corpus": "annomi",
        "group": "annomi-" + pd.Series(pd.factorize(source)[0], index=raw.index).astype(str),
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


def read_welivita(path) -> pd.DataFrame:
    """Welivita & Pu's MI gold forum threads: the help-seeker's post is context, each reply sentence coded.

    Sentences of one reply share `dialog_id` and `turn`; a thread is one group and one conversation.
    """
    raw = _read_csv(path, "Welivita")
    raw = raw.assign(_row=np.arange(len(raw))).sort_values(["dialog_id", "turn", "_row"], kind="stable")
    listener = raw["author"].astype(str).str.strip().str.lower().eq("listener").to_numpy()
    conv = "welivita-" + raw["dialog_id"].astype(str).str.replace(" ", "", regex=False)
    return pd.DataFrame({
        "corpus": "welivita",
        "group": conv.to_numpy(),
        "conversation": conv.to_numpy(),
        "side": np.where(listener, COUNSELLOR, "client"),
        "text": raw["text"].fillna("").astype(str).to_numpy(),
        "code": [welivita_code(lab) if is_listener else None for lab, is_listener in zip(raw["label"], listener)],
        "label": raw["label"].to_numpy(),  # the 15 MITI-derived labels: the adherence check reads them
    }).reset_index(drop=True)


def read_mibot(path) -> pd.DataFrame:
    """MIBot chatbot chats with smokers; their AutoMISC labels are silver (an LLM's, not people's)."""
    raw = _read_csv(path, "MIBot")
    raw = raw.sort_values(["participant_id", "utterance_number"], kind="stable")
    counsellor = raw["speaker"].astype(str).str.strip().str.lower().eq("counsellor").to_numpy()
    conv = "mibot-" + raw["participant_id"].astype(str).str[:16]
    return pd.DataFrame({
        "corpus": "mibot",
        "group": conv.to_numpy(),
        "conversation": conv.to_numpy(),
        "side": np.where(counsellor, COUNSELLOR, "client"),
        "text": raw["text"].fillna("").astype(str).to_numpy(),
        "code": [mibot_code(lab) for lab in raw["auto_misc_label"]],
        "label": raw["auto_misc_label"].to_numpy(),
    }).reset_index(drop=True)


def read_reddit_advice(folder) -> pd.DataFrame:
    """Reddit reply sentences judged advice or not (Dawid-Skene label); a thread is one group.

    A sentence judged advice is `advice`; one judged not advice may be any other counsellor code.
    The replies answer posts that are not in the data, so there is no client context.
    """
    folder = Path(folder)
    files = sorted(folder.glob("*.tsv"))
    if not files:
        raise InputError(f"{folder}: no Reddit advice .tsv files; pass --data-dir pointing at the corpora folder")
    raw = pd.concat([pd.read_csv(f, sep="\t", quoting=3, dtype={"ID": str}).assign(_file=f.stem.split("_")[0])
                     for f in files], ignore_index=True)
    ids = raw["ID"].astype(str)
    thread = raw["_file"] + "-" + ids.str.split("-").str[0]
    reply = raw["_file"] + "-" + ids.str.rsplit("-", n=1).str[0]
    advice = pd.to_numeric(raw["DS_Label"], errors="coerce")
    return pd.DataFrame({
        "corpus": "reddit_advice",
        "group": "reddit-" + thread,
        "conversation": "reddit-" + reply,
        "side": COUNSELLOR,
        "text": raw["Sentence"].fillna("").astype(str).to_numpy(),
        "code": np.where(advice == 1, "advice", np.where(advice == 0, NOT_ADVICE, None)),
    }).sort_values("conversation", kind="stable").reset_index(drop=True)


def _read_csv(path, name: str) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {name} file not found; pass --data-dir pointing at the corpora folder")
    return pd.read_csv(path)


def read_corpora(data_dir=None, corpora=("annomi", "esconv")) -> pd.DataFrame:
    """The shared corpora named in `corpora` (see CORPORA) in one canonical table."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    unknown = [c for c in corpora if c not in CORPORA]
    if unknown or not corpora:
        raise InputError(f"unknown corpora {', '.join(unknown) or '(none)'}; choose from {', '.join(CORPORA)}")
    readers = {
        "annomi": lambda: [read_annomi(data_dir / "annomi" / "AnnoMI-full.csv")],
        "esconv": lambda: [read_esconv(data_dir / "esconv" / f"{split}.jsonl", split) for split in ("train", "valid")],
        "welivita": lambda: [read_welivita(data_dir / "welivita" / "mi_gold_sentences.csv")],
        "mibot": lambda: [read_mibot(data_dir / "mibot" / "transcripts.csv")],
        "reddit_advice": lambda: [read_reddit_advice(data_dir / "reddit_advice")],
    }
    frames = [f for name in CORPORA if name in corpora for f in readers[name]()]
    return pd.concat(frames, ignore_index=True)


def licence_terms(corpora) -> dict:
    """The licence of each corpus a model learnt from, and the terms the model inherits (the strictest)."""
    used = {c: LICENCES.get(c, "your own data: your terms") for c in corpora}
    return {"corpora": used, "model": " AND ".join(sorted({v for v in used.values() if v != "public domain"}))
            or "public domain"}


def read_coded_csv(path, code_col: str, text_col=None, speaker_col=None, transcript_col=None,
                   counsellor_values=None, client_values=None) -> pd.DataFrame:
    """A user's MI-coded CSV in canonical form; its codes must be the SPEC's code names."""
    from ..io._columns import Layout  # local: keeps corpus reading free of CLI concerns

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


# Each corpus's rows count this much beside AnnoMI's (and users' own) rows; see the model card for
# what each weight measured. ESConv 0.25: AnnoMI coarse-4 +0.007, ESConv -0.012 against 1.0.
CORPUS_WEIGHTS = {"esconv": 0.25, "welivita": 1.0, "mibot": 0.5, "reddit_advice": 0.25}


def corpus_weights(frame: pd.DataFrame, weights: dict | None = None) -> np.ndarray:
    """Sample weights per row from its corpus (`weights`, default CORPUS_WEIGHTS; unlisted corpora 1.0)."""
    weights = CORPUS_WEIGHTS if weights is None else weights
    return frame["corpus"].map(lambda c: weights.get(c, 1.0)).to_numpy(dtype=float)


_PUNCTUATION = re.compile(r"[^\w\s']|(?<!\w)'|'(?!\w)")


def unpunctuate(text: str) -> str:
    """A text as speech-to-text and automatic captions write it: no punctuation (apostrophes inside words
    stay), lower case, single spaces."""
    return " ".join(_PUNCTUATION.sub(" ", str(text)).split()).lower()


def unpunctuated_conversations(frame: pd.DataFrame, share: float, seed: int = 0) -> pd.DataFrame:
    """A copy of a canonical frame whose texts lose punctuation and case in `share` of its conversations
    (drawn at random), so that a model learns to find questions and reflections without "?"."""
    conversations = frame["conversation"].drop_duplicates()
    picked = set(conversations.sample(frac=share, random_state=seed))
    rows = frame["conversation"].isin(picked)
    out = frame.copy()
    out.loc[rows, "text"] = out.loc[rows, "text"].map(unpunctuate)
    return out
