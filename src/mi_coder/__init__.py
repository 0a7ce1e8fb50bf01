"""mi_coder: Motivational Interviewing behaviour codes and MITI/MISC summary scores, offline.

    import mi_coder
    coder = mi_coder.load()
    coded = coder.code_frame(df)
    summary = mi_coder.summarize(coded)
"""

from .codes import CLIENT_CODES, CODES, COUNSELLOR_CODES
from .coder import Coder
from .errors import InputError, ModelIntegrityError
from .modelio import load_model, save_model
from .summarize import summarize

__version__ = "0.1.0"


def load(path=None, trusted: bool = False) -> Coder:
    """The shipped model (or the one at `path`), after checking its SHA-256 against its manifest.

    Loading runs code stored in the model file (joblib/pickle); `trusted=True` skips the hash
    check and is only for model files you made yourself.
    """
    return load_model(path, trusted=trusted)


__all__ = ["load", "summarize", "Coder", "CODES", "COUNSELLOR_CODES", "CLIENT_CODES",
           "InputError", "ModelIntegrityError", "load_model", "save_model", "__version__"]
