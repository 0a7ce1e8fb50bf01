"""A self-contained HTML report of a coded table: per transcript, its summary and its utterances.

No external scripts, fonts or images: everything is inline, so the file can be mailed or
archived with the session and opened offline.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .columns import SPEAKER_NAMES, TEXT_NAMES, TRANSCRIPT_NAMES, find_one
from .summarize import SCORES, summarize

LOW_CONFIDENCE = 0.5

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:60em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:left}
.good{color:#1a7f37}.fair{color:#9a6700}.below_fair{color:#cf222e}
.review{background:#fff4ce}.code{font-family:ui-monospace,monospace;font-size:.9em}
.note{color:#666;font-size:.9em}
"""


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return f"{value:.2f}" if isinstance(value, (float, np.floating)) else html.escape(str(value))


def render_html(coded: pd.DataFrame, transcript_col: str | None = None, source: str = "input") -> str:
    """The report as one HTML string; utterances with confidence below 0.5 are marked for review."""
    summary = summarize(coded, transcript_col, source=source)
    key = summary.columns[0]
    transcript = find_one(coded, transcript_col, TRANSCRIPT_NAMES, "transcript", source)
    text = find_one(coded, None, TEXT_NAMES, "text", source)
    speaker = find_one(coded, None, SPEAKER_NAMES, "speaker", source)
    keys = coded[transcript].astype("string").fillna("") if transcript else pd.Series("all", index=coded.index)
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<title>MI coding report</title>", f"<style>{STYLE}</style></head><body>",
             "<h1>MI coding report</h1>",
             f"<p class='note'>{len(summary)} transcript(s), {len(coded)} utterances. Codes come from an "
             f"automatic coder: rows marked yellow had confidence below {LOW_CONFIDENCE} and deserve a "
             f"human look. Thresholds: MITI 4.2.1 / MISC 2.5.</p>"]
    for _, row in summary.iterrows():
        parts.append(f"<h2>Transcript {_fmt(row[key])}</h2><table><tr><th>score</th><th>value</th>"
                     "<th>band</th><th>fair</th><th>good</th></tr>")
        for name, (_, _, fair, good) in SCORES.items():
            band = row.get(f"{name}_band", "")
            parts.append(f"<tr><td>{name}</td><td>{_fmt(row[name])}</td>"
                         f"<td class='{html.escape(str(band))}'>{_fmt(band) if band else ''}</td>"
                         f"<td>{_fmt(fair) if fair else ''}</td><td>{_fmt(good) if good else ''}</td></tr>")
        parts.append("</table>")
        rows = coded[keys.to_numpy() == row[key]]
        parts.append("<table><tr><th>#</th><th>speaker</th><th>code</th><th>confidence</th><th>utterance</th></tr>")
        for n, (_, utt) in enumerate(rows.iterrows(), 1):
            confidence = pd.to_numeric(pd.Series([utt.get("mi_confidence")]), errors="coerce").iloc[0]
            review = " class='review'" if pd.notna(confidence) and confidence < LOW_CONFIDENCE else ""
            parts.append(f"<tr{review}><td>{n}</td><td>{_fmt(utt[speaker]) if speaker else ''}</td>"
                         f"<td class='code'>{_fmt(utt.get('mi_code', ''))}</td><td>{_fmt(confidence)}</td>"
                         f"<td>{_fmt(utt[text]) if text else ''}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
