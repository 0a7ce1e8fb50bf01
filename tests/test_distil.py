"""The teacher of a distilled accurate tier: named or a folder, and always the pinned all-mpnet-base-v2."""

import hashlib
import zipfile

import pytest

from mi_coder.cli import main
from mi_coder.training import _distil
from mi_coder.training._distil import TEACHER_NAME, check_teacher, teacher_folder


def test_a_teacher_is_an_option_of_the_accurate_tier_and_must_be_the_pinned_one(tmp_path, capsys):
    """`--teacher` with the fast tier, or a folder without the pinned all-mpnet-base-v2: one line, exit 2."""
    assert main(["train", "--teacher", str(tmp_path), "-o", str(tmp_path / "m.joblib")]) == 2
    assert "--tier accurate" in capsys.readouterr().err
    with pytest.raises(ValueError, match="no model.safetensors"):
        check_teacher(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(ValueError, match="not the pinned"):
        check_teacher(tmp_path)
    assert not list(tmp_path.glob("*.joblib"))


def split_zip(tmp_path, weights: bytes, parts: int = 3) -> list:
    """A zip of an all-mpnet-base-v2 folder cut into `parts` files named as the packages name theirs."""
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w") as archive:
        archive.writestr(f"{TEACHER_NAME}/model.safetensors", weights)
        archive.writestr(f"{TEACHER_NAME}/tokenizer.json", "{}")
    data = whole.read_bytes()
    size = -(-len(data) // parts)
    paths = []
    for i in range(parts):
        path = tmp_path / f"{TEACHER_NAME}.zip.{i + 1:03d}"
        path.write_bytes(data[i * size:(i + 1) * size])
        paths.append(path)
    return paths[::-1]  # found in any order: joined by their number


def test_the_named_teacher_is_joined_from_its_parts_unzipped_once_and_checked(tmp_path, monkeypatch):
    weights = b"stand-in weights"
    parts = split_zip(tmp_path, weights)
    monkeypatch.setattr(_distil, "_zip_parts", lambda: sorted(parts, key=lambda p: p.suffix))
    monkeypatch.setattr(_distil, "TEACHER_SHA256", hashlib.sha256(weights).hexdigest())
    work = tmp_path / "work"
    folder = teacher_folder(TEACHER_NAME, work)
    assert folder == work / TEACHER_NAME and (folder / "model.safetensors").read_bytes() == weights
    assert sorted(p.name for p in work.iterdir()) == [TEACHER_NAME]  # no joined zip or scratch left
    for part in parts:
        part.unlink()
    assert teacher_folder(TEACHER_NAME, work) == folder  # unzipped once: the parts are not read again


def test_a_named_teacher_whose_parts_are_other_weights_leaves_nothing(tmp_path, monkeypatch):
    parts = split_zip(tmp_path, b"other weights")
    monkeypatch.setattr(_distil, "_zip_parts", lambda: sorted(parts, key=lambda p: p.suffix))
    work = tmp_path / "work"
    with pytest.raises(ValueError, match="not the pinned"):
        teacher_folder(TEACHER_NAME, work)
    assert not list(work.iterdir())


def test_a_named_teacher_without_its_packages_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_distil, "TEACHER_PARTS", ("mi-coder-no-such-part-001",))
    out = tmp_path / "accurate"
    assert main(["train", "--tier", "accurate", "--teacher", TEACHER_NAME, "-o", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "not installed" in err and "mi_coder[distil]" in err and len(err.splitlines()) == 1
    assert not out.exists() and not (tmp_path / "accurate-work").exists()
