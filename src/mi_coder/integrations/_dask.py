"""Dask engine: code and summarize a Dask DataFrame partitioned by transcript (optional extra).

    pip install 'mi_coder[dask]'
    coded = mi_coder.dask.code_dataframe(ddf)            # lazy; one partition holds whole transcripts
    summary = mi_coder.dask.summarize_dataframe(coded)   # pandas, one row per transcript

Rows are numbered (`mi_row`, their position in the input) and shuffled so that each transcript
sits in one partition; each partition is coded in input order by a model loaded once per worker
process. Summaries are per-transcript counts computed where the transcript is and only then
divided, so they equal the local engine's. `mi_row` orders the result like the input.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..io._columns import Layout, with_layout
from ..errors import InputError

ROW = "mi_row"


def _dd():
    try:
        import dask.dataframe as dd
    except ImportError:
        raise InputError("the Dask engine needs dask: pip install 'mi_coder[dask]'") from None
    return dd


def _number_rows(part: pd.DataFrame, offsets, partition_info=None) -> pd.DataFrame:
    start = offsets[partition_info["number"]] if partition_info else 0
    return part.assign(**{ROW: np.arange(start, start + len(part), dtype=np.int64)})


def _code_partition(part: pd.DataFrame, model, trusted: bool, options: dict, cli: bool = False) -> pd.DataFrame:
    from ..errors import speaking
    from ..coding._stream import code_chunk

    with speaking(cli):  # messages in the caller's words, whichever thread or process codes the partition
        return code_chunk(part.sort_values(ROW, kind="stable"), model, trusted, options)


def code_dataframe(ddf, model=None, trusted: bool = False, transcript_col: str | None = None, text_col=None,
                   speaker_col=None, counsellor_values=None, client_values=None, probabilities: bool = False,
                   layout: Layout | None = None, independent: bool | None = None):
    """The Dask DataFrame coded like `MICoder.code_frame`, with `mi_row` (input position) added.

    The column options are `code_frame`'s, resolved once into a `Layout` on the frame's metadata.
    Each transcript's rows must be in conversation order within the input; independent
    utterances stay in their partitions.
    """
    from ..coding._stream import code_chunk

    sample = ddf._meta
    layout = layout or Layout.resolve(sample, text_col, speaker_col, transcript_col, counsellor_values,
                                      client_values, source="dataframe", independent=independent)
    lengths = ddf.map_partitions(len).compute()
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    numbered = ddf.map_partitions(_number_rows, offsets, meta=sample.assign(**{ROW: np.int64(0)}))
    if layout.independent:  # no row needs another: code them where they are
        by_transcript = numbered
    elif layout.transcript is None:
        by_transcript = numbered.repartition(npartitions=1)
    else:
        by_transcript = numbered.shuffle(on=layout.transcript, npartitions=ddf.npartitions)
    options = {"layout": layout, "probabilities": probabilities}
    meta = code_chunk(numbered._meta.copy(), model, trusted, options)  # columns of a coded partition
    from ..errors import cli_words

    return by_transcript.map_partitions(_code_partition, model, trusted, options, cli_words(), meta=meta)


def _summarize_partition(part: pd.DataFrame, layout: Layout, confusion, quality_prior: float = 0.5) -> pd.DataFrame:
    from ..summary._summarize import summarize

    part = part.sort_values(ROW, kind="stable")
    summary = summarize(part.drop(columns=[ROW]), confusion=confusion, layout=layout, quality_prior=quality_prior)
    keys = layout.transcripts(part)
    first = part[ROW].groupby(keys.to_numpy(), sort=False).min()
    return summary.assign(**{ROW: first.reindex(summary.iloc[:, 0].astype(str)).to_numpy(dtype=np.int64)})


def summarize_dataframe(coded, transcript_col: str | None = None, confusion="default", text_col=None,
                        speaker_col=None, counsellor_values=None, client_values=None,
                        independent: bool | None = None, quality_prior: float = 0.5) -> pd.DataFrame:
    """One row per transcript, as `mi_coder.summarize` gives for the same rows (in order of first row)."""
    from ..summary._summarize import model_info

    layout = Layout.resolve(coded._meta, text_col, speaker_col, transcript_col, counsellor_values, client_values,
                            source="dataframe", require_text=False, independent=independent)
    if layout.transcript is None:  # one transcript (or one batch of replies): one summary row
        coded = coded.repartition(npartitions=1)
    confusion = model_info(confusion, coded._meta, "dataframe")  # once here, not on every worker
    meta = _summarize_partition(coded._meta, layout, confusion, quality_prior)
    parts = coded.map_partitions(_summarize_partition, layout, confusion, quality_prior, meta=meta).compute()
    return parts.sort_values(ROW, kind="stable").drop(columns=[ROW]).reset_index(drop=True)


def code_file(source, output, scheduler: str | None = None, model=None, trusted: bool = False,
              excel_safe: bool = False, **options) -> None:
    """`mi-coder code --engine dask`: read with Dask, code by transcript, write rows in input order.

    `scheduler` is a dask.distributed address ("tcp://host:8786"); without it Dask's local
    scheduler runs in this process. The output is written to a temporary file, then renamed.
    """
    from pathlib import Path

    from ..io._tables import (CSV_OPTIONS, FALLBACK_ENCODING, appender, atomic_write, csv_options, excel_safe as make_safe,
                         is_excel, is_gzip, is_parquet, read_chunks, warn_not_utf8)

    from ..io._captions import is_captions

    dd = _dd()
    source, output = Path(source), Path(output)
    try:  # the local engine's checks: encoding, header, ragged rows
        first = next(read_chunks(source, 1000))
    except UnicodeDecodeError:
        first = next(read_chunks(source, 1000, FALLBACK_ENCODING))
    # The layout from real rows (speaker prefixes in the text are told from data, not from a schema).
    options = with_layout(first, options, str(source))
    if is_parquet(source):
        ddf = dd.read_parquet(source)
    elif is_excel(source) or is_gzip(source) or is_captions(source):  # not splittable: read as locally, partition
        ddf = dd.from_pandas(pd.concat(list(read_chunks(source))), npartitions=max(1, os.cpu_count() or 1))
    else:
        options_csv = csv_options(source)
        if options_csv["encoding"] == "utf-8-sig" and not _decodes_as_utf8(source):  # as the local engine reads it
            warn_not_utf8(source)
            options_csv = csv_options(source, FALLBACK_ENCODING)
        ddf = dd.read_csv(source, blocksize="64MB", **options_csv)
    client = None
    if scheduler:
        from distributed import Client
        client = Client(scheduler)
    try:
        coded = code_dataframe(ddf, model, trusted, **options)
        coded = coded.set_index(ROW, sorted=False).map_partitions(
            lambda part: make_safe(part) if excel_safe else part)

        def write(tmp):
            if is_parquet(output):
                coded.compute().reset_index(drop=True).to_parquet(tmp, index=False)
            elif is_excel(output):  # a workbook is one file written by one process
                with appender(tmp, like=source) as writer:
                    writer.write(coded.compute().reset_index(drop=True))
            else:
                coded.to_csv(tmp, single_file=True, **CSV_OPTIONS)

        atomic_write(output, write)
    finally:
        if client is not None:
            client.close()


def _decodes_as_utf8(path) -> bool:
    """Whether the whole file is valid UTF-8 (checked in blocks, before Dask splits it)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
