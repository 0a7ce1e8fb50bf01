"""Every documented way of naming a model (tier name, file, $MI_CODER_MODEL, default) codes with every
engine (one process, worker processes, Dask) and in the spaCy component, each giving one process's codes."""

import pandas as pd
import pytest

from conftest import EXAMPLES, SHIPPED_MODEL
from mi_coder.cli import main

pytestmark = pytest.mark.skipif(not SHIPPED_MODEL.is_file(), reason="no shipped model in models/")
SRC = EXAMPLES / "counselling_session.csv"


def _names(tiny_model):
    """(name, CLI flags, environment) of each way of naming a model."""
    return [("fast", ["--tier", "fast"], {}), ("accurate", ["--tier", "accurate"], {}),
            ("file", ["--model", str(tiny_model)], {}), ("env", [], {"MI_CODER_MODEL": str(tiny_model)}),
            ("default", [], {})]


def _code(tmp_path, monkeypatch, flags, env, engine_flags, name):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / f"{name}.csv"
    assert main(["code", str(SRC), "-o", str(out), "--quiet", *flags, *engine_flags]) == 0
    monkeypatch.delenv("MI_CODER_MODEL", raising=False)
    return pd.read_csv(out, dtype=str)


@pytest.mark.parametrize("tier", ["fast", "accurate"])
def test_a_tier_by_name_codes_in_worker_processes(tmp_path, tier):
    """`--tier fast --jobs 2` once stopped with '<cwd>/fast: model file not found' (the tier read as a path)."""
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert main(["code", str(SRC), "-o", str(one), "--tier", tier, "--jobs", "1", "--quiet"]) == 0
    assert main(["code", str(SRC), "-o", str(two), "--tier", tier, "--jobs", "2", "--quiet"]) == 0
    assert one.read_bytes() == two.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("engine", [["--jobs", "2"], ["--engine", "dask"]], ids=["workers", "dask"])
def test_every_way_of_naming_a_model_codes_with_every_engine(tmp_path, monkeypatch, tiny_model, engine):
    import mi_coder

    pytest.importorskip("distributed") if "dask" in engine else None
    expected_model = {"fast": mi_coder.load("fast").model_sha256_, "accurate": mi_coder.load("accurate").model_sha256_,
                      "default": mi_coder.load("accurate").model_sha256_}
    for name, flags, env in _names(tiny_model):
        alone = _code(tmp_path, monkeypatch, flags, env, ["--jobs", "1"], name + "-1")
        other = _code(tmp_path, monkeypatch, flags, env, engine, name + "-n")
        pd.testing.assert_frame_equal(alone, other, obj=f"{name} with {' '.join(engine)}")
        if name in expected_model:
            assert set(alone["mi_model"]) == {expected_model[name][:16]}, name
        else:  # the tiny model, by path or by $MI_CODER_MODEL
            assert set(alone["mi_model"]) == {mi_coder.load(tiny_model).model_sha256_[:16]}, name


@pytest.mark.parametrize("tier", ["fast", "accurate"])
def test_the_spacy_component_codes_with_a_tier_by_name(tier):
    import spacy

    import mi_coder

    nlp = spacy.blank("en")
    nlp.add_pipe("mi_coder", config={"model": tier})
    text = "It sounds like you're worried about your drinking."
    assert nlp(text)._.mi_code == mi_coder.load(tier).code(text)
