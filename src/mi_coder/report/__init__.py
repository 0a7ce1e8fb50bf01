"""What people read: the HTML report, its SVG plots, and the summary printed in a terminal."""

from .._exports import lazy

_NAMES = {
    "render_html": "._html",
    "render_pages": "._html",
    "format_summary": "._display",
    "agreement_svg": "._plots",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)
__all__ = sorted(_NAMES)
