"""The shipped tiers: `accurate` (the default: the linear coder mixed with a fine-tuned encoder) and `fast`
(the linear coder alone, for millions of rows).

`mi_coder.load()`, `mi-coder code [--tier ...]` and every worker that loads a model by name come here. The
accurate tier is the shipped linear model (hash pinned in `pins`) with an ONNX encoder folder
(`models/accurate/`, its ONNX file's hash pinned in `pins` too) whose per-side probabilities are mixed
log-linearly with the linear tier's final ones (after its session stage). Its manifest
(`models/accurate.json`) holds what summaries need: the mix weight, the held-out scores and confusions of
the mixed codes, and the quality model.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

TIERS = ("fast", "accurate")
DEFAULT_TIER = "accurate"  # better than fast on every corpus over 5 grouped folds (see the model card)
ACCURATE_DIR = "accurate"


def is_tier(name) -> bool:
    """True for a tier's name ('fast', 'accurate') rather than a model file's path."""
    return isinstance(name, str) and name in TIERS


def accurate_dir() -> Path:
    """The accurate tier's folder: inside the installed package, else the source checkout's models/."""
    from ._modelio import packaged_model_path, checkout_model_path

    packaged = packaged_model_path()
    base = packaged.parent if packaged is not None else checkout_model_path().parent
    return base / ACCURATE_DIR


def tier_id(fast_sha256: str, encoder_sha256: str) -> str:
    """The accurate tier's identity (its `mi_model` prefix): the hash of both pinned hashes."""
    return hashlib.sha256(f"{fast_sha256}:{encoder_sha256}".encode()).hexdigest()


def default_tier() -> str | None:
    """The tier that `load_coder(None)` loads: DEFAULT_TIER, or None when $MI_CODER_MODEL names a model file."""
    import os

    return None if os.environ.get("MI_CODER_MODEL") else DEFAULT_TIER


def load_coder(model=None, trusted=False, sha256: str | None = None):
    """A tier by name ('fast', 'accurate') or a model file by path (see `modelio.load_model`): what every
    loader (the API, CLI workers, Dask, spaCy) calls. None is `default_tier()`, else $MI_CODER_MODEL's file."""
    from ._modelio import load_model

    if model is None:
        model = default_tier()
    return load_tier(model) if is_tier(model) else load_model(model, trusted=trusted, sha256=sha256)


def check_loadable(model=None, trusted=False) -> None:
    """Refuse, before workers start, a model that `load_coder` would refuse, without unpickling anything:
    a file's pinned hash, or a tier's shipped files (the encoder's own hash is checked where it loads)."""
    from ._modelio import pinned_bytes

    if model is None:
        model = default_tier()
    if not is_tier(model):
        pinned_bytes(model, trusted)
        return
    pinned_bytes(None)
    if model == "accurate":
        _accurate_folder()


def _accurate_folder() -> Path:
    """The accurate tier's folder, or the InputError that says this installation has none."""
    from ..errors import InputError
    from ._pins import ACCURATE_ENCODER_SHA256

    folder = accurate_dir()
    if not ACCURATE_ENCODER_SHA256 or not (folder / "encoder.json").is_file():
        raise InputError(f"{folder}: this installation has no accurate tier; use --tier fast "
                         f"(or train one: mi-coder train --tier accurate)")
    return folder


def load_tier(name: str):
    """The shipped coder of tier `name`; the accurate tier refuses files whose hashes are not the pinned ones."""
    from ..errors import InputError
    from ._modelio import load_model, read_manifest
    from ._pins import ACCURATE_ENCODER_SHA256

    if name not in TIERS:
        raise InputError(f"unknown tier {name!r}; choose one of {', '.join(TIERS)}")
    coder = load_model(None)
    if name == "fast":
        return coder
    folder = _accurate_folder()
    manifest = read_manifest(folder.with_suffix(".json"))
    if manifest.get("fast_sha256", coder.model_sha256_) != coder.model_sha256_:
        raise InputError(f"{folder}: the accurate tier was built on fast model {manifest['fast_sha256'][:16]}, not on "
                         f"{coder.model_sha256_[:16]} ($MI_CODER_MODEL?); use --tier fast with that model")
    try:
        from ._encoder import EncoderCoder

        encoder = EncoderCoder(folder, sha256=ACCURATE_ENCODER_SHA256)
    except ImportError:  # onnxruntime and tokenizers are imported when the encoder loads
        raise InputError("the accurate tier needs onnxruntime and tokenizers, which install with mi_coder: "
                         "pip install onnxruntime tokenizers (or code with --tier fast)") from None
    weight = manifest["mix_weight"]  # one number, or one per side
    coder.set_params(encoder=encoder, encoder_weight={side: float(w) for side, w in weight.items()}
                     if isinstance(weight, dict) else float(weight))
    coder.model_sha256_ = tier_id(coder.model_sha256_, encoder.model_sha256_)
    coder.info = manifest["info"]
    return coder


def default_manifest_path() -> Path:
    """The manifest of what `load_coder(None)` loads: the default tier's, else $MI_CODER_MODEL's file's."""
    from ._modelio import default_model_path, manifest_path

    tier = default_tier()
    return tier_manifest_path(tier) if tier else manifest_path(default_model_path())


def tier_manifest_path(name: str) -> Path:
    """Where tier `name`'s manifest is: the shipped model's beside it (fast), models/accurate.json (accurate)."""
    from ._modelio import default_model_path, manifest_path

    return accurate_dir().with_suffix(".json") if name == "accurate" else manifest_path(default_model_path())
