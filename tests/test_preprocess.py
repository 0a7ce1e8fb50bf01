"""spaCy preprocessing: blank English, the mi_cues component and its cue patterns."""

from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
import spacy

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from mi_coder.coding._preprocess import (AUX_WORDS, CUE_NAMES, FILLER_WORDS, PHRASES, SENTENCE_ENDS, SENTENCE_STARTS, WH_WORDS,
                                 analyse, english, stem)


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


@lru_cache(maxsize=1)
def phrase_matcher():
    """spaCy's own PhraseMatcher over the cue phrases: the reference for the batched matcher."""
    nlp = spacy.blank("en")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for cue, phrases in PHRASES.items():
        matcher.add(cue, list(nlp.tokenizer.pipe(phrases)))
    return nlp, matcher


def reference_cues(text):
    """The cue counts by the obvious route: spaCy's PhraseMatcher and a loop over each sentence.

    Space tokens are not words: they neither break a phrase nor count as tokens.
    """
    nlp, matcher = phrase_matcher()
    doc = Doc(nlp.vocab, words=[t.text for t in nlp(text) if not t.is_space])
    out = dict.fromkeys(CUE_NAMES, 0.0)
    for match_id, _, _ in matcher(doc):
        out[nlp.vocab.strings[match_id]] += 1
    starts = {w: cue for cue, words in SENTENCE_STARTS.items() for w in words}
    sentences, questions = [], []  # the words of each sentence; the indices of those a ? ends
    for token in doc:
        if token.is_space:
            continue
        if token.lower_ in SENTENCE_ENDS:
            if sentences and "?" in token.lower_:
                questions.append(len(sentences) - 1)
        elif not sentences or prev_end:
            sentences.append([token.lower_])
            if token.lower_ in starts:
                out[starts[token.lower_]] += 1
        else:
            sentences[-1].append(token.lower_)
        prev_end = token.lower_ in SENTENCE_ENDS
    heads = [next((w for w in words if w not in FILLER_WORDS and any(map(str.isalpha, w))), None)
             for words in sentences]
    for i in set(questions):
        out["question_wh_head"] += heads[i] in WH_WORDS
        out["question_aux_head"] += heads[i] in AUX_WORDS
        out["question_wh_word"] += any(w in WH_WORDS for w in sentences[i])
        out["question_or"] += "or" in sentences[i]
    last = next((h for h in reversed(heads) if h is not None), None)
    out.update(last_wh_head=last in WH_WORDS, last_aux_head=last in AUX_WORDS)
    lower = "".join(t.lower_ for t in doc)
    out.update(question_mark=lower.count("?"), exclamation=lower.count("!"), sentences=len(sentences),
               question_sentences=len(set(questions)), numbers=sum(c.isdigit() for c in lower),
               tokens_log=np.log1p(len(doc)),
               unpunctuated=len(doc) >= 4 and not any(ch in ".,?!;:" for ch in lower))
    return np.array([out[c] for c in CUE_NAMES], dtype=np.float32)


PIECES = ["it sounds like", "you", "feel", "?", "!", ".", "...", "?!", "  ", "\n", "do you", "I want to",
          "I don't want", "What", "so", "mm-hmm", "42", "would it be okay", "you should", "on the other hand",
          "or", "Is it", "um ,", "tell me", "how"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join) | st.text(max_size=30),
                min_size=1, max_size=6))
def test_batched_cues_equal_phrase_matcher_and_sentence_loop(texts):
    batched = [doc._.mi_cues for doc in english().pipe(texts, batch_size=4)]
    for text, cues in zip(texts, batched):
        np.testing.assert_allclose(cues, reference_cues(text), rtol=1e-6)
        np.testing.assert_allclose(english()(text)._.mi_cues, cues, rtol=1e-6)
