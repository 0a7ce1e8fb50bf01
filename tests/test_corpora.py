"""Corpus readers, partial labels and grouped folds: what the training data says and how splits keep it apart."""

import numpy as np
import pandas as pd
import pytest

from mi_coder.codes import COUNSELLOR_CODES, NOT_ADVICE, allowed_codes, mibot_code, welivita_code
from mi_coder.training._corpora import CORPORA, licence_terms, read_corpora
from mi_coder.training import fold_assignment


def test_partial_labels_name_the_codes_they_allow():
    assert allowed_codes("question") == ("open_question", "closed_question")
    assert allowed_codes("affirmation|advice|other") == ("affirmation", "advice", "other")
    assert "advice" not in allowed_codes(NOT_ADVICE) and len(allowed_codes(NOT_ADVICE)) == len(COUNSELLOR_CODES) - 1
    assert allowed_codes(mibot_code("R")) == ("simple_reflection", "complex_reflection")
    assert welivita_code("Support") == "affirmation" and welivita_code("Direct") == "advice"
    assert welivita_code("-") is None
    with pytest.raises(ValueError, match="unknown code"):
        allowed_codes("advise")


def test_a_model_inherits_the_strictest_terms_of_its_corpora():
    assert licence_terms(["annomi"])["model"] == "public domain"
    terms = licence_terms(["annomi", "esconv", "welivita"])["model"]
    assert "CC-BY-NC-4.0" in terms and "CC-BY-NC-SA-3.0" in terms and "public domain" not in terms


@pytest.fixture(scope="module")
def every_corpus(data_dir):
    if not all((data_dir / name).is_dir() for name in CORPORA):
        pytest.skip("not every shared corpus is present")
    return read_corpora(data_dir, CORPORA)


def test_every_corpus_reads_into_the_canonical_table(every_corpus):
    frame = every_corpus
    assert set(frame["corpus"]) == set(CORPORA)
    welivita = frame[frame["corpus"] == "welivita"]
    # Help-seekers' posts are context; listener sentences are coded (a few are unlabelled, '-').
    assert welivita.loc[welivita["side"] == "client", "code"].isna().all()
    listener = welivita[welivita["side"] == "counsellor"]
    assert listener["code"].notna().mean() > 0.95
    assert set(listener["code"].dropna()) <= set(COUNSELLOR_CODES)
    mibot = frame[frame["corpus"] == "mibot"]
    assert mibot.loc[mibot["side"] == "client", "code"].isin(["change_talk", "sustain_talk", "neutral"]).all()
    assert (mibot["code"] == "affirmation|advice|other").any()
    reddit = frame[frame["corpus"] == "reddit_advice"]
    assert set(reddit["code"]) == {"advice", NOT_ADVICE} and (reddit["side"] == "counsellor").all()
    # Every label of every corpus names codes the contract knows.
    for label in frame["code"].dropna().unique():
        assert allowed_codes(label)


def test_folds_keep_videos_threads_and_chats_whole(every_corpus):
    frame = every_corpus
    annomi = frame[frame["corpus"] == "annomi"]
    # Several AnnoMI transcripts share a source video: they are one group.
    transcripts = annomi["conversation"].str.replace(r"-a\d+$", "", regex=True).nunique()
    assert annomi["group"].nunique() < transcripts
    fold = fold_assignment(frame, 5, 0)
    assert (fold >= 0).all()
    assert (pd.Series(fold).groupby(frame["group"].to_numpy()).nunique() == 1).all()
    assert (pd.Series(fold).groupby(frame["conversation"].to_numpy()).nunique() == 1).all()


def test_partial_labels_resolve_to_a_code_they_allow(corpus_slice):
    from mi_coder import MICoder
    from mi_coder.training._corpora import estimator_input

    X, y = estimator_input(corpus_slice)
    y = y.copy()
    counsellor = np.flatnonzero((corpus_slice["side"] == "counsellor").to_numpy() & pd.notna(y))[:60]
    y[counsellor[:30]] = "affirmation|advice|other"
    y[counsellor[30:]] = NOT_ADVICE
    partial = np.zeros(len(y), dtype=bool)
    partial[counsellor] = True
    resolved = MICoder()._resolve_partial(X, y, np.ones(len(y)), partial)
    assert all(r in ("affirmation", "advice", "other") for r in resolved[counsellor[:30]])
    assert all(r is not None and r != "advice" for r in resolved[counsellor[30:]])
    assert pd.Series(resolved[~partial]).equals(pd.Series(y[~partial]))


def test_package_metadata_carries_the_terms_of_every_corpus_the_shipped_model_learnt(tmp_path):
    import json
    import tomllib

    from mi_coder.training._corpora import LICENCES
    from conftest import ROOT

    manifest = json.loads((ROOT / "models" / "default.json").read_text())
    licences = manifest["info"].get("licences")
    if licences is None:
        pytest.skip("the shipped model predates recorded licences")
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    notice = (ROOT / "NOTICE").read_text()
    for corpus, terms in licences["corpora"].items():
        assert terms == LICENCES[corpus]
        if terms not in ("public domain", "MIT"):
            assert terms in declared, (corpus, terms)
            assert terms.replace("CC-BY", "CC BY").replace("-4.0", " 4.0").replace("-3.0", " 3.0") in notice
