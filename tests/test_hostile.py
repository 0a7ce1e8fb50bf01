"""Hostile and unusual input through the CLI: nothing silently wrong, nothing left behind."""

import gzip
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from conftest import EXAMPLES, SHIPPED_MODEL
from mi_coder.cli import main

pytestmark = pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")

CP1252 = "".join(bytes([b]).decode("cp1252") for b in range(0x80, 0x100)
                 if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D))


def demo() -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / "counselling_session.csv", dtype=str)


def coded_by_api(frame: pd.DataFrame) -> list:
    import mi_coder
    return mi_coder.load().code_frame(frame)["mi_code"].tolist()


def run_code(tmp_path, source, *extra) -> pd.DataFrame:
    out = tmp_path / "out.csv"
    assert main(["code", str(source), "-o", str(out), "--quiet", *extra]) == 0
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def test_windows_1252_is_decoded_as_such_and_every_character_round_trips(tmp_path):
    frame = demo()
    frame.loc[1, "utterance_text"] = "I don’t know… “maybe” – " + CP1252
    src = tmp_path / "word.csv"
    src.write_bytes(frame.to_csv(index=False).encode("cp1252"))
    out = run_code(tmp_path, src)
    assert out.loc[1, "utterance_text"] == frame.loc[1, "utterance_text"]
    assert len(out) == len(frame)


@pytest.mark.parametrize("kind", ["tsv", "semicolon", "gzip", "xlsx", "trailing_delimiter"])
def test_formats_users_have_are_read_with_every_row_and_character(tmp_path, kind):
    frame = demo()
    frame.loc[2, "utterance_text"] = "Ünïcödé; tabs\tand, commas — “quoted”"
    src = tmp_path / {"tsv": "in.tsv", "semicolon": "in.csv", "gzip": "in.csv.gz", "xlsx": "in.xlsx",
                      "trailing_delimiter": "in.csv"}[kind]
    if kind == "tsv":
        frame.to_csv(src, sep="\t", index=False)
    elif kind == "semicolon":
        frame.to_csv(src, sep=";", index=False)
    elif kind == "gzip":
        frame.to_csv(src, index=False, compression="gzip")
    elif kind == "xlsx":
        pytest.importorskip("openpyxl")
        frame.to_excel(src, index=False)
    else:
        lines = frame.to_csv(index=False, lineterminator="\n").strip().split("\n")
        src.write_text("\n".join(line + "," for line in lines) + "\n", encoding="utf-8")
    out = run_code(tmp_path, src)
    assert list(out.columns[:4]) == list(frame.columns)
    assert out["utterance_text"].tolist() == frame["utterance_text"].tolist()
    assert out["mi_code"].tolist() == coded_by_api(frame)


def test_tsv_and_gzip_outputs_follow_their_names(tmp_path):
    for name, read in (("out.tsv", lambda p: pd.read_csv(p, sep="\t")), ("out.csv.gz", pd.read_csv)):
        out = tmp_path / name
        assert main(["code", str(EXAMPLES / "counselling_session.csv"), "-o", str(out), "--quiet"]) == 0
        assert len(read(out)) == len(demo()) and "mi_code" in read(out).columns
    with gzip.open(tmp_path / "out.csv.gz", "rt") as handle:
        assert handle.readline().startswith("transcript_id,")


def test_interleaved_transcripts_get_the_same_codes_from_every_engine(tmp_path):
    frame = demo()
    both = pd.concat([frame, frame.assign(transcript_id="second")]).sort_values("utterance_id", kind="stable",
                                                                               key=lambda v: v.astype(int))
    src = tmp_path / "interleaved.csv"
    both.to_csv(src, index=False)
    expected = coded_by_api(both)
    runs = (both["transcript_id"] != both["transcript_id"].shift()).cumsum().astype(str)
    assert expected != coded_by_api(both.assign(transcript_id=runs))  # restarting the context would show
    for extra in ([], ["--jobs", "2"]):
        out = run_code(tmp_path, src, *extra)
        assert out["mi_code"].tolist() == expected
        assert out["utterance_text"].tolist() == both["utterance_text"].tolist()


@pytest.mark.slow
def test_interleaved_transcripts_with_dask(tmp_path):
    pytest.importorskip("dask")
    frame = demo()
    both = pd.concat([frame, frame.assign(transcript_id="second")]).sort_values("utterance_id", kind="stable",
                                                                               key=lambda v: v.astype(int))
    src = tmp_path / "interleaved.csv"
    both.to_csv(src, index=False)
    assert run_code(tmp_path, src, "--engine", "dask")["mi_code"].tolist() == coded_by_api(both)


def test_speaker_prefixes_in_the_text_are_recognised(tmp_path):
    frame = demo()
    prefix = frame["interlocutor"].map({"therapist": "T: ", "client": "C: "})
    src = tmp_path / "prefixed.csv"
    pd.DataFrame({"transcript_id": frame["transcript_id"], "text": prefix + frame["utterance_text"]}).to_csv(
        src, index=False)
    out = run_code(tmp_path, src)
    assert out["mi_code"].tolist() == coded_by_api(frame)
    assert (out["mi_side"] == frame["interlocutor"].map({"therapist": "counsellor", "client": "client"})).all()


def test_unreadable_speaker_prefixes_stop_with_what_to_pass(tmp_path, capsys):
    frame = demo()
    prefix = frame["interlocutor"].map({"therapist": "Dr Jones: ", "client": "Sam: "})
    src, out = tmp_path / "named.csv", tmp_path / "out.csv"
    pd.DataFrame({"text": prefix + frame["utterance_text"]}).to_csv(src, index=False)
    assert main(["code", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--speaker-col" in err and "Jones" not in err and "Sam" not in err and not out.exists()


def test_blank_transcript_ids_are_an_error_naming_the_row(tmp_path, capsys):
    frame = demo()
    frame.loc[4, "transcript_id"] = ""
    src, out = tmp_path / "blank.csv", tmp_path / "out.csv"
    frame.to_csv(src, index=False)
    assert main(["code", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "row 6" in err and "'transcript_id'" in err and len(err.splitlines()) == 1 and not out.exists()


def test_dash_means_standard_input_and_output(tmp_path):
    source = (EXAMPLES / "counselling_session.csv").read_bytes()
    done = subprocess.run([sys.executable, "-m", "mi_coder.cli", "code", "-", "-o", "-", "--quiet"], input=source,
                          capture_output=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "-").exists()
    lines = done.stdout.decode().splitlines()
    assert lines[0].startswith("transcript_id,") and "mi_code" in lines[0] and len(lines) == len(demo()) + 1


def test_a_closed_pipe_ends_quietly(tmp_path):
    frame = pd.concat([demo().assign(transcript_id=f"t{i}") for i in range(300)])
    coded = tmp_path / "coded.csv"
    frame.to_csv(tmp_path / "in.csv", index=False)
    # what is tested is summarize's pipe, not the coder: the fast tier codes the 6,600 rows in seconds
    assert main(["code", str(tmp_path / "in.csv"), "-o", str(coded), "--quiet", "--tier", "fast"]) == 0
    done = subprocess.run(f"'{sys.executable}' -m mi_coder.cli summarize '{coded}' -o - | head -1", shell=True,
                          capture_output=True, text=True, timeout=120, executable="/bin/bash")
    assert done.stdout.startswith("transcript_id,") and done.stderr == ""


def test_sigterm_leaves_no_temporary_file_and_no_worker(tmp_path):
    psutil = pytest.importorskip("psutil")
    frame = pd.concat([demo().assign(transcript_id=f"t{i}") for i in range(2500)])
    src, out = tmp_path / "big.csv", tmp_path / "out.csv"
    frame.to_csv(src, index=False)
    process = subprocess.Popen([sys.executable, "-m", "mi_coder.cli", "code", str(src), "-o", str(out),
                                "--jobs", "2", "--quiet"], cwd=tmp_path, stderr=subprocess.PIPE)
    parent = psutil.Process(process.pid)
    deadline = time.time() + 90
    while time.time() < deadline and not any(p.name.startswith(".tmp-") for p in tmp_path.iterdir()):
        time.sleep(0.2)
    assert any(p.name.startswith(".tmp-") for p in tmp_path.iterdir()), "coding never started"
    time.sleep(1)
    children = parent.children(recursive=True)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode != 0 and b"terminated" in err
    assert [p.name for p in tmp_path.iterdir()] == ["big.csv"]
    gone, alive = psutil.wait_procs(children, timeout=20)
    assert not alive, [p.pid for p in alive]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["tsv", "cp1252", "gzip", "prefixed"])
def test_the_dask_engine_reads_what_the_local_engine_reads(tmp_path, kind):
    pytest.importorskip("dask")
    frame = demo()
    frame.loc[1, "utterance_text"] = "I don’t know… “maybe”"
    src = tmp_path / {"tsv": "in.tsv", "cp1252": "in.csv", "gzip": "in.csv.gz", "prefixed": "in.csv"}[kind]
    if kind == "tsv":
        frame.to_csv(src, sep="\t", index=False)
    elif kind == "cp1252":
        src.write_bytes(frame.to_csv(index=False).encode("cp1252"))
    elif kind == "gzip":
        frame.to_csv(src, index=False, compression="gzip")
    else:
        prefix = frame["interlocutor"].map({"therapist": "T: ", "client": "C: "})
        frame = pd.DataFrame({"transcript_id": frame["transcript_id"], "text": prefix + frame["utterance_text"]})
        frame.to_csv(src, index=False)
    local = run_code(tmp_path, src)
    dask = run_code(tmp_path, src, "--engine", "dask")
    assert dask.drop(columns=["mi_confidence"]).equals(local.drop(columns=["mi_confidence"]))
