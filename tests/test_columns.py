"""Column and speaker detection as the SPEC says, with one-line errors."""

import pandas as pd
import pytest

from mi_coder.io._columns import Layout
from mi_coder.errors import InputError, speaking


def test_columns_found_by_name_case_insensitively():
    frame = pd.DataFrame(columns=["Conversation_ID", "Speaker", "Content"])
    cols = Layout.resolve(frame)
    assert (cols.text, cols.speaker, cols.transcript) == ("Content", "Speaker", "Conversation_ID")


def test_given_column_overrides_and_missing_text_is_an_error():
    frame = pd.DataFrame(columns=["note", "who"])
    assert Layout.resolve(frame, text_col="NOTE").text == "note"
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


def _chat(names=("session", "who", "message"), counsellor="coach", client="member"):
    """Two sessions of a chat export: a coach and a member taking turns, six turns each."""
    rows = [(s, speaker, f"turn {i}") for s in ("s1", "s2") for i in range(6)
            for speaker in (counsellor, client)]
    return pd.DataFrame(rows, columns=list(names))


@pytest.mark.parametrize("transcript", ["session", "transcript", "Conversation", "chat_id", "Dialogue No", "call_id",
                                        "session_number"])
@pytest.mark.parametrize("speaker", ["who", "From", "sender", "name"])
def test_the_names_people_give_transcripts_and_speakers_are_recognised(transcript, speaker):
    frame = _chat((transcript, speaker, "message"))
    layout = Layout.resolve(frame)
    assert (layout.transcript, layout.speaker, layout.text) == (transcript, speaker, "message")
    assert list(layout.sides(frame)[:2]) == ["counsellor", "client"]
    assert len(set(layout.conversations(frame))) == 2


def test_a_speaker_or_transcript_column_under_another_name_stops_with_the_flag_to_use():
    """Once, `visit,person,message` was coded all-counsellor as one transcript, exit 0."""
    frame = _chat(("visit", "person_x", "message"))
    with speaking(cli=True), pytest.raises(InputError) as err:
        Layout.resolve(frame, source="chat.csv")
    message = str(err.value)
    assert "chat.csv" in message and "'person_x'" in message and "--speaker-col person_x" in message
    assert "turn" not in message and "coach" not in message  # names columns, never cells
    with speaking(cli=True), pytest.raises(InputError, match="'visit'.*--transcript-col visit"):
        Layout.resolve(frame, speaker_col="person_x", source="chat.csv")
    with pytest.raises(InputError, match="transcript_col='visit'"):  # Python's words
        Layout.resolve(frame, speaker_col="person_x")
    named = Layout.resolve(frame, speaker_col="person_x", transcript_col="visit")
    assert len(set(named.conversations(frame))) == 2
    alone = Layout.resolve(frame, speaker_col="none", transcript_col="none")
    assert alone.speaker is None and alone.transcript is None
    assert not Layout.resolve(frame, speaker_col="person_x", independent=False).independent


def test_columns_that_do_not_take_turns_or_form_blocks_are_no_candidates():
    replies = pd.DataFrame({"reply": [f"r{i}" for i in range(12)], "rating": [1, 2, 3] * 4,
                            "topic": ["a", "b", "a", "c", "b", "a", "c", "c", "a", "b", "a", "b"],
                            "id": range(12)})
    assert Layout.resolve(replies).independent


def test_code_frame_codes_a_chat_export_per_session_with_both_sides():
    import mi_coder

    coded = mi_coder.load("fast").code_frame(_chat())
    assert coded["mi_side"].tolist()[:2] == ["counsellor", "client"]
    assert coded["mi_transcript"].tolist() == coded["session"].tolist()
    with pytest.raises(InputError, match="speaker_col='person_x'"):
        mi_coder.load("fast").code_frame(_chat(("visit", "person_x", "message")))


def test_a_coded_table_keeps_the_transcripts_it_was_coded_in():
    """`code --transcript-col visit`, then summarize with no flags: once one transcript 'all'."""
    import mi_coder

    frame = _chat(("visit", "who", "message"))
    coded = mi_coder.load("fast").code_frame(frame, transcript_col="visit")
    assert Layout.resolve(coded).transcript == "visit"  # the user's column, found through mi_transcript
    summary = mi_coder.summarize(coded.drop(columns=[]), confusion=None)
    assert summary["visit"].tolist() == ["s1", "s2"]
    assert Layout.resolve(coded.drop(columns=["visit"])).transcript == "mi_transcript"
    one = mi_coder.load("fast").code_frame(frame, transcript_col="none")
    assert set(one["mi_transcript"]) == {""}
    assert mi_coder.summarize(one, confusion=None)["transcript_id"].tolist() == ["all"]


def test_a_speaker_value_given_to_both_sides_is_refused():
    """`--counsellor-values coach --client-values member,coach` once coded every coach line as the client's."""
    frame = _chat(("session", "who", "message"))
    with speaking(cli=True), pytest.raises(InputError, match="'coach' given to both sides.*--counsellor-values"):
        Layout.resolve(frame, counsellor_values="coach", client_values="member,Coach")
    # A value given to one side leaves the other side's default list ("member" is a client by default).
    layout = Layout.resolve(frame.assign(who="member"), counsellor_values="coach,member")
    assert set(layout.sides(frame.assign(who="member"))) == {"counsellor"}
