"""Inline SVG plots with no plotting library: reports and validation files stay self-contained."""

from __future__ import annotations

import html

import numpy as np


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


PALETTE = {
    "open_question": "#1f6feb", "closed_question": "#79c0ff", "simple_reflection": "#2da44e",
    "complex_reflection": "#116329", "affirmation": "#bf3989", "advice": "#cf222e",
    "information": "#d4a72c", "other": "#8c959f", "change_talk": "#2da44e", "sustain_talk": "#cf222e",
    "neutral": "#d0d7de",
}


def svg_bars(counts: dict, width: int = 420, bar: int = 16) -> str:
    """Horizontal bars of code counts, labelled."""
    top = max([v for v in counts.values()] + [1])
    height = bar * len(counts) + 8
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             f"font-family='sans-serif' font-size='11' role='img' aria-label='code counts'>"]
    for i, (code, n) in enumerate(counts.items()):
        y = 4 + i * bar
        w = (width - 180) * n / top
        parts += [f"<text x='0' y='{y + bar - 5}'>{html.escape(code)}</text>",
                  f"<rect x='140' y='{y + 2}' width='{w:.1f}' height='{bar - 4}' fill='{PALETTE.get(code, '#888')}'/>",
                  f"<text x='{144 + w:.1f}' y='{y + bar - 5}'>{int(n)}</text>"]
    parts.append("</svg>")
    return "\n".join(parts)


def svg_timeline(codes: list[str], counsellor_codes, width: int = 760) -> str:
    """The session left to right: one lane per counsellor code, client change (up) / sustain (down) talk."""
    lanes = list(counsellor_codes)
    lane_h, left = 14, 130
    n = max(len(codes), 1)
    talk_top = 8 + lane_h * len(lanes) + 10
    height = talk_top + 50
    step = (width - left - 10) / n
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             f"font-family='sans-serif' font-size='10' role='img' aria-label='session timeline'>"]
    for j, lane in enumerate(lanes):
        y = 8 + j * lane_h
        parts += [f"<text x='0' y='{y + 10}'>{html.escape(lane)}</text>",
                  f"<line x1='{left}' y1='{y + 7}' x2='{width - 10}' y2='{y + 7}' stroke='#eee'/>"]
    mid = talk_top + 20
    parts += [f"<text x='0' y='{talk_top + 8}'>change talk ▲</text>",
              f"<text x='0' y='{talk_top + 40}'>sustain talk ▼</text>",
              f"<line x1='{left}' y1='{mid}' x2='{width - 10}' y2='{mid}' stroke='#ccc'/>"]
    talk = {"change_talk": mid - 18, "sustain_talk": mid}  # bars above and below the middle line
    for i, code in enumerate(codes):
        x = left + i * step
        if code in lanes:
            y, h, label = 8 + lanes.index(code) * lane_h + 2, 10, code
        elif code in talk:
            y, h, label = talk[code], 18, code.replace("_", " ")
        else:
            continue
        parts.append(f"<rect x='{x:.1f}' y='{y}' width='{max(step - 1, 1):.1f}' height='{h}' "
                     f"fill='{PALETTE[code]}'><title>{i + 1}: {label}</title></rect>")
    parts.append("</svg>")
    return "\n".join(parts)


def svg_score(value, low, high, fair, good, top: float, width: int = 260) -> str:
    """One score on a scale with the MITI fair and good thresholds and its interval, if any."""
    def sx(v):
        return 6 + (width - 12) * min(max(v, 0), top) / top
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='26' role='img' aria-label='score'>",
             f"<rect x='6' y='10' width='{width - 12}' height='6' fill='#f6f8fa' stroke='#d0d7de'/>"]
    if fair is not None:
        parts += [f"<rect x='{sx(fair):.1f}' y='10' width='{sx(good) - sx(fair):.1f}' height='6' fill='#fff8c5'/>",
                  f"<rect x='{sx(good):.1f}' y='10' width='{sx(top) - sx(good):.1f}' height='6' fill='#dafbe1'/>"]
    if low is not None and high is not None and not (np.isnan(low) or np.isnan(high)):
        parts.append(f"<line x1='{sx(low):.1f}' y1='13' x2='{sx(high):.1f}' y2='13' stroke='#57606a' stroke-width='2'/>")
    if value is not None and not np.isnan(value):
        parts.append(f"<circle cx='{sx(value):.1f}' cy='13' r='5' fill='#0969da'/>")
    parts.append("</svg>")
    return "\n".join(parts)
