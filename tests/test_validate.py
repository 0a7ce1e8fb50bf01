"""Agreement statistics (hand-computed) and the validate command."""

import json

import numpy as np
import pytest

from conftest import SHIPPED_MODEL
from mi_coder.validate import icc_2_1


def test_icc_hand_computed():
    assert icc_2_1([1, 2, 3], [1, 2, 3]) == pytest.approx(1.0)
    # rows MS 2, columns MS 1.5, error MS 0: ICC = 2 / (2 + 2 * 1.5 / 3)
    assert icc_2_1([1, 2, 3], [2, 3, 4]) == pytest.approx(2 / 3)
    assert np.isnan(icc_2_1([1], [1]))


@pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")
def test_validate_command(tmp_path, capsys):
    from mi_coder.cli import main

    src = tmp_path / "experts.csv"
    src.write_text("transcript_id,speaker,text,expert\n"
                   "a,therapist,What brings you here?,open_question\n"
                   "a,therapist,Do you drink every day?,closed_question\n"
                   "a,client,I want to cut down.,change_talk\n"
                   "b,therapist,Do you smoke?,closed_question\n"
                   "b,therapist,How would your life be different?,open_question\n"
                   "b,therapist,How often do you smoke?,closed_question\n"
                   "c,therapist,What worries you most?,open_question\n")
    plot = tmp_path / "v.svg"
    assert main(["validate", str(src), "--code-col", "expert", "--plot", str(plot), "--json"]) == 0
    rows = {r["score"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["pct_open_questions"]["transcripts"] == 3
    # The MAE is the model's % open questions against the experts' (1/2, 1/3, 1), transcript by transcript.
    import pandas as pd

    import mi_coder
    coded = mi_coder.load().code_frame(pd.read_csv(src))
    model = mi_coder.summarize(coded, confusion=None).set_index("transcript_id")["pct_open_questions"]
    experts = pd.Series({"a": 1 / 2, "b": 1 / 3, "c": 1.0})
    expected = (model - experts).abs().dropna()
    assert rows["pct_open_questions"]["mae"] == pytest.approx(expected.mean(), abs=1e-9)
    assert plot.read_text().startswith("<svg")
