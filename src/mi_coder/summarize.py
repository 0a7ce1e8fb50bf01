"""Per-transcript MI summary scores (MITI 4.2.1 / MISC 2.5) from a coded table.

One row per transcript, in order of first appearance: the count of every code, then the
ratios of the SPEC with their MITI bands. A ratio whose denominator is zero is empty (NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .codes import CLIENT_CODES, COUNSELLOR_CODES
from .columns import TEXT_NAMES, TRANSCRIPT_NAMES, file_row, find_one
from .errors import InputError

ALL_CODES = COUNSELLOR_CODES + CLIENT_CODES

# score: (numerator codes, denominator codes, fair threshold, good threshold)
SCORES = {
    "reflection_to_question": (("simple_reflection", "complex_reflection"),
                               ("open_question", "closed_question"), 1.0, 2.0),
    "pct_complex_reflections": (("complex_reflection",), ("simple_reflection", "complex_reflection"), 0.40, 0.50),
    "pct_open_questions": (("open_question",), ("open_question", "closed_question"), 0.50, 0.70),
    "pct_change_talk": (("change_talk",), ("change_talk", "sustain_talk"), None, None),
}
BANDS = ("below_fair", "fair", "good")


def ratio(numerator, denominator) -> np.ndarray:
    """Elementwise numerator / denominator, NaN (an empty cell) where the denominator is zero."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def band(values, fair: float, good: float) -> np.ndarray:
    """MITI band of each score: 'good' at or above `good`, 'fair' at or above `fair`, else 'below_fair'."""
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, "", dtype=object)
    out[values >= fair] = "fair"
    out[values >= good] = "good"
    out[values < fair] = "below_fair"
    return out


def scores_from_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """The SPEC's ratios and bands from a table with one count column per code."""
    out = pd.DataFrame(index=counts.index)
    for name, (num, den, fair, good) in SCORES.items():
        value = ratio(counts[list(num)].sum(axis=1), counts[list(den)].sum(axis=1))
        out[name] = value
        if fair is not None:
            out[f"{name}_band"] = band(value, fair, good)
    return out


def resolve_confusion(confusion: dict | str | None) -> dict | None:
    """Confusion counts from "default" (the shipped model's manifest), a model path, or as given."""
    if isinstance(confusion, str):
        from .modelio import manifest_confusion
        return manifest_confusion(None if confusion == "default" else confusion, required=True)
    return confusion


def _adherence(texts, codes, keys: pd.Series, index) -> pd.DataFrame:
    """MITI adherence counts per transcript and pct_mi_adherent (see `mi_coder.adherence`)."""
    from .adherence import adherence_flags

    flags = adherence_flags(texts, codes, np.isin(codes, COUNSELLOR_CODES), keys.to_numpy())
    out = flags.groupby(keys.to_numpy(), sort=False).sum().reindex(index, fill_value=0)
    out["pct_mi_adherent"] = ratio(out["mi_adherent"], out["mi_adherent"] + out["mi_non_adherent"])
    return out


def summarize(coded: pd.DataFrame, transcript_col: str | None = None, code_col: str = "mi_code",
              source: str = "input", confusion: dict | str | None = "default") -> pd.DataFrame:
    """One row per transcript: the count of every code, then the SPEC's summary scores.

    `coded` is what `Coder.code_frame` returns (or any table with a code column). Without a
    transcript column the whole table is one transcript, named `all`. With the model's
    confusion counts (`"default"`: those stored in the shipped model's manifest; a dict; or
    None for none) each score also gets `_expected`, a 90% `_low`/`_high` interval and
    `_band_probability` (see `mi_coder.uncertainty`).
    """
    column = find_one(coded, code_col, (), "code", source, required=True)
    transcript = find_one(coded, transcript_col, TRANSCRIPT_NAMES, "transcript", source, required=False)
    codes = coded[column].astype("string").str.strip().fillna("")
    unknown = sorted(set(codes[codes.ne("")]) - set(ALL_CODES))
    if unknown:
        pos = int(np.flatnonzero(codes.isin(unknown).to_numpy())[0])
        raise InputError(f"{source}: row {file_row(coded, pos)}, column {column!r}: unknown code(s) "
                         f"{', '.join(map(repr, unknown[:5]))}; codes must be one of {', '.join(ALL_CODES)}")
    name = transcript or "transcript_id"
    keys = coded[transcript].astype("string").fillna("") if transcript else pd.Series("all", index=coded.index)
    counts = pd.crosstab(pd.Categorical(keys, categories=pd.unique(keys)),
                         pd.Categorical(codes, categories=list(ALL_CODES) + [""]), dropna=False)
    counts = counts.reindex(columns=list(ALL_CODES), fill_value=0).astype(int)
    counts.index = pd.Index(counts.index.astype(str), name=name)
    counts.columns = list(counts.columns)
    summary = pd.concat([counts, scores_from_counts(counts)], axis=1)
    text = find_one(coded, None, TEXT_NAMES, "text", source)
    if text is not None:
        summary = pd.concat([summary, _adherence(coded[text].to_numpy(), codes.to_numpy(), keys, counts.index)],
                            axis=1)
    confusion = resolve_confusion(confusion)
    if confusion:
        from .uncertainty import summary_uncertainty
        summary = pd.concat([summary, summary_uncertainty(counts, confusion, SCORES)], axis=1)
    summary.insert(0, "n_utterances", keys.groupby(keys, sort=False).size().reindex(counts.index).to_numpy())
    return summary.reset_index()
