"""The public surface: exports, the route table, and the methods it names."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import paycombat_async
import paycombat_async.models
from paycombat_async import OPERATIONS, PayCombat


def test_all_is_sorted_and_every_name_resolves() -> None:
    names = paycombat_async.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(paycombat_async, name), name


def test_every_model_module_export_is_public_at_the_top() -> None:
    for module_info in pkgutil.iter_modules(paycombat_async.models.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"paycombat_async.models.{module_info.name}")
        for name in module.__all__:
            assert name in paycombat_async.__all__, f"{module_info.name}.{name} is not exported"
            assert getattr(paycombat_async, name) is getattr(module, name)


def test_the_route_table_has_every_documented_operation() -> None:
    assert len(OPERATIONS) == 44
    for title, op in OPERATIONS.items():
        assert op.title == title
        assert op.path.startswith("/api/v1/")
        assert op.signed == (op.method in ("POST", "PATCH", "PUT"))


@pytest.mark.parametrize("title", sorted(OPERATIONS))
def test_each_operation_has_its_method_with_the_docs_title(title: str) -> None:
    op = OPERATIONS[title]
    resource_name, method_name = op.resource_method.split(".")
    client = PayCombat(token="snd_x", signature_key="k")
    method = getattr(getattr(client, resource_name), method_name)
    doc = inspect.getdoc(method) or ""
    assert doc.startswith(title), f"{op.resource_method} docstring should start with {title!r}"


def test_the_package_ships_py_typed() -> None:
    root = Path(paycombat_async.__file__).parent
    assert (root / "py.typed").exists()
    assert (root.parent / "paycombat_sync" / "py.typed").exists()


def test_the_readme_lists_every_operation_and_its_method() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for op in OPERATIONS.values():
        source = "documented" if op.documented else "**inferred**"
        row = (
            f"| {op.title} | `client.{op.resource_method}` | {op.method} | `{op.path}` | {source} |"
        )
        assert row in readme, row
