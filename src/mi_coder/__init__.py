"""mi_coder: Motivational Interviewing behaviour codes and MITI/MISC summary scores, offline.

    import mi_coder
    coder = mi_coder.load()
    coded = coder.code_frame(df)
    summary = mi_coder.summarize(coded)

The package follows the data's path: `io` (tables and their layout), `coding` (the coder, its
tiers and model files), `summary` (scores, intervals, quality, adherence), `report` (HTML and
terminal), `training` (corpora, both tiers, evaluation) and `integrations` (spaCy, Dask); `codes`,
`errors` and `version` are the leaves every group reads.
"""

import sys

from ._exports import install_aliases, lazy

install_aliases()  # mi_coder.corpora, mi_coder.coder, … of 0.1 (and the classes that saved models name)

from .codes import CLIENT_CODES, CODES, COUNSELLOR_CODES  # noqa: E402
from .errors import InputError, ModelIntegrityError  # noqa: E402
from .summary import _summarize  # noqa: E402  (light: pandas)
from .version import __version__  # noqa: E402

summarize = _summarize.summarize
# `mi_coder.summarize` is the function; the 0.1 module of that name is registered here, so that
# importing it never rebinds the package's attribute to the module.
sys.modules.setdefault(f"{__name__}.summarize", _summarize)

# Imported on first use (PEP 562), so that `mi-coder code --jobs N` does not load scikit-learn
# and spaCy in the process that only reads and writes files.
__getattr__, __dir__ = lazy(__name__, {"MICoder": ".coding._estimator", "Coder": ".coding._estimator",
                                       "load_model": ".coding._modelio", "save_model": ".coding._modelio",
                                       "Layout": ".io._columns"})


def load(path=None, trusted: bool = False, sha256: str | None = None):
    """The shipped `MICoder` (or the one at `path`), once its SHA-256 is pinned; format and versions checked.

    Loading runs code stored in the model file (joblib/pickle). The shipped model's hash is pinned in
    the package; another model loads only with `sha256=` (the hash its maker published), with its
    hash in your allow-list file (`mi-coder train` adds the models you train), or `trusted=True`
    for a file you made yourself.
    """
    from .coding._tiers import load_coder

    return load_coder(path, trusted=trusted, sha256=sha256)


__all__ = ["load", "summarize", "MICoder", "Coder", "Layout", "CODES", "COUNSELLOR_CODES", "CLIENT_CODES",
           "InputError", "ModelIntegrityError", "load_model", "save_model", "__version__"]
