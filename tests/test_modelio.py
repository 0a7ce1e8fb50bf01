"""The loader checks a model's SHA-256 before unpickling it."""

import json
from pathlib import Path

import pytest

from mi_coder.errors import ModelIntegrityError
from mi_coder.coding._modelio import load_model, manifest_path, sha256_of


def test_round_trip_and_manifest(tiny_model):
    """The manifest describes the file: hash, format, versions, the recipe's every parameter."""
    from mi_coder.coding._modelio import MODEL_FORMAT, library_versions

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


class _Payload:
    """Unpickling this touches a marker file: proof that code from a model file ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def hostile_model(folder, marker):
    """A 'model' that runs code when unpickled, with a manifest that matches it (as an attacker would send)."""
    import joblib

    from mi_coder.coding._modelio import MODEL_FORMAT

    path = folder / "evil.joblib"
    joblib.dump(_Payload(marker), path)
    manifest_path(path).write_text(json.dumps({"sha256": sha256_of(path), "format": MODEL_FORMAT, "info": {}}))
    return path


def test_an_unpinned_model_is_refused_before_any_byte_is_unpickled(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    evil = hostile_model(tmp_path, marker)
    with pytest.raises(ModelIntegrityError, match="not pinned.*--model-sha256"):
        load_model(evil)  # a matching manifest beside it grants nothing
    monkeypatch.setenv("MI_CODER_MODEL", str(evil))
    with pytest.raises(ModelIntegrityError, match="not pinned"):
        load_model()
    assert not marker.exists()


def test_a_replaced_shipped_model_is_refused_by_the_packages_pin(tmp_path, monkeypatch):
    from mi_coder import modelio

    marker = tmp_path / "ran"
    evil = hostile_model(tmp_path, marker)
    monkeypatch.delenv("MI_CODER_MODEL", raising=False)
    monkeypatch.setattr(modelio, "default_model_path", lambda: evil)
    with pytest.raises(ModelIntegrityError, match="not the one this mi_coder version shipped"):
        load_model()
    assert not marker.exists()


def test_the_cli_and_spacy_config_refuse_unpinned_models(tmp_path, capsys):
    import spacy

    from conftest import EXAMPLES
    from mi_coder.cli import main

    marker = tmp_path / "ran"
    evil = hostile_model(tmp_path, marker)
    out = tmp_path / "out.csv"
    assert main(["code", str(EXAMPLES / "counselling_session.csv"), "-o", str(out), "--model", str(evil)]) == 2
    assert "not pinned" in capsys.readouterr().err and not out.exists()
    nlp = spacy.blank("en")
    with pytest.raises(ModelIntegrityError):
        nlp.add_pipe("mi_coder", config={"model": str(evil)})
    assert not marker.exists()


def test_a_pinned_hash_loads_and_a_wrong_one_is_refused(tiny_model, tmp_path, monkeypatch):
    copy = tmp_path / "copy.joblib"
    copy.write_bytes(tiny_model.read_bytes())
    monkeypatch.setenv("MI_CODER_TRUSTED_MODELS", str(tmp_path / "empty.txt"))  # not in any allow-list
    with pytest.raises(ModelIntegrityError, match="not pinned"):
        load_model(copy)
    assert load_model(copy, sha256=sha256_of(copy)) is not None
    with pytest.raises(ModelIntegrityError, match="does not match the pinned"):
        load_model(copy, sha256="0" * 64)
    assert load_model(copy, trusted=True) is not None  # the caller's explicit choice


def test_a_manifest_of_another_file_is_refused(tiny_model, tmp_path):
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(tiny_model.read_bytes())
    manifest = json.loads(manifest_path(tiny_model).read_text())
    manifest["sha256"] = "0" * 64
    manifest_path(bad).write_text(json.dumps(manifest))
    with pytest.raises(ModelIntegrityError, match="describes another file"):
        load_model(bad)


def test_the_package_pins_the_shipped_models_hash():
    from mi_coder.coding._modelio import default_model_path
    from mi_coder.coding._pins import SHIPPED_SHA256

    assert sha256_of(default_model_path()) == SHIPPED_SHA256
    assert json.loads(manifest_path(default_model_path()).read_text())["sha256"] == SHIPPED_SHA256


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
