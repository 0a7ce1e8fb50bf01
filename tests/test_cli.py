"""The CLI end to end on the example transcripts, and its one-line errors."""

import re
import subprocess
import sys

import pandas as pd
import pytest

from conftest import EXAMPLES, SHIPPED_MODEL
from mi_coder.cli import main
from mi_coder.codes import CLIENT_CODES, COUNSELLOR_CODES

pytestmark = pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")


def test_code_and_summarize_round_trip(tmp_path):
    """The README's demo: code the counselling example, then summarize it (as a subprocess)."""
    coded, summary = tmp_path / "coded.csv", tmp_path / "summary.csv"
    src = EXAMPLES / "counselling_session.csv"
    run = subprocess.run([sys.executable, "-m", "mi_coder.cli", "code", str(src), "-o", str(coded),
                          "--probabilities"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    original, out = pd.read_csv(src), pd.read_csv(coded)
    assert list(out.columns[:len(original.columns)]) == list(original.columns)
    assert out["utterance_text"].equals(original["utterance_text"])
    therapist = out["interlocutor"] == "therapist"
    assert out.loc[therapist, "mi_code"].isin(COUNSELLOR_CODES).all()
    assert out.loc[~therapist, "mi_code"].isin(CLIENT_CODES).all()
    assert out["mi_confidence"].between(0, 1).all()
    p_counsellor = out.loc[therapist, [f"p_{c}" for c in COUNSELLOR_CODES]].sum(axis=1)
    assert p_counsellor.round(2).eq(1).all()
    assert out.loc[therapist, "p_change_talk"].isna().all()

    assert main(["summarize", str(coded), "-o", str(summary)]) == 0
    s = pd.read_csv(summary)
    assert len(s) == 1 and s.loc[0, "transcript_id"] == "demo-session"
    codes = out["mi_code"].value_counts()
    assert s.loc[0, "open_question"] == codes.get("open_question", 0)
    questions = codes.get("open_question", 0) + codes.get("closed_question", 0)
    reflections = codes.get("simple_reflection", 0) + codes.get("complex_reflection", 0)
    assert questions > 0 and reflections > 0  # the demo session has both
    assert s.loc[0, "reflection_to_question"] == pytest.approx(reflections / questions)


def test_peer_support_chat_columns_are_detected(tmp_path):
    out = tmp_path / "chat.csv"
    assert main(["code", str(EXAMPLES / "peer_support_chat.csv"), "-o", str(out)]) == 0
    coded = pd.read_csv(out)
    assert coded.loc[coded["speaker"] == "supporter", "mi_code"].isin(COUNSELLOR_CODES).all()
    assert coded.loc[coded["speaker"] == "seeker", "mi_code"].isin(CLIENT_CODES).all()


OBVIOUS = [
    ("counsellor", "What brings you here today?", "open_question"),
    ("counsellor", "How do you feel about your drinking?", "open_question"),
    ("counsellor", "Do you drink every day?", "closed_question"),
    ("counsellor", "Great job, you did it!", "affirmation"),
    ("counsellor", "Hello, nice to meet you.", "other"),
    ("counsellor", "Smoking raises the risk of heart disease and stroke.", "information"),
    ("client", "I want to stop drinking.", "change_talk"),
    ("client", "I need to cut down on my drinking.", "change_talk"),
    ("client", "I like drinking, it helps me relax.", "sustain_talk"),
    ("client", "I am 45 years old.", "neutral"),
]


# Open or closed is the question's form, which fillers and openers ("so, um", "and") hide from
# the first word: the subtype classifier reads the first real word of each question sentence.
QUESTIONS_BEHIND_FILLERS = [
    ("So, um, what would you like to do about that?", "open_question"),
    ("Okay, and how has that been for you?", "open_question"),
    ("Yeah, and where does that leave you with your drinking?", "open_question"),
    ("Um, what else have you noticed since you cut down?", "open_question"),
    ("So, um, are you drinking more than before?", "closed_question"),
    ("And is that something you'd want to change?", "closed_question"),
    ("Right, so would you say that it's a problem?", "closed_question"),
    ("Uh, do you smoke or drink at parties?", "closed_question"),
]


def test_open_and_closed_questions_behind_fillers():
    import mi_coder

    coder = mi_coder.load()
    misses = [(text, want, got) for text, want in QUESTIONS_BEHIND_FILLERS if (got := coder.code(text)) != want]
    assert len(misses) <= 1, misses


def test_obvious_utterances_mostly_get_their_codes():
    """A smoke test of `coder.code` on lone, unambiguous utterances: at most one miss."""
    import mi_coder

    coder = mi_coder.load()
    misses = [(text, want, got) for side, text, want in OBVIOUS
              if (got := coder.code(text, side=side)) != want]
    assert len(misses) <= 1, misses


def test_empty_text_gets_empty_code_and_rows_are_kept(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("speaker,text,extra\nclient,I drink too much.,1\ncounselor,,2\ncounselor,You drink a lot.,3\n")
    out = tmp_path / "out.csv"
    assert main(["code", str(src), "-o", str(out)]) == 0
    coded = pd.read_csv(out, keep_default_na=False)
    assert coded["extra"].tolist() == [1, 2, 3]
    assert coded.loc[1, "mi_code"] == "" and coded.loc[1, "mi_confidence"] == ""
    assert coded.loc[2, "mi_code"] in COUNSELLOR_CODES


@pytest.mark.parametrize("content, match", [
    ("who,text\nnarrator,hello\n", "'who', row 2.*--counsellor-values"),
    ("speaker,note\nclient,hi\n", "no text column.*--text-col"),
    ("", "empty"),
])
def test_bad_input_exits_2_with_one_line_and_no_output(tmp_path, capsys, content, match):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(content)
    args = ["code", str(src), "-o", str(out)]
    if content.startswith("who"):
        args += ["--speaker-col", "who"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "in.csv" in err
    assert re.search(match, err)
    assert "hello" not in err  # names columns, rows and speaker labels, never utterances
    assert not out.exists()


def test_input_equal_to_output_is_refused(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("text\nhello\n")
    assert main(["code", str(src), "-o", str(src)]) == 2
    assert src.read_text() == "text\nhello\n"


def test_summarize_without_output_prints_a_readable_summary(tmp_path, capsys):
    """The README's "Try it" ends in a summary a person reads: score, value, interval, band."""
    from mi_coder.cli import main

    coded = tmp_path / "coded.csv"
    assert main(["code", str(EXAMPLES / "counselling_session.csv"), "-o", str(coded), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["summarize", str(coded)]) == 0
    out = capsys.readouterr().out
    assert "transcript_id demo-session: 22 utterances" in out
    assert "reflections : questions" in out and "90% interval" in out
    assert out.count("\n") < 20  # a page, not a 40-column CSV line


def test_version_is_the_package_metadata_version(capsys):
    from importlib.metadata import version

    import mi_coder
    from mi_coder.cli import main

    assert mi_coder.__version__ == version("mi_coder")
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"mi-coder {version('mi_coder')}"


def test_summarize_and_report_take_the_column_flags_of_code(tmp_path, capsys):
    """Both `text` and `content` columns: summarize asks for --text-col (a flag it has) and uses it."""
    source = pd.read_csv(EXAMPLES / "counselling_session.csv")
    both = source.assign(content=source["utterance_text"], text="")
    path = tmp_path / "both.csv"
    both.to_csv(path, index=False)
    coded = tmp_path / "coded.csv"
    assert main(["code", str(path), "-o", str(coded), "--text-col", "content", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["summarize", str(coded), "-o", str(tmp_path / "s.csv"), "--no-intervals"]) == 2
    assert "--text-col" in capsys.readouterr().err
    assert main(["summarize", str(coded), "-o", str(tmp_path / "s.csv"), "--text-col", "content"]) == 0
    assert main(["report", str(coded), "-o", str(tmp_path / "r.html"), "--text-col", "content"]) == 0


def test_adherence_columns_come_from_a_text_column_of_any_name(tmp_path):
    """Text in a column named `msg`: with --text-col msg the adherence columns are there."""
    source = pd.read_csv(EXAMPLES / "counselling_session.csv").rename(columns={"utterance_text": "msg"})
    path, coded, summary = tmp_path / "msg.csv", tmp_path / "coded.csv", tmp_path / "s.csv"
    source.to_csv(path, index=False)
    assert main(["code", str(path), "-o", str(coded), "--text-col", "msg", "--quiet"]) == 0
    assert main(["summarize", str(coded), "-o", str(summary), "--text-col", "msg"]) == 0
    table = pd.read_csv(summary)
    assert {"mi_adherent", "mi_non_adherent", "pct_mi_adherent"} <= set(table.columns)


def test_coded_output_records_side_and_model(tmp_path):
    coded = tmp_path / "coded.csv"
    assert main(["code", str(EXAMPLES / "peer_support_chat.csv"), "-o", str(coded), "--quiet"]) == 0
    table = pd.read_csv(coded)
    expected = table["speaker"].map({"supporter": "counsellor", "seeker": "client"})
    assert (table["mi_side"] == expected).all()
    from mi_coder.coding._modelio import read_manifest
    from mi_coder.coding._tiers import tier_manifest_path
    # The default tier is the accurate one: its id, not the fast model's, names the rows.
    assert set(table["mi_model"]) == {read_manifest(tier_manifest_path("accurate"))["sha256"][:16]}
    assert main(["code", str(EXAMPLES / "peer_support_chat.csv"), "-o", str(coded), "--quiet", "--tier", "fast"]) == 0
    assert set(pd.read_csv(coded)["mi_model"]) == {read_manifest(SHIPPED_MODEL)["sha256"][:16]}


def test_summarize_uses_the_confusions_of_the_model_that_coded_the_file(tmp_path, capsys, tiny_model):
    coded, summary = tmp_path / "coded.csv", tmp_path / "s.csv"
    assert main(["code", str(EXAMPLES / "counselling_session.csv"), "-o", str(coded), "--quiet",
                 "--model", str(tiny_model)]) == 0
    capsys.readouterr()
    assert main(["summarize", str(coded), "-o", str(summary)]) == 2  # never silently the shipped model's
    err = capsys.readouterr().err
    assert "mi_model" in err and "--model" in err and not summary.exists()
    assert main(["summarize", str(coded), "-o", str(summary), "--model", str(tiny_model)]) == 0
    ours = pd.read_csv(summary)
    assert main(["summarize", str(coded), "-o", str(summary), "--no-intervals"]) == 0
    assert "reflection_to_question_low" in ours.columns


def test_code_gives_the_confidence_on_request_and_refuses_a_list():
    import mi_coder
    from mi_coder.codes import COUNSELLOR_CODES as CODES8

    coder = mi_coder.load()
    text = "It sounds like you're worried about your drinking."
    coded = coder.code(text, return_proba=True)
    assert coded.code == coder.code(text) and set(coded.probabilities) == set(CODES8)
    assert coded.confidence == max(coded.probabilities.values())
    assert abs(sum(coded.probabilities.values()) - 1) < 1e-6
    assert coder.code("   ", return_proba=True) == ("", None, {})
    with pytest.raises(TypeError, match="code_frame"):
        coder.code(["Hello.", "How are you?"])


def test_the_loaded_coder_says_what_it_is():
    import mi_coder
    from mi_coder.coding._pins import ACCURATE_ENCODER_SHA256, SHIPPED_SHA256
    from mi_coder.coding._tiers import tier_id

    text = repr(mi_coder.load())  # the default tier: the accurate one, named by both pinned hashes
    assert tier_id(SHIPPED_SHA256, ACCURATE_ENCODER_SHA256)[:16] in text and "EncoderCoder" in text
    assert "annomi" in text and "coarse-4 macro-F1 0.7" in text
    text = repr(mi_coder.load("fast"))
    assert SHIPPED_SHA256[:16] in text and "EncoderCoder" not in text


def test_bad_input_is_reported_before_the_model_is_loaded(tmp_path, capsys):
    """A file without a text column fails on the input, not after seconds of loading (or on the model)."""
    src = tmp_path / "in.csv"
    src.write_text("speaker,note\nclient,hi\n")
    assert main(["code", str(src), "-o", str(tmp_path / "o.csv"), "--model", str(tmp_path / "absent.joblib")]) == 2
    err = capsys.readouterr().err
    assert "text column" in err and "model" not in err


# A recovery-coach chat as a supervisor would upload it: the peer gives directives without asking.
PEER_DIRECTIVES = [
    ("member", "I had a really rough weekend, I almost went to the bar."),
    ("peer", "You should call your sponsor when you feel like that."),
    ("member", "I know, I just didn't want to bother him."),
    ("peer", "You should make an appointment with your counsellor this week."),
    ("member", "Maybe. I don't know if it helps."),
    ("peer", "You need to stop hanging out with the people you used to drink with."),
    ("member", "They're my only friends though."),
    ("peer", "Try going to a meeting every day this week."),
]


def test_directives_in_a_peer_chat_come_back_as_advice(tmp_path):
    """Issue 21's acceptance: "You should ..." from a peer supporter is advice, and the summary counts it."""
    src, out = tmp_path / "chat.csv", tmp_path / "coded.csv"
    pd.DataFrame({"conversation_id": "chat-1", "speaker": [s for s, _ in PEER_DIRECTIVES],
                  "text": [t for _, t in PEER_DIRECTIVES]}).to_csv(src, index=False)
    assert main(["code", str(src), "-o", str(out), "--quiet"]) == 0
    coded = pd.read_csv(out)
    peer = coded[coded["speaker"] == "peer"]
    assert (peer["mi_code"] == "advice").sum() >= 3, peer["mi_code"].tolist()
    import mi_coder

    assert mi_coder.load().code("You should stop drinking.") == "advice"  # the README's own example
    summary = mi_coder.summarize(coded, confusion=None)
    assert summary["advice_without_permission"].iloc[0] >= 3


def test_a_big_file_for_the_default_tier_gets_a_note_on_speed(tmp_path, capsys):
    """The accurate tier codes hundreds of rows a second: a 6 MB file is told that --tier fast exists."""
    import argparse

    from mi_coder.cli import _warn_if_slow

    big = tmp_path / "big.csv"
    line = b"therapist,How are you doing with that these days?\n"  # 48 bytes: the old note guessed 100 a row
    big.write_bytes(b"speaker,text\n" + line * (6_000_000 // len(line)))
    args = argparse.Namespace(tier=None, model=None, input=str(big), quiet=False)
    _warn_if_slow(args)
    err = capsys.readouterr().err
    assert "--tier fast" in err and f"up to {6_000_000 // len(line):,} utterances" in err  # counted, #29 item 6
    for chosen in (dict(tier="accurate"), dict(tier="fast"), dict(quiet=True)):
        _warn_if_slow(argparse.Namespace(**{**vars(args), **chosen}))
        assert capsys.readouterr().err == ""


def test_summarize_shows_its_stages_on_a_bar_for_a_big_file(tmp_path, monkeypatch):
    """#29 item 6: 100,000 rows took a minute with no output; a big file now gets a bar, one step a stage."""
    import pandas as pd

    from mi_coder import cli
    from mi_coder.summary._summarize import STAGES

    seen = []

    class Bar:
        total, n = len(STAGES), 0

        def set_description(self, text):
            seen.append(text)

        def update(self, k):
            self.n += k

        def close(self):
            seen.append(("closed", self.n))

    monkeypatch.setattr(cli, "BIG_SUMMARY", 2)
    monkeypatch.setattr(cli, "_progress", lambda args, total, unit: None if args.quiet else Bar())
    coded = tmp_path / "coded.csv"
    pd.DataFrame({"transcript_id": ["a", "a", "b"], "text": ["x", "y", "z"],
                  "mi_code": ["open_question", "simple_reflection", "advice"]}).to_csv(coded, index=False)
    assert cli.main(["summarize", str(coded), "-o", str(tmp_path / "s.csv"), "--no-intervals"]) == 0
    assert seen == list(STAGES) + [("closed", len(STAGES))]
    seen.clear()
    assert cli.main(["summarize", str(coded), "-o", str(tmp_path / "s.csv"), "--no-intervals", "--quiet"]) == 0
    assert seen == []
