"""Per-transcript MI summary scores (MITI 4.2.1 / MISC 2.5) from a coded table.

One row per transcript, in order of first appearance: the count of every code, then the
ratios of the contract with their MITI bands. A ratio whose denominator is zero is empty (NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import ALL_CODES, COUNSELLOR, COUNSELLOR_CODES
from ..io._columns import MODEL_COLUMN, TEXT_FALLBACK_NAMES, TEXT_NAMES, Layout, find_one, row_name
from ..errors import InputError, cli_words, option
from ._quality import check_prior
from ._scores import BANDS, SCORES, band, ratio, readable, scores_from_counts  # noqa: F401 (re-exported)
from ._sequence import REFLECTED, reflected_counts


def model_info(model: dict | str | None, coded: pd.DataFrame | None = None, source: str = "input") -> dict | None:
    """What summaries need of the model that coded a table: {"confusion", "quality"} (and its "manifest").

    `model` is a confusion dict (intervals only), a model file's path, None (nothing), or "default":
    the model that coded the table. That is the coder's own info when the table came from
    `code_frame` in this session, else the shipped model's when the `mi_model` column names it (or
    is absent: a table coded by hand or by an older version). A table coded by another model needs
    that model's path, and a path must be the model that coded the table.
    """
    if model is None:
        return None
    if isinstance(model, dict):
        return model if "confusion" in model else {"confusion": model}
    from ..coding._modelio import manifest_confusion, read_manifest
    from ..coding._tiers import TIERS, default_manifest_path, is_tier, tier_manifest_path

    coded_by = _coded_by(coded, source)
    path = default_manifest_path() if model == "default" else model
    manifest = None
    if is_tier(model):
        path = tier_manifest_path(model)
    elif model == "default" and coded_by:  # coded by a shipped tier: take that tier's confusions
        for candidate in map(tier_manifest_path, TIERS):
            read = read_manifest(candidate, required=False)
            if str(read.get("sha256", "")).startswith(coded_by):
                path, manifest = candidate, read
                break
    if manifest is None:
        manifest = read_manifest(path, required=False)
    if model == "default" and coded is not None and coded.attrs.get("mi_confusion"):  # coded in this session
        return {"confusion": coded.attrs["mi_confusion"], "quality": coded.attrs.get("mi_quality"),
                "manifest": manifest if str(manifest.get("sha256", "")).startswith(coded_by or "?") else {}}
    if coded_by and not str(manifest.get("sha256", "")).startswith(coded_by):
        what = "the shipped model" if model == "default" else f"model {path}"
        raise InputError(f"{source}: column {MODEL_COLUMN!r} says the file was coded by model {coded_by}, "
                         f"not {what}; pass the model that coded it with --model (or confusion=its path), "
                         f"or --no-intervals")
    return {"confusion": manifest_confusion(manifest, path), "quality": manifest["info"].get("quality"),
            "manifest": manifest}


def _coded_by(coded: pd.DataFrame | None, source: str) -> str:
    """The model id in a coded table's `mi_model` column ('' when absent or blank)."""
    if coded is None or MODEL_COLUMN not in coded.columns:
        return ""
    ids = pd.unique(coded[MODEL_COLUMN].astype("string").dropna().str.strip())
    ids = [i for i in ids if i]
    if len(ids) > 1:
        raise InputError(f"{source}: column {MODEL_COLUMN!r} names {len(ids)} different models; summarize the "
                         f"rows of each model separately")
    return ids[0] if ids else ""


def _adherence(texts, codes, is_counsellor, keys: pd.Series, index, turns=None) -> pd.DataFrame:
    """MITI adherence counts per transcript and pct_mi_adherent (see `mi_coder.summary._adherence`).

    `turns` keys the conversations whose previous utterance can ask permission (default: `keys`).
    """
    from ._adherence import adherence_flags

    flags = adherence_flags(texts, codes, is_counsellor, keys.to_numpy() if turns is None else turns)
    out = flags.groupby(keys.to_numpy(), sort=False).sum().reindex(index, fill_value=0)
    out["pct_mi_adherent"] = ratio(out["mi_adherent"], out["mi_adherent"] + out["mi_non_adherent"])
    return out


STAGES = ("MI adherence", "score intervals", "quality estimate")


def summarize(coded: pd.DataFrame, transcript_col: str | None = None, code_col: str = "mi_code",
              source: str = "input", confusion: dict | str | None = "default", text_col: str | None = None,
              speaker_col: str | None = None, counsellor_values=None, client_values=None,
              layout: Layout | None = None, independent: bool | None = None,
              quality_prior: float = 0.5, progress=None) -> pd.DataFrame:
    """One row per transcript: the count of every code, then the contract's summary scores, and the change talk
    the counsellor's next utterance reflects (`change_talk_reflected`, `pct_change_talk_reflected`).

    `coded` is what `MICoder.code_frame` returns (or any table with a code column); the column
    options are `code_frame`'s. Without a transcript column the whole table is one transcript,
    named `all` (a list of independent replies too: one batch). Each row's side comes from `mi_side`,
    else the speaker column, else its code.
    `confusion` names the model that coded the table (see `model_info`; None for none): with its
    held-out confusions each score also gets `_expected`, a 90% `_low`/`_high` interval and
    `_band_probability` (`mi_coder.summary._uncertainty`), and with its session-quality model the
    transcript gets `mi_quality_probability` and its interval (`mi_coder.summary._quality`), at even
    odds unless `quality_prior` gives the share of good sessions to assume (`mi_quality_prior` says which).
    `progress(stage)` is called as each of STAGES begins (the CLI's bar on big files).
    """
    step = progress or (lambda stage: None)
    if code_col == "mi_code" and "mi_code" not in {str(c).strip().lower() for c in coded.columns}:
        how = (f"code it first with `mi-coder code {source} -o CODED.csv`" if cli_words()
               else "code it first with coder.code_frame()")
        raise InputError(f"{source}: no 'mi_code' column, so the file is not coded yet; {how}, or name the column "
                         f"holding your own codes with {option('code_col')}")
    quality_prior = check_prior(quality_prior)  # a bad prior fails before any work
    column = find_one(coded, code_col, (), "code", source, required=True)
    layout = layout or Layout.resolve(coded, text_col, speaker_col, transcript_col, counsellor_values,
                                      client_values, source=source, require_text=False, independent=independent)
    codes = coded[column].astype("string").str.strip().fillna("")
    unknown = codes.ne("").to_numpy() & ~codes.isin(ALL_CODES).to_numpy()
    if unknown.any():
        raise InputError(f"{source}: {row_name(coded, int(np.flatnonzero(unknown)[0]))}, column {column!r}: "
                         f"unknown code ({int(unknown.sum())} rows); codes must be one of {', '.join(ALL_CODES)}")
    if layout.side is not None or layout.speaker is not None:
        is_counsellor = layout.sides(coded) == COUNSELLOR
        wrong = codes.ne("").to_numpy() & (is_counsellor != codes.isin(COUNSELLOR_CODES).to_numpy())
        if wrong.any():
            pos = int(np.flatnonzero(wrong)[0])
            raise InputError(f"{source}: {row_name(coded, pos)}, column {column!r}: a "
                             f"{'counsellor' if is_counsellor[pos] else 'client'} row has a code of the other "
                             f"side ({int(wrong.sum())} rows); check the code and speaker columns")
    else:
        is_counsellor = codes.isin(COUNSELLOR_CODES).to_numpy()
    name = layout.transcript or "transcript_id"
    keys = layout.transcripts(coded)
    counts = pd.crosstab(pd.Categorical(keys, categories=pd.unique(keys)),
                         pd.Categorical(codes, categories=list(ALL_CODES) + [""]), dropna=False)
    counts = counts.reindex(columns=list(ALL_CODES), fill_value=0).astype(int)
    counts.index = pd.Index(counts.index.astype(str), name=name)
    counts.columns = list(counts.columns)
    summary = pd.concat([counts, scores_from_counts(counts)], axis=1)
    reflected = reflected_counts(codes.to_numpy(), keys.astype(str).to_numpy(), counts.index)
    summary[REFLECTED] = reflected
    summary["pct_change_talk_reflected"] = ratio(reflected, counts["change_talk"])
    step(STAGES[0])
    if layout.text is not None:
        turns = layout.conversations(coded) if layout.independent else None  # a reply asks no permission for the next
        summary = pd.concat([summary, _adherence(coded[layout.text].to_numpy(), codes.to_numpy(), is_counsellor,
                                                 keys, counts.index, turns)], axis=1)
    else:
        import warnings

        from ._adherence import ADHERENCE_COUNTS
        warnings.warn(f"{source}: no text column found (looked for {', '.join(TEXT_NAMES + TEXT_FALLBACK_NAMES)}), so "
                      f"{', '.join(ADHERENCE_COUNTS)} and pct_mi_adherent are left out; name the column holding the "
                      f"utterances with {option('text_col')}", stacklevel=2)
    info = model_info(confusion, coded, source) or {}
    step(STAGES[1])
    if info.get("confusion"):
        from ._uncertainty import summary_uncertainty
        summary = pd.concat([summary, summary_uncertainty(counts, info["confusion"], SCORES)], axis=1)
    step(STAGES[2])
    if info.get("quality"):
        from ._quality import quality_columns
        summary = pd.concat([summary, quality_columns(counts.assign(**{REFLECTED: reflected}), info["quality"],
                                                      prior=quality_prior)], axis=1)
    # one rule with the print and the report
    summary = readable(summary, list(SCORES) + ["pct_change_talk_reflected", "pct_mi_adherent"])
    summary.insert(0, "n_utterances", keys.groupby(keys, sort=False).size().reindex(counts.index).to_numpy())
    summary = summary.reset_index()
    if layout.transcript is not None:  # the user's ids as they were (integers stay integers, for merging)
        original = coded[layout.transcript].groupby(keys.to_numpy(), sort=False).first()
        summary[name] = original.reindex(summary[name]).to_numpy()
        summary[name] = summary[name].astype(coded[layout.transcript].dtype)
    return summary
