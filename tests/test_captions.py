"""Captions as transcripts (issue #29): WebVTT and SubRip from video calls, speakers from voice tags or
"Name:" prefixes, coded like the CSV of the same turns."""

import pandas as pd
import pytest

from conftest import EXAMPLES, SHIPPED_MODEL
from mi_coder.cli import main
from mi_coder.errors import InputError, speaking
from mi_coder.io._captions import read_captions

pytest.importorskip("webvtt")
pytest.importorskip("srt")


def _session():
    s = pd.read_csv(EXAMPLES / "counselling_session.csv")
    return [("Dana Reyes" if who == "therapist" else "Sam Lee", text)
            for who, text in zip(s["interlocutor"], s["utterance_text"])]


def write_vtt(path, turns, split=False):
    """A call's captions: voice tags (Teams) on odd cues, 'Name:' prefixes (Zoom) on even ones."""
    lines, n = ["WEBVTT", ""], 0
    for i, (name, text) in enumerate(turns):
        cut = text.find(" ", len(text) // 2)
        parts = [text[:cut], text[cut + 1:]] if split and cut > 0 else [text]
        for part in parts:
            n += 1
            lines += [str(n), f"00:{n // 60:02d}:{n % 60:02d}.000 --> 00:{n // 60:02d}:{n % 60:02d}.900",
                      f"<v {name}>{part}</v>" if i % 2 else f"{name}: {part}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_cues_of_one_speaker_are_one_turn_and_the_speaker_comes_from_the_cue(tmp_path):
    frame = read_captions(write_vtt(tmp_path / "call.vtt", _session(), split=True))
    turns = _session()
    assert frame["speaker"].tolist() == [name for name, _ in turns]
    assert [" ".join(t.split()) for t in frame["text"]] == [" ".join(t.split()) for _, t in turns]
    assert set(frame["transcript_id"]) == {"call"}


def test_subrip_reads_the_same(tmp_path):
    blocks = [f"{i + 1}\n00:00:{i:02d},000 --> 00:00:{i:02d},900\n{name}: {text}\n"
              for i, (name, text) in enumerate(_session())]
    (tmp_path / "call.srt").write_text("\n".join(blocks), encoding="utf-8")
    assert read_captions(tmp_path / "call.srt")["speaker"].tolist() == [n for n, _ in _session()]


@pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")
def test_a_video_call_codes_and_summarizes_with_the_counsellors_name(tmp_path, capsys):
    src, coded = write_vtt(tmp_path / "call.vtt", _session()), tmp_path / "coded.csv"
    with speaking(cli=True):
        assert main(["code", str(src), "-o", str(coded), "--tier", "fast", "--quiet"]) == 2  # two unknown names
    assert "'Dana Reyes'" in capsys.readouterr().err and not coded.exists()
    assert main(["code", str(src), "-o", str(coded), "--tier", "fast", "--quiet", "--counsellor-values",
                 "Dana Reyes"]) == 0
    out = pd.read_csv(coded)
    assert (out["speaker"].eq("Sam Lee") == out["mi_side"].eq("client")).all()
    csv = tmp_path / "same.csv"
    s = pd.read_csv(EXAMPLES / "counselling_session.csv")
    s.assign(interlocutor=[n for n, _ in _session()]).to_csv(csv, index=False)
    assert main(["code", str(csv), "-o", str(tmp_path / "csv.csv"), "--tier", "fast", "--quiet",
                 "--counsellor-values", "Dana Reyes"]) == 0
    assert out["mi_code"].tolist() == pd.read_csv(tmp_path / "csv.csv")["mi_code"].tolist()
    assert main(["summarize", str(coded)]) == 0 and "transcript_id call: 22 utterances" in capsys.readouterr().out


def test_a_third_voice_still_needs_its_side_named():
    from mi_coder.io import Layout

    frame = pd.DataFrame({"speaker": ["Dana", "Sam", "Dana", "Alex"], "text": ["a", "b", "c", "d"]})
    with pytest.raises(InputError, match="'Sam', 'Alex'"):
        Layout.resolve(frame, counsellor_values="dana").sides(frame)
    two = frame.iloc[:3]
    assert list(Layout.resolve(two, counsellor_values="dana").sides(two)) == ["counsellor", "client", "counsellor"]


def test_a_malformed_caption_file_is_one_line_naming_it(tmp_path):
    bad = tmp_path / "bad.vtt"
    bad.write_text("not a caption file\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.vtt: cannot be read as .vtt captions"):
        read_captions(bad)


def write_docx(path, lines):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path


PLAIN = ["Coach: Hi Sam, what brings you in today?", "Sam: My drinking, I guess.", "It has been getting worse.",
         "[00:01:10] Coach: It sounds like you are worried about it.", "00:01:15 Sam: Yeah."]


def test_a_plain_name_colon_transcript_is_turns_as_in_txt_and_docx(tmp_path):
    from mi_coder.io import read_table

    (tmp_path / "chat.txt").write_text("\n".join(PLAIN) + "\n", encoding="utf-8")
    for path in (tmp_path / "chat.txt", write_docx(tmp_path / "chat.docx", PLAIN)):
        frame = read_table(path)
        assert frame["speaker"].tolist() == ["Coach", "Sam", "Coach", "Sam"]  # time stamps dropped
        assert frame["text"].tolist()[1] == "My drinking, I guess. It has been getting worse."  # a line goes on
        assert set(frame["transcript_id"]) == {"chat"} and "start" not in frame


def test_a_txt_file_that_is_a_csv_stays_a_csv(tmp_path):
    from mi_coder.io import read_table

    path = tmp_path / "table.txt"
    path.write_text("speaker,text\ntherapist,How are you?\nclient: me,Fine\n", encoding="utf-8")
    assert list(read_table(path).columns) == ["speaker", "text"]


@pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")
def test_a_plain_transcript_codes_with_the_counsellors_name_and_unknown_names_stop(tmp_path, capsys):
    src, coded = tmp_path / "chat.txt", tmp_path / "coded.csv"
    src.write_text("\n".join(line.replace("Coach", "Dana") for line in PLAIN), encoding="utf-8")
    with speaking(cli=True):
        assert main(["code", str(src), "-o", str(coded), "--tier", "fast", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "'Dana'" in err and "worried" not in err and not coded.exists()
    assert main(["code", str(src), "-o", str(coded), "--tier", "fast", "--quiet", "--counsellor-values", "Dana"]) == 0
    assert pd.read_csv(coded)["mi_side"].tolist() == ["counsellor", "client", "counsellor", "client"]


def test_a_damaged_word_file_is_one_line_naming_it(tmp_path):
    pytest.importorskip("docx")
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK\x03\x04 not really a document")
    with pytest.raises(InputError, match="notes.docx: cannot be read as a Word document"):
        read_captions(bad)
