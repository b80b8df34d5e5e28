"""Imports go one way: a package imports only packages of lower layers (and itself), and no two
modules need each other, typing-only imports included. Read from the source, nothing imported."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A package may import packages of lower layers only; packages of one layer are
# independent of each other. main.py (the command line) sits above them all.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("memory", "storage"),
    ("tools",),
    ("sandbox_store", "offline_model"),
    ("safety",),
    ("crews", "intake"),
    ("runner",),
    ("backlog",),
    ("service",),
    ("evaluation",),
    ("redteam",),
    ("main",),
]
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}
CONTENT_PACKAGES = {"config", "knowledge"}  # data folders that are packages only to be shipped


def _modules() -> Iterator[tuple[str, Path]]:
    for package in RANK:
        if package == "main":
            yield "main", ROOT / "main.py"
            continue
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


MODULES = dict(_modules())


def _imports(name: str, path: Path) -> set[str]:
    """Every project module `name` imports, wherever the import stands (functions and
    TYPE_CHECKING blocks included)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import module` needs the module; `from module import name` the module
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _top(module: str) -> str:
    return module.split(".")[0]


def test_every_source_package_is_declared_in_a_layer() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - CONTENT_PACKAGES - {"tests"}
    assert packages <= set(RANK), f"packages in no layer: {sorted(packages - set(RANK))}"


def test_imports_only_go_down_the_layers() -> None:
    upward = [
        f"{source} imports {target}"
        for source, targets in GRAPH.items()
        for target in targets
        if _top(target) != _top(source) and RANK[_top(target)] >= RANK[_top(source)]
    ]
    assert not upward, "imports up or across the layers:\n" + "\n".join(sorted(upward))


def test_no_import_cycles() -> None:
    cycles: list[str] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*stack[stack.index(target) :], target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("package", sorted(set(RANK) - {"main"}))
def test_each_package_says_what_it_holds_and_may_import(package: str) -> None:
    doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and len(doc.splitlines()) >= 2, f"{package}/__init__.py needs a docstring of a few lines"
    assert "import" in doc.lower(), f"{package}/__init__.py should say what it may import"
