"""Column and speaker detection as the SPEC says, with one-line errors."""

import pandas as pd
import pytest

from mi_coder.columns import Layout
from mi_coder.errors import InputError


def test_columns_found_by_name_case_insensitively():
    frame = pd.DataFrame(columns=["Conversation_ID", "Speaker", "Content"])
    cols = Layout.resolve(frame)
    assert (cols.text, cols.speaker, cols.transcript) == ("Content", "Speaker", "Conversation_ID")


def test_given_column_overrides_and_missing_text_is_an_error():
    frame = pd.DataFrame(columns=["msg", "who"])
    assert Layout.resolve(frame, text_col="MSG").text == "msg"
    with pytest.raises(InputError, match="--text-col"):
        Layout.resolve(frame, source="chat.csv")
    with pytest.raises(InputError, match="chat.csv.*'body'"):
        Layout.resolve(frame, text_col="body", source="chat.csv")


def test_sides_and_unknown_speaker_error_names_row_and_flag():
    frame = pd.DataFrame({"text": ["a", "b", "c"], "speaker": ["Therapist", "client", "Narrator"]})
    with pytest.raises(InputError) as err:
        Layout.resolve(frame, source="s.csv").sides(frame)
    message = str(err.value)
    assert "s.csv" in message and "row 4" in message and "--client-values" in message
    assert "\n" not in message and "Narrator" not in message  # cell contents never appear in messages
    side = Layout.resolve(frame, client_values="client,narrator").sides(frame)
    assert list(side) == ["counsellor", "client", "client"]


def test_no_speaker_column_means_all_counsellor():
    frame = pd.DataFrame({"text": ["a", "b"]})
    assert list(Layout.resolve(frame).sides(frame)) == ["counsellor", "counsellor"]


def test_two_candidate_columns_are_ambiguous_unless_given():
    frame = pd.DataFrame(columns=["text", "content", "speaker"])
    with pytest.raises(InputError, match="'text', 'content' could each be the text column.*--text-col"):
        Layout.resolve(frame, source="a.csv")
    assert Layout.resolve(frame, text_col="content").text == "content"


def test_a_drop_in_utterance_id_starts_a_new_copy_of_the_transcript():
    frame = pd.DataFrame({"transcript_id": ["a", "a", "b", "a", "a", "b", "a", "a"],
                          "utterance_id": [0, 1, 0, None, 0, 1, 1, 0],
                          "utterance_text": ["x"] * 8})
    keys = Layout.resolve(frame).conversations(frame)
    copy = keys % 1_000_000
    # a: 0 1 | (no id stays) 0 ... 1 | 0 -> copies 0 0 0 1 1 2 ; b: 0 1 -> one copy
    assert copy.tolist() == [0, 0, 0, 0, 1, 0, 1, 2]
    assert len(set(keys[[0, 2]])) == 2  # transcripts differ
    nullable = frame.assign(utterance_id=frame["utterance_id"].astype("Int64"))  # as Dask and Parquet give it
    assert Layout.resolve(nullable).conversations(nullable).tolist() == keys.tolist()


def test_a_coded_tables_mi_side_wins_unless_the_user_says_how_to_read_speakers():
    frame = pd.DataFrame({"text": ["a", "b"], "speaker": ["coach", "member"], "mi_side": ["counsellor", "client"]})
    assert list(Layout.resolve(frame).sides(frame)) == ["counsellor", "client"]
    explicit = Layout.resolve(frame, counsellor_values="coach", client_values="member")
    assert explicit.side is None and list(explicit.sides(frame)) == ["counsellor", "client"]
