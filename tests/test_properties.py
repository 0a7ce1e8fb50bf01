"""Property-based tests: any Unicode text codes without error; summary invariants hold."""

import math
import socket

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from mi_coder.codes import CLIENT_CODES, COUNSELLOR_CODES
from mi_coder.coding._preprocess import analyse
from mi_coder.summary import summarize

ALL = list(COUNSELLOR_CODES + CLIENT_CODES) + [""]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=5))
def test_any_unicode_text_is_preprocessed(texts):
    tokens, cues, content = analyse(texts)
    assert len(tokens) == len(texts) == cues.shape[0] == content.shape[0]
    assert np.isfinite(cues).all() and (cues >= 0).all()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(ALL)), min_size=1, max_size=60))
def test_summary_invariants(rows):
    frame = pd.DataFrame(rows, columns=["transcript_id", "mi_code"])
    s = summarize(frame)
    assert len(s) == frame["transcript_id"].nunique()
    assert s[list(COUNSELLOR_CODES + CLIENT_CODES)].to_numpy().sum() == (frame["mi_code"] != "").sum()
    assert s["n_utterances"].sum() == len(frame)
    for _, row in s.iterrows():
        questions = row["open_question"] + row["closed_question"]
        reflections = row["simple_reflection"] + row["complex_reflection"]
        talk = row["change_talk"] + row["sustain_talk"]
        for name, denominator in [("pct_open_questions", questions), ("pct_complex_reflections", reflections),
                                  ("pct_change_talk", talk), ("reflection_to_question", questions)]:
            if denominator == 0:
                assert math.isnan(row[name])
            else:
                assert row[name] >= 0
                if name.startswith("pct_"):
                    assert row[name] <= 1
        if questions:
            assert row["reflection_to_question"] == pytest.approx(reflections / questions)
        assert (row["reflection_to_question_band"] == "") == (questions == 0)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("mi_coder tried to use the network")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_coding_works_with_the_network_off(no_network, tiny_model):
    from mi_coder import load

    coder = load(tiny_model)
    frame = pd.DataFrame({"speaker": ["client", "counselor"], "text": ["I drink.", "You drink."]})
    coded = coder.code_frame(frame)
    assert coded["mi_code"].ne("").all()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=200), min_size=1, max_size=8))
def test_any_unicode_text_codes_without_error(tiny_model, texts):
    coder = _cached(tiny_model)
    frame = pd.DataFrame({"speaker": ["client", "therapist"] * 4, "text": (texts * 8)[:8]})
    coded = coder.code_frame(frame, probabilities=True)
    assert len(coded) == 8
    filled = coded["text"].str.strip().ne("")
    assert coded.loc[filled, "mi_code"].isin(COUNSELLOR_CODES + CLIENT_CODES).all()
    assert coded.loc[~filled, "mi_code"].eq("").all()
    assert coded.loc[filled, "mi_confidence"].between(0, 1).all()


_CODERS = {}


def _cached(path):
    from mi_coder import load

    if path not in _CODERS:
        _CODERS[path] = load(path)
    return _CODERS[path]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(rows=[("client", "\r")])  # a lone carriage return once split a row in the output
@example(rows=[("usr", "a\nb"), ("Therapist", "=1+1")])
@given(st.lists(st.tuples(st.sampled_from(["client", "Therapist", "usr"]),
                          st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=80)),
                min_size=1, max_size=6))
def test_cli_codes_any_csv_cells_and_keeps_every_row(tmp_path_factory, tiny_model, rows):
    import csv

    from mi_coder.cli import main

    tmp = tmp_path_factory.mktemp("prop")
    src, out = tmp / "in.csv", tmp / "out.csv"
    with open(src, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["speaker", "text"])
        writer.writerows(rows)
    code = main(["code", str(src), "-o", str(out), "--quiet", "--model", str(tiny_model)])
    assert code == 0
    coded = pd.read_csv(out, dtype=str, keep_default_na=False)
    back = pd.read_csv(src, dtype=str, keep_default_na=False)
    assert len(coded) == len(back)
    assert coded["text"].tolist() == back["text"].tolist()
