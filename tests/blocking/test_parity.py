"""The blocking API mirrors the async one: same exports, resources, methods and signatures."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

import paycombat_async
import paycombat_async.sandbox
import paycombat_sync
import paycombat_sync.sandbox
from paycombat_async._pagination import AsyncPaginator
from paycombat_async.resources._base import Resource as AsyncResource
from paycombat_sync._bridge import _Blocking, _BlockingIter, _BlockingStream
from paycombat_sync._pagination import Paginator
from paycombat_sync.resources._base import Resource as SyncResource

TWINS = (_Blocking, _BlockingIter, _BlockingStream)

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


def _resources(client: object, base: type[Any]) -> dict[str, Any]:
    return {name: obj for name, obj in vars(client).items() if isinstance(obj, base)}


def test_both_packages_export_the_same_names() -> None:
    assert paycombat_sync.__all__ == paycombat_async.__all__


def test_every_export_but_the_client_is_the_very_same_object() -> None:
    for name in paycombat_async.__all__:
        if name == "PayCombat":
            assert getattr(paycombat_sync, name) is not getattr(paycombat_async, name)
            continue
        assert getattr(paycombat_sync, name) is getattr(paycombat_async, name), name


def test_the_constructor_takes_the_same_arguments() -> None:
    assert inspect.signature(paycombat_sync.PayCombat) == inspect.signature(
        paycombat_async.PayCombat
    )


def test_the_client_has_the_same_resources(
    clients: tuple[paycombat_async.PayCombat, paycombat_sync.PayCombat],
) -> None:
    aio, blocking = clients
    async_resources = _resources(aio, AsyncResource)
    sync_resources = _resources(blocking, SyncResource)
    assert set(sync_resources) == set(async_resources)
    assert len(async_resources) >= 12
    for name, resource in async_resources.items():
        assert type(sync_resources[name]).__name__ == type(resource).__name__


def _twin_pairs() -> list[tuple[str, str]]:
    aio = paycombat_async.PayCombat(token="snd_x", signature_key="k")
    pairs = []
    for attr, resource in sorted(_resources(aio, AsyncResource).items()):
        pairs += [(attr, name) for name in sorted(_public_methods(type(resource)))]
    return pairs


@pytest.mark.parametrize(("attr", "name"), _twin_pairs())
def test_every_public_async_method_has_a_sync_twin_with_the_same_signature(
    clients: tuple[paycombat_async.PayCombat, paycombat_sync.PayCombat], attr: str, name: str
) -> None:
    aio, blocking = clients
    async_method = getattr(getattr(aio, attr), name)
    sync_resource = getattr(blocking, attr)
    declared = inspect.getattr_static(type(sync_resource), name, None)
    assert declared is not None, f"paycombat_sync is missing {attr}.{name}"
    sync_method = getattr(sync_resource, name)
    async_sig, sync_sig = inspect.signature(async_method), inspect.signature(sync_method)
    assert sync_sig.parameters == async_sig.parameters
    assert sync_method.__doc__ == async_method.__doc__
    if inspect.iscoroutinefunction(async_method):
        assert isinstance(declared, _Blocking)
        assert sync_sig.return_annotation == async_sig.return_annotation
    elif "AsyncIterator[" in str(async_sig.return_annotation):  # stream_many
        assert isinstance(declared, _BlockingStream)
        assert str(sync_sig.return_annotation).startswith("Iterator[")
    else:
        assert "AsyncPaginator[" in str(async_sig.return_annotation), (
            f"{attr}.{name} is neither async nor a paginator: decide how to mirror it"
        )
        assert isinstance(declared, _BlockingIter)
        assert str(sync_sig.return_annotation).startswith("Paginator[")


def test_sync_resources_have_nothing_the_async_ones_lack(
    clients: tuple[paycombat_async.PayCombat, paycombat_sync.PayCombat],
) -> None:
    aio, blocking = clients
    for attr, resource in _resources(blocking, SyncResource).items():
        declared = {
            name
            for klass in type(resource).__mro__
            for name, member in vars(klass).items()
            if not name.startswith("_")
            and isinstance(member, (_Blocking, _BlockingIter, _BlockingStream))
        }
        assert declared == set(_public_methods(type(getattr(aio, attr)))), attr


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


def test_the_paginator_mirrors_the_async_one() -> None:
    for name in _public_methods(AsyncPaginator):
        assert hasattr(Paginator, name), name
        async_params = inspect.signature(getattr(AsyncPaginator, name)).parameters
        assert inspect.signature(getattr(Paginator, name)).parameters == async_params
    assert hasattr(Paginator, "__iter__")


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
