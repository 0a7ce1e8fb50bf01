"""The summary score formulas and MITI bands (MITI 4.2.1 sections H–I, MISC 2.5): a leaf module."""

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
