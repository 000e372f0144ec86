"""The public surface: exports, the route table, and the methods it names."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import paycombat_async
import paycombat_async.models
import paycombat_sync
from paycombat_async import OPERATIONS, PayCombat
from paycombat_async._core.retry import Resend
from paycombat_async._lazy import PUBLIC, SUBPACKAGES
from tools.readme import PAGE, render_table

ROOT = Path(__file__).resolve().parents[2]
MODELS = "paycombat_async.models."
BLOCKING = {"PayCombat": "paycombat_sync._client"}
"""The names ``paycombat_sync`` takes from itself rather than from ``PUBLIC``'s modules."""
DECLARED = {
    "paycombat_async": dict(PUBLIC),
    "paycombat_async.models": {n: m for n, m in PUBLIC.items() if m.startswith(MODELS)},
    "paycombat_sync": dict(PUBLIC) | BLOCKING,
}
"""Each package's public names and the module each comes from, as ``PUBLIC`` declares them."""
PACKAGES = sorted(DECLARED)


@pytest.mark.parametrize("package", PACKAGES)
def test_all_and_dir_are_the_declared_names_sorted(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__all__ == sorted(DECLARED[package])
    # dir() (what a REPL or an IDE completes) shows the public names, and the subpackages one
    # can reach as attributes (imported on first use too), not the package's own machinery.
    assert dir(module) == sorted([*module.__all__, *SUBPACKAGES.get(package, ())])


def test_both_packages_export_the_same_names() -> None:
    assert paycombat_sync.__all__ == paycombat_async.__all__
    assert set(paycombat_async.models.__all__) < set(paycombat_async.__all__)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_is_the_one_its_module_defines(package: str) -> None:
    module = importlib.import_module(package)
    for name, source in DECLARED[package].items():
        defining = importlib.import_module(source)
        value = getattr(module, name)
        assert value is getattr(defining, name), name
        assert name in getattr(defining, "__all__", [name]), f"{source} does not export {name}"
        if getattr(value, "__name__", None) == name:  # (not an alias: ``Individual = Person``)
            assert value.__module__ == source, f"{name} is defined in {value.__module__}"
    with pytest.raises(AttributeError, match="Paymnt"):
        module.Paymnt  # noqa: B018


@pytest.mark.parametrize("package", PACKAGES)
def test_every_subpackage_is_reached_as_an_attribute(package: str) -> None:
    module = importlib.import_module(package)
    for name in SUBPACKAGES.get(package, ()):
        sub = getattr(module, name)
        assert isinstance(sub, ModuleType)
        assert sub.__name__ == f"{package}.{name}"


def test_a_model_group_exports_exactly_its_declared_names() -> None:
    # Each group module's ``__all__`` (what ``from paycombat_async.models.payout import *``
    # gives) and ``PUBLIC`` list the same names: neither can gain one the other lacks.
    groups = [m.name for m in pkgutil.iter_modules(paycombat_async.models.__path__)]
    public_groups = sorted(name for name in groups if not name.startswith("_"))
    assert public_groups == sorted(SUBPACKAGES["paycombat_async.models"])
    for group in public_groups:
        module = importlib.import_module(MODELS + group)
        declared = [name for name, source in PUBLIC.items() if source == module.__name__]
        assert sorted(module.__all__) == sorted(declared), group


def _source(module: str) -> Path:
    path = ROOT.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def static_exports(module: str) -> dict[str, str]:
    """What mypy --strict sees ``module`` export: each name and the module it is imported from.

    Read from the source: the imports at its top and under ``if TYPE_CHECKING:`` that re-export
    (``from x import A as A``, or a star import: of a literal ``__all__``'s names where there is
    one, else of the module's own re-exports without a leading underscore).
    """
    tree = ast.parse(_source(module).read_text(encoding="utf-8"))
    statements = [
        *tree.body,
        *(
            child
            for node in tree.body
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
            for child in node.body
        ),
    ]
    package = module if _source(module).name == "__init__.py" else module.rpartition(".")[0]
    found: dict[str, str] = {}
    for node in statements:
        if not isinstance(node, ast.ImportFrom):
            continue
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        source = ".".join([*base, node.module or ""]) if node.level else node.module or ""
        for alias in node.names:
            if alias.asname == alias.name:
                found[alias.name] = source
            elif alias.name == "*":
                names = literal_all(source)
                if names is not None:
                    found |= dict.fromkeys(names, source)
                else:
                    found |= {k: v for k, v in static_exports(source).items() if k[0] != "_"}
    return found


def literal_all(module: str) -> list[str] | None:
    """``module``'s ``__all__`` if its source spells it out as a list, else None."""
    for node in ast.parse(_source(module).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "__all__":
            names: list[str] = ast.literal_eval(node.value)
            return names
    return None


@pytest.mark.parametrize("package", PACKAGES)
def test_type_checkers_see_the_declared_names(package: str) -> None:
    # Type checkers do not run ``__getattr__``: each package imports the same names under
    # ``if TYPE_CHECKING:`` (tests/typing checks their types), and they must be these.
    assert static_exports(package) == DECLARED[package]


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
