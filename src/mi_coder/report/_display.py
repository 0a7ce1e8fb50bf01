"""A summary table as text a person reads in a terminal: per transcript, score, value, 90% interval, band.

It reads scores by the one rule for when a score can be read at all (`summary._scores.evidence`), which
the summary table's `<score>_note` and bands, the report's index, detail and counsellor trends all use.
"""

from __future__ import annotations

import pandas as pd

from ..summary._scores import DENOMINATORS, EMPTY, FEW, SCORES, evidence  # noqa: F401 (the one rule)

LABELS = {
    "reflection_to_question": "reflections : questions",
    "pct_complex_reflections": "% complex reflections",
    "pct_open_questions": "% open questions",
    "pct_change_talk": "% change talk",
    "pct_change_talk_reflected": "% change talk reflected",
    "pct_mi_adherent": "% MI-adherent",
    "mi_quality_probability": "P(good MI session)",
}


# The evidence names of the quality model (`summary._quality.EVIDENCE`) in a supervisor's words.
EVIDENCE_WORDS = {
    "log_reflection_to_question": "reflections to questions", "pct_complex_reflections": "% complex reflections",
    "pct_open_questions": "% open questions", "reflection_rate": "reflections", "question_rate": "questions",
    "affirmation_rate": "affirmations", "advice_rate": "advice", "confront_rate": "confrontations",
    "information_rate": "information", "pct_change_talk": "% change talk",
    "pct_change_talk_reflected": "% change talk reflected",
}


def moved_words(row) -> str:
    """What moved a session's quality estimate most, in words ('advice (lowers it), % open questions (raises
    it)'), from its `mi_quality_evidence`; '' when there is none."""
    named = row.get("mi_quality_evidence")
    if not isinstance(named, str) or not named:
        return ""
    return ", ".join(f"{EVIDENCE_WORDS.get(item[1:], item[1:].replace('_', ' '))} "
                     f"({'raises' if item[0] == '+' else 'lowers'} it)" for item in named.split("; "))


def prior_words(prior) -> str:
    """Which prior the session-quality estimate assumes, in words."""
    return "at even odds (a prior of 50%)" if prior == 0.5 else f"assuming {number(prior, True)} of sessions are good"


def number(value, percent: bool) -> str:
    """A score as people read it: '45%' or '1.50'; '–' when it is empty."""
    if value is None or pd.isna(value):
        return "–"
    return f"{100 * value:.0f}%" if percent else f"{value:.2f}"


def _band(row: pd.Series, name: str) -> str:
    band = row.get(f"{name}_band", "")
    if not isinstance(band, str) or not band:
        return ""
    p = row.get(f"{name}_band_probability")
    return band_words(band, p)


def band_words(band: str, p) -> str:
    """A MITI band with how likely it is, as a trainee reads it: "likely fair (61%)"."""
    words = band.replace("_", " ")
    if p is None or pd.isna(p):
        return words
    if p >= 0.9:
        return f"{words} ({p:.0%})"
    if p >= 0.5:
        return f"likely {words} ({p:.0%})"
    return f"unsure: {words} only {p:.0%} likely"


def format_summary(summary: pd.DataFrame) -> str:
    """Plain-text blocks, one per transcript, of the scores a supervisor reads first."""
    key = summary.columns[0]
    blocks = []
    for _, row in summary.iterrows():
        lines = [f"{key} {row[key]}: {int(row['n_utterances'])} utterances"]
        table = [("score", "value", "90% interval", "band")]
        for name in list(SCORES) + ["pct_change_talk_reflected", "pct_mi_adherent", "mi_quality_probability"]:
            if name not in row.index:
                continue
            percent = name != "reflection_to_question"
            low, high = row.get(f"{name}_low"), row.get(f"{name}_high")
            interval = "" if low is None or pd.isna(low) else f"{number(low, percent)} – {number(high, percent)}"
            state, words = evidence(row, name)
            if name == "mi_quality_probability" and pd.isna(row[name]):
                state, words = "empty", str(row.get("mi_quality_reason") or "")
            band = _band(row, name) if state == "ok" else ""
            table.append((LABELS[name], number(row[name], percent), words or interval, band))
        widths = [max(len(r[i]) for r in table) for i in range(4)]
        lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in table]
        if "mi_quality_prior" in row.index and pd.notna(row.get("mi_quality_probability")):
            lines.append("  P(good MI session) is " + prior_words(row["mi_quality_prior"]))
            moved = moved_words(row)
            if moved:
                lines.append("  moved most by " + moved)
        counts = [f"{c}={int(row[c])}" for c in SUMMARY_COUNTS if c in row.index and row[c]]
        lines.append("  codes: " + (", ".join(counts) or "none"))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


SUMMARY_COUNTS = ("open_question", "closed_question", "simple_reflection", "complex_reflection",
                  "affirmation", "advice", "information", "other", "change_talk", "sustain_talk", "neutral")
