"""The SPEC's label mapping from AnnoMI and ESConv."""

import pytest

from mi_coder.codes import (CLIENT, COUNSELLOR, annomi_client_code, annomi_therapist_code,
                            esconv_code, side_name)


@pytest.mark.parametrize("behaviour, q, r, i, expected", [
    ("question", "open", None, None, "open_question"),
    ("question", "closed", None, None, "closed_question"),
    ("question", None, None, None, "question"),
    ("reflection", None, "simple", None, "simple_reflection"),
    ("reflection", None, "complex", None, "complex_reflection"),
    ("therapist_input", None, None, "advice", "advice"),
    ("therapist_input", None, None, "options", "advice"),
    ("therapist_input", None, None, "information", "information"),
    ("therapist_input", None, None, "negotiation", "information"),
    ("other", None, None, None, "other"),
    ("", None, None, None, None),
])
def test_annomi_therapist_mapping(behaviour, q, r, i, expected):
    assert annomi_therapist_code(behaviour, q, r, i) == expected


def test_annomi_client_mapping():
    assert annomi_client_code("change") == "change_talk"
    assert annomi_client_code("sustain") == "sustain_talk"
    assert annomi_client_code("neutral") == "neutral"
    assert annomi_client_code(float("nan")) is None


@pytest.mark.parametrize("strategy, expected", [
    ("Question", "question"),
    ("Restatement or Paraphrasing", "reflection"),
    ("Reflection of feelings", "reflection"),
    ("Affirmation and Reassurance", "affirmation"),
    ("Providing Suggestions", "advice"),
    ("Information", "information"),
    ("Self-disclosure", "other"),
    ("Others", "other"),
])
def test_esconv_mapping(strategy, expected):
    assert esconv_code(strategy) == expected


def test_speaker_values_follow_the_spec():
    for value in ("Therapist", "counselor", "COUNSELLOR", "coach", "supporter", "sys", "peer"):
        assert side_name(value) == COUNSELLOR
    for value in ("client", "Patient", "seeker", "usr", "participant", "speaker"):
        assert side_name(value) == CLIENT


def test_unknown_side_lists_the_accepted_values():
    from mi_coder.errors import InputError

    with pytest.raises(InputError, match="therapist") as info:
        side_name("narrator")
    assert "seeker" in str(info.value) and "\n" not in str(info.value)


def test_best_codes_is_the_argmax_and_blank_for_missing_rows():
    import numpy as np

    from mi_coder.codes import best_codes

    proba = np.array([[0.2, 0.5, 0.3], [np.nan, np.nan, np.nan], [0.7, 0.1, 0.2]])
    codes, confidence = best_codes(proba, CLIENT)
    assert codes.tolist() == ["sustain_talk", "", "change_talk"]
    assert confidence[0] == 0.5 and np.isnan(confidence[1])
