"""How the package's groups export their names lazily, and where the modules of 0.1's flat layout live now.

Each group's `__init__` names its public objects and the private module that holds them; they are
imported on first use (PEP 562), so `import mi_coder` stays light (a worker that only reads and
writes files never loads scikit-learn or spaCy). `mi_coder.corpora`, `mi_coder.coder` and the other
flat names of 0.1 still import, as the same module objects: users' scripts and saved models (a
pickle names the module of each class) keep working.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

# The flat module names of mi_coder 0.1 and the modules that hold their code now.
MOVED = {
    "tables": "io._tables", "columns": "io._columns",
    "coder": "coding._estimator", "features": "coding._features", "vectorize": "coding._vectorize",
    "preprocess": "coding._preprocess", "model": "coding._classifiers", "session": "coding._session",
    "encoder": "coding._encoder", "encoder_input": "coding._encoder_input", "tiers": "coding._tiers",
    "modelio": "coding._modelio", "pins": "coding._pins", "stream": "coding._stream",
    "corpora": "training._corpora", "train": "training._fast", "encoder_train": "training._fine_tune",
    "accurate_train": "training._accurate", "evaluate": "training._evaluate",
    "scores": "summary._scores", "summarize": "summary._summarize", "uncertainty": "summary._uncertainty",
    "quality": "summary._quality", "adherence": "summary._adherence", "validate": "summary._validate",
    "plots": "report._plots", "display": "report._display",  # `mi_coder.report` is the group: it exports render_html
    "spacy_component": "integrations._spacy", "dask": "integrations._dask",
}


def lazy(package: str, names: dict):
    """(`__getattr__`, `__dir__`) for a package whose public `names` live in its private modules ({name: module})."""

    def __getattr__(name: str):
        if name in names:
            value = getattr(importlib.import_module(names[name], package), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(names) | set(vars(sys.modules[package])))

    return __getattr__, __dir__


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `mi_coder.<old name>` and gives the module that holds that code now."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.partition(".")
        if package != "mi_coder" or name not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        module = importlib.import_module(f"mi_coder.{MOVED[spec.name.partition('.')[2]]}")
        spec.loader_state = module.__spec__  # the import system is about to set the alias's spec on it
        return module

    def exec_module(self, module):
        """The module ran when it was imported under its own name; give it back its own spec (its relative
        imports read `__spec__.parent`)."""
        module.__spec__ = module.__spec__.loader_state


def install_aliases() -> None:
    """Let the old flat names import (once per interpreter)."""
    if not any(isinstance(finder, _Alias) for finder in sys.meta_path):
        sys.meta_path.append(_Alias())
