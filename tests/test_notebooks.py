"""The notebooks run top to bottom (nbclient), writing only to temporary folders."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # trains models or runs notebooks: skipped by the quick loop

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.mark.parametrize("name", ["01_quickstart.ipynb", "02_train_and_evaluate.ipynb",
                                  "03_validate_against_experts.ipynb"])
def test_notebook_runs(name, tmp_path, request):
    if name != "01_quickstart.ipynb":
        request.getfixturevalue("data_dir")  # skips, with the reason, where ../shared/data is absent
    import tempfile

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), "outputs must be stripped"
    before = {p.name for p in Path(tempfile.gettempdir()).glob("mi_coder_nb_*")}
    nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    plots = [c for c in code if "plt." in c.source or ".plot(" in c.source]
    assert plots, "each notebook shows plots"
    for cell in plots:  # inline figures, not a backend that shows nothing
        assert any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])), cell.source[:60]
    after = {p.name for p in Path(tempfile.gettempdir()).glob("mi_coder_nb_*")}
    assert after <= before, "the notebook left coded transcripts in the temporary folder"
