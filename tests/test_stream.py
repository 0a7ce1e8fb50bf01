"""Chunked coding: whole transcripts per chunk, identical output for any chunk size and --jobs."""

import os

import pandas as pd
import pytest

from conftest import EXAMPLES, SHIPPED_MODEL
from mi_coder.io import Layout
from mi_coder.coding._stream import code_file, whole_transcripts

pytestmark = pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")


def many_transcripts(tmp_path, copies=12):
    base = pd.read_csv(EXAMPLES / "counselling_session.csv", dtype=str)
    frame = pd.concat([base.assign(transcript_id=f"t{i}") for i in range(copies)], ignore_index=True)
    path = tmp_path / "many.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_chunks_never_split_a_transcript():
    frame = pd.DataFrame({"conversation_id": list("aaabbbbcdd"), "text": list("0123456789")})
    chunks = [frame.iloc[i:i + 3] for i in range(0, 10, 3)]
    out = list(whole_transcripts(chunks, Layout.resolve(frame)))
    assert pd.concat(out).equals(frame)
    for part in out:
        for key in part["conversation_id"].unique():
            assert (frame["conversation_id"] == key).sum() == (part["conversation_id"] == key).sum()


def test_small_chunks_and_two_jobs_give_the_in_memory_result(tmp_path):
    import mi_coder

    src, frame = many_transcripts(tmp_path)
    expected = mi_coder.load().code_frame(frame, probabilities=True)
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert code_file(src, one, chunk_rows=50, probabilities=True) == len(frame)
    assert code_file(src, two, chunk_rows=50, jobs=2, probabilities=True) == len(frame)
    a, b = pd.read_csv(one, dtype=str), pd.read_csv(two, dtype=str)
    assert a.equals(b)
    assert a["mi_code"].tolist() == expected["mi_code"].tolist()
    assert a["utterance_text"].tolist() == frame["utterance_text"].tolist()


def test_parquet_in_and_out(tmp_path):
    pytest.importorskip("pyarrow")
    src, frame = many_transcripts(tmp_path, copies=3)
    pq_in, pq_out, csv_out = tmp_path / "in.parquet", tmp_path / "out.parquet", tmp_path / "out.csv"
    frame.to_parquet(pq_in, index=False)
    code_file(pq_in, pq_out, chunk_rows=30)
    code_file(src, csv_out)
    assert pd.read_parquet(pq_out)["mi_code"].tolist() == pd.read_csv(csv_out)["mi_code"].tolist()


def test_given_transcript_column_is_matched_case_insensitively():
    frame = pd.DataFrame({"Session": list("aabb"), "text": list("wxyz")})
    layout = Layout.resolve(frame, transcript_col="session")
    out = list(whole_transcripts([frame.iloc[:3], frame.iloc[3:]], layout))
    assert [len(p) for p in out] == [2, 2]


def test_parallel_by_default_only_for_big_files(tmp_path, monkeypatch):
    from mi_coder import stream

    small = tmp_path / "small.csv"
    small.write_text("utterance_text\nhello\n")
    assert stream.auto_jobs(small) == 1
    monkeypatch.setattr(stream, "PARALLEL_BYTES", 5)
    assert stream.auto_jobs(small) == max(1, os.cpu_count() or 1)
    assert stream.auto_jobs(tmp_path / "missing.csv") == 1
    monkeypatch.undo()
    medium = tmp_path / "medium.csv"
    with open(medium, "wb") as handle:
        handle.truncate(stream.ACCURATE_PARALLEL_BYTES + 1)
    assert stream.auto_jobs(medium) == 1  # the fast tier starts workers only for big files
    assert stream.auto_jobs(medium, "accurate") == max(1, os.cpu_count() or 1)
