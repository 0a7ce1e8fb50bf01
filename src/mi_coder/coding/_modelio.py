"""Save and load an MICoder: a joblib file plus a JSON manifest that describes it (hash, format, versions, recipe).

Loading a joblib (pickle) file runs code from that file, so `load_model` unpickles only a
file whose SHA-256 matches the manifest beside it, unless the caller says `trusted=True`.
A manifest protects against a corrupted or swapped file, not against someone who can
rewrite both: only load models whose manifest hash you got from a source you trust.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import warnings
from pathlib import Path

import joblib

from ..errors import InputError, ModelIntegrityError
from ._pins import SHIPPED_SHA256
from ..io._tables import atomic_write, write_text

MODEL_FORMAT = 2  # 2: an MICoder estimator (0.2); 1 was a Coder of two Pipelines
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


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model file depends on (recorded in its manifest, checked on load)."""
    import numpy
    import pandas
    import sklearn
    import spacy

    from ..version import __version__

    return {"mi_coder": __version__, "python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "spacy": spacy.__version__, "pandas": pandas.__version__, "numpy": numpy.__version__,
            "joblib": joblib.__version__}


def save_model(coder, path) -> dict:
    """Write the model and its manifest (SHA-256, format, versions, parameters, provenance); return the manifest."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: joblib.dump(coder, tmp, compress=3))
    info = dict(getattr(coder, "info", {}) or {})
    info["versions"] = library_versions()
    manifest = {
        "file": path.name,
        "sha256": sha256_of(path),
        "format": MODEL_FORMAT,
        "estimator": type(coder).__name__,
        "params": _plain(coder.get_params(deep=True)),
        "featurizer": {"class": type(coder.featurizer_).__name__, "params": _plain(coder.featurizer_.get_params())},
        "info": info,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n"
    write_text(text, manifest_path(path))
    coder.model_sha256_ = manifest["sha256"]
    return manifest


def _plain(params: dict) -> dict:
    """Hyper-parameters as JSON: nested estimators by their class name (their own params are listed too)."""
    return {k: (type(v).__name__ if hasattr(v, "get_params") else v) for k, v in params.items()}


def packaged_model_path() -> Path | None:
    """The shipped model inside the installed package (a wheel carries it in mi_coder/models/)."""
    from importlib.resources import files

    candidate = files("mi_coder") / "models" / DEFAULT_NAME
    return Path(str(candidate)) if candidate.is_file() else None


def checkout_model_path() -> Path:
    """models/default.joblib of a source checkout (an editable install reads the model from there)."""
    return Path(__file__).resolve().parents[3] / "models" / DEFAULT_NAME


def default_model_path() -> Path:
    """$MI_CODER_MODEL, else the model inside the installed package, else the source checkout's."""
    env = os.environ.get("MI_CODER_MODEL")
    if env:
        return Path(env)
    return packaged_model_path() or checkout_model_path()


def load_model(path=None, trusted=False, sha256: str | None = None):
    """Load an MICoder once its SHA-256 is pinned, then check its manifest's format and library versions.

    Unpickling runs whatever code a file holds, so the hash must be pinned where an attacker who
    can replace the model (and its manifest) cannot reach: by the package for the shipped model
    (`pins.SHIPPED_SHA256`), or by the user for any other, as `sha256=`, in the allow-list file
    (`trusted_hashes`), or with `trusted=True` for a file you made yourself. `trusted` may also
    be a hex SHA-256 (how the CLI's --model-sha256 travels to worker processes). The bytes that
    are hashed are the bytes unpickled: no second read that a swap could slip into.
    """
    from ._estimator import MICoder

    path, data, digest = pinned_bytes(path, trusted, sha256)
    manifest = read_manifest(path, required=False)
    if manifest.get("sha256") not in (None, digest):
        raise ModelIntegrityError(f"{path}: its manifest describes another file (SHA-256 "
                                  f"{str(manifest.get('sha256'))[:12]}…); refusing to load a mismatched pair")
    check_compatible(path, manifest)
    coder = joblib.load(io.BytesIO(data))
    if not isinstance(coder, MICoder):
        raise ModelIntegrityError(f"{path}: not a mi_coder model (a {type(coder).__name__})")
    coder.model_sha256_ = digest
    return coder


def pinned_bytes(path=None, trusted=False, sha256: str | None = None) -> tuple[Path, bytes, str]:
    """(path, bytes, SHA-256) of a model file whose hash is pinned (see `load_model`); nothing unpickled."""
    if isinstance(trusted, str):
        trusted, sha256 = False, trusted
    shipped = path is None and not os.environ.get("MI_CODER_MODEL")
    path = check_model(path)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if trusted:
        return path, data, digest
    if shipped:
        if digest != SHIPPED_SHA256:
            raise ModelIntegrityError(f"{path}: SHA-256 {digest[:12]}… is not the one this mi_coder version "
                                      f"shipped ({SHIPPED_SHA256[:12]}…); the file was changed or corrupted, "
                                      f"refusing to unpickle it. Reinstall mi_coder")
    else:
        check_pin(path, digest, sha256, "unpickle it", "and unpickling runs code from the file")
    return path, data, digest


def check_pin(path, digest: str, sha256: str | None, refusing: str = "load it", why: str = "") -> None:
    """Refuse a file whose SHA-256 is neither the one pinned by the caller (`sha256`) nor in the allow-list."""
    if sha256 is not None:
        if digest != sha256.strip().lower():
            raise ModelIntegrityError(f"{path}: SHA-256 {digest} does not match the pinned "
                                      f"{sha256.strip()[:12]}…; refusing to {refusing}")
    elif digest not in trusted_hashes():
        raise ModelIntegrityError(
            f"{path}: its SHA-256 ({digest}) is not pinned{', ' + why if why else ''}; if that is the hash its "
            f"maker published, pass --model-sha256 {digest} (Python: sha256=...) or add it to "
            f"{trusted_hashes_file()}; --trusted-model only for a file you made yourself")


def trusted_hashes_file() -> Path:
    """The user's allow-list of model hashes: $MI_CODER_TRUSTED_MODELS, else ~/.config/mi_coder/trusted-models.txt."""
    env = os.environ.get("MI_CODER_TRUSTED_MODELS")
    if env:
        return Path(env)
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config) / "mi_coder" / "trusted-models.txt"


def trusted_hashes() -> set[str]:
    """The SHA-256 hashes the user pinned in the allow-list file (one per line, # comments)."""
    try:
        lines = trusted_hashes_file().read_text(encoding="utf-8").splitlines()
    except OSError:
        return set()
    return {line.split("#")[0].strip().lower() for line in lines if line.split("#")[0].strip()}


def trust_model(sha256: str, note: str = "") -> Path:
    """Add a hash to the user's allow-list (models you trained yourself); returns the file."""
    path = trusted_hashes_file()
    if sha256 not in trusted_hashes():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"{sha256}  # {note}\n" if note else f"{sha256}\n")
    return path


def read_manifest(path, required: bool = True) -> dict:
    """The JSON manifest beside a model file ({} when absent and not `required`)."""
    mpath = manifest_path(path)
    if not mpath.is_file():
        if required:
            raise ModelIntegrityError(f"{path}: no manifest {mpath.name} beside the model, so its SHA-256 "
                                      f"cannot be checked; refusing to unpickle it (trusted=True overrides)")
        return {}
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
        return manifest
    except (OSError, ValueError) as exc:
        raise ModelIntegrityError(f"{mpath}: unreadable model manifest ({exc.__class__.__name__}); "
                                  f"refusing to load {Path(path).name}") from None


def check_compatible(path, manifest: dict) -> None:
    """Refuse a model file of another format; warn when it was saved with other library versions."""
    if not manifest:
        return
    found = manifest.get("format")
    if found != MODEL_FORMAT:
        raise ModelIntegrityError(f"{path}: model format {found}, but this mi_coder reads format {MODEL_FORMAT}; "
                                  f"retrain it with `mi-coder train` or use the mi_coder version that wrote it "
                                  f"({manifest.get('info', {}).get('versions', {}).get('mi_coder', 'unknown')})")
    saved = manifest.get("info", {}).get("versions", {})
    here = library_versions()
    differ = [f"{lib} {saved[lib]} (installed {here[lib]})" for lib in ("scikit-learn", "numpy")
              if lib in saved and saved[lib].split(".")[:2] != here[lib].split(".")[:2]]
    if differ:
        warnings.warn(f"{path}: saved with {', '.join(differ)}; its codes may differ slightly. Retrain with "
                      f"`mi-coder train` or install those versions", stacklevel=3)


def check_model(path=None) -> Path:
    """The model file's path once it exists and is readable (its hash is `pinned_bytes`' business)."""
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
    return path


def manifest_confusion(manifest: dict, path) -> dict:
    """The held-out confusion counts in a model's manifest (plain JSON, nothing unpickled).

    A missing manifest, or one without confusions, is an InputError naming the manifest file:
    summaries would otherwise silently lose their intervals.
    """
    mpath = manifest_path(path).resolve()
    info = manifest.get("info")
    if not isinstance(info, dict):
        raise InputError(f"{mpath}: cannot read the model manifest for the intervals "
                         f"({'FileNotFoundError' if not manifest else 'KeyError'}); pass --model with the model "
                         f"that coded the file, or --no-intervals")
    if info.get("confusion") is None:
        raise InputError(f"{mpath}: the model was trained without held-out folds, so it has no "
                         f"confusions for intervals; retrain with --folds 5 or pass --no-intervals")
    return info["confusion"]
