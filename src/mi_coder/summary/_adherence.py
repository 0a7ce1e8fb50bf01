"""MITI 4.2.1 adherence counts: which codes come from the classifier and which from rules.

From the classifier: `affirmation`, `advice` and `confront`. From the cue phrases (`mi_coder.coding._phrases`, whole words in any case):
- advice *with permission*: the advice utterance or the counsellor's previous utterance asks
  permission ("would it be okay if…"), or the advice emphasises autonomy ("it's up to you");
  every other advice utterance is advice *without permission* (MITI: Persuade).
- MI-adherent: an affirmation, or a counsellor utterance that seeks collaboration
  ("what do you think", "together") or emphasises autonomy ("your choice").
- MI non-adherent: advice without permission, a `confront` code, or confronting wording ("you're in denial").
`pct_mi_adherent` = adherent / (adherent + non-adherent), empty when both are zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..coding._phrases import phrase_hits

ADHERENCE_COUNTS = ("advice_with_permission", "advice_without_permission", "mi_adherent", "mi_non_adherent")
_CUES = ("permission", "autonomy", "collaboration", "confront")


def adherence_flags(texts, codes, is_counsellor, keys) -> pd.DataFrame:
    """Per row, 0/1 flags for each of ADHERENCE_COUNTS; rows must be in transcript order per key."""
    codes = np.asarray(codes, dtype=object)
    is_counsellor = np.asarray(is_counsellor, dtype=bool)
    keys = np.asarray(keys, dtype=object)
    flags = np.zeros((len(codes), len(ADHERENCE_COUNTS)), dtype=np.int64)
    rows = np.flatnonzero(is_counsellor & (codes != ""))
    if not len(rows):
        return pd.DataFrame(flags, columns=ADHERENCE_COUNTS)
    has = phrase_hits([texts[i] for i in rows], _CUES)
    previous_permission = {}  # transcript -> did the last counsellor utterance ask permission
    for n, i in enumerate(rows):
        code, key = codes[i], keys[i]
        if code == "advice":
            permitted = has["permission"][n] or has["autonomy"][n] or previous_permission.get(key, False)
            flags[i, 0 if permitted else 1] = 1
            flags[i, 3] |= not permitted
        if code == "affirmation" or has["collaboration"][n] or has["autonomy"][n]:
            flags[i, 2] = 1
        if code == "confront" or has["confront"][n]:
            flags[i, 3] = 1
        previous_permission[key] = bool(has["permission"][n])
    return pd.DataFrame(flags, columns=ADHERENCE_COUNTS)
