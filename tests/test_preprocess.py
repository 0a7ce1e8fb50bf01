"""spaCy preprocessing: blank English, the mi_cues component and its cue patterns."""

import numpy as np
import pytest
import spacy

from mi_coder.preprocess import CUE_NAMES, analyse, english, stem


def cues_of(text):
    return dict(zip(CUE_NAMES, english()(text)._.mi_cues))


def test_pipeline_is_blank_english_with_cue_component():
    nlp = english()
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["mi_cues"]
    assert nlp.meta["name"] == "pipeline"  # nothing downloaded: a blank pipeline


def test_component_is_registered_by_factory():
    nlp = spacy.blank("en")
    nlp.add_pipe("mi_cues")
    doc = nlp("It sounds like you're worried.")
    assert doc._.mi_cues[CUE_NAMES.index("reflect_stem")] >= 1


@pytest.mark.parametrize("text, cue", [
    ("It sounds like you're worried about your drinking.", "reflect_stem"),
    ("So you feel stuck.", "reflect_stem"),
    ("Would it be okay if I shared some information?", "permission"),
    ("You should really cut down.", "advice"),
    ("You need to see a doctor.", "advice"),
    ("That's great, I'm proud of you.", "affirm"),
    ("It's okay to feel overwhelmed.", "affirm"),
    ("On the one hand you enjoy it, on the other hand it worries you.", "double_sided"),
    ("Tell me more about that.", "open_opener"),
    ("Do you drink every day?", "closed_opener"),
    ("What brings you here today?", "start_wh"),
    ("Are you ready to stop?", "start_aux"),
    ("I want to quit smoking.", "change_talk"),
    ("I don't want to stop, it helps me relax.", "sustain_talk"),
    ("It's up to you.", "autonomy"),
])
def test_cue_fires(text, cue):
    assert cues_of(text)[cue] >= 1


def test_cues_do_not_fire_on_unrelated_text():
    c = cues_of("The weather was cold.")
    for cue in ("reflect_stem", "permission", "advice", "affirm", "question_mark", "start_wh"):
        assert c[cue] == 0


def test_question_counts():
    c = cues_of("How are you? Did you sleep? Good.")
    assert c["question_mark"] == 2
    assert c["question_sentences"] == 2
    assert c["sentences"] == 3


def test_analyse_handles_empty_and_huge_text():
    tokens, cues, content = analyse(["", "word " * 300_000])
    assert tokens[0] == ""
    assert cues.shape == (2, len(CUE_NAMES))
    assert np.isfinite(cues).all()


def test_stem_matches_word_forms():
    assert stem("drinking") == stem("drinks") == "drink"
    assert stem("is") == "is"
