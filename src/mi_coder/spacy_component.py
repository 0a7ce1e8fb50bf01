"""The coder as a spaCy pipeline component: `nlp.add_pipe("mi_coder")`.

Sets `Doc._.mi_code`, `Doc._.mi_confidence` and `Doc._.mi_probabilities` ({code: p}). Who
speaks and what came before reach the component as the context of
`nlp.pipe(..., as_tuples=True)`: a dict {"side": "counsellor" | "client", "previous":
[(side, text), ...] oldest first}; without it a Doc is a lone counsellor utterance. Give the
whole transcript so far as `previous` to get exactly the codes of `Coder.code_frame`.
"""

from __future__ import annotations

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from .codes import CODES, COUNSELLOR

for _name in ("mi_code", "mi_confidence", "mi_probabilities"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class MICoderComponent:
    """Codes each Doc with a mi_coder model (the shipped one unless `model` names a file)."""

    def __init__(self, nlp: Language, name: str = "mi_coder", model: str | None = None, trusted: bool = False):
        from .modelio import load_model

        self.name = name
        self.coder = load_model(model, trusted=trusted)

    def __call__(self, doc: Doc) -> Doc:
        context = getattr(doc, "_context", None)
        context = context if isinstance(context, dict) else {}
        side = context.get("side", COUNSELLOR)
        previous = list(context.get("previous", ()))
        texts = [t for _, t in previous] + [doc.text]
        sides = [s for s, _ in previous] + [side]
        proba = self.coder.predict_proba(texts, sides, [0] * len(texts))[side][-1]
        if np.isnan(proba).any():
            doc._.mi_code, doc._.mi_confidence, doc._.mi_probabilities = "", None, {}
        else:
            codes = CODES[side]
            best = int(np.argmax(proba))
            doc._.mi_code = codes[best]
            doc._.mi_confidence = round(float(proba[best]), 4)
            doc._.mi_probabilities = {c: round(float(p), 4) for c, p in zip(codes, proba)}
        return doc


@Language.factory("mi_coder", default_config={"model": None, "trusted": False})
def make_mi_coder(nlp: Language, name: str, model: str | None, trusted: bool) -> MICoderComponent:
    """Factory registered for spaCy through the `spacy_factories` entry point."""
    return MICoderComponent(nlp, name, model, trusted)
