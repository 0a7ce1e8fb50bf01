"""Issue #20, "A newcomer's day": what a first-time user of the CLI and the Python API ran into."""

import subprocess
import sys

import pandas as pd
import pytest

from conftest import EXAMPLES, SHIPPED_MODEL
from mi_coder.cli import main
from mi_coder.errors import InputError

pytestmark = pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")


@pytest.fixture(scope="module")
def coder():
    import mi_coder
    return mi_coder.load()


def replies() -> list[str]:
    """20 counsellor utterances: a chatbot team's list of replies, each written on its own."""
    session = pd.read_csv(EXAMPLES / "counselling_session.csv")
    chat = pd.read_csv(EXAMPLES / "peer_support_chat.csv")
    texts = (session.loc[session["interlocutor"] == "therapist", "utterance_text"].tolist()
             + chat.loc[chat["speaker"] == "supporter", "text"].tolist())
    assert len(texts) == 20
    return texts


def codes_of(path) -> list:
    return pd.read_csv(path, dtype=str, keep_default_na=False)["mi_code"].tolist()


def test_a_list_of_replies_is_coded_reply_by_reply_and_the_flag_gives_one_conversation(tmp_path, capsys, coder):
    texts = replies()
    src, out, joined = tmp_path / "replies.csv", tmp_path / "coded.csv", tmp_path / "joined.csv"
    pd.DataFrame({"reply": texts}).to_csv(src, index=False)
    assert main(["code", str(src), "-o", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no speaker or transcript column" in err[0] and "--one-transcript" in err[0]
    alone = [coder.code(text) for text in texts]
    assert codes_of(out) == alone
    assert coder.code_frame(pd.DataFrame({"reply": texts}))["mi_code"].tolist() == alone  # the API reads it so too

    assert main(["code", str(src), "-o", str(joined), "--quiet", "--one-transcript"]) == 0
    assert capsys.readouterr().err == ""
    session = coder.code_frame(pd.DataFrame({"reply": texts}), independent=False)["mi_code"].tolist()
    assert codes_of(joined) == session and session != alone  # the session stage read the rows as one conversation

    # One batch of replies, one summary row, with the adherence columns (found in `reply`).
    summary = tmp_path / "summary.csv"
    assert main(["summarize", str(out), "-o", str(summary), "--no-intervals"]) == 0
    table = pd.read_csv(summary)
    assert len(table) == 1 and table.loc[0, "n_utterances"] == 20 and "pct_mi_adherent" in table.columns
    assert main(["report", str(out), "-o", str(tmp_path / "r.html")]) == 0


def test_independent_chooses_lone_coding_for_a_file_with_transcripts(tmp_path, coder):
    frame = pd.read_csv(EXAMPLES / "counselling_session.csv", dtype=str)
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    frame.to_csv(src, index=False)
    assert main(["code", str(src), "-o", str(out), "--quiet", "--independent"]) == 0
    sides = frame["interlocutor"].map({"therapist": "counsellor", "client": "client"})
    assert codes_of(out) == [coder.code(t, side=s) for t, s in zip(frame["utterance_text"], sides)]


def test_xlsx_output_is_a_real_workbook(tmp_path):
    pytest.importorskip("openpyxl")
    src, out, summary = tmp_path / "in.csv", tmp_path / "coded.xlsx", tmp_path / "summary.xlsx"
    frame = pd.read_csv(EXAMPLES / "counselling_session.csv", dtype=str)
    frame.loc[2, "utterance_text"] = "=HYPERLINK(\"x\")"  # stays text, never a formula
    frame.to_csv(src, index=False)
    assert main(["code", str(src), "-o", str(out), "--quiet"]) == 0
    assert out.read_bytes()[:4] == b"PK\x03\x04"
    book = pd.read_excel(out, dtype=str)
    assert book["utterance_text"].tolist() == frame["utterance_text"].tolist() and "mi_code" in book.columns
    import openpyxl
    assert openpyxl.load_workbook(out).active["D4"].data_type == "s"
    assert main(["summarize", str(out), "-o", str(summary), "--no-intervals"]) == 0
    assert pd.read_excel(summary)["transcript_id"].tolist() == ["demo-session"]


BLOCKED = """
import builtins, sys
real = builtins.__import__
def guarded(name, *args, **kwargs):
    if name.split(".")[0] in {blocked!r}:
        raise ImportError("blocked for the test: " + name)
    return real(name, *args, **kwargs)
builtins.__import__ = guarded
from mi_coder.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("name, package, extra", [("out.xlsx", "openpyxl", "excel"),
                                                  ("out.parquet", "pyarrow", "parquet")])
@pytest.mark.parametrize("command", ["code", "summarize"])
def test_an_output_format_without_its_package_is_refused_before_any_work(tmp_path, name, package, extra, command):
    source = EXAMPLES / "counselling_session.csv"
    if command == "summarize":
        source = tmp_path / "coded.csv"
        assert main(["code", str(EXAMPLES / "counselling_session.csv"), "-o", str(source), "--quiet"]) == 0
    done = subprocess.run([sys.executable, "-c", BLOCKED.format(blocked={package}), command, str(source),
                           "-o", str(tmp_path / name)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    err = done.stderr.strip()
    assert len(err.splitlines()) == 1 and f"pip install 'mi_coder[{extra}]'" in err and ".tmp-" not in err
    assert "loading" not in err and not (tmp_path / name).exists()
    assert not any(p.name.startswith(".tmp-") for p in tmp_path.iterdir())


def test_summarize_says_which_columns_it_cannot_compute(tmp_path, capsys):
    source = pd.read_csv(EXAMPLES / "counselling_session.csv").rename(columns={"utterance_text": "said"})
    src, coded, summary = tmp_path / "in.csv", tmp_path / "coded.csv", tmp_path / "s.csv"
    source.to_csv(src, index=False)
    assert main(["code", str(src), "-o", str(coded), "--text-col", "said", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["summarize", str(coded), "-o", str(summary), "--no-intervals"]) == 0
    err = capsys.readouterr().err
    assert "advice_without_permission" in err and "pct_mi_adherent" in err and "--text-col" in err
    assert main(["summarize", str(coded), "-o", str(summary), "--no-intervals", "--text-col", "said"]) == 0
    assert capsys.readouterr().err == "" and "pct_mi_adherent" in pd.read_csv(summary).columns


def test_summarize_on_an_uncoded_file_says_to_code_it_first(tmp_path, capsys):
    assert main(["summarize", str(EXAMPLES / "counselling_session.csv")]) == 2
    err = capsys.readouterr().err
    assert "not coded" in err and "mi-coder code" in err
    with pytest.raises(InputError, match="code_frame"):
        import mi_coder
        mi_coder.summarize(pd.read_csv(EXAMPLES / "counselling_session.csv"))


def test_unknown_speakers_are_named_and_counted_over_the_whole_file(tmp_path, capsys):
    """Unknown values in two chunks of a streamed file: every row counts, not only the first chunk's."""
    frame = pd.concat([pd.read_csv(EXAMPLES / "counselling_session.csv", dtype=str).assign(transcript_id=f"t{i}")
                       for i in range(500)], ignore_index=True)
    frame.loc[[5, 9, 12], "interlocutor"] = "Narrator"
    frame.loc[[8000, 10500], "interlocutor"] = "Moderator"
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    frame.to_csv(src, index=False)
    assert main(["code", str(src), "-o", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "row 7 (first of 5 rows)" in err and "'Narrator', 'Moderator'" in err and not out.exists()


def test_member_prefixes_follow_the_client_values(tmp_path, coder):
    frame = pd.read_csv(EXAMPLES / "counselling_session.csv", dtype=str)
    prefix = frame["interlocutor"].map({"therapist": "Guide: ", "client": "Member: "})
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"transcript_id": frame["transcript_id"], "text": prefix + frame["utterance_text"]}).to_csv(
        src, index=False)
    assert main(["code", str(src), "-o", str(out), "--quiet", "--counsellor-values", "guide",
                 "--client-values", "member"]) == 0
    assert codes_of(out) == coder.code_frame(frame)["mi_code"].tolist()


def test_python_errors_speak_python(coder):
    frame = pd.DataFrame({"note": ["hi"]})
    with pytest.raises(InputError, match="text_col=") as err:
        coder.code_frame(frame)
    assert "--" not in str(err.value)
    frame = pd.DataFrame({"text": ["a", "b"], "speaker": ["coach", "robot"]}, index=["x", "y"])
    with pytest.raises(InputError, match="row with index 'y'.*client_values="):
        coder.code_frame(frame)
    for context in (["I want to quit"], "I want to quit", [("client", "a", "b")], [("client", 3)]):
        with pytest.raises(TypeError, match=r"\(side, text\)"):
            coder.code("So you want to quit.", context=context)
    assert coder.code("So you want to quit.", context=[("client", "I want to quit")])


def test_help_names_the_contract_and_every_format(capsys):
    from mi_coder.cli import build_parser

    parser = build_parser()
    texts = [parser.format_help()] + [action.choices[name].format_help()
                                      for action in parser._subparsers._group_actions for name in action.choices]
    assert not any("SPEC" in text for text in texts)
    code = build_parser()._subparsers._group_actions[0].choices["code"].format_help()
    for word in ("CSV", "Parquet", "Excel", ".xlsx", ".gz", ".tsv", "standard input", "standard output"):
        assert word in " ".join(code.split()), word


def test_the_notebooks_extra_installs_jupyter():
    import tomllib
    from conftest import ROOT

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(req.startswith("notebook") and not req.startswith("nbformat") for req in extras["notebooks"])


def _chat_export(path, names=("session", "who", "message")):
    """A recovery coach's chat export: two sessions, coach and member taking turns."""
    session = pd.read_csv(EXAMPLES / "counselling_session.csv")
    rows = [(f"s{k}", "coach" if who == "therapist" else "member", text)
            for k in (1, 2) for who, text in zip(session["interlocutor"], session["utterance_text"])]
    pd.DataFrame(rows, columns=list(names)).to_csv(path, index=False)
    return path


def test_issue_29_a_chat_export_is_coded_per_session_with_both_sides_and_stays_so(tmp_path):
    """`session,who,message` (coach/member) was coded all-counsellor as one transcript, exit 0; and after
    `code --transcript-col visit`, `summarize` without the flag gave one transcript 'all'."""
    src, coded = _chat_export(tmp_path / "chat.csv"), tmp_path / "coded.csv"
    assert main(["code", str(src), "-o", str(coded), "--tier", "fast", "--quiet"]) == 0
    out = pd.read_csv(coded, dtype=str)
    assert (out["who"].eq("member") == out["mi_side"].eq("client")).all()
    summary = tmp_path / "summary.csv"
    assert main(["summarize", str(coded), "-o", str(summary)]) == 0
    assert pd.read_csv(summary)["session"].tolist() == ["s1", "s2"]

    visits = _chat_export(tmp_path / "visits.csv", ("visit", "who", "message"))
    assert main(["code", str(visits), "-o", str(coded), "--tier", "fast", "--quiet"]) == 2  # 'visit' unnamed
    assert not coded.exists() or pd.read_csv(coded, dtype=str).columns[0] == "session"  # nothing half-written
    assert main(["code", str(visits), "-o", str(coded), "--tier", "fast", "--quiet", "--transcript-col", "visit"]) == 0
    assert main(["summarize", str(coded), "-o", str(summary)]) == 0
    assert pd.read_csv(summary)["visit"].tolist() == ["s1", "s2"]
    report = tmp_path / "report.html"
    assert main(["report", str(coded), "-o", str(report)]) == 0
    html = report.read_text(encoding="utf-8")
    assert "s1" in html and "s2" in html


def test_issue_29_an_unnamed_speaker_column_stops_the_cli_naming_it(tmp_path, capsys):
    src = _chat_export(tmp_path / "chat.csv", ("session", "voice", "message"))
    assert main(["code", str(src), "-o", str(tmp_path / "coded.csv"), "--tier", "fast", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "'voice'" in err and "--speaker-col voice" in err and "\n" not in err.strip()
    assert not (tmp_path / "coded.csv").exists()
