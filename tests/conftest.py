"""Shared fixtures: the example transcripts, the shared corpora (skipped where absent), a tiny model."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "data"
SHIPPED_MODEL = ROOT / "models" / "default.joblib"


@pytest.fixture(scope="session", autouse=True)
def allow_list(tmp_path_factory):
    """The model hash allow-list of this test run: a temporary file, never the user's own."""
    import os

    path = tmp_path_factory.mktemp("config") / "trusted-models.txt"
    before = os.environ.get("MI_CODER_TRUSTED_MODELS")
    os.environ["MI_CODER_TRUSTED_MODELS"] = str(path)
    yield path
    if before is None:
        del os.environ["MI_CODER_TRUSTED_MODELS"]
    else:
        os.environ["MI_CODER_TRUSTED_MODELS"] = before


@pytest.fixture(scope="session")
def data_dir():
    from mi_coder.training import default_data_dir

    path = default_data_dir()
    if not (path / "annomi" / "AnnoMI-full.csv").is_file():
        pytest.skip(f"shared corpora not found at {path} (set MI_CODER_DATA to run corpus tests)")
    return path


@pytest.fixture(scope="session")
def corpus_slice(data_dir):
    """A fixed, small slice: 12 AnnoMI transcripts and 60 ESConv dialogues."""
    from mi_coder.training import read_corpora

    frame = read_corpora(data_dir)
    annomi = frame[frame["corpus"] == "annomi"]
    esconv = frame[frame["corpus"] == "esconv"]
    keep = list(annomi["group"].drop_duplicates()[:12]) + list(esconv["group"].drop_duplicates()[:60])
    return frame[frame["group"].isin(keep)].reset_index(drop=True)


@pytest.fixture(scope="session")
def tiny_model(corpus_slice, tmp_path_factory):
    """A model trained in seconds on the slice, saved with its manifest, its hash in the run's allow-list."""
    from mi_coder import MICoder
    from mi_coder.coding import save_model, trust_model
    from mi_coder.training import train

    coder = train(corpus_slice, MICoder(), folds=3)  # first stage only: the session stage trains 3x slower
    path = tmp_path_factory.mktemp("model") / "tiny.joblib"
    trust_model(save_model(coder, path)["sha256"], "the tests' tiny model")
    return path
