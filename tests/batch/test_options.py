"""A batch's options: one signature for create_many and stream_many, in both packages, with every
option's type and default where help(), inspect.signature and the docs read them."""

from __future__ import annotations

import inspect
import pydoc
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

import paycombat_async
import paycombat_sync
from paycombat_async import ValidationError
from paycombat_async._batch.engine import BatchOptions
from paycombat_async.sandbox import LocalSandbox
from tests.batch.helpers import items

OPTIONS = {
    "concurrency": ("int", 32),
    "rate_limit": ("float | None", None),
    "journal": ("str | os.PathLike[str] | Journal | None", None),
    "on_progress": ("Callable[[BatchResult], object] | None", None),
    "on_counts": ("Callable[[BatchCounts], object] | None", None),
    "settle": ("float", 60.0),
    "resend_after_settle": ("bool", False),
}


@pytest.fixture(params=["paycombat_async", "paycombat_sync"])
def payouts(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "paycombat_async":
        yield paycombat_async.PayCombat(token="snd_x").payouts  # no call: no session opened
        return
    with paycombat_sync.PayCombat(token="snd_x") as client:
        yield client.payouts


@pytest.mark.parametrize("name", ["create_many", "stream_many"])
def test_inspect_signature_lists_every_option_with_its_type_and_default(
    payouts: Any, name: str
) -> None:
    parameters = inspect.signature(getattr(payouts, name)).parameters
    assert list(parameters) == ["items", *OPTIONS]
    assert parameters["items"].default is inspect.Parameter.empty
    for option, (annotation, default) in OPTIONS.items():
        assert parameters[option].kind is inspect.Parameter.KEYWORD_ONLY, option
        assert (parameters[option].annotation, parameters[option].default) == (
            annotation,
            default,
        )


def test_help_shows_the_options_and_each_method_its_own_docstring(payouts: Any) -> None:
    create_many = pydoc.render_doc(payouts.create_many, renderer=pydoc.plaintext)
    stream_many = pydoc.render_doc(payouts.stream_many, renderer=pydoc.plaintext)
    for text in (create_many, stream_many):
        assert "concurrency: 'int' = 32" in " ".join(text.split())
        assert "resend_after_settle: 'bool' = False" in " ".join(text.split())
    assert "Create many payouts concurrently" in create_many
    assert "resend_after_settle: resend an item provably absent" in create_many
    assert "Like ``create_many``, yielding each ``BatchResult``" in stream_many


def test_the_options_object_holds_what_the_signature_offers() -> None:
    """The public keywords and ``BatchOptions`` cannot drift apart: same names, same defaults."""
    parameters = inspect.signature(paycombat_async.PayCombat(token="snd_x").payouts.create_many)
    fields = attrs.fields(BatchOptions)
    assert [field.name for field in fields] == list(OPTIONS)
    assert all(field.kw_only for field in fields)
    assert {field.name: field.default for field in fields} == {
        name: parameters.parameters[name].default for name in OPTIONS
    }


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"concurrency": 0}, "concurrency"),
        ({"concurrency": True}, "concurrency"),
        ({"concurrency": 2.0}, "concurrency"),
        ({"settle": -1}, "settle"),
        ({"journal": 42}, "journal"),
    ],
)
def test_a_bad_option_is_a_validation_error_naming_it(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field) as caught:
        BatchOptions(**options)
    assert caught.value.field == field


async def test_a_bad_journal_is_refused_before_anything_is_sent(
    client: paycombat_async.PayCombat, sandbox: LocalSandbox
) -> None:
    with pytest.raises(ValidationError, match="a path, a postgresql:// URL or a Journal"):
        await client.payouts.create_many(items(1), journal=42)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="concurrency"):
        async for _ in client.payouts.stream_many(items(1), concurrency=0):
            pass
    assert sandbox.requests == []
