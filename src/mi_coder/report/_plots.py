"""Inline SVG plots with no plotting library: reports and validation files stay self-contained."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd


def svg_scatter(panels: list[dict], size: int = 220, pad: int = 34) -> str:
    """Side-by-side scatter panels of {'title', 'x', 'y', 'x_label', 'y_label'} with a y = x line."""
    width = len(panels) * (size + pad) + pad
    height = size + 2 * pad
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             f"viewBox='0 0 {width} {height}' font-family='sans-serif' font-size='11'>",
             f"<rect width='{width}' height='{height}' fill='white'/>"]
    for n, panel in enumerate(panels):
        x = np.asarray(panel["x"], dtype=float)
        y = np.asarray(panel["y"], dtype=float)
        ok = ~(np.isnan(x) | np.isnan(y))
        x, y = x[ok], y[ok]
        top = max(float(np.max(x, initial=0)), float(np.max(y, initial=0)), 1e-9) * 1.05
        left = pad + n * (size + pad)

        def sx(v):
            return left + v / top * size

        def sy(v):
            return pad + size - v / top * size
        parts += [f"<rect x='{left}' y='{pad}' width='{size}' height='{size}' fill='none' stroke='#999'/>",
                  f"<line x1='{sx(0)}' y1='{sy(0)}' x2='{sx(top)}' y2='{sy(top)}' stroke='#ccc'/>",
                  f"<text x='{left}' y='{pad - 8}' font-weight='bold'>{html.escape(panel['title'])}</text>",
                  f"<text x='{left + size / 2}' y='{pad + size + 16}' text-anchor='middle'>"
                  f"{html.escape(panel.get('x_label', 'x'))} (0–{top:.2g})</text>",
                  f"<text x='{left - 6}' y='{pad + size / 2}' text-anchor='middle' "
                  f"transform='rotate(-90 {left - 6} {pad + size / 2})'>{html.escape(panel.get('y_label', 'y'))}</text>"]
        parts += [f"<circle cx='{sx(a):.1f}' cy='{sy(b):.1f}' r='3' fill='#1f6feb' fill-opacity='0.6'/>"
                  for a, b in zip(x, y)]
    parts.append("</svg>")
    return "\n".join(parts)


# One colour per code, from Paul Tol's colour-blind-safe "muted" scheme (and greys for the
# codes that carry little: other, neutral).
PALETTE = {
    "open_question": "#332288", "closed_question": "#88CCEE", "simple_reflection": "#44AA99",
    "complex_reflection": "#117733", "affirmation": "#999933", "advice": "#CC6677",
    "information": "#DDCC77", "other": "#BBBBBB", "change_talk": "#AA4499", "sustain_talk": "#882255",
    "neutral": "#777777", "confront": "#E8601C",  # confront: Tol's orange, apart from the listening colours
}
FONT = "font-family='system-ui,sans-serif' font-size='12'"


def svg_bars(counts: dict, width: int = 460, bar: int = 20) -> str:
    """Horizontal bars of code counts, labelled, one colour per code."""
    top = max([v for v in counts.values()] + [1])
    height = bar * len(counts) + 8
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' {FONT} "
             f"role='img' aria-label='code counts'>"]
    for i, (code, n) in enumerate(counts.items()):
        y = 4 + i * bar
        w = (width - 200) * n / top
        parts += [f"<text x='0' y='{y + bar - 6}'>{html.escape(code.replace('_', ' '))}</text>",
                  f"<rect x='150' y='{y + 3}' width='{w:.1f}' height='{bar - 6}' fill='{PALETTE.get(code, '#888')}'/>",
                  f"<text x='{156 + w:.1f}' y='{y + bar - 6}'>{int(n)}</text>"]
    parts.append("</svg>")
    return "\n".join(parts)


def svg_timeline(codes: list[str], rows: list[int], counsellor_codes, width: int = 860) -> str:
    """The session left to right: a lane per code; each mark links to its utterance (`#r<file row>`)."""
    lanes = list(counsellor_codes) + ["change_talk", "neutral", "sustain_talk"]
    lane_h, left = 18, 150
    n = max(len(codes), 1)
    height = 10 + lane_h * len(lanes) + 22
    step = (width - left - 10) / n
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' {FONT} "
             f"role='img' aria-label='session timeline'>"]
    for j, lane in enumerate(lanes):
        y = 8 + j * lane_h
        parts += [f"<text x='0' y='{y + 13}'>{html.escape(lane.replace('_', ' '))}</text>",
                  f"<line x1='{left}' y1='{y + 9}' x2='{width - 10}' y2='{y + 9}' stroke='#eee'/>"]
    axis = 8 + lane_h * len(lanes) + 4
    parts += [f"<line x1='{left}' y1='{axis}' x2='{width - 10}' y2='{axis}' stroke='#999'/>",
              f"<text x='{left}' y='{axis + 15}'>1</text>",
              f"<text x='{width - 10}' y='{axis + 15}' text-anchor='end'>{len(codes)} (utterance)</text>"]
    for i, (code, row) in enumerate(zip(codes, rows)):
        if code not in lanes:
            continue
        x = left + i * step
        y = 8 + lanes.index(code) * lane_h + 2
        parts.append(f"<a href='#r{row}'><rect x='{x:.1f}' y='{y}' width='{max(step - 1, 2):.1f}' height='14' "
                     f"fill='{PALETTE[code]}'><title>row {row}: {code.replace('_', ' ')}</title></rect></a>")
    parts.append("</svg>")
    return "\n".join(parts)


def _scale(top: float, width: int, left: int = 14, right: int = 20):
    return lambda v: left + (width - left - right) * min(max(v, 0), top) / top


def svg_score(value, low, high, fair, good, top: float, percent: bool, width: int = 300) -> str:
    """One score on an axis with ticks, the MITI below-fair/fair/good zones shaded, and its interval."""
    sx = _scale(top, width)
    label = (lambda v: f"{100 * v:.0f}%") if percent else (lambda v: f"{v:g}")
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='44' {FONT} role='img' "
             f"aria-label='score on its scale'>"]
    if fair is not None:
        parts += [f"<rect x='{sx(0):.1f}' y='8' width='{sx(fair) - sx(0):.1f}' height='14' fill='#F4C7C3'/>",
                  f"<rect x='{sx(fair):.1f}' y='8' width='{sx(good) - sx(fair):.1f}' height='14' fill='#FCE8B2'/>",
                  f"<rect x='{sx(good):.1f}' y='8' width='{sx(top) - sx(good):.1f}' height='14' fill='#B7E1CD'/>"]
    else:
        parts.append(f"<rect x='{sx(0):.1f}' y='8' width='{sx(top) - sx(0):.1f}' height='14' fill='#EEEEEE'/>")
    ticks = sorted({0.0, top} | ({fair, good} if fair is not None else {top / 2}))
    last = -100.0
    for t in ticks:
        parts.append(f"<line x1='{sx(t):.1f}' y1='22' x2='{sx(t):.1f}' y2='27' stroke='#555'/>")
        if sx(t) - last >= 30:  # labels that would overlap are left to the tick
            parts.append(f"<text x='{sx(t):.1f}' y='39' text-anchor='middle'>{label(t)}</text>")
            last = sx(t)
    if low is not None and high is not None and not (np.isnan(low) or np.isnan(high)):
        parts.append(f"<line x1='{sx(low):.1f}' y1='15' x2='{sx(high):.1f}' y2='15' stroke='#222' stroke-width='2'/>")
    if value is not None and not np.isnan(value):
        parts.append(f"<circle cx='{sx(value):.1f}' cy='15' r='5' fill='#332288' stroke='white'/>")
    parts.append("</svg>")
    return "\n".join(parts)


def svg_trend(points: list[tuple], top: float, fair=None, good=None, percent: bool = False,
              width: int = 240, height: int = 110) -> str:
    """A score over sessions: [(label, value, low, high[, state])], oldest first, with the fair/good lines.

    A point whose state (`display.evidence`) is "few" is drawn hollow and without its interval.
    """
    left, bottom = 40, 22
    sy = lambda v: 8 + (height - bottom - 8) * (1 - min(max(v, 0), top) / top)  # noqa: E731
    n = max(len(points), 1)
    sx = lambda i: left + (width - left - 10) * (i + 0.5) / n  # noqa: E731
    label = (lambda v: f"{100 * v:.0f}%") if percent else (lambda v: f"{v:g}")
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' {FONT} role='img' "
             f"aria-label='score over sessions'>",
             f"<line x1='{left}' y1='{sy(0):.1f}' x2='{width - 10}' y2='{sy(0):.1f}' stroke='#999'/>"]
    for t, colour in ((fair, "#E0A800"), (good, "#2E8B57")):
        if t is not None:
            parts += [f"<line x1='{left}' y1='{sy(t):.1f}' x2='{width - 10}' y2='{sy(t):.1f}' stroke='{colour}' "
                      f"stroke-dasharray='4 3'/>",
                      f"<text x='{left - 4}' y='{sy(t) + 4:.1f}' text-anchor='end'>{label(t)}</text>"]
    parts.append(f"<text x='{left - 4}' y='{sy(0) + 4:.1f}' text-anchor='end'>{label(0)}</text>")
    if all(abs(sy(top) - sy(t)) > 12 for t in (fair, good) if t is not None):
        parts.append(f"<text x='{left - 4}' y='{sy(top) + 4:.1f}' text-anchor='end'>{label(top)}</text>")
    previous = None
    for i, (name, value, low, high, *rest) in enumerate(points):
        x = sx(i)
        few = bool(rest) and rest[0] == "few"
        crowded = (width - left - 10) / n < 72  # dates no longer fit side by side: number the sessions
        shown = str(i + 1) if crowded else html.escape(str(name))[:10]
        parts.append(f"<text x='{x:.1f}' y='{height - 6}' text-anchor='middle'>{shown}</text>")
        if not few and low is not None and high is not None and not (pd.isna(low) or pd.isna(high)):
            parts.append(f"<line x1='{x:.1f}' y1='{sy(low):.1f}' x2='{x:.1f}' y2='{sy(high):.1f}' stroke='#888' "
                         f"stroke-width='2'/>")
        if value is not None and not pd.isna(value):
            if previous is not None:
                parts.append(f"<line x1='{previous[0]:.1f}' y1='{previous[1]:.1f}' x2='{x:.1f}' y2='{sy(value):.1f}' "
                             f"stroke='#332288'/>")
            fill = "fill='white' stroke='#332288' stroke-width='1.5'" if few else "fill='#332288'"
            parts.append(f"<circle cx='{x:.1f}' cy='{sy(value):.1f}' r='4' {fill}/>")
            previous = (x, sy(value))
    parts.append("</svg>")
    return "\n".join(parts)


def agreement_svg(expert: pd.DataFrame, model: pd.DataFrame, key: str) -> str:
    """Model vs expert value of each summary score over transcripts, one panel per score (`mi-coder validate`)."""
    from ..summary._scores import SCORES

    both = expert.merge(model, on=key, suffixes=("_expert", "_model"))
    return svg_scatter([{"title": name, "x": both[f"{name}_expert"], "y": both[f"{name}_model"],
                         "x_label": "experts", "y_label": "model"} for name in SCORES])
