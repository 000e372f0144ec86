"""The blocking API mirrors the async one: same exports, resources, methods and signatures."""

from __future__ import annotations

import functools
import inspect
import pydoc
import re
from collections.abc import Iterator
from typing import Any

import pytest

import paycombat_async
import paycombat_async.sandbox
import paycombat_sync
import paycombat_sync.sandbox
from paycombat_async._core.pagination import AsyncPaginator, Paginator
from paycombat_async.resources import DECLARED, resource_classes
from paycombat_async.resources._base import Resource
from paycombat_async.resources._declare import _Method, blocking_doc
from paycombat_sync._bridge import _Blocking

# async name -> blocking name, where they legitimately differ
RENAMED = {"aclose": "close", "__aenter__": "__enter__", "__aexit__": "__exit__"}


def _public_methods(cls: type[Any]) -> dict[str, Any]:
    """Public callables defined on ``cls`` (and its bases below ``object``), by name."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__[:-1]):
        for name, member in vars(klass).items():
            special = name in RENAMED or name in RENAMED.values()
            if (not name.startswith("_") or special) and inspect.isfunction(member):
                found[name] = member
    return found


@pytest.fixture
def clients() -> Iterator[tuple[paycombat_async.PayCombat, paycombat_sync.PayCombat]]:
    sync_client = paycombat_sync.PayCombat(token="snd_x", signature_key="k")
    yield paycombat_async.PayCombat(token="snd_x", signature_key="k"), sync_client
    sync_client.close()


RESOURCES = resource_classes()


def _resources(client: object) -> dict[str, Any]:
    """Every resource a client serves (each is created when first read)."""
    found = {attribute: getattr(client, attribute) for attribute, _, _ in DECLARED}
    assert all(isinstance(resource, Resource) for resource in found.values())
    return found


def test_both_packages_export_the_same_names() -> None:
    assert paycombat_sync.__all__ == paycombat_async.__all__


def test_every_export_but_the_client_is_the_very_same_object() -> None:
    for name in paycombat_async.__all__:
        if name == "PayCombat":
            assert getattr(paycombat_sync, name) is not getattr(paycombat_async, name)
            continue
        assert getattr(paycombat_sync, name) is getattr(paycombat_async, name), name


def test_the_constructor_takes_the_same_keyword_only_arguments() -> None:
    signature = inspect.signature(paycombat_async.PayCombat)
    assert inspect.signature(paycombat_sync.PayCombat) == signature
    assert all(p.kind is p.KEYWORD_ONLY for p in signature.parameters.values())
    with pytest.raises(TypeError):
        paycombat_sync.PayCombat("snd_x")  # type: ignore[call-arg]


def test_both_clients_hold_the_very_same_resource_classes(
    clients: tuple[paycombat_async.PayCombat, paycombat_sync.PayCombat],
) -> None:
    aio, blocking = clients
    async_resources, sync_resources = _resources(aio), _resources(blocking)
    assert set(async_resources) == set(sync_resources) == {r.client_attribute for r in RESOURCES}
    for name, resource in async_resources.items():
        # The blocking client's class only presents the same methods with blocking signatures.
        assert type(sync_resources[name]).__bases__ == (type(resource),)
        assert type(sync_resources[name]).__name__ == type(resource).__name__


def _declared() -> list[tuple[str, str]]:
    return sorted(
        (resource.client_attribute, name)
        for resource in RESOURCES
        for name, member in vars(resource).items()
        if isinstance(member, _Method)
    )


@pytest.mark.parametrize(("attr", "name"), _declared())
def test_every_method_has_the_same_signature_and_docstring_in_both_packages(
    clients: tuple[paycombat_async.PayCombat, paycombat_sync.PayCombat], attr: str, name: str
) -> None:
    aio, blocking = clients
    async_method = getattr(getattr(aio, attr), name)
    sync_method = getattr(getattr(blocking, attr), name)
    async_sig, sync_sig = inspect.signature(async_method), inspect.signature(sync_method)
    assert sync_sig.parameters == async_sig.parameters
    # the same docstring, as blocking code reads it (``for`` where the async one says ``async for``)
    assert sync_method.__doc__ == blocking_doc(async_method.__doc__ or "")
    assert (sync_method.__name__, async_method.__name__) == (name, name)
    assert sync_method.__qualname__ == async_method.__qualname__
    assert not inspect.iscoroutinefunction(sync_method)
    if str(async_sig.return_annotation).startswith("AsyncPaginator["):
        assert not inspect.iscoroutinefunction(async_method)
        assert sync_sig.return_annotation == async_sig.return_annotation[len("Async") :]
    elif str(async_sig.return_annotation).startswith("AsyncIterator["):  # stream_many
        assert sync_sig.return_annotation == async_sig.return_annotation[len("Async") :]
    else:
        assert inspect.iscoroutinefunction(async_method)
        assert sync_sig.return_annotation == async_sig.return_annotation


def test_inspect_signature_shows_the_real_parameters(
    clients: tuple[paycombat_async.PayCombat, paycombat_sync.PayCombat],
) -> None:
    for client in clients:
        signature = inspect.signature(client.payouts.create)
        assert "sender_amount" in signature.parameters
        assert signature.parameters["order_id"].kind is inspect.Parameter.KEYWORD_ONLY
        retrieve = inspect.signature(client.payouts.retrieve).parameters
        assert list(retrieve) == ["payout_id"]
        assert retrieve["payout_id"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD


def _help(thing: object) -> str:
    """``help(thing)``'s text on one line, signatures unwrapped: pydoc 3.13 wraps a long one,
    one parameter a line, and class documentation has a `` |`` margin."""
    text = pydoc.render_doc(thing, renderer=pydoc.plaintext)
    text = re.sub(r"\(\n[ |]*", "(", text)  # a wrapped signature's first line...
    text = re.sub(r",?\n[ |]*\)", ")", text)  # ...and its last
    return " ".join(re.sub(r"(?m)^ *\|", "", text).split())


def test_help_lists_every_resource_and_every_method_with_its_signature(
    clients: tuple[paycombat_async.PayCombat, paycombat_sync.PayCombat],
) -> None:
    for client in (paycombat_async.PayCombat, paycombat_sync.PayCombat):
        text = pydoc.render_doc(client, renderer=pydoc.plaintext)
        for resource in RESOURCES:
            assert f"{resource.client_attribute}\n" in text, resource.client_attribute
            first_line = (resource.__doc__ or "").splitlines()[0]
            assert first_line in text
    for client in clients:
        for resource in RESOURCES:
            text = _help(getattr(client, resource.client_attribute))
            for attr, name in _declared():
                if attr != resource.client_attribute:
                    continue
                method = getattr(getattr(client, attr), name)
                assert f"{name}{inspect.signature(method)}" in text
                assert " ".join((method.__doc__ or "").split("\n\n")[0].split()) in text
    aio, blocking = clients
    blocking_help = _help(blocking.payouts)
    assert "async create" not in blocking_help
    assert "create(*, payout_beneficiary" in blocking_help
    assert "-> 'Paginator[Payout]'" in blocking_help
    assert "async create(*" in _help(aio.payouts)
    assert "_Blocking object" not in pydoc.render_doc(
        paycombat_sync.PayCombat, renderer=pydoc.plaintext
    )


def test_the_client_level_methods_have_twins() -> None:
    async_methods = _public_methods(paycombat_async.PayCombat)
    sync_methods = _public_methods(paycombat_sync.PayCombat) | {
        name: member
        for name, member in vars(paycombat_sync.PayCombat).items()
        if isinstance(member, _Blocking)
    }
    for name, async_method in async_methods.items():
        twin = RENAMED.get(name, name)
        assert twin in sync_methods, name
        if name in RENAMED:
            continue
        sync_method = getattr(paycombat_sync.PayCombat(token="snd_x"), twin)
        assert inspect.signature(sync_method).parameters == {
            k: v for k, v in inspect.signature(async_method).parameters.items() if k != "self"
        }
    for prop in ("config", "is_closed"):
        assert isinstance(inspect.getattr_static(paycombat_sync.PayCombat, prop), property)
    for client in (paycombat_async.PayCombat, paycombat_sync.PayCombat):
        raw = inspect.getattr_static(client, "with_raw_response")
        assert isinstance(raw, functools.cached_property)


def test_the_paginator_mirrors_the_async_one() -> None:
    for name in _public_methods(AsyncPaginator):
        assert hasattr(Paginator, name), name
        async_params = inspect.signature(getattr(AsyncPaginator, name)).parameters
        assert inspect.signature(getattr(Paginator, name)).parameters == async_params
    assert hasattr(Paginator, "__iter__")
    assert hasattr(AsyncPaginator, "__await__")


def test_the_blocking_sandbox_mirrors_the_async_one() -> None:
    assert paycombat_sync.sandbox.__all__ == paycombat_async.sandbox.__all__
    for name in paycombat_async.sandbox.__all__:
        if name != "LocalSandbox":
            assert getattr(paycombat_sync.sandbox, name) is getattr(paycombat_async.sandbox, name)
    aio, blocking = paycombat_async.sandbox.LocalSandbox, paycombat_sync.sandbox.LocalSandbox
    assert inspect.signature(blocking) == inspect.signature(aio)
    for name in ("inject", "requests_for"):
        assert inspect.signature(getattr(blocking, name)) == inspect.signature(getattr(aio, name))
    sandbox = aio()
    for name in vars(sandbox):
        if not name.startswith("_"):
            assert hasattr(blocking, name), name
    for name in ("base_url", "start", "close", "__enter__", "__exit__"):
        assert hasattr(blocking, name), name
