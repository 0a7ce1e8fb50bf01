"""mi_coder inside other tools: the spaCy component (`nlp.add_pipe("mi_coder")`) and the Dask engine.
`mi_coder.dask` and `mi_coder.spacy_component` name these modules as in 0.1."""

from .._exports import lazy

_NAMES = {
    "code_dataframe": "._dask",
    "summarize_dataframe": "._dask",
    "MICoderComponent": "._spacy",
    "make_mi_coder": "._spacy",
    "turn_doc": "._spacy",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)
__all__ = sorted(_NAMES)
