"""What an operation is, and the table of them (``OPERATIONS``, in ``resources``).

Each operation is declared once, with its resource (``resources/payouts.py``). Each says how to
call the operation (method, path template), whether the body is signed, and what may be resent
after an attempt that may have reached PayCombat (``resend``, see ``retry.Resend``): reads
freely, creates and money moves never, idempotent-in-effect changes with care. ``documented`` is
False where the path is our inference from the docs' naming pattern (see the operations table,
``docs/reference/operations.md``); correcting an inferred path is a one-line change in its
declaration.
"""

from __future__ import annotations

import functools
import re
import string
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Literal, cast, get_args
from urllib.parse import quote

import attrs

from .._exceptions import ValidationError
from ..models._validation import check_path_id
from .retry import Resend

__all__ = ["HTTPMethod", "Operation", "OperationTable", "adhoc_operation", "normalise", "operation"]

HTTPMethod = Literal["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"]


@attrs.frozen(kw_only=True)
class Operation:
    """One PayCombat operation, as the docs name it."""

    key: str
    """The stable key: the SDK method that calls it, e.g. ``payouts.create``."""
    title: str
    """The operation's title exactly as the PayCombat docs write it, e.g. "Create Payout"."""
    method: HTTPMethod
    path: str
    """Path template relative to the base URL, e.g. ``/api/v1/payout/retrieve-payout/{id}``."""
    signed: bool = False
    """Whether the request carries a ``signature`` header (every POST/PATCH/PUT does)."""
    resend: Resend = Resend.SAFE
    """What may be resent once an attempt may have reached PayCombat (see ``Resend``)."""
    documented: bool = True
    """False when the path is inferred, not shown by the docs."""

    @property
    def resource_method(self) -> str:
        """The SDK method that calls it: the same as ``key``."""
        return self.key

    @property
    def moves_money(self) -> bool:
        """Creates objects or moves money: never resent once it may have arrived."""
        return self.resend is Resend.NEVER

    def render_path(self, path_params: Mapping[str, str] | None = None) -> str:
        """The path with its ``{placeholders}`` filled in, each value percent-encoded."""
        pieces = _pieces(self.path)
        if not pieces:
            return self.path
        params = path_params or {}
        path = ""
        for literal, name in pieces:  # a plain loop: this runs on every call (1.2 -> 0.5 us)
            path += literal
            if not name:
                continue
            if name not in params:
                missing = [name for _, name in pieces if name and name not in params]
                raise ValidationError(f"{self.title}: missing path parameter(s) {missing}")
            path += _segment(check_path_id(name, str(params[name])))
        return path


@functools.cache
def _pieces(template: str) -> tuple[tuple[str, str | None], ...]:
    """``template`` as (literal text, placeholder name or None) pairs, parsed once; empty when
    the template has no placeholder."""
    pieces = tuple((literal, name) for literal, name, _, _ in string.Formatter().parse(template))
    return pieces if any(name for _, name in pieces) else ()


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]+")


def _segment(value: str) -> str:
    """One path segment, percent-encoded (ids are almost always unreserved characters only)."""
    return value if _UNRESERVED.fullmatch(value) else quote(value, safe="")


def operation(
    key: str,
    title: str,
    method: HTTPMethod,
    path: str,
    *,
    resend: Resend | None = None,
    documented: bool = True,
) -> Operation:
    """Build an entry; every body-carrying method is signed (PayCombat docs: Signature).

    ``resend`` defaults to ``Resend.SAFE`` for GET and to ``Resend.NEVER`` for everything else:
    a write is only ever resent where its entry says it is idempotent in effect.
    """
    if resend is None:
        resend = Resend.SAFE if method == "GET" else Resend.NEVER
    return Operation(
        key=key,
        title=title,
        method=method,
        path=path,
        signed=method in ("POST", "PATCH", "PUT"),
        resend=resend,
        documented=documented,
    )


def adhoc_operation(method: str, path: str) -> Operation:
    """The operation behind ``client.request(method, path)``: a path the table does not model.

    Anything but GET and HEAD is treated as moving money, so it is never resent once it may have
    arrived.
    """
    verb = method.upper()
    if verb not in get_args(HTTPMethod):
        raise ValidationError(f"unsupported HTTP method {method!r}", field="method")
    return operation(
        "request",
        f"{verb} {path}",
        cast(HTTPMethod, verb),
        path if path.startswith("/") else f"/{path}",
        resend=Resend.SAFE if verb in ("GET", "HEAD") else Resend.NEVER,
    )


def normalise(name: str) -> str:
    """A name to look an operation up by: its key, or its docs title in any case and spacing.

    Brackets are kept: "Create Virtual Account (KRW)" (a payin) and "Create Virtual Account
    [KRW]" (a checkout) are two operations; their keys (``payins.create_virtual_account``,
    ``checkouts.bind_virtual_account``) are the unambiguous names.
    """
    return " ".join(name.casefold().split())


class OperationTable(Mapping[str, Operation]):
    """Every operation by its stable key (``"payouts.create"``); ``find`` also takes a title.

    Built from the declarations in ``paycombat_async.resources`` (each ``endpoint`` adds its
    operation when its class is built; ``complete_with`` imports the rest): nothing is listed
    here by hand.
    """

    def __init__(self, operations: Iterable[Operation]) -> None:
        self._by_key: dict[str, Operation] = {}
        self._by_name: dict[str, Operation] = {}
        self._load: Callable[[], object] | None = None
        self._rank: dict[str, int] = {}
        self._loading = threading.RLock()
        for op in operations:
            self.add(op)

    def complete_with(self, load: Callable[[], object], *, order: Sequence[str]) -> None:
        """Where the rest of the table comes from: ``load`` declares every operation (the
        resource modules register theirs as they are imported, on first use). It runs once,
        when the table is asked for what it does not hold yet, or is listed. ``order``: the
        key prefixes (client attributes) in the order the table lists them, whatever order
        their modules were imported in."""
        self._load = load
        self._rank = {prefix: rank for rank, prefix in enumerate(order)}

    def _complete(self) -> None:
        if self._load is None:
            return
        with self._loading:
            if self._load is not None:
                self._load()
                self._load = None

    def add(self, op: Operation) -> None:
        """Register one more operation (a declaration does this when its class is built)."""
        for name in (op.key, op.title):
            other = self._by_name.get(normalise(name))
            if other is not None and other is not op and other.key != op.key:
                raise ValueError(f"{name!r} names both {other.key} and {op.key}")
        self._by_key[op.key] = op
        self._by_name[normalise(op.key)] = op
        self._by_name[normalise(op.title)] = op

    def remove(self, key: str) -> None:
        """Unregister an operation (for declarations made in tests)."""
        op = self._by_key.pop(key)
        for name in (op.key, op.title):
            self._by_name.pop(normalise(name), None)

    def find(self, name: str) -> Operation:
        """The operation named by its key or its docs title (case and brackets do not matter).

        Raises:
            KeyError: no operation has that key or title.
        """
        op = self._by_name.get(normalise(name))
        if op is None and self._load is not None:
            self._complete()
            op = self._by_name.get(normalise(name))
        if op is None:
            raise KeyError(f"no operation is keyed or titled {name!r}")
        return op

    def __getitem__(self, key: str) -> Operation:
        op = self._by_key.get(key)
        return op if op is not None else self.find(key)  # a docs title works too

    def __iter__(self) -> Iterator[str]:
        self._complete()
        last = len(self._rank)
        return iter(sorted(self._by_key, key=lambda key: self._rank.get(key.split(".")[0], last)))

    def __len__(self) -> int:
        self._complete()
        return len(self._by_key)

    def __repr__(self) -> str:
        return f"<OperationTable of {len(self)} operations>"
