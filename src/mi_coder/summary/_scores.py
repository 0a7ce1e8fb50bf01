"""The summary score formulas and MITI bands (MITI 4.2.1 sections H–I, MISC 2.5), and when a score can be
read at all: a leaf module."""

from __future__ import annotations

import numpy as np
import pandas as pd

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


# When a score can be read: one rule for the summary table, the printed summary and the report.
FEW = 5  # a score resting on fewer utterances than this is too few to judge
EMPTY = {  # why a score is empty (its denominator is zero), in a supervisor's words
    "reflection_to_question": "no questions asked",
    "pct_complex_reflections": "no reflections",
    "pct_open_questions": "no questions asked",
    "pct_change_talk": "no change or sustain talk",
    "pct_change_talk_reflected": "no change talk",
    "pct_mi_adherent": "no MI-adherent or non-adherent utterances",
}
DENOMINATORS = {name: den for name, (_, den, _, _) in SCORES.items()} | {
    "pct_change_talk_reflected": ("change_talk",), "pct_mi_adherent": ("mi_adherent", "mi_non_adherent")}


def evidence(row: pd.Series, name: str) -> tuple[str, str]:
    """("ok" | "few" | "empty", words): whether a score of a summary row can be read, and if not why.

    Empty: its denominator is zero. Few: it rests on fewer than `FEW` utterances, or its 90%
    interval is undefined or spans the whole scale (0 to 100%, or 0 to 3+ reflections a question).
    """
    codes = DENOMINATORS.get(name, ())
    if not codes or any(c not in row.index for c in codes):
        return ("ok", "")
    n = int(sum(row[c] for c in codes))
    if n == 0 or pd.isna(row.get(name)):
        return ("empty", EMPTY.get(name, "empty"))
    few = ("few", f"too few to tell (n = {n})")
    if n < FEW:
        return few
    if f"{name}_low" in row.index:
        low, high = row[f"{name}_low"], row[f"{name}_high"]
        top = 1.0 if name != "reflection_to_question" else max(3.0, float(row[name]))
        if pd.isna(low) or pd.isna(high) or (low <= 1e-9 and high >= top - 1e-9):
            return few
    return ("ok", "")


def readable(summary: pd.DataFrame, names) -> pd.DataFrame:
    """`summary` with a `<score>_note` per score of `names`: '' where the score can be read, else why ("no
    questions asked", "too few to tell (n = 2)"), by the rule the printed summary and the report use.

    `<score>_band` stays the contract's band of the value whatever the count (and `_band_probability`
    the band's chance): a non-empty note says not to read either."""
    names = [name for name in names if name in summary]
    notes = {name: [] for name in names}
    for _, row in summary.iterrows():  # one pass over the transcripts for every score
        for name in names:
            state, words = evidence(row, name)
            notes[name].append(words if state != "ok" else "")
    return summary.assign(**{f"{name}_note": values for name, values in notes.items()})
