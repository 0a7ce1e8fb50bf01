"""The package's layout: groups along the data's path as subfolders, a handful of modules at the top, no
import cycles and no import from a group to one after it on the path (imports inside functions count)."""

import ast
import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import mi_coder

PACKAGE = Path(mi_coder.__file__).resolve().parent
LEAVES = {"codes", "errors", "version", "_exports"}
# Where each group sits on the data's path; a module imports only from its own group or an earlier rank.
RANK = {"leaf": 0, "io": 1, "coding": 2, "summary": 3, "training": 4, "report": 4, "integrations": 5, "cli": 6,
        "__init__": 6}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "__init__"


def imports_of(path: Path) -> set[str]:
    """The mi_coder modules a file imports, anywhere in it, as dotted names below mi_coder."""
    me = module_name(path)
    package = me.split(".") if path.name == "__init__.py" else me.split(".")[:-1]
    if me == "__init__":
        package = []
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            target = base + (node.module.split(".") if node.module else [])
            if node.module:
                found.add(".".join(target))
            else:
                found.update(".".join(target + [alias.name]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mi_coder."):
            found.add(node.module.removeprefix("mi_coder."))
    return {name or "__init__" for name in found}


def graph() -> dict:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}


def group(name: str) -> str:
    top = name.split(".")[0]
    return "leaf" if top in LEAVES else top


def test_no_import_cycles():
    edges = graph()
    assert len(edges) > 30 and "coding._estimator" in edges["training._evaluate"]  # the graph is really read
    state: dict[str, str] = {}

    def visit(node, path):
        state[node] = "open"
        for dep in sorted(edges[node]):
            assert state.get(dep) != "open", f"import cycle: {' -> '.join(path + [dep])}"
            if dep not in state:
                visit(dep, path + [dep])
        state[node] = "done"

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])


def test_groups_import_only_from_earlier_on_the_data_path():
    for name, deps in graph().items():
        for dep in deps:
            mine, theirs = group(name), group(dep)
            assert mine == theirs or RANK[theirs] < RANK[mine], f"{name} imports {dep}: {mine} -> {theirs}"


def test_leaf_modules_import_nothing_of_the_package_but_leaves():
    for name, deps in graph().items():
        if group(name) == "leaf":
            assert {group(d) for d in deps} <= {"leaf"}, name


def test_the_package_has_its_groups_as_subfolders_and_a_handful_of_modules_at_its_top():
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert len(top) <= 7, top
    for sub in ("io", "coding", "training", "summary", "report", "integrations"):
        assert (PACKAGE / sub / "__init__.py").is_file(), sub


def test_each_groups_public_names_import():
    for sub in ("io", "coding", "training", "summary", "report", "integrations"):
        module = importlib.import_module(f"mi_coder.{sub}")
        for name in module.__all__:
            if name == "train_encoder" and importlib.util.find_spec("torch") is None:
                continue
            assert getattr(module, name) is not None, f"mi_coder.{sub}.{name}"


def test_the_flat_names_of_0_1_still_import_as_the_same_modules():
    """Users' scripts and saved models (a pickle names each class's module) use them."""
    from mi_coder._exports import MOVED

    torch = importlib.util.find_spec("torch") is not None
    for old, new in MOVED.items():
        if old == "encoder_train" and not torch:  # fine-tuning imports torch (the `train` extra)
            continue
        assert importlib.import_module(f"mi_coder.{old}") is importlib.import_module(f"mi_coder.{new}"), old
    from mi_coder.corpora import read_corpora
    from mi_coder.training import read_corpora as grouped
    assert read_corpora is grouped
    assert callable(mi_coder.summarize)  # the function, though mi_coder.summarize is also a 0.1 module name


def test_import_mi_coder_stays_light():
    """A worker that only reads and writes files never loads scikit-learn or spaCy."""
    code = "import sys, mi_coder; print(sorted(m for m in ('sklearn', 'spacy', 'onnxruntime') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
