"""A battery of malformed files through the CLI: correct output or one line, exit 2, no file."""

import os

import pandas as pd
import pytest

from conftest import SHIPPED_MODEL
from mi_coder.cli import main

pytestmark = pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")

GOOD = "speaker,text\nclient,I drink too much.\ncounselor,You drink a lot.\n"

CASES = {
    "missing_file": None,
    "empty": b"",
    "header_only": b"speaker,text\n",
    "no_text_column": b"speaker,note\nclient,hi\n",
    "ambiguous_columns": b"text,Text\na,b\n",
    "two_text_columns": b"speaker,text,content\nclient,a,b\n",
    "unknown_speakers": b"speaker,text\nclient,hi\nnarrator,so\nbot,x\n",
    "latin1": "speaker,text\nclient,café au lait\n".encode("latin-1"),
    "utf16": GOOD.encode("utf-16"),
    "utf8_bom": b"\xef\xbb\xbf" + GOOD.encode(),
    "ragged_long": b"speaker,text\nclient,hi\ncounselor,hello,extra\n",
    "ragged_short": b"speaker,text,extra\nclient,hi\ncounselor,hello,1\n",
    "blank_and_nan_text": b"speaker,text\nclient,\ncounselor,NaN\nclient,   \n",
    "huge_cell": b"speaker,text\nclient," + b"word " * 220_000 + b"\ncounselor,ok\n",
    "binary": bytes(range(256)) * 40,
    "formula": b"speaker,text\nclient,=HYPERLINK(\"x\")\ncounselor,+1 more\n",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_battery(tmp_path, capsys, case):
    src, out = tmp_path / "input.csv", tmp_path / "out.csv"
    if CASES[case] is not None:
        src.write_bytes(CASES[case])
    code = main(["code", str(src), "-o", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in err if "error" in line]
    if code == 0:
        rows_in = len(pd.read_csv(src, dtype=str, encoding_errors="replace", encoding=_enc(case),
                                  on_bad_lines="skip", keep_default_na=False))
        coded = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert len(coded) == rows_in and "mi_code" in coded.columns
        assert not errors
    else:
        assert code == 2, err
        assert len(errors) == 1 and "input.csv" in errors[0]
        assert "Traceback" not in "\n".join(err)
        assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no temporary file left


def _enc(case):
    return {"latin1": "latin-1", "utf16": "utf-16", "utf8_bom": "utf-8-sig"}.get(case, "utf-8")


@pytest.mark.parametrize("case, must_fail", [("empty", True), ("header_only", True), ("no_text_column", True),
                                             ("unknown_speakers", True), ("binary", True),
                                             ("two_text_columns", True),
                                             ("latin1", False), ("utf16", False), ("utf8_bom", False),
                                             ("ragged_short", False), ("blank_and_nan_text", False),
                                             ("huge_cell", False), ("formula", False)])
def test_expected_outcomes(tmp_path, case, must_fail):
    src, out = tmp_path / "input.csv", tmp_path / "out.csv"
    src.write_bytes(CASES[case])
    assert (main(["code", str(src), "-o", str(out)]) == 2) == must_fail


def test_formulas_kept_unless_excel_safe(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(CASES["formula"])
    plain, safe = tmp_path / "plain.csv", tmp_path / "safe.csv"
    assert main(["code", str(src), "-o", str(plain)]) == 0
    assert main(["code", str(src), "-o", str(safe), "--excel-safe"]) == 0
    assert pd.read_csv(plain)["text"].tolist() == ['=HYPERLINK("x")', "+1 more"]
    assert pd.read_csv(safe)["text"].tolist() == ['\'=HYPERLINK("x")', "'+1 more"]


def test_unwritable_output(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text(GOOD)
    assert main(["code", str(src), "-o", str(tmp_path / "no" / "such" / "out.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_error_messages_never_quote_utterances(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("speaker,text\nnarrator,my secret drinking story\n")
    main(["code", str(src), "-o", str(tmp_path / "o.csv")])
    assert "secret" not in capsys.readouterr().err


@pytest.mark.parametrize("content, kind", [
    (b'[\n  {"session": "s1",  "text": "I want to drink again"},\n  {"session": "s1", "text": "hm"}\n]\n', "JSON"),
    (b'{"session": "s1", "text": "I want to drink again"}\n{"session": "s1", "text": "hm"}\n', "JSON"),
    (b"<!DOCTYPE html>\n<html><body><p>I want to drink again</p>\n<p>hm</p></body></html>\n", "HTML"),
    (b'<?xml version="1.0"?>\n<t><u>I want to drink again</u>\n<u>hm</u></t>\n', "XML"),
    (b"PK\x03\x04\x14\x00I want to drink again\nhm\n", "Word .docx"),
    (b"%PDF-1.7\nI want to drink again\nhm\n", "PDF"),
])
def test_a_file_that_is_not_a_table_says_what_it_looks_like_and_never_quotes_it(tmp_path, capsys, content, kind):
    """Once, a JSON file given to `code --text-col text` answered `columns are {"session": "s1", "text": …}`."""
    from mi_coder.cli import main

    src = tmp_path / "chat.csv"
    src.write_bytes(content)
    for args in (["code", str(src), "-o", str(tmp_path / "out.csv"), "--text-col", "text"],
                 ["summarize", str(src)], ["report", str(src), "-o", str(tmp_path / "r.html")]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert kind in err and "not a CSV table" in err and "drink" not in err and err.count("\n") == 1
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("name", ["out.docx", "out.json", "out.html"])
def test_an_output_type_that_cannot_be_written_is_refused_before_any_work(tmp_path, capsys, name):
    """`-o out.docx` once wrote a CSV under that name."""
    from mi_coder.cli import main

    src = tmp_path / "in.csv"
    src.write_text("speaker,text\nclient,hi\ncoach,how are you?\n")
    assert main(["code", str(src), "-o", str(tmp_path / name), "--tier", "fast", "--quiet"]) == 2
    assert "cannot write" in capsys.readouterr().err and not (tmp_path / name).exists()
    for ok in ("out.csv", "out.tsv.gz", "out.txt"):
        assert main(["code", str(src), "-o", str(tmp_path / ok), "--tier", "fast", "--quiet"]) == 0
