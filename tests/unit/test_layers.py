"""The import graph keeps the shape ARCHITECTURE.md draws: arrows point down, and never round.

The layers are read from ARCHITECTURE.md's ``layers`` block, so the page and the test cannot
drift apart. Every import counts, wherever it stands (at the top, deferred inside a function,
or under ``if TYPE_CHECKING:``) when it points up a layer: a type a lower layer needs is a
Protocol it declares, not a class it imports from above. A circle is an error whenever the
imports in it run (a deferred import runs too); imports under ``TYPE_CHECKING`` alone never do.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("paycombat_async", "paycombat_sync")


@attrs.frozen
class Import:
    source: str
    target: str
    line: int
    runtime: bool  # False: only under ``if TYPE_CHECKING:``


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_in(path: Path, modules: set[str]) -> Iterator[Import]:
    source = module_name(path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]

    def target_of(module: str, name: str) -> str:
        # ``from . import journal`` imports a module; ``from .journal import X`` a name in one.
        return f"{module}.{name}" if f"{module}.{name}" in modules else module

    def visit(node: ast.AST, runtime: bool) -> Iterator[Import]:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.body:
                yield from visit(child, runtime=False)
            for child in node.orelse:
                yield from visit(child, runtime)
            return
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] in PACKAGES:
                for alias in node.names:
                    yield Import(source, target_of(module, alias.name), node.lineno, runtime)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    yield Import(source, alias.name, node.lineno, runtime)
            return
        for child in ast.iter_child_nodes(node):
            yield from visit(child, runtime)

    yield from visit(ast.parse(path.read_text(encoding="utf-8")), runtime=True)


def all_imports() -> list[Import]:
    paths = [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]
    modules = {module_name(p) for p in paths}
    found = [i for p in paths for i in imports_in(p, modules)]
    # A package's ``__init__`` importing its own parts is how it shows its names, not an arrow.
    return [i for i in found if not i.target.startswith(i.source + ".") and i.target != i.source]


def drawn_layers() -> list[list[str]]:
    """ARCHITECTURE.md's layers, top first: each line is one layer's modules or packages."""
    page = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- layers -->\s*```text\n(.*?)```", page, re.S)
    assert block, "ARCHITECTURE.md lost its '<!-- layers -->' block"
    return [line.split("#")[0].split() for line in block.group(1).splitlines() if line.strip()]


def layer_of(module: str, layers: list[list[str]]) -> tuple[int, str]:
    """The index of the layer (0 = top) holding ``module``, by its longest named prefix."""
    best: tuple[int, str] | None = None
    for index, names in enumerate(layers):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (
                best is None or len(name) > len(best[1])
            ):
                best = (index, name)
    assert best is not None, f"{module} is in no layer of ARCHITECTURE.md: add it there"
    return best


def test_every_import_points_down_or_stays_in_its_layer() -> None:
    layers = drawn_layers()
    upward = [
        f"{i.source} (line {i.line}) imports {i.target}: "
        f"{layer_of(i.target, layers)[1]} is drawn above {layer_of(i.source, layers)[1]}"
        for i in all_imports()
        if layer_of(i.target, layers)[0] < layer_of(i.source, layers)[0]
    ]
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_no_import_circle() -> None:
    graph: dict[str, set[str]] = {}
    for i in all_imports():
        if i.runtime:
            graph.setdefault(i.source, set()).add(i.target)
    circles = [sorted(c) for c in strongly_connected(graph) if len(c) > 1]
    assert not circles, "import circles:\n" + "\n".join(" <-> ".join(c) for c in circles)


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the graph's strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def test_the_checks_catch_what_they_are_for() -> None:
    """The two checks find an upward import and a circle when there is one (they can fail)."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert [sorted(c) for c in strongly_connected(graph) if len(c) > 1] == [["a", "b", "c"]]
    layers = [["pkg.cli"], ["pkg._core", "pkg.x"], ["pkg"]]
    assert layer_of("pkg._core.pipeline", layers) == (1, "pkg._core")
    assert layer_of("pkg.cli.app", layers) == (0, "pkg.cli")
    assert layer_of("pkg.other", layers) == (2, "pkg")


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_is_in_a_drawn_layer(package: str) -> None:
    layers = drawn_layers()
    for path in (ROOT / package).rglob("*.py"):
        layer_of(module_name(path), layers)  # raises for a module no layer holds
