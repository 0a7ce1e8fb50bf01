"""Coding utterances: spaCy preprocessing, features, the classifiers, the session stage, the encoder and
its inputs, the shipped tiers and model files, and coding whole files in chunks or worker processes."""

from .._exports import lazy

_NAMES = {
    "MICoder": "._estimator",
    "Coder": "._estimator",
    "Coded": "._estimator",
    "mix": "._estimator",
    "load_coder": "._tiers",
    "load_tier": "._tiers",
    "TIERS": "._tiers",
    "DEFAULT_TIER": "._tiers",
    "EncoderCoder": "._encoder",
    "PairEncoder": "._encoder_input",
    "load_model": "._modelio",
    "save_model": "._modelio",
    "trust_model": "._modelio",
    "read_manifest": "._modelio",
    "code_file": "._stream",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)
__all__ = sorted(_NAMES)
