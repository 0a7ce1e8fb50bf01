"""Scores that read the order of a transcript's codes, not only their counts: change talk the counsellor reflects.

MITI 4.2.1's Cultivating Change Talk global asks whether the counsellor notices the client's own reasons
for change and answers them; its simplest behavioural trace is a change-talk utterance whose next coded
utterance in the transcript is a counsellor reflection. `change_talk_reflected` counts those, and
`pct_change_talk_reflected` = reflected / change talk, empty when the client spoke no change talk.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

REFLECTIONS = ("simple_reflection", "complex_reflection")
REFLECTED = "change_talk_reflected"  # the count's column, in summaries and beside the quality model's code counts


def _reflects(codes: np.ndarray, following: np.ndarray) -> np.ndarray:
    """The rule, elementwise: a change-talk code whose following code is a reflection."""
    return (codes == "change_talk") & np.isin(following, REFLECTIONS)


def answered(sequence) -> np.ndarray:
    """For one transcript's codes in order, True at i where code i is change talk and code i + 1 a reflection."""
    sequence = np.asarray(list(sequence), dtype=object)
    return _reflects(sequence[:-1], sequence[1:])


def reflected_change_talk(codes, keys) -> np.ndarray:
    """Per row, True where a `change_talk` row's next coded row of the same transcript (`keys`) is a reflection.

    Uncoded rows ('' or NA: blank turns, rows of another side left uncoded) are skipped, not read as a reply.
    """
    codes = pd.Series(np.asarray(codes, dtype=object)).fillna("").astype(str).to_numpy()
    keys = np.asarray(keys, dtype=object)
    out = np.zeros(len(codes), bool)
    coded = np.flatnonzero(codes != "")
    if len(coded) == 0:
        return out
    following = pd.Series(codes[coded]).groupby(keys[coded], sort=False).shift(-1).fillna("")
    out[coded] = _reflects(codes[coded], following.to_numpy(dtype=object))
    return out


def reflected_counts(codes, keys, index) -> pd.Series:
    """`change_talk_reflected` per transcript (`index`: the transcripts' keys in summary order)."""
    flags = reflected_change_talk(codes, keys)
    counted = pd.Series(flags.astype(int)).groupby(np.asarray(keys, dtype=object), sort=False).sum()
    return counted.reindex(index, fill_value=0).astype(int).rename(REFLECTED)
