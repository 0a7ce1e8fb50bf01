"""Agreement statistics (hand-computed) and the validate command."""

import json

import numpy as np
import pytest

from conftest import SHIPPED_MODEL
from mi_coder.summary._validate import agreement, icc_2_1, kappa, utterance_agreement


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
    out = json.loads(capsys.readouterr().out)
    rows = {r["score"]: r for r in out["scores"]}
    assert rows["pct_open_questions"]["transcripts"] == 3 and out["transcripts"] == 3
    # The MAE is the model's % open questions against the experts' (1/2, 1/3, 1), transcript by transcript.
    import pandas as pd

    import mi_coder
    coded = mi_coder.load().code_frame(pd.read_csv(src))
    model = mi_coder.summarize(coded, confusion=None).set_index("transcript_id")["pct_open_questions"]
    experts = pd.Series({"a": 1 / 2, "b": 1 / 3, "c": 1.0})
    expected = (model - experts).abs().dropna()
    assert rows["pct_open_questions"]["mae"] == pytest.approx(expected.mean(), abs=1e-9)
    assert plot.read_text().startswith("<svg")


def test_kappa_hand_computed():
    # observed 0.7, chance 0.5 * 0.6 + 0.5 * 0.4 = 0.5: kappa (0.7 - 0.5) / 0.5
    assert kappa([[40, 10], [20, 30]]) == pytest.approx(0.4)
    assert kappa([[5, 0], [0, 5]]) == pytest.approx(1.0)
    assert np.isnan(kappa([[3, 0], [0, 0]])) and np.isnan(kappa([[0, 0], [0, 0]]))


def test_utterance_agreement_counts_both_coded_rows_per_side_and_code():
    expert = ["open_question", "open_question", "closed_question", "advice", "change_talk", "neutral", ""]
    coder = ["open_question", "closed_question", "closed_question", "advice", "change_talk", "change_talk", "other"]
    out = utterance_agreement(expert, coder)
    assert out["utterances"] == 6 and out["overall"]["agreement"] == pytest.approx(4 / 6)
    c = out["sides"]["counsellor"]
    assert c["utterances"] == 4 and c["confusion"][0][:2] == [1, 1] and c["confusion"][1][1] == 1
    # open question one-vs-rest over the 4 counsellor rows: [[1, 1], [0, 2]]: observed 3/4, chance 1/4 + 1/4
    assert c["per_code"]["open_question"]["kappa"] == pytest.approx((0.75 - 0.5) / 0.5)
    assert c["per_code"]["advice"]["kappa"] == pytest.approx(1.0)
    assert np.isnan(c["per_code"]["other"]["kappa"])
    assert out["sides"]["client"]["confusion"] == [[1, 0, 0], [0, 0, 0], [1, 0, 0]]


def test_too_few_transcripts_get_no_rho_or_icc():
    import pandas as pd

    expert = pd.DataFrame({"t": ["a", "b"], "reflection_to_question": [1.0, 2.0], "pct_complex_reflections": [0.2, 0.4],
                           "pct_open_questions": [0.5, 0.1], "pct_change_talk": [0.5, 0.9]})
    model = expert.assign(reflection_to_question=[2.0, 1.0])
    table = agreement(expert, model, "t").set_index("score")
    assert table["spearman"].isna().all() and table["icc_2_1"].isna().all()
    assert table.loc["reflection_to_question", "mae"] == pytest.approx(1.0)
    assert table.loc["pct_open_questions", "note"].startswith("too few transcripts")
    many = pd.concat([expert.assign(t=[f"a{i}", f"b{i}"]) for i in range(3)])
    assert not agreement(many, many, "t")["spearman"].isna().any()


@pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")
def test_validate_with_two_transcripts_warns_and_prints_utterance_agreement(tmp_path, capsys):
    from mi_coder.cli import main

    src = tmp_path / "experts.csv"
    src.write_text("transcript_id,speaker,text,expert\n"
                   "a,therapist,What brings you here today?,open_question\n"
                   "a,client,I want to cut down.,change_talk\n"
                   "b,therapist,Do you smoke?,closed_question\n"
                   "b,client,I don't want to quit.,sustain_talk\n")
    assert main(["validate", str(src), "--code-col", "expert", "--plot", str(tmp_path / "v.svg")]) == 0
    out, err = capsys.readouterr()
    assert "NaN" not in out and "nan" not in out and "too few transcripts (2; need 5)" in out
    assert "warning: 2 transcript(s)" in err
    assert "confusion (rows: experts, columns: coder)" in out and "Cohen's kappa" in out
    assert main(["validate", str(src), "--code-col", "expert", "--plot", str(tmp_path / "v.svg"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert all(r["spearman"] is None and r["icc_2_1"] is None for r in result["scores"])
    sides = result["utterances"]["sides"]
    assert sides["counsellor"]["utterances"] == 2 and sides["client"]["utterances"] == 2
    assert sum(map(sum, sides["client"]["confusion"])) == 2
