"""Reading users' files (encodings, bad shapes) and writing them whole or not at all."""


import pandas as pd
import pytest

from mi_coder.errors import InputError
from mi_coder.io._tables import check_output, excel_safe, read_table, write_table


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("encoding, prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b"")])
def test_unicode_encodings_are_decoded(tmp_path, encoding, prefix):
    path = write(tmp_path, "t.csv", prefix + "text,speaker\ncafé naïve,client\n".encode(encoding))
    frame = read_table(path)
    assert list(frame.columns) == ["text", "speaker"]
    assert frame.loc[0, "text"] == "café naïve"


def test_latin1_is_read_with_a_warning(tmp_path):
    path = write(tmp_path, "t.csv", "text\ncafé\n".encode("latin-1"))
    with pytest.warns(UserWarning, match="t.csv.*UTF-8"):
        frame = read_table(path)
    assert frame.loc[0, "text"] == "café"


@pytest.mark.parametrize("data, match", [
    (b"", "empty"),
    (b"text,speaker\n", "no rows"),
    (b"\x00\x01\x02binary\x00", "binary"),
    (b'text,speaker\n"a",client\n"b",client,extra,more\n', "line 3"),
    (b"text,Text\na,b\n", "twice"),
])
def test_bad_files_give_one_line_errors_naming_the_file(tmp_path, data, match):
    path = write(tmp_path, "bad.csv", data)
    with pytest.raises(InputError, match=match) as err:
        read_table(path)
    assert "bad.csv" in str(err.value) and "\n" not in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "nope.csv")


def test_output_checks(tmp_path):
    src = write(tmp_path, "in.csv", b"text\na\n")
    with pytest.raises(InputError, match="also the input"):
        check_output([src], src)
    with pytest.raises(InputError, match="does not exist"):
        check_output([src], tmp_path / "missing" / "out.csv")


def test_write_is_atomic_and_keeps_rows(tmp_path):
    out = tmp_path / "out.csv"
    frame = pd.DataFrame({"text": ["=SUM(A1)", "plain", None]})
    write_table(frame, out)
    back = read_table(out)
    assert back["text"].tolist()[:2] == ["=SUM(A1)", "plain"] and len(back) == 3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_excel_safe_prefixes_formulas_only():
    frame = pd.DataFrame({"text": ["=cmd()", "+1", "hello", None], "n": [1, 2, 3, 4]})
    safe = excel_safe(frame)
    assert safe["text"].tolist()[:3] == ["'=cmd()", "'+1", "hello"]
    assert safe["n"].tolist() == [1, 2, 3, 4]


def _workbook(path, rows, title="Week 3"):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_an_xlsx_round_trip_keeps_numbers_and_the_sheet_name(tmp_path):
    """#29 item 9: a numeric session id came back as text and the sheet was renamed Sheet1."""
    import openpyxl

    from mi_coder.io._tables import appender

    src = _workbook(tmp_path / "in.xlsx", [["session", "text", "ref"], [101, "hello", "007"], [102, "bye", 2.5]])
    frame = read_table(src)
    with appender(tmp_path / "out.xlsx", like=src) as out:
        out.write(frame)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert book.sheetnames == ["Week 3"]
    values = [[c.value for c in row] for row in book.active.iter_rows(min_row=2)]
    assert values == [[101, "hello", "007"], [102, "bye", 2.5]]  # "007" was text and stays text


def test_formula_cells_without_a_saved_value_are_named_not_quoted(tmp_path):
    """#29 item 9: a formula cell came back blank with no word; now its cell is named, its content never."""
    src = _workbook(tmp_path / "in.xlsx", [["speaker", "text"], ["therapist", "=CONCAT(\"secret\",\"x\")"],
                                           ["client", "fine"]])
    with pytest.warns(UserWarning, match=r"in.xlsx: 1 cell\(s\) are formulas with no saved value \(first: row 2, "
                                         r"column 'text'\)") as record:
        frame = read_table(src)
    assert "secret" not in str(record[0].message) and pd.isna(frame["text"].iloc[0])
