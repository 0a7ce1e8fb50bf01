"""A self-contained HTML report of a coded table: an index of transcripts, then one section each.

No external scripts, fonts or images: styles and plots (SVG) are inline, so the file can be
mailed or archived with the session and opened offline. Per transcript: code counts, the
summary scores against the MITI fair/good thresholds (with 90% intervals when the model's
confusions are known), a timeline of the session, and the utterances with their codes, those
below the confidence threshold marked for human review.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .codes import CLIENT_CODES, COUNSELLOR_CODES
from .columns import Layout
from .plots import svg_bars, svg_score, svg_timeline
from .scores import SCORES
from .summarize import summarize

LOW_CONFIDENCE = 0.5

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:62em;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2.5em;border-bottom:1px solid #ccc;padding-bottom:.2em}
h3{font-size:1em;margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.25em .6em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
.good{color:#1a7f37;font-weight:600}.fair{color:#9a6700;font-weight:600}.below_fair{color:#cf222e;font-weight:600}
tr.review{background:#fff4ce}.code{font-family:ui-monospace,monospace;font-size:.9em}
.note{color:#57606a;font-size:.9em}.num{text-align:right}
"""


def _fmt(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, (float, np.floating)) and np.isnan(value)) or value is pd.NA:
        return "–"
    if isinstance(value, (float, np.floating)):
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def _band(row, name) -> str:
    band = row.get(f"{name}_band", "")
    if not isinstance(band, str) or not band:
        return ""
    p = row.get(f"{name}_band_probability")
    extra = f", p = {p:.2f}" if isinstance(p, (float, np.floating)) and not np.isnan(p) else ""
    return f"<span class='{band}'>{band.replace('_', ' ')}</span>{extra}"


def _scores_table(row) -> str:
    parts = ["<table><tr><th>score</th><th>value</th><th>90% interval</th><th>band</th>"
             "<th>fair ≥</th><th>good ≥</th><th></th></tr>"]
    for name, (_, _, fair, good) in SCORES.items():
        value, low, high = row[name], row.get(f"{name}_low"), row.get(f"{name}_high")
        interval = f"{_fmt(low)} – {_fmt(high)}" if low is not None and not pd.isna(low) else "–"
        top = max(3.0 if name == "reflection_to_question" else 1.0,
                  *(v for v in (value, high) if v is not None and not pd.isna(v)))
        parts.append(f"<tr><td>{name}</td><td class='num'>{_fmt(value)}</td><td>{interval}</td>"
                     f"<td>{_band(row, name)}</td><td>{_fmt(fair) if fair else ''}</td>"
                     f"<td>{_fmt(good) if good else ''}</td>"
                     f"<td>{svg_score(value, low, high, fair, good, top)}</td></tr>")
    if "pct_mi_adherent" in row:
        parts.append(f"<tr><td>pct_mi_adherent</td><td class='num'>{_fmt(row['pct_mi_adherent'])}</td>"
                     f"<td colspan='5' class='note'>{int(row['mi_adherent'])} MI-adherent, "
                     f"{int(row['mi_non_adherent'])} non-adherent utterances "
                     f"({int(row['advice_without_permission'])} advice without permission)</td></tr>")
    parts.append("</table>")
    return "".join(parts)


def render_html(coded: pd.DataFrame, transcript_col: str | None = None, source: str = "input",
                confusion="default", text_col=None, speaker_col=None, counsellor_values=None,
                client_values=None) -> str:
    """The report as one HTML string; column options as for `summarize`, resolved once."""
    layout = Layout.resolve(coded, text_col, speaker_col, transcript_col, counsellor_values, client_values,
                            source=source, require_text=False)
    summary = summarize(coded, source=source, confusion=confusion, layout=layout)
    key = summary.columns[0]
    text, speaker = layout.text, layout.speaker
    keys = layout.transcripts(coded).to_numpy()
    codes = coded["mi_code"].astype("string").fillna("").to_numpy()
    confidence = pd.to_numeric(coded.get("mi_confidence", pd.Series(np.nan, index=coded.index)),
                               errors="coerce").to_numpy()
    review_total = int(np.sum(confidence < LOW_CONFIDENCE))
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             "<title>MI coding report</title>", f"<style>{STYLE}</style></head><body>",
             "<h1>MI coding report</h1>",
             f"<p class='note'>{len(summary)} transcript(s), {len(coded)} utterances, {review_total} marked "
             f"for review (confidence below {LOW_CONFIDENCE}). Codes come from an automatic coder (mi_coder); "
             f"thresholds are MITI 4.2.1's fair and good levels (% open questions: MISC 2.5 / MITI 3). "
             f"Intervals show how far the score could move given the coder's known error rates.</p>",
             "<h2 id='index'>Transcripts</h2><table><tr><th>transcript</th><th>utterances</th>"
             + "".join(f"<th>{n}</th>" for n in SCORES) + "</tr>"]
    for n, row in summary.iterrows():
        parts.append(f"<tr><td><a href='#t{n}'>{_fmt(row[key])}</a></td><td class='num'>{row['n_utterances']}</td>"
                     + "".join(f"<td>{_fmt(row[s])} {_band(row, s)}</td>" for s in SCORES) + "</tr>")
    parts.append("</table>")
    for n, row in summary.iterrows():
        mask = keys == row[key]
        rows = coded[mask]
        counts = {c: int(row[c]) for c in COUNSELLOR_CODES + CLIENT_CODES}
        parts += [f"<h2 id='t{n}'>Transcript {_fmt(row[key])}</h2>",
                  "<h3>Summary scores</h3>", _scores_table(row),
                  "<h3>Code counts</h3>", svg_bars(counts),
                  "<h3>Timeline</h3>", svg_timeline(list(codes[mask]), COUNSELLOR_CODES),
                  "<h3>Utterances</h3><table><tr><th>#</th><th>speaker</th><th>code</th>"
                  "<th>confidence</th><th>utterance</th></tr>"]
        for i, (code, conf, (_, utt)) in enumerate(zip(codes[mask], confidence[mask], rows.iterrows()), 1):
            review = " class='review' title='low confidence: check this code'" if conf < LOW_CONFIDENCE else ""
            parts.append(f"<tr{review}><td>{i}</td><td>{_fmt(utt[speaker]) if speaker else ''}</td>"
                         f"<td class='code'>{_fmt(code)}</td><td class='num'>{_fmt(conf)}</td>"
                         f"<td>{_fmt(utt[text]) if text else ''}</td></tr>")
        parts.append("</table><p><a href='#index'>↑ transcripts</a></p>")
    parts.append("</body></html>")
    # Inline SVG in HTML needs no namespace: drop it so the file holds no URL at all.
    return "\n".join(parts).replace(" xmlns='http://www.w3.org/2000/svg'", "")
