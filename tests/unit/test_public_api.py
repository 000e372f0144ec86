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
from paycombat_async._core.retry import Resend
from tools.readme import PAGE, render_table


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
    for key, op in OPERATIONS.items():
        assert op.key == key
        assert OPERATIONS.find(op.title) is op
        assert op.path.startswith("/api/v1/")
        assert op.signed == (op.method in ("POST", "PATCH", "PUT"))


def test_titles_are_found_in_any_case_but_brackets_tell_operations_apart() -> None:
    assert OPERATIONS.find("create  payout").key == "payouts.create"
    assert OPERATIONS.find("Create Virtual Account (KRW)").key == "payins.create_virtual_account"
    assert OPERATIONS.find("Create Virtual Account [KRW]").key == "checkouts.bind_virtual_account"
    with pytest.raises(KeyError):
        OPERATIONS.find("Create Payouts")


@pytest.mark.parametrize("key", sorted(OPERATIONS))
def test_each_operation_has_its_method_with_the_docs_title(key: str) -> None:
    op = OPERATIONS[key]
    resource_name, method_name = key.split(".")
    client = PayCombat(token="snd_x", signature_key="k")
    method = getattr(getattr(client, resource_name), method_name)
    doc = inspect.getdoc(method) or ""
    assert doc.startswith(op.title), f"{key} docstring should start with {op.title!r}"
    if op.resend is Resend.IDEMPOTENT:
        assert "404, 409 or 422" in doc
        assert "OutcomeUnknownError" in doc


def test_the_package_ships_py_typed() -> None:
    root = Path(paycombat_async.__file__).parent
    assert (root / "py.typed").exists()
    assert (root.parent / "paycombat_sync" / "py.typed").exists()


def test_the_docs_table_is_the_one_the_declarations_render() -> None:
    page = (Path(__file__).parents[2] / PAGE).read_text(encoding="utf-8")
    table = render_table(OPERATIONS.values())
    assert table in page, "run `python -m tools.readme` to regenerate the table"
    for op in OPERATIONS.values():
        assert f"| {op.title} | `client.{op.key}` |" in table
