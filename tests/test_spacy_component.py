"""The spaCy component gives each turn the code MICoder.code_frame gives it in the transcript so far."""

import pandas as pd
import pytest
import spacy

from conftest import EXAMPLES, SHIPPED_MODEL
from mi_coder.integrations._spacy import context_tail, turn_doc

pytestmark = pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("mi_coder")  # found through the spacy_factories entry point / registry
    return nlp


def session_docs(nlp, sides, texts):
    """One Doc per turn, each given the transcript so far as `previous` (the README's way)."""
    previous = []
    for side, text in zip(sides, texts):
        yield turn_doc(nlp, text, side, previous)
        previous.append((side, text))


def code_prefixes(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row coded by code_frame on the transcript up to and including it (what live coding can know)."""
    import mi_coder

    coder = mi_coder.load()
    return pd.concat([coder.code_frame(frame.iloc[: k + 1]).iloc[[k]] for k in range(len(frame))])


def test_component_matches_code_frame(nlp):
    frame = pd.read_csv(EXAMPLES / "counselling_session.csv")
    expected = code_prefixes(frame)
    docs = list(nlp.pipe(session_docs(nlp, frame["interlocutor"], frame["utterance_text"])))
    assert [d._.mi_code for d in docs] == expected["mi_code"].tolist()
    assert [d._.mi_confidence for d in docs] == pytest.approx(expected["mi_confidence"].tolist(), abs=1e-4)
    assert all(abs(sum(d._.mi_probabilities.values()) - 1) < 1e-3 for d in docs)


def test_component_matches_code_frame_on_a_long_corpus_session(nlp, corpus_slice):
    """A real session with runs of same-side turns and blank turns, coded turn by turn."""
    conversation = corpus_slice["conversation"].iloc[0]
    session = corpus_slice[corpus_slice["conversation"] == conversation].reset_index(drop=True)
    session = session.assign(transcript_id=1, speaker=session["side"])[["transcript_id", "speaker", "text"]]
    session.loc[5, "text"] = "   "  # a blank turn is left out of the context, as code_frame does
    expected = code_prefixes(session)
    docs = list(nlp.pipe(session_docs(nlp, session["speaker"], session["text"])))
    assert [d._.mi_code for d in docs] == expected["mi_code"].tolist()
    blank = expected["mi_confidence"].isna().to_numpy()
    assert [d._.mi_confidence is None for d in docs] == blank.tolist() and blank.sum() == 1
    assert [d._.mi_confidence for d, b in zip(docs, blank) if not b] == pytest.approx(
        expected["mi_confidence"][~blank].tolist(), abs=1e-4)


def test_long_session_work_is_linear_in_its_length(nlp, monkeypatch):
    """173 turns, each given the whole history: with a first-stage model the rows featurized grow
    linearly, not quadratically (a session stage reads the whole history by design).

    (Counting rows is deterministic; the wall-clock comparison with code_frame is
    benchmarks/spacy_component.py.)
    """
    from mi_coder.coding._features import ContextFeatures

    monkeypatch.setattr(nlp.get_pipe("mi_coder").coder, "stages_", {})  # the first stage alone

    featurized = []
    transform = ContextFeatures.transform
    monkeypatch.setattr(ContextFeatures, "transform", lambda self, X: featurized.append(len(X)) or transform(self, X))
    frame = pd.read_csv(EXAMPLES / "counselling_session.csv")
    frame = pd.concat([frame] * 8, ignore_index=True).iloc[:173]
    docs = list(nlp.pipe(session_docs(nlp, frame["interlocutor"], frame["utterance_text"])))
    assert len(docs) == 173 and all(d._.mi_code for d in docs)
    assert sum(featurized) < 8 * 173  # recoding the history each turn featurized 173 * 174 / 2 = 15,051 rows


def test_context_tail_keeps_three_runs():
    previous = [("client", "a"), ("counsellor", "b"), ("client", "c"), ("client", "d"), ("counsellor", "e")]
    tail, before = context_tail(previous, "counsellor")
    assert tail == [("counsellor", "b"), ("client", "c"), ("client", "d"), ("counsellor", "e")]
    assert before == 5
    tail, before = context_tail([("therapist", " "), ("patient", "x")], "client")
    assert tail == [("client", "x")] and before == 1


def test_component_with_two_processes_keeps_each_turns_context(nlp):
    """Docs travel to worker processes with their side and history (Doc extensions are serialized)."""
    frame = pd.read_csv(EXAMPLES / "counselling_session.csv")
    one = list(nlp.pipe(session_docs(nlp, frame["interlocutor"], frame["utterance_text"])))
    two = list(nlp.pipe(session_docs(nlp, frame["interlocutor"], frame["utterance_text"]), n_process=2,
                        batch_size=4))
    assert [d._.mi_code for d in two] == [d._.mi_code for d in one]
    assert [d._.mi_confidence for d in two] == [d._.mi_confidence for d in one]


def test_unknown_side_names_the_accepted_values(nlp):
    from mi_coder.errors import InputError

    with pytest.raises(InputError, match="counsellor.*client"):
        nlp(turn_doc(nlp, "hello", "narrator"))
    assert nlp(turn_doc(nlp, "I want to quit.", "patient"))._.mi_code in ("change_talk", "sustain_talk", "neutral")


def test_component_declares_what_it_assigns(nlp):
    meta = nlp.get_pipe_meta("mi_coder")
    assert set(meta.assigns) == {"doc._.mi_code", "doc._.mi_confidence", "doc._.mi_probabilities"}
