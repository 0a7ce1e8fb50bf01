"""The coder as a spaCy pipeline component: `nlp.add_pipe("mi_coder")`.

Reads who speaks and what came before from two declared Doc extensions, set before the
component runs (`turn_doc` does it): `Doc._.mi_side` ('counsellor', 'client' or any speaker value
of the side vocabulary; default counsellor) and `Doc._.mi_previous` (earlier (side, text) turns of
the transcript, oldest first). Sets `Doc._.mi_code`, `Doc._.mi_confidence` and
`Doc._.mi_probabilities` ({code: p}). With the whole transcript so far as `previous`, the codes
are exactly those `MICoder.code_frame` gives the transcript up to that turn. A first-stage model
featurizes only the last few runs of turns, so coding a session turn by turn costs time linear in
its length. A model with a session stage reads the whole history (its session features are the
mean of every earlier utterance): the turns of one batch that continue a transcript are coded
together, the transcript once, but a session fed one Doc per call costs time quadratic in its length.
"""

from __future__ import annotations

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from ..codes import CODES, COUNSELLOR, best_codes, side_name

OUTPUTS = ("mi_code", "mi_confidence", "mi_probabilities")
INPUTS = ("mi_side", "mi_previous")
for _name in OUTPUTS + INPUTS:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def turn_doc(nlp: Language, text: str, side: str = COUNSELLOR, previous=()) -> Doc:
    """A Doc of one turn, with its side and the earlier turns set for the `mi_coder` component."""
    doc = nlp.make_doc(text)
    doc._.mi_side = side
    doc._.mi_previous = [(s, t) for s, t in previous]
    return doc


def context_tail(previous, side: str) -> tuple[list, int]:
    """(the turns that shape the next turn's features, how many non-blank turns came before).

    The features of a turn read the run of turns it belongs to, the other side's run before it
    and the last turn of the run before that: scanning back over three changes of side is enough.
    Blank turns are left out, as `code_frame` leaves them out of the context.
    """
    previous = previous if isinstance(previous, list) else list(previous)
    tail, changes, current = [], 0, side
    for i in range(len(previous) - 1, -1, -1):  # back from the newest turn: only the tail is normalised
        s, t = previous[i]
        if not (isinstance(t, str) and t.strip()):
            continue
        s = side_name(s)
        if s != current:
            changes += 1
            if changes == 3:
                break
            current = s
        tail.append((s, t))
    before = len(tail) + (sum(1 for _, t in previous[:i + 1] if isinstance(t, str) and t.strip())
                          if changes == 3 else 0)
    return tail[::-1], before


class MICoderComponent:
    """Codes each Doc with a mi_coder model (the shipped one unless `model` names a tier or a file)."""

    def __init__(self, nlp: Language, name: str = "mi_coder", model: str | None = None):
        from ..coding._tiers import load_coder as load_model

        self.name = name
        # A pipeline's config never grants trust: another model loads only if its hash is pinned
        # in the user's allow-list (see mi_coder.coding._modelio.trusted_hashes).
        self.coder = load_model(model)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs, batch_size: int = 256):
        """Code Docs a batch at a time, each from its side and earlier turns (see `_code_batch`)."""
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            self._code_batch(batch)
            yield from batch

    def _code_batch(self, docs: list) -> None:
        """Set each Doc's code, confidence and probabilities ('' and None for a blank turn)."""
        side_of = []
        for doc in docs:
            side_of.append(side_name(doc._.mi_side or COUNSELLOR))
            doc._.mi_code, doc._.mi_confidence, doc._.mi_probabilities = "", None, {}
        if getattr(self.coder, "stages_", None):
            coded, proba = self._session_proba(docs, side_of)
        else:
            coded, proba = self._first_stage_proba(docs, side_of)
        for side in CODES:
            rows = [i for i, n in enumerate(coded) if side_of[n] == side]
            if not rows:
                continue
            side_proba = np.vstack([proba[i] for i in rows])
            codes, confidence = best_codes(side_proba, side)
            for i, code, conf, p in zip(rows, codes, confidence, side_proba):
                doc = docs[coded[i]]
                doc._.mi_code, doc._.mi_confidence = str(code), round(float(conf), 4)
                doc._.mi_probabilities = {c: round(float(v), 4) for c, v in zip(CODES[side], p)}

    def _first_stage_proba(self, docs: list, side_of: list) -> tuple[list, list]:
        """(indices of the non-blank Docs, their probabilities) from each Doc's context tail only."""
        from ..coding._estimator import utterance_frame
        from ..coding._features import ContextFeatures

        texts, sides, keys, last, before = [], [], [], [], []
        for n, doc in enumerate(docs):
            if not doc.text.strip():
                continue
            tail, count = context_tail(doc._.mi_previous or (), side_of[n])
            texts += [t for _, t in tail] + [doc.text]
            sides += [s for s, _ in tail] + [side_of[n]]
            keys += [n] * (len(tail) + 1)
            last.append(len(texts) - 1)
            before.append(count)
        if not last:
            return [], []
        table = ContextFeatures().transform(utterance_frame(texts, sides, keys)).iloc[last].reset_index(drop=True)
        # Each turn's position in its whole transcript, as code_frame computes it (see context_table).
        table["turn_log"] = np.log1p(np.asarray(before, dtype=np.int64)).astype(np.float32)
        coded = [keys[i] for i in last]
        proba = [None] * len(coded)
        turn_sides = np.array([side_of[n] for n in coded], dtype=object)
        for side in CODES:
            rows = np.flatnonzero(turn_sides == side)
            if len(rows):
                for row, p in zip(rows, self.coder.pipelines_[side].predict_proba(table.iloc[rows])):
                    proba[row] = p
        return coded, proba

    def _session_proba(self, docs: list, side_of: list) -> tuple[list, list]:
        """(indices of the non-blank Docs, their probabilities) with the session stage, which reads
        every earlier turn. Docs whose turns continue one transcript (each the next turn, as a
        session coded turn by turn arrives) are coded together: the transcript once, live."""
        from ..coding._estimator import utterance_frame

        transcripts, where = [], {}  # the turns of each transcript; Doc -> (transcript, row)
        for n, doc in enumerate(docs):
            if not doc.text.strip():
                continue
            turns = [(side_name(s), t) for s, t in doc._.mi_previous or () if isinstance(t, str) and t.strip()]
            turns.append((side_of[n], doc.text))
            current = transcripts[-1] if transcripts else None
            if current is not None and len(current) == len(turns) - 1 and current == turns[:-1]:
                current.append(turns[-1])  # the next turn of the transcript being coded
            elif current is None or not (len(current) >= len(turns) and current[:len(turns)] == turns):
                transcripts.append(turns)  # else: a turn of the current transcript again
            where[n] = (len(transcripts) - 1, len(turns) - 1)
        if not where:
            return [], []
        texts = [t for turns in transcripts for _, t in turns]
        sides = [s for turns in transcripts for s, _ in turns]
        keys = [k for k, turns in enumerate(transcripts) for _ in turns]
        offsets = np.concatenate([[0], np.cumsum([len(turns) for turns in transcripts])])
        by_side = self.coder.side_proba(utterance_frame(texts, sides, keys), live=True)
        coded = list(where)
        return coded, [by_side[side_of[n]][offsets[where[n][0]] + where[n][1]] for n in coded]


@Language.factory("mi_coder", default_config={"model": None}, assigns=[f"doc._.{name}" for name in OUTPUTS])
def make_mi_coder(nlp: Language, name: str, model: str | None) -> MICoderComponent:
    """Factory registered for spaCy through the `spacy_factories` entry point."""
    return MICoderComponent(nlp, name, model)
