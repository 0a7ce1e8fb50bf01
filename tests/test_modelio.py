"""The loader checks a model's SHA-256 before unpickling it."""

import json

import pytest

from mi_coder.errors import ModelIntegrityError
from mi_coder.modelio import load_model, manifest_path, sha256_of


def test_round_trip_and_manifest(tiny_model):
    """The manifest describes the file: hash, format, versions, the recipe's every parameter."""
    from mi_coder.modelio import MODEL_FORMAT, library_versions

    manifest = json.loads(manifest_path(tiny_model).read_text())
    assert manifest["sha256"] == sha256_of(tiny_model)
    assert manifest["format"] == MODEL_FORMAT and manifest["estimator"] == "MICoder"
    assert manifest["info"]["versions"] == library_versions()
    coder = load_model(tiny_model)
    params = {k: v for k, v in coder.get_params().items() if k != "featurizer"}
    assert {k: manifest["params"][k] for k in params} == params
    assert manifest["featurizer"]["params"]["word_ngram_range"] == [1, 3]
    assert coder.model_sha256_ == manifest["sha256"]
    assert "confusion" in manifest["info"] and "evaluation" in manifest["info"]


def test_another_format_is_refused_with_the_fix(tiny_model, tmp_path):
    copy = tmp_path / "old.joblib"
    copy.write_bytes(tiny_model.read_bytes())
    manifest = json.loads(manifest_path(tiny_model).read_text())
    manifest["format"] = 1
    manifest_path(copy).write_text(json.dumps(manifest))
    with pytest.raises(ModelIntegrityError, match="format 1.*retrain"):
        load_model(copy)


def test_other_library_versions_warn(tiny_model, tmp_path):
    copy = tmp_path / "other.joblib"
    copy.write_bytes(tiny_model.read_bytes())
    manifest = json.loads(manifest_path(tiny_model).read_text())
    manifest["info"]["versions"]["scikit-learn"] = "0.24.2"
    manifest_path(copy).write_text(json.dumps(manifest))
    with pytest.warns(UserWarning, match="scikit-learn 0.24.2"):
        load_model(copy)


def test_tampered_model_is_refused(tiny_model, tmp_path):
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(tiny_model.read_bytes() + b"\0")
    manifest_path(bad).write_text(manifest_path(tiny_model).read_text())
    with pytest.raises(ModelIntegrityError, match="does not match"):
        load_model(bad)


def test_trusted_skips_the_check(tiny_model, tmp_path):
    copy = tmp_path / "copy.joblib"
    copy.write_bytes(tiny_model.read_bytes())
    manifest = json.loads(manifest_path(tiny_model).read_text())
    manifest["sha256"] = "0" * 64
    manifest_path(copy).write_text(json.dumps(manifest))
    with pytest.raises(ModelIntegrityError):
        load_model(copy)
    assert load_model(copy, trusted=True) is not None  # the caller's explicit choice


def test_model_without_manifest_is_refused(tiny_model, tmp_path):
    lone = tmp_path / "lone.joblib"
    lone.write_bytes(tiny_model.read_bytes())
    with pytest.raises(ModelIntegrityError, match="no manifest"):
        load_model(lone)


def test_missing_shipped_model_names_where_it_looked_and_the_fix(tmp_path, monkeypatch):
    """An installation without its model says which file it looked for and how to get it back."""
    from mi_coder import modelio
    from mi_coder.errors import InputError

    monkeypatch.delenv("MI_CODER_MODEL", raising=False)
    monkeypatch.setattr(modelio, "packaged_model_path", lambda: None)
    monkeypatch.setattr(modelio, "checkout_model_path", lambda: tmp_path / "models" / "default.joblib")
    with pytest.raises(InputError) as info:
        load_model()
    message = str(info.value)
    assert str(tmp_path / "models" / "default.joblib") in message and "reinstall" in message
    assert "\n" not in message


def test_given_model_path_that_is_missing_names_it(tmp_path):
    from mi_coder.errors import InputError

    with pytest.raises(InputError, match="--model") as info:
        load_model(tmp_path / "nope.joblib")
    assert str((tmp_path / "nope.joblib").resolve()) in str(info.value)


def test_the_shipped_model_is_found_as_a_package_resource_or_in_the_checkout():
    from mi_coder import modelio

    path = modelio.default_model_path()
    assert path.is_file() and path.name == "default.joblib"
    assert path in {modelio.packaged_model_path(), modelio.checkout_model_path()}
