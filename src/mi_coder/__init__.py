"""mi_coder: Motivational Interviewing behaviour codes and MITI/MISC summary scores, offline.

    import mi_coder
    coder = mi_coder.load()
    coded = coder.code_frame(df)
    summary = mi_coder.summarize(coded)
"""

from importlib import import_module

from .codes import CLIENT_CODES, CODES, COUNSELLOR_CODES
from .errors import InputError, ModelIntegrityError
from .version import __version__
from .summarize import summarize  # light (pandas); also keeps the name from meaning the submodule


# Imported on first use (PEP 562), so that `mi-coder code --jobs N` does not load scikit-learn
# and spaCy in the process that only reads and writes files.
_LAZY = {"MICoder": ".coder", "Coder": ".coder", "load_model": ".modelio", "save_model": ".modelio",
         "Layout": ".columns"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load(path=None, trusted: bool = False, sha256: str | None = None):
    """The shipped `MICoder` (or the one at `path`), once its SHA-256 is pinned; format and versions checked.

    Loading runs code stored in the model file (joblib/pickle). The shipped model's hash is pinned in
    the package; another model loads only with `sha256=` (the hash its maker published), with its
    hash in your allow-list file (`mi-coder train` adds the models you train), or `trusted=True`
    for a file you made yourself.
    """
    from .tiers import load_coder

    return load_coder(path, trusted=trusted, sha256=sha256)


__all__ = ["load", "summarize", "MICoder", "Coder", "Layout", "CODES", "COUNSELLOR_CODES", "CLIENT_CODES",
           "InputError", "ModelIntegrityError", "load_model", "save_model", "__version__"]
