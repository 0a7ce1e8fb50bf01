"""Per-transcript MI summary scores: counts and ratios with their bands, intervals, the session-quality
estimate, MITI adherence, and agreement with expert coders."""

from .._exports import lazy

_NAMES = {
    "summarize": "._summarize",
    "model_info": "._summarize",
    "SCORES": "._scores",
    "BANDS": "._scores",
    "agreement": "._validate",
    "utterance_agreement": "._validate",
    "quality_columns": "._quality",
    "adherence_flags": "._adherence",
    "summary_uncertainty": "._uncertainty",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)
__all__ = sorted(_NAMES)
