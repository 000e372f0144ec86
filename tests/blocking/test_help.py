"""``help()`` on the blocking client reads as blocking code, with class names of its own."""

from __future__ import annotations

import inspect
import pickle
import pydoc
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import paycombat_async
import paycombat_sync
from paycombat_async.resources import DECLARED, resource_classes
from paycombat_async.resources._declare import _Method, blocking_doc

ASYNC_PHRASES = re.compile(r"\bawait\b|\basync\s+(for|with)\b|\baclos(e|ing)\b")
"""What blocking code never writes."""
HISTORY = re.compile(r"\b(before|since|until) \d+\.\d+|\bformerly\b|\b[Nn]amed ``\w+`` before")
"""A docstring retelling an earlier version's names (there is none before 0.1)."""


@pytest.fixture(scope="module")
def client() -> Iterator[paycombat_sync.PayCombat]:
    with paycombat_sync.PayCombat(token="snd_x", signature_key="k") as blocking:
        yield blocking


def _text(thing: object) -> str:
    return pydoc.render_doc(thing, renderer=pydoc.plaintext)


def _declared(resource: type[Any]) -> list[str]:
    return sorted(
        name
        for klass in resource.__mro__
        for name, member in vars(klass).items()
        if isinstance(member, _Method)
    )


def _resources(client: object) -> list[tuple[str, Any]]:
    return [(attribute, getattr(client, attribute)) for attribute, _, _ in DECLARED]


def test_no_blocking_method_says_await(client: paycombat_sync.PayCombat) -> None:
    checked = 0
    for attribute, resource in _resources(client):
        help_text = _text(resource)
        found = ASYNC_PHRASES.search(help_text)
        assert found is None, f"help(client.{attribute}) says {found and found.group()!r}"
        for name in _declared(type(resource)):
            method = getattr(resource, name)
            for text in (_text(method), inspect.getdoc(method) or ""):
                found = ASYNC_PHRASES.search(text)
                assert found is None, f"client.{attribute}.{name} says {found and found.group()!r}"
            class_level = getattr(type(resource), name)
            assert ASYNC_PHRASES.search(class_level.__doc__ or "") is None, name
            checked += 1
    assert checked > 40  # every declared and hand-written method of every resource
    assert ASYNC_PHRASES.search(_text(paycombat_sync.PayCombat)) is None


def test_lists_and_streams_say_how_blocking_code_iterates(
    client: paycombat_sync.PayCombat,
) -> None:
    listing = client.payouts.list.__doc__ or ""
    assert '``for payout in client.payouts.list(status="PENDING")``' in listing
    assert "``.to_list()`` for a list" in listing
    assert "``.to_list()`` for a list" in (client.payout_methods.list.__doc__ or "")
    stream = client.payouts.stream_many.__doc__ or ""
    assert "``for result in client.payouts.stream_many(items): ...``" in stream
    assert "``close()``" in stream
    assert "``with contextlib.closing(...)``" in stream


def test_the_async_docstrings_keep_their_async_phrasing() -> None:
    aio = paycombat_async.PayCombat(token="snd_x", signature_key="k")
    listing = aio.payouts.list.__doc__ or ""
    assert '``async for payout in client.payouts.list(status="PENDING")``' in listing
    assert "``await`` it for a list" in listing
    assert "``async with contextlib.aclosing(...)``" in (aio.payouts.stream_many.__doc__ or "")


def test_blocking_resource_classes_have_names_of_their_own(
    client: paycombat_sync.PayCombat,
) -> None:
    aio = paycombat_async.PayCombat(token="snd_x")
    for attribute, resource in _resources(client):
        cls, base = type(resource), type(getattr(aio, attribute))
        assert cls.__bases__ == (base,)
        assert cls.__name__ == base.__name__
        assert cls.__module__.startswith("paycombat_sync.")
        assert base.__module__.startswith("paycombat_async.")
        # the name it gives is the class (no other class shadows it where it says it lives)
        assert getattr(sys.modules[cls.__module__], cls.__qualname__) is cls
        assert pickle.loads(pickle.dumps(cls)) is cls  # noqa: S301 - our own bytes
        help_text = _text(resource)
        name = cls.__name__
        assert f"class {name}({name})" not in help_text
        assert f"class {name}({base.__module__}.{name})" in help_text
        assert f"{name} in module {cls.__module__}" in help_text


def test_help_lists_the_methods_as_the_blocking_class_own(
    client: paycombat_sync.PayCombat,
) -> None:
    for _, resource in _resources(client):
        cls = type(resource)
        defined = {a.name: a.defining_class for a in inspect.classify_class_attrs(cls)}
        for name in _declared(cls):
            assert defined[name] is cls, name
            method = getattr(resource, name)
            assert method.__module__ == cls.__module__
            assert method.__qualname__ == f"{cls.__name__}.{name}"
        assert "Methods defined here" in _text(cls)


def test_no_docstring_retells_history(client: paycombat_sync.PayCombat) -> None:
    aio = paycombat_async.PayCombat(token="snd_x")
    for some_client in (aio, client):
        for attribute, resource in _resources(some_client):
            found = HISTORY.search(_text(resource))
            assert found is None, f"client.{attribute}: {found and found.group()!r}"


def test_the_rewrite_covers_each_async_phrase() -> None:
    assert blocking_doc("``async for x in client.payouts.list()``") == (
        "``for x in client.payouts.list()``"
    )
    assert blocking_doc("(``await`` it\n    for a list)") == "(``.to_list()``\n    for a list)"
    assert blocking_doc("``await client.payouts.retrieve(payout_id)``") == (
        "``client.payouts.retrieve(payout_id)``"
    )
    assert blocking_doc("``aclose()``, ``async with contextlib.aclosing(s)``") == (
        "``close()``, ``with contextlib.closing(s)``"
    )
    assert blocking_doc("from any iterable or async iterable") == (
        "from any iterable or async iterable"
    )
    assert len(resource_classes()) == len(DECLARED)
