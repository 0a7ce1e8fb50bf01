"""The spaCy component gives the codes of Coder.code_frame, through the entry point."""

import pandas as pd
import pytest
import spacy

from conftest import EXAMPLES, SHIPPED_MODEL

pytestmark = pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")


def contexts(frame):
    previous = []
    for side, text in zip(frame["side"], frame["utterance_text"]):
        yield text, {"side": side, "previous": list(previous)}
        previous.append((side, text))


def test_component_matches_code_frame():
    import mi_coder

    frame = pd.read_csv(EXAMPLES / "counselling_session.csv")
    frame["side"] = frame["interlocutor"].map({"therapist": "counsellor", "client": "client"})
    expected = mi_coder.load().code_frame(frame.drop(columns="side"))
    nlp = spacy.blank("en")
    nlp.add_pipe("mi_coder")  # found through the spacy_factories entry point / registry
    docs = [doc for doc, _ in nlp.pipe(contexts(frame), as_tuples=True)]
    assert [d._.mi_code for d in docs] == expected["mi_code"].tolist()
    assert [d._.mi_confidence for d in docs] == pytest.approx(expected["mi_confidence"].tolist(), abs=1e-3)
    assert all(abs(sum(d._.mi_probabilities.values()) - 1) < 1e-3 for d in docs)


def test_component_with_two_processes():
    nlp = spacy.blank("en")
    nlp.add_pipe("mi_coder")
    items = [("What brings you here?", {"side": "counsellor"}), ("I want to quit.", {"side": "client"})] * 2
    docs = [doc for doc, _ in nlp.pipe(items, as_tuples=True, n_process=2)]
    assert [d._.mi_code for d in docs[:2]] == [d._.mi_code for d in docs[2:]]
    assert docs[1]._.mi_code in ("change_talk", "sustain_talk", "neutral")
