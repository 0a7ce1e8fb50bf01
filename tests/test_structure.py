"""The package's modules form a graph without import cycles (counting imports inside functions too)."""

import ast
from pathlib import Path

import mi_coder

PACKAGE = Path(mi_coder.__file__).resolve().parent


def imports_of(path: Path) -> set[str]:
    """The mi_coder modules a file imports, anywhere in it ('__init__' for the package itself)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mi_coder"):
            found.add(node.module.split(".")[1] if "." in node.module else "__init__")
    return found


def test_no_import_cycles():
    graph = {path.stem: imports_of(path) for path in PACKAGE.glob("*.py")}
    graph = {name: {m for m in deps if m in graph and m != name} for name, deps in graph.items()}
    assert len(graph) > 15 and "coder" in graph["evaluate"]  # the graph is really read

    state: dict[str, str] = {}

    def visit(node, path):
        state[node] = "open"
        for dep in sorted(graph[node]):
            assert state.get(dep) != "open", f"import cycle: {' -> '.join(path + [dep])}"
            if dep not in state:
                visit(dep, path + [dep])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_leaf_modules_import_nothing_of_the_package_but_leaves():
    leaves = {"errors", "version", "scores"}
    for name in leaves:
        assert imports_of(PACKAGE / f"{name}.py") <= leaves, name
