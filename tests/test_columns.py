"""Column and speaker detection as the SPEC says, with one-line errors."""

import pandas as pd
import pytest

from mi_coder.columns import Layout
from mi_coder.errors import InputError, speaking


def test_columns_found_by_name_case_insensitively():
    frame = pd.DataFrame(columns=["Conversation_ID", "Speaker", "Content"])
    cols = Layout.resolve(frame)
    assert (cols.text, cols.speaker, cols.transcript) == ("Content", "Speaker", "Conversation_ID")


def test_given_column_overrides_and_missing_text_is_an_error():
    frame = pd.DataFrame(columns=["msg", "who"])
    assert Layout.resolve(frame, text_col="MSG").text == "msg"
    with pytest.raises(InputError, match="text_col="):
        Layout.resolve(frame, source="chat.csv")
    with pytest.raises(InputError, match="chat.csv.*'body'"):
        Layout.resolve(frame, text_col="body", source="chat.csv")


def test_sides_and_unknown_speaker_error_names_row_value_and_flag():
    """A speaker label is no speech: the error names the first few unknown values and counts every row."""
    frame = pd.DataFrame({"text": ["a", "b", "c", "d", "e", "f", "g"],
                          "speaker": ["Therapist", "client", "Narrator", "narrator", "Bot", "Mod", "Admin"]})
    with speaking(cli=True), pytest.raises(InputError) as err:
        Layout.resolve(frame, source="s.csv").sides(frame)
    message = str(err.value)
    assert "s.csv" in message and "row 4 (first of 5 rows)" in message and "--client-values" in message
    assert "'Narrator', 'Bot', 'Mod' and 1 more" in message and "\n" not in message
    with pytest.raises(InputError, match="row with index 2 .*client_values="):  # Python's words
        Layout.resolve(frame, source="s.csv").sides(frame)
    side = Layout.resolve(frame.iloc[:4], client_values="client,narrator").sides(frame.iloc[:4])
    assert list(side) == ["counsellor", "client", "client", "client"]


def test_member_is_a_client_and_speaker_values_map_text_prefixes_too():
    frame = pd.DataFrame({"text": ["a", "b"], "speaker": ["peer", "member"]})
    assert list(Layout.resolve(frame).sides(frame)) == ["counsellor", "client"]
    prefixed = pd.DataFrame({"text": ["Guide: how are you?", "Resident: fine.", "Guide: good."]})
    with pytest.raises(InputError, match="prefix"):
        Layout.resolve(prefixed)
    layout = Layout.resolve(prefixed, counsellor_values="guide", client_values="resident")
    assert layout.prefixed and list(layout.sides(prefixed)) == ["counsellor", "client", "counsellor"]
    assert layout.utterances(prefixed)["text"].tolist() == ["how are you?", "fine.", "good."]


def test_no_speaker_column_means_all_counsellor():
    frame = pd.DataFrame({"text": ["a", "b"]})
    assert list(Layout.resolve(frame).sides(frame)) == ["counsellor", "counsellor"]


def test_two_candidate_columns_are_ambiguous_unless_given():
    frame = pd.DataFrame(columns=["text", "content", "speaker"])
    with pytest.raises(InputError, match="'text', 'content' could each be the text column.*text_col="):
        Layout.resolve(frame, source="a.csv")
    with speaking(cli=True), pytest.raises(InputError, match="choose one with --text-col"):
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


def test_reply_response_and_message_are_text_columns_after_the_contracts_names():
    assert Layout.resolve(pd.DataFrame(columns=["id", "Reply"])).text == "Reply"
    assert Layout.resolve(pd.DataFrame(columns=["message", "text"])).text == "text"  # the contract's names first
    with pytest.raises(InputError, match="'response', 'message' could each be"):
        Layout.resolve(pd.DataFrame(columns=["response", "message"]))


def test_neither_speaker_nor_transcript_column_reads_independent_utterances():
    replies = pd.DataFrame({"reply": ["a", "b", "c"]})
    assert Layout.resolve(replies).independent
    assert list(Layout.resolve(replies).conversations(replies)) == [0, 1, 2]
    assert not Layout.resolve(replies, independent=False).independent
    assert list(Layout.resolve(replies, independent=False).conversations(replies)) == [0, 0, 0]
    assert not Layout.resolve(replies.assign(speaker="coach")).independent
    assert not Layout.resolve(replies.assign(conversation_id="x")).independent
    assert Layout.resolve(replies.assign(conversation_id="x"), independent=True).independent
    prefixed = pd.DataFrame({"text": ["T: hi", "C: hello"]})
    assert not Layout.resolve(prefixed).independent
    assert not Layout.resolve(prefixed.assign(mi_side=["counsellor", "client"])).independent  # a coded conversation
    assert Layout.resolve(replies.assign(mi_side="counsellor")).independent  # a coded list of replies
