"""Training and measuring both tiers: the corpora, the fast tier, fine-tuning the encoder, building the
accurate tier, and grouped cross-validation. Fine-tuning needs the `train` extra (torch)."""

from .._exports import lazy

_NAMES = {
    "read_corpora": "._corpora",
    "read_coded_csv": "._corpora",
    "default_data_dir": "._corpora",
    "CORPORA": "._corpora",
    "corpus_weights": "._corpora",
    "train": "._fast",
    "fit_session_quality": "._fast",
    "cross_validate": "._evaluate",
    "score": "._evaluate",
    "headline": "._evaluate",
    "format_report": "._evaluate",
    "fold_assignment": "._evaluate",
    "build_accurate": "._accurate",
    "train_encoder": "._fine_tune",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)
__all__ = sorted(_NAMES)
