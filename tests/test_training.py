"""A short training run on a slice of the corpora, grouped evaluation, and the shipped model's floor."""

import json

import numpy as np
import pytest

from conftest import SHIPPED_MODEL
from mi_coder.training import cross_validate, headline, score

pytestmark = pytest.mark.slow  # trains models or runs notebooks: skipped by the quick loop


def test_short_training_run_beats_chance_on_held_out_transcripts(corpus_slice):
    proba = cross_validate(corpus_slice, n_splits=3)
    results = score(corpus_slice, proba)
    flat = headline(results)
    # 8 AnnoMI transcripts per training fold: far below the shipped model, far above chance (0.25).
    assert flat["annomi_coarse4_macro_f1"] > 0.45
    assert flat["client_macro_f1"] > 0.34
    assert results["utterances_scored"] == int(corpus_slice["code"].notna().sum())
    assert np.array(results["counsellor_codes"]["confusion"]).sum() == results["counsellor_codes"]["n"]


def test_cli_evaluate_json_on_user_coded_csv(tmp_path, corpus_slice, capsys):
    from mi_coder.cli import main

    annomi = corpus_slice[corpus_slice["corpus"] == "annomi"]
    annomi = annomi[~annomi["code"].astype(str).str.contains("|", regex=False)]  # a user's codes are whole codes
    coded = annomi.assign(speaker=annomi["side"], transcript_id=annomi["group"])
    coded = coded[["transcript_id", "speaker", "text", "code"]]
    coded = coded[coded["code"].isin(["open_question", "closed_question", "simple_reflection",
                                      "complex_reflection", "advice", "information", "other",
                                      "change_talk", "sustain_talk", "neutral"])]
    path = tmp_path / "mine.csv"
    coded.to_csv(path, index=False)
    assert main(["evaluate", "--coded", str(path), "--folds", "3", "--json", "--quiet",
                 "--counsellor-values", "counsellor"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results["annomi_coarse_4"]["macro_f1"] > 0.4  # 8 training transcripts a fold; chance is 0.25
    assert results["counsellor_codes"]["n"] == int((coded["speaker"] == "counsellor").sum())


@pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")
def test_shipped_model_floor_on_fixed_slice(corpus_slice):
    """Regression guard: the shipped model saw these transcripts in training, so the floor is high.

    Generalisation is measured by grouped cross-validation (see models/MODEL_CARD.md).
    """
    import mi_coder
    from mi_coder.codes import CODES

    coder = mi_coder.load()
    frame = corpus_slice
    from mi_coder.training._corpora import estimator_input

    proba = coder.side_proba(estimator_input(frame)[0])
    flat = headline(score(frame, proba))
    assert flat["annomi_coarse4_macro_f1"] >= 0.80
    assert flat["client_macro_f1"] >= 0.65
    assert set(CODES) == set(proba)


def test_a_model_you_train_is_pinned_in_your_allow_list(tmp_path, corpus_slice, allow_list):
    """`mi-coder train` writes the model and puts its hash in the allow-list, so --model just works."""
    from conftest import EXAMPLES
    from mi_coder.cli import main
    from mi_coder.coding._modelio import sha256_of, trusted_hashes

    annomi = corpus_slice[corpus_slice["corpus"] == "annomi"]
    annomi = annomi[~annomi["code"].astype(str).str.contains("|", regex=False)]  # a user's codes are whole codes
    coded = annomi.assign(speaker=annomi["side"], transcript_id=annomi["group"])[["transcript_id", "speaker", "text",
                                                                                  "code"]]
    source, model = tmp_path / "mine.csv", tmp_path / "mine.joblib"
    coded.to_csv(source, index=False)
    assert main(["train", "--coded", str(source), "--folds", "0", "-o", str(model), "--quiet",
                 "--counsellor-values", "counsellor"]) == 0
    assert sha256_of(model) in trusted_hashes() and allow_list.read_text().count("\n") >= 1
    out = tmp_path / "out.csv"
    assert main(["code", str(EXAMPLES / "counselling_session.csv"), "-o", str(out), "--model", str(model),
                 "--quiet"]) == 0


@pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")
def test_the_shipped_model_reports_every_domain_it_learnt_from():
    """The model card's per-domain table comes from the manifest: every corpus the model learnt from is scored."""
    manifest = json.loads(SHIPPED_MODEL.with_suffix(".json").read_text())
    info = manifest["info"]
    if "licences" not in info:
        pytest.skip("the shipped model predates the peer-support corpora")
    flat = headline(info["evaluation"])
    expected = {"annomi": "annomi_coarse4_macro_f1", "esconv": "esconv_coarse6_macro_f1",
                "welivita": "welivita_coarse6_macro_f1", "mibot": "mibot_silver_client_macro_f1",
                "reddit_advice": "reddit_advice_f1"}
    for corpus in info["licences"]["corpora"]:
        assert 0 < flat[expected[corpus]] <= 1, corpus
