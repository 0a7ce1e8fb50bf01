"""The Dask engine on a LocalCluster with 2 workers gives the local engine's codes and summaries."""

import pandas as pd
import pytest

from conftest import EXAMPLES, SHIPPED_MODEL

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pytestmark = [pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/"),
              pytest.mark.slow]  # starts a Dask scheduler: skipped by the quick loop


def test_dask_engine_matches_local(tmp_path):
    import mi_coder
    from mi_coder.integrations._dask import ROW, code_dataframe, summarize_dataframe

    base = pd.read_csv(EXAMPLES / "counselling_session.csv", dtype=str)
    frame = pd.concat([base.assign(transcript_id=f"t{i}") for i in range(7)], ignore_index=True)
    local = mi_coder.load().code_frame(frame, probabilities=True)
    local_summary = mi_coder.summarize(local)

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        ddf = dd.from_pandas(frame, npartitions=4)
        coded = code_dataframe(ddf, probabilities=True)
        result = coded.compute().sort_values(ROW).drop(columns=[ROW]).reset_index(drop=True)
        summary = summarize_dataframe(coded)

    assert result["mi_code"].tolist() == local["mi_code"].tolist()
    assert result["mi_confidence"].tolist() == pytest.approx(local["mi_confidence"].tolist())
    pd.testing.assert_frame_equal(summary, local_summary, check_dtype=False)


def test_cli_dask_engine_matches_local_engine(tmp_path):
    from mi_coder.cli import main

    base = pd.read_csv(EXAMPLES / "counselling_session.csv", dtype=str)
    src = tmp_path / "in.csv"
    pd.concat([base.assign(transcript_id=f"t{i}") for i in range(3)], ignore_index=True).to_csv(src, index=False)
    local, dask_out = tmp_path / "local.csv", tmp_path / "dask.csv"
    assert main(["code", str(src), "-o", str(local), "--quiet"]) == 0
    assert main(["code", str(src), "-o", str(dask_out), "--engine", "dask", "--quiet"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(local, dtype=str), pd.read_csv(dask_out, dtype=str))
