"""Summary formulas on hand-computed cases, zero denominators and MITI bands."""

import math

import pandas as pd
import pytest

from mi_coder.errors import InputError, speaking
from mi_coder.summary._summarize import band, ratio, summarize


def coded(transcript, codes):
    return pd.DataFrame({"transcript_id": transcript, "mi_code": codes})


def test_hand_computed_summary():
    # t1: SR 2, CR 1, OQ 1, CQ 1, CT 3, ST 1 ; t2: no questions, no client talk
    frame = pd.concat([
        coded("t1", ["simple_reflection", "simple_reflection", "complex_reflection", "open_question",
                     "closed_question", "change_talk", "change_talk", "change_talk", "sustain_talk",
                     "neutral", "advice", ""]),
        coded("t2", ["complex_reflection", "affirmation"]),
    ])
    s = summarize(frame).set_index("transcript_id")
    assert list(s.index) == ["t1", "t2"]
    t1 = s.loc["t1"]
    assert t1["simple_reflection"] == 2 and t1["advice"] == 1 and t1["neutral"] == 1
    assert t1["n_utterances"] == 12
    assert t1["reflection_to_question"] == pytest.approx(3 / 2)
    assert t1["reflection_to_question_band"] == "fair"
    assert t1["pct_complex_reflections"] == pytest.approx(1 / 3)
    assert t1["pct_complex_reflections_band"] == "below_fair"
    assert t1["pct_open_questions"] == pytest.approx(0.5)
    assert t1["pct_open_questions_band"] == "fair"
    assert t1["pct_change_talk"] == pytest.approx(0.75)
    t2 = s.loc["t2"]
    assert math.isnan(t2["reflection_to_question"]) and t2["reflection_to_question_band"] == ""
    assert math.isnan(t2["pct_open_questions"]) and math.isnan(t2["pct_change_talk"])
    assert t2["pct_complex_reflections"] == 1.0 and t2["pct_complex_reflections_band"] == "good"


def test_zero_denominator_is_empty_not_zero():
    assert math.isnan(ratio(0, 0)) and math.isnan(ratio(3, 0))
    assert ratio(0, 2) == 0


@pytest.mark.parametrize("value, expected", [(0.39, "below_fair"), (0.40, "fair"), (0.49, "fair"),
                                             (0.50, "good"), (float("nan"), "")])
def test_band_thresholds_are_inclusive(value, expected):
    assert band([value], 0.40, 0.50)[0] == expected


def test_without_transcript_column_one_row():
    s = summarize(pd.DataFrame({"mi_code": ["open_question", "simple_reflection"]}))
    assert len(s) == 1 and s.loc[0, "reflection_to_question"] == 1.0


def test_unknown_code_is_a_one_line_error():
    with pytest.raises(InputError, match="row with index 1.*mi_code"):  # a DataFrame's row: its index label
        summarize(coded("t", ["advice", "banana"]), source="x.csv")
    with speaking(cli=True), pytest.raises(InputError, match="row 3.*mi_code"):  # a file's row on the command line
        summarize(coded("t", ["advice", "banana"]), source="x.csv")


def test_adherence_counts_hand_computed():
    frame = pd.DataFrame({
        "transcript_id": "t",
        "text": ["Would it be okay if I shared an idea?", "Sure.", "You could try a nicotine patch.",
                 "You should stop drinking.", "You've worked really hard.", "What do you think?",
                 "You're in denial about this."],
        "mi_code": ["closed_question", "neutral", "advice", "advice", "affirmation", "open_question", "other"],
    })
    row = summarize(frame, confusion=None).iloc[0]
    # the first advice follows a permission request; the second does not
    assert row["advice_with_permission"] == 1 and row["advice_without_permission"] == 1
    assert row["mi_adherent"] == 2          # the affirmation and "what do you think" (collaboration)
    assert row["mi_non_adherent"] == 2      # advice without permission and the confrontation
    assert row["pct_mi_adherent"] == pytest.approx(0.5)


def test_adherence_needs_text_and_says_so():
    with pytest.warns(UserWarning, match="advice_with_permission.*pct_mi_adherent are left out.*text_col="):
        s = summarize(pd.DataFrame({"mi_code": ["advice"]}), confusion=None)
    assert "pct_mi_adherent" not in s.columns


def test_a_code_of_the_wrong_side_is_an_error_naming_the_row():
    frame = pd.DataFrame({"transcript_id": "t", "speaker": ["therapist", "client", "therapist"],
                          "mi_code": ["open_question", "neutral", "change_talk"]})
    with pytest.raises(InputError, match=r"coded\.csv: row with index 2, column 'mi_code'.*other side"):
        summarize(frame, source="coded.csv", confusion=None)


def test_side_comes_from_mi_side_and_drives_adherence():
    """Adherence counts only counsellor rows: the side a row was coded as, never guessed from its code."""
    frame = pd.DataFrame({"transcript_id": "t", "mi_side": ["counsellor", "client"],
                          "text": ["You should stop drinking.", "You should stop drinking."],
                          "mi_code": ["advice", "neutral"]})
    s = summarize(frame, confusion=None).iloc[0]
    assert s["advice_without_permission"] == 1 and s["mi_non_adherent"] == 1


def test_transcript_ids_keep_the_inputs_dtype_so_they_merge():
    frame = pd.DataFrame({"session_id": [7, 7, 12], "mi_code": ["open_question", "change_talk", "advice"]})
    s = summarize(frame, confusion=None)
    assert s["session_id"].tolist() == [7, 12] and s["session_id"].dtype == frame["session_id"].dtype
    merged = s.merge(pd.DataFrame({"session_id": [7, 12], "coach": ["A", "B"]}), on="session_id")
    assert merged["coach"].tolist() == ["A", "B"]



def test_one_rule_says_when_a_score_can_be_read_in_the_table_too():
    """The CSV once gave `pct_open_questions_band=good` where the print and the report said
    "too few to tell (n = 2)" (issue #29)."""
    import mi_coder
    from mi_coder.report._display import format_summary

    coded = pd.DataFrame({"transcript_id": ["a"] * 4 + ["b"] * 14,
                          "mi_code": ["open_question", "open_question", "simple_reflection", "other"]
                          + ["open_question"] * 6 + ["closed_question"] * 2 + ["simple_reflection"] * 6})
    s = mi_coder.summarize(coded, confusion=None).set_index("transcript_id")
    assert s.loc["a", "pct_open_questions_note"] == "too few to tell (n = 2)"
    assert s.loc["a", "pct_open_questions"] == 1.0  # the contract's band of the value stays beside the note
    assert s.loc["b", "pct_open_questions_note"] == "" and s.loc["b", "pct_open_questions_band"] == "good"
    assert s.loc["a", "pct_change_talk_note"] == "no change or sustain talk"
    printed = format_summary(s.reset_index())
    assert "too few to tell (n = 2)" in printed


def test_change_talk_reflected_reads_the_next_coded_utterance_of_the_same_transcript():
    # t1 and t2 interleave; a blank row between change talk and a reflection is skipped, not read as the reply
    frame = pd.DataFrame({
        "transcript_id": ["t1", "t2", "t1", "t1", "t2", "t1", "t1", "t1", "t1"],
        "mi_code": ["change_talk", "change_talk", "", "simple_reflection", "open_question",
                    "change_talk", "open_question", "change_talk", "complex_reflection"]})
    s = summarize(frame).set_index("transcript_id")
    assert s.loc["t1", "change_talk_reflected"] == 2
    assert s.loc["t1", "pct_change_talk_reflected"] == pytest.approx(2 / 3)
    assert s.loc["t2", "change_talk_reflected"] == 0 and s.loc["t2", "pct_change_talk_reflected"] == 0
    none = summarize(coded("t3", ["sustain_talk", "simple_reflection"])).iloc[0]
    assert math.isnan(none["pct_change_talk_reflected"]) and none["pct_change_talk_reflected_note"] == "no change talk"
