"""Save and load a Coder: a joblib file plus a JSON manifest holding its SHA-256.

Loading a joblib (pickle) file runs code from that file, so `load_model` unpickles only a
file whose SHA-256 matches the manifest beside it, unless the caller says `trusted=True`.
A manifest protects against a corrupted or swapped file, not against someone who can
rewrite both: only load models whose manifest hash you got from a source you trust.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import joblib

from .errors import InputError, ModelIntegrityError
from .tables import atomic_write, write_text

MODEL_FORMAT = 1
DEFAULT_NAME = "default.joblib"


def sha256_of(path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(model_path) -> Path:
    """The manifest sits beside the model: default.joblib -> default.json."""
    return Path(model_path).with_suffix(".json")


def save_model(coder, path) -> dict:
    """Write the model and its manifest (SHA-256, format, provenance); return the manifest."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: joblib.dump(coder, tmp, compress=3))
    manifest = {
        "file": path.name,
        "sha256": sha256_of(path),
        "format": MODEL_FORMAT,
        "info": coder.info,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n"
    write_text(text, manifest_path(path))
    return manifest


def packaged_model_path() -> Path | None:
    """The shipped model inside the installed package (a wheel carries it in mi_coder/models/)."""
    from importlib.resources import files

    candidate = files("mi_coder") / "models" / DEFAULT_NAME
    return Path(str(candidate)) if candidate.is_file() else None


def checkout_model_path() -> Path:
    """models/default.joblib of a source checkout (an editable install reads the model from there)."""
    return Path(__file__).resolve().parent.parent.parent / "models" / DEFAULT_NAME


def default_model_path() -> Path:
    """$MI_CODER_MODEL, else the model inside the installed package, else the source checkout's."""
    env = os.environ.get("MI_CODER_MODEL")
    if env:
        return Path(env)
    return packaged_model_path() or checkout_model_path()


def load_model(path=None, trusted: bool = False):
    """Load a Coder after checking the file's SHA-256 against its manifest.

    `trusted=True` skips the check (and the need for a manifest): do that only for a file you
    made yourself, since unpickling runs whatever code the file holds.
    """
    from .coder import Coder

    path = check_model(path, trusted)
    coder = joblib.load(path)
    if not isinstance(coder, Coder):
        raise ModelIntegrityError(f"{path}: not a mi_coder model")
    return coder


def check_model(path=None, trusted: bool = False) -> Path:
    """The model's path once it exists and (unless `trusted`) its SHA-256 matches its manifest."""
    given = path is not None or bool(os.environ.get("MI_CODER_MODEL"))
    path = Path(path) if path is not None else default_model_path()
    if not path.is_file():
        raise InputError(f"{path.resolve()}: model file not found" + (
            "; check the path given with --model, path= or $MI_CODER_MODEL" if given else
            "; the shipped model is missing from this installation: reinstall mi_coder "
            "(pip install --force-reinstall mi_coder), or from a source checkout run "
            "`mi-coder train -o models/default.joblib`"))
    if not os.access(path, os.R_OK):
        raise InputError(f"{path.resolve()}: model file is not readable (permissions); fix them or pass --model")
    if not trusted:
        mpath = manifest_path(path)
        if not mpath.is_file():
            raise ModelIntegrityError(f"{path}: no manifest {mpath.name} beside the model, so its SHA-256 "
                                      f"cannot be checked; refusing to unpickle it (trusted=True overrides)")
        try:
            expected = json.loads(mpath.read_text(encoding="utf-8"))["sha256"]
        except (ValueError, KeyError) as exc:
            raise ModelIntegrityError(f"{mpath}: unreadable model manifest ({exc.__class__.__name__}); "
                                      f"refusing to load {path.name}") from None
        actual = sha256_of(path)
        if actual != expected:
            raise ModelIntegrityError(f"{path}: SHA-256 {actual[:12]}… does not match the manifest's "
                                      f"{str(expected)[:12]}…; the file was changed or corrupted, "
                                      f"refusing to unpickle it")
    return path


def manifest_confusion(model_path=None, required: bool = False) -> dict | None:
    """The held-out confusion counts stored in a model's manifest (plain JSON, nothing unpickled).

    With `required`, a missing or unreadable manifest, or one without confusions, is an InputError
    (summaries would otherwise silently lose their intervals).
    """
    path = manifest_path(Path(model_path) if model_path is not None else default_model_path())
    try:
        confusion = json.loads(path.read_text(encoding="utf-8"))["info"].get("confusion")
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        if required:
            raise InputError(f"{path.resolve()}: cannot read the model manifest for the intervals "
                             f"({exc.__class__.__name__}); pass --model with the model that coded the "
                             f"file, or --no-intervals") from None
        return None
    if confusion is None and required:
        raise InputError(f"{path.resolve()}: the model was trained without held-out folds, so it has no "
                         f"confusions for intervals; retrain with --folds 5 or pass --no-intervals")
    return confusion
