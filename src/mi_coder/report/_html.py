"""A self-contained HTML report a supervisor gives feedback from.

One file, no network: styles, a few lines of script (sorting, the review-only view) and the plots
(SVG) are inline. It says what produced the numbers (source file, date, model, its known
accuracy), then an index of transcripts (sortable by any score, with an overall row), each
counsellor's scores over their sessions when the file says who and when, and per transcript:
the scores against the MITI thresholds with intervals and plain-language bands, code counts, a
timeline linked to the utterances, and the utterances with their file rows, low-confidence codes
marked for review.
"""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import date
from urllib.parse import quote

import numpy as np
import pandas as pd

from ..codes import CLIENT_CODES, COUNSELLOR_CODES
from ..io._columns import Layout, file_row, find_one
from ._display import FEW, LABELS, band_words, evidence, moved_words, number, prior_words
from ._plots import svg_bars, svg_score, svg_timeline, svg_trend
from ..summary._scores import SCORES
from ..summary._summarize import model_info, summarize

# For a model stored without `info["review"]` (before `evaluate.review_thresholds` existed): measured by
# `benchmarks/review_threshold.py` (commit 7a49cf5; docs/experiments.md) on out-of-fold codes of the first
# stage over AnnoMI + ESConv (5 transcript-grouped folds); a retrained model stores its own.
REVIEW_FALLBACK = {
    "counsellor": {"threshold": 0.309, "accuracy": 1 / 3, "utterances": 14496, "share_below": 0.077,
                   "accuracy_below": 0.296, "accuracy_above": 0.574},
    "client": {"threshold": 0.377, "accuracy": 1 / 3, "utterances": 4266, "share_below": 0.030,
               "accuracy_below": 0.318, "accuracy_above": 0.604},
}
COUNSELLOR_NAMES = ("counsellor_id", "counselor_id", "counsellor", "counselor", "coach", "coach_id",
                    "worker", "worker_id", "supporter_id", "therapist_id", "clinician", "trainee")
DATE_NAMES = ("session_date", "date", "session_number", "session_no", "visit", "week")

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:15px;margin:2em auto;max-width:70em;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.3em;margin-top:2.5em;border-bottom:1px solid #ccc;padding-bottom:.2em}
h3{font-size:1.05em;margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.3em .6em;border-bottom:1px solid #e5e5e5;text-align:left;vertical-align:top}
th.sort{cursor:pointer;text-decoration:underline dotted}th.sort:after{content:" ⇅";color:#999}
.good{color:#117733;font-weight:600}.fair{color:#8a6d00;font-weight:600}.below_fair{color:#a0284a;font-weight:600}
tr.review{background:#fff1c2}.code{font-family:ui-monospace,monospace}.few{color:#a0284a}
.note{color:#555}.num{text-align:right}.prov{background:#f5f5f5;padding:.6em 1em;border-radius:6px}
body.review-only tr.utt:not(.review){display:none}tr.overall td{font-weight:600;border-top:2px solid #999}
"""

SCRIPT = """
function sortBy(th){const t=th.closest('table'),i=[...th.parentNode.children].indexOf(th),
rows=[...t.querySelectorAll('tr.row')],up=th.dataset.up!=='1';th.dataset.up=up?'1':'0';
const key=r=>{const v=r.children[i].dataset.v;const n=parseFloat(v);return isNaN(n)?(v||''):n};
rows.sort((a,b)=>{const x=key(a),y=key(b);if(x===y)return 0;if(x===''||y==='')return x===''?1:-1;
return (x<y?-1:1)*(up?1:-1)});const last=t.querySelector('tr.overall');rows.forEach(r=>t.tBodies[0].insertBefore(r,last))}
"""


def _fmt(value, digits: int = 2) -> str:
    if value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and np.isnan(value)):
        return "–"
    if isinstance(value, (float, np.floating)):
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def _denominator(row, name) -> int:
    return int(sum(row[c] for c in SCORES[name][1]))


def _band(row, name) -> str:
    band = row.get(f"{name}_band", "")
    if not isinstance(band, str) or not band:
        return ""
    return f"<span class='{band}'>{html.escape(band_words(band, row.get(f'{name}_band_probability')))}</span>"


def _scores_table(row) -> str:
    parts = ["<table><tr><th>score</th><th>value</th><th>90% interval</th><th>band (how likely)</th>"
             "<th>on the MITI scale: below fair · fair · good</th></tr>"]
    for name, (_, _, fair, good) in SCORES.items():
        percent = name != "reflection_to_question"
        value, low, high = row[name], row.get(f"{name}_low"), row.get(f"{name}_high")
        top = 1.0 if percent else max([3.0] + [float(v) for v in (value, high) if v is not None and not pd.isna(v)])
        n = _denominator(row, name)
        state, words = evidence(row, name)
        if state == "ok" and low is not None and not pd.isna(low):
            interval = f"{number(low, percent)} – {number(high, percent)} <span class='note'>(n = {n})</span>"
        elif state == "ok":
            interval = f"<span class='note'>(n = {n})</span>"
        else:
            interval = f"<span class='{'few' if state == 'few' else 'note'}'>{html.escape(words)}</span>"
        band = _band(row, name) if state == "ok" else ""
        parts.append(f"<tr><td>{LABELS[name]}</td><td class='num'>{number(value, percent)}</td><td>{interval}</td>"
                     f"<td>{band}</td><td>{svg_score(value, low, high, fair, good, top, percent)}</td></tr>")
    if "mi_quality_probability" in row:
        parts.append(f"<tr><td>{LABELS['mi_quality_probability']}</td>{_quality_cells(row)}</tr>")
    if "pct_mi_adherent" in row:
        parts.append(_counted_row(row, "pct_mi_adherent", f"{int(row['mi_adherent'])} MI-adherent, "
                                  f"{int(row['mi_non_adherent'])} non-adherent utterances "
                                  f"({int(row['advice_without_permission'])} advice without permission, "
                                  f"{int(row.get('confront', 0))} confrontations)"))
    if "pct_change_talk_reflected" in row:
        parts.append(_counted_row(row, "pct_change_talk_reflected", f"{int(row['change_talk_reflected'])} of "
                                  f"{int(row['change_talk'])} change-talk utterances answered with a reflection",
                                  empty_says_why=True))
    parts.append("</table>")
    return "".join(parts)


def _counted_row(row, name: str, counts: str, empty_says_why: bool = False) -> str:
    """A score with no MITI band: its value and the counts behind it (or, empty, why), flagged when too few."""
    state, words = evidence(row, name)
    note = html.escape(words) if state == "empty" and empty_says_why else counts
    few = f" <span class='few'>({html.escape(words)})</span>" if state == "few" else ""
    return (f"<tr><td>{LABELS[name]}</td><td class='num'>{number(row[name], True)}</td>"
            f"<td colspan='3' class='note'>{note}{few}</td></tr>")


def _quality_cells(row) -> str:
    """The session-quality estimate's value, interval and meaning, or why it is withheld."""
    p = row["mi_quality_probability"]
    if pd.isna(p):
        reason = row.get("mi_quality_reason")
        reason = reason if isinstance(reason, str) and reason else "no counsellor utterances"
        return (f"<td class='num'>–</td><td colspan='3' class='note'>{html.escape(reason)}: the estimate was "
                f"checked on held-out sessions and says too little on so few counsellor utterances</td>")
    moved = moved_words(row)
    moved = f"; moved most by {moved}" if moved else ""
    return (f"<td class='num'>{number(p, True)}</td><td>{number(row['mi_quality_probability_low'], True)} – "
            f"{number(row['mi_quality_probability_high'], True)}</td><td colspan='2' class='note'>how likely "
            f"expert coders would call this session good MI, from its MITI scores and behaviour rates, "
            f"{prior_words(row.get('mi_quality_prior', 0.5))} (learnt from AnnoMI's role-played sessions; less sure on "
            f"short chats){moved}</td>")




def _provenance(source: str, coded: pd.DataFrame, manifest: dict) -> str:
    """What produced the numbers: the file, the date, the model and its known accuracy."""
    from ..version import __version__

    info = manifest.get("info", {})
    ev = info.get("evaluation", {})
    trained = ", ".join(f"{corpus} ({n} transcripts)" for corpus, n in info.get("conversations", {}).items())
    accuracy = ""
    if ev:
        held_out = ("one of five grouped folds, held out when its encoder was trained"
                    if "holdout_fold" in info.get("training", {}) else "transcript-grouped cross-validation")
        accuracy = (f"Known accuracy on transcripts it never saw (AnnoMI transcripts held out in {held_out}): "
                    f"counsellor codes macro-F1 "
                    f"{ev.get('annomi_coarse_4', {}).get('macro_f1', float('nan')):.2f} over AnnoMI's 4 coarse "
                    f"classes (question, reflection, therapist input, other; comparable to published work), "
                    f"open vs closed question {ev.get('open_vs_closed_accuracy', float('nan')):.2f} accuracy, "
                    f"client talk macro-F1 {ev.get('client_3', {}).get('macro_f1', float('nan')):.2f} over change, "
                    f"sustain and neutral (<a href='#model'>per code</a>).")
    sha = str(manifest.get("sha256", ""))
    return (f"<p class='prov'>Source <b>{html.escape(str(source))}</b>, {len(coded)} rows; report made "
            f"{date.today().isoformat()} by mi_coder {__version__}.<br>Model <span class='code'>{sha[:16] or 'unknown'}"
            f"</span>{_tier_words(manifest)} (mi_coder {html.escape(str(info.get('versions', {}).get('mi_coder', '?')))}), trained on "
            f"{html.escape(trained or 'unknown data')}. {accuracy}<br>Codes come from an automatic coder: use them for "
            f"feedback and screening, and check what matters.</p>")


def _tier_words(manifest: dict) -> str:
    """Which shipped tier the manifest is, in words ('' for a model the user trained)."""
    from ..coding._pins import SHIPPED_SHA256

    if manifest.get("tier") == "accurate":
        return (", the accurate tier: a fine-tuned transformer (all-MiniLM-L6-v2) mixed with the linear "
                "coder")
    return ", the fast tier: the linear coder" if manifest.get("sha256") == SHIPPED_SHA256 else ""


def _model_section(manifest: dict) -> str:
    ev = manifest.get("info", {}).get("evaluation", {})
    parts = ["<h2 id='model'>About the model</h2><p class='note'>Per-code precision and recall on held-out "
             "transcripts (transcript-grouped cross-validation, as in the model card). Macro-F1 is the plain mean "
             "of the codes' F1, so rare, hard codes weigh as much as common ones.</p>"]
    sections = (("counsellor_codes", "Counsellor codes, all",
                 "over held-out counsellor utterances of the corpora coded in the whole scheme (AnnoMI's spoken "
                 "sessions and Welivita's peer-support forum replies); stricter than the header's 4 coarse AnnoMI "
                 "classes"),
                ("counsellor_8", "Counsellor codes, all 8", "as above, by a model of the first eight codes"),
                ("client_3", "Client codes, 3", "over held-out AnnoMI client utterances"))
    for key, title, what in sections:
        if key not in ev:
            continue
        parts.append(f"<h3>{title}: macro-F1 {ev[key]['macro_f1']:.2f}</h3><p class='note'>{what} "
                     f"({ev[key]['n']} utterances).</p><table><tr><th>code</th><th>precision</th>"
                     "<th>recall</th><th>F1</th></tr>")
        for code, m in ev[key]["per_code"].items():
            parts.append(f"<tr><td>{code.replace('_', ' ')}</td><td class='num'>{m['precision']:.2f}</td>"
                         f"<td class='num'>{m['recall']:.2f}</td><td class='num'>{m['f1']:.2f}</td></tr>")
        parts.append("</table>")
    return "".join(parts)


def _cell(row, name) -> str:
    """An index cell: the value (sortable by `data-v`), its band when it can be read, else why not."""
    value = row.get(name)
    data = "" if value is None or pd.isna(value) else f"{float(value):.6g}"
    percent = name != "reflection_to_question"
    if name == "mi_quality_probability":
        state, words = ("empty", str(row.get("mi_quality_reason") or "")) if pd.isna(value) else ("ok", "")
    else:
        state, words = evidence(row, name)
    if state == "ok":
        mark = _band_short(row, name)
    elif state == "few":
        mark = f"<span class='few'>{html.escape(words.replace('too few to tell', 'too few'))}</span>"
    else:
        mark = f"<span class='note'>{html.escape(words)}</span>"
    return f"<td data-v='{data}' class='num'>{number(value, percent)} {mark}</td>"


def _index(summary: pd.DataFrame, overall: pd.Series, anchors: list[str], extra: dict, href) -> str:
    key = summary.columns[0]
    names = list(SCORES) + (["mi_quality_probability"] if "mi_quality_probability" in summary else [])
    head = "".join(f"<th class='sort' onclick='sortBy(this)'>{html.escape(h)}</th>"
                   for h in ["transcript", *extra, "utterances", *(LABELS[n] for n in names)])
    parts = ["<h2 id='index'>Transcripts</h2><p class='note'>Click a column to sort (empty scores sort last). "
             f"<span class='few'>too few (n = …)</span>: the score rests on fewer than {FEW} utterances, or its "
             f"interval spans the whole scale.</p><table><tbody>", f"<tr>{head}</tr>"]
    for (_, row), anchor in zip(summary.iterrows(), anchors):
        cells = [f"<td data-v='{_fmt(row[key])}'><a href='{href(anchor)}'>{_fmt(row[key])}</a></td>"]
        cells += [f"<td data-v='{_fmt(values[anchor])}'>{_fmt(values[anchor])}</td>" for values in extra.values()]
        cells.append(f"<td data-v='{int(row['n_utterances'])}' class='num'>{int(row['n_utterances'])}</td>")
        cells += [_cell(row, n) for n in names]
        parts.append(f"<tr class='row'>{''.join(cells)}</tr>")
    cells = ["<td>all transcripts</td>"] + ["<td></td>"] * len(extra) + [f"<td class='num'>{int(overall['n_utterances'])}</td>"]
    cells += [_cell(overall, n) if n in overall.index else "<td></td>" for n in names]
    parts.append(f"<tr class='overall'>{''.join(cells)}</tr></tbody></table>")
    return "".join(parts)


def _band_short(row, name) -> str:
    band = row.get(f"{name}_band", "")
    return f"<span class='{band}'>{band.replace('_', ' ')}</span>" if isinstance(band, str) and band else ""


def _people(summary: pd.DataFrame, person: dict, when: dict, anchors: list[str], href) -> str:
    """Each counsellor's scores over their sessions, oldest first, with intervals."""
    table = summary.assign(_person=[person[a] for a in anchors], _when=[when.get(a, "") for a in anchors],
                           _anchor=anchors)
    parts = ["<h2 id='people'>Counsellors over sessions</h2>"]
    for name, rows in table.groupby("_person", sort=True):
        rows = rows.sort_values("_when", key=_sort_key, kind="stable")
        parts.append(f"<h3>{html.escape(str(name))}: {len(rows)} session(s)</h3><table><tr>")
        for score, (_, _, fair, good) in SCORES.items():
            percent = score != "reflection_to_question"
            values = rows[score].to_numpy(dtype=float)
            top = 1.0 if percent else max(3.0, float(np.max(values[~np.isnan(values)], initial=0)))
            points = [(w or "?", r[score], r.get(f"{score}_low"), r.get(f"{score}_high"), evidence(r, score)[0])
                      for w, (_, r) in zip(rows["_when"], rows.iterrows())]
            parts.append(f"<td>{LABELS[score]}<br>{svg_trend(points, top, fair, good, percent)}</td>")
        parts.append("</tr></table><p class='note'>A hollow point rests on too few utterances to judge (fewer "
                     f"than {FEW}, or an interval spanning the whole scale); a missing point is an empty score "
                     "(e.g. no questions asked). Sessions: " + ", ".join(
            f"<a href='{href(a)}'>{html.escape(str(w) or '?')}</a>" for a, w in zip(rows["_anchor"], rows["_when"])) + "</p>")
    return "".join(parts)


def _sort_key(values: pd.Series) -> pd.Series:
    as_number = pd.to_numeric(values, errors="coerce")
    if as_number.notna().all():
        return as_number
    as_date = pd.to_datetime(values, errors="coerce")
    return as_date if as_date.notna().all() else values.astype(str)


ONE_FILE_LIMIT = 50  # transcripts a report holds in one file; above, one page per transcript beside the index


def render_html(coded: pd.DataFrame, transcript_col: str | None = None, source: str = "input",
                confusion="default", text_col=None, speaker_col=None, counsellor_values=None,
                client_values=None, counsellor_col: str | None = None, date_col: str | None = None,
                quality_prior: float = 0.5) -> str:
    """The report as one HTML string; column options as for `summarize`, resolved once.

    `counsellor_col` (who counselled) and `date_col` (a date or session number) add each
    counsellor's scores over their sessions; both are found by name when not given.
    """
    return render_pages(coded, transcript_col, source, confusion, text_col, speaker_col, counsellor_values,
                        client_values, counsellor_col, date_col, quality_prior, folder=None)[0]


def render_pages(coded: pd.DataFrame, transcript_col: str | None = None, source: str = "input",
                 confusion="default", text_col=None, speaker_col=None, counsellor_values=None,
                 client_values=None, counsellor_col: str | None = None, date_col: str | None = None,
                 quality_prior: float = 0.5, folder: str | None = None,
                 index_name: str = "index.html") -> tuple[str, dict[str, str]]:
    """The report as (index page, {file name: page}): with `folder` (a folder name beside the index, which is
    `index_name`) and more than ONE_FILE_LIMIT transcripts, each transcript is a page of its own there, linked
    from the index, so that a report over thousands of sessions opens at once; else one page holds everything
    (`render_html`), and there are no pages."""
    layout = Layout.resolve(coded, text_col, speaker_col, transcript_col, counsellor_values, client_values,
                            source=source, require_text=False)
    info = model_info(confusion, coded, source)  # read once: the summary's intervals and the provenance
    summary = summarize(coded, source=source, confusion=info, layout=layout, quality_prior=quality_prior)
    overall = summarize(coded, source=source, confusion=None, layout=replace(layout, transcript=None)).iloc[0]
    manifest = (info or {}).get("manifest") or {}
    keys = layout.transcripts(coded).to_numpy()
    order = list(pd.unique(keys))  # summary rows are in this order
    anchors = [f"t{i}" for i in range(len(order))]
    if len(order) <= ONE_FILE_LIMIT:
        folder = None
    href = (lambda a: f"#{a}") if folder is None else (lambda a: f"{quote(folder)}/{a}.html")
    up = quote(index_name)
    person_col = find_one(coded, counsellor_col, COUNSELLOR_NAMES, "counsellor", source, unique=False)
    when_col = find_one(coded, date_col, DATE_NAMES, "date", source, unique=False)
    first = {k: i for i, k in reversed(list(enumerate(keys)))}
    person = {a: coded[person_col].iloc[first[k]] for a, k in zip(anchors, order)} if person_col else {}
    when = {a: coded[when_col].iloc[first[k]] for a, k in zip(anchors, order)} if when_col else {}
    extra = {}
    if person_col:
        extra["counsellor"] = person
    if when_col:
        extra["session"] = when
    codes = coded["mi_code"].astype("string").fillna("").to_numpy()
    confidence = pd.to_numeric(coded.get("mi_confidence", pd.Series(np.nan, index=coded.index)),
                               errors="coerce").to_numpy()
    thresholds, review_words = _review_rule(manifest)
    limit = np.where(np.isin(codes, COUNSELLOR_CODES), thresholds["counsellor"], thresholds["client"])
    flagged = (confidence < limit) & (codes != "")
    review_total = int(flagged.sum())
    toggle = ("<label><input type='checkbox' onchange=\"document.body.classList.toggle('review-only',"
              "this.checked)\"> show only the utterances to review</label>")
    parts = [_head("MI coding report"), "<h1>MI coding report</h1>", _provenance(source, coded, manifest),
             f"<p>{len(summary)} transcript(s), {len(coded)} utterances, {review_total} marked for review "
             f"({review_words}). {toggle if folder is None else ''}</p><p class='note'>Thresholds are MITI 4.2.1's "
             f"fair and good levels (% open "
             f"questions: MISC 2.5 / MITI 3). Intervals show how far a score could move given the coder's known "
             f"error rates; a score resting on fewer than {FEW} utterances is marked as too few to judge."
             + (f" Each transcript's scores, timeline and utterances are a page of its own in {html.escape(folder)}/ "
                "(keep the folder beside this file)." if folder is not None else "") + "</p>",
             _index(summary, overall, anchors, extra, href)]
    if person_col:
        parts.append(_people(summary, person, when, anchors, href))
    pages = {}
    for (n, row), anchor, k in zip(summary.iterrows(), anchors, order):
        positions = np.flatnonzero(keys == k)
        section = _transcript_section(coded, layout, row, summary.columns[0], anchor, positions, codes, confidence,
                                      flagged, back="#index" if folder is None else f"../{up}")
        if folder is None:
            parts.append(section)
        else:
            title = f"Transcript {_fmt(row[summary.columns[0]])}"
            pages[f"{anchor}.html"] = "\n".join([_head(f"{title}: MI coding report"),
                                                 f"<p><a href='../{up}'>← all transcripts</a> · {toggle}</p>",
                                                 section, "</body></html>"])
    parts += [_model_section(manifest), "</body></html>"]
    return _no_namespace("\n".join(parts)), {name: _no_namespace(page) for name, page in pages.items()}


def _no_namespace(page: str) -> str:
    """Inline SVG in HTML needs no namespace: drop it so the file holds no URL at all."""
    return page.replace(" xmlns='http://www.w3.org/2000/svg'", "")


def _head(title: str) -> str:
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style><script>{SCRIPT}</script></head><body>")


def _transcript_section(coded, layout, row, key, anchor, positions, codes, confidence, flagged, back) -> str:
    """One transcript: its scores, code counts, timeline and utterance table."""
    rows = [file_row(coded, int(p)) for p in positions]
    counts = {c: int(row[c]) for c in COUNSELLOR_CODES + CLIENT_CODES}
    parts = [f"<h2 id='{anchor}'>Transcript {_fmt(row[key])}</h2>",
             "<h3>Summary scores</h3>", _scores_table(row),
             "<h3>Code counts</h3>", svg_bars(counts),
             "<h3>Timeline <span class='note'>(click a mark to see the utterance)</span></h3>",
             svg_timeline(list(codes[positions]), rows, COUNSELLOR_CODES),
             "<h3>Utterances</h3><table><tr><th>file row</th><th>speaker</th><th>code</th>"
             "<th>confidence</th><th>utterance</th></tr>"]
    for p, r in zip(positions, rows):
        review = " review' title='low confidence: check this code" if flagged[p] else ""
        speaker = coded[layout.speaker].iloc[p] if layout.speaker else ""
        text = coded[layout.text].iloc[p] if layout.text else ""
        parts.append(f"<tr id='r{r}' class='utt{review}'><td class='num'>{r}</td><td>{_fmt(speaker)}</td>"
                     f"<td class='code'>{_fmt(codes[p])}</td><td class='num'>{_fmt(confidence[p])}</td>"
                     f"<td>{_fmt(text)}</td></tr>")
    parts.append(f"</table><p><a href='{back}'>↑ transcripts</a></p>")
    return "\n".join(parts)


def _review_rule(manifest: dict) -> tuple[dict, str]:
    """Per side, the confidence below which a code is marked for review, and the rule in words.

    The threshold is where the model's held-out codes were right less than a third of the time
    (stored at training, `evaluate.review_thresholds`; `REVIEW_FALLBACK` for older models): a
    marked code is probably wrong, and the marks stay few enough to review.
    """
    review = manifest.get("info", {}).get("review") or REVIEW_FALLBACK
    thresholds = {side: review[side]["threshold"] for side in ("counsellor", "client")}
    c, k = review["counsellor"], review["client"]
    words = (f"counsellor codes with confidence below {c['threshold']:.2f}, client codes below {k['threshold']:.2f}. "
             f"On {c['utterances'] + k['utterances']} utterances of transcripts the model never saw, codes below "
             f"these confidences were right only {c['accuracy_below']:.0%} and {k['accuracy_below']:.0%} of the "
             f"time (above them {c['accuracy_above']:.0%} and {k['accuracy_above']:.0%}), so a marked code is "
             f"probably wrong; {c['share_below']:.0%} of counsellor and {k['share_below']:.0%} of client codes were "
             f"that unsure there. Codes above the line are right only somewhat more often than not: check any "
             f"code that matters")
    return thresholds, words
