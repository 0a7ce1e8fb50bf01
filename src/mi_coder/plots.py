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
