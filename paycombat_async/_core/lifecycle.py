"""``async with`` / ``with`` for what has an ``open``/``close`` pair: clients and sandboxes."""

from __future__ import annotations

from typing import NoReturn, SupportsIndex, TypeVar

__all__ = ["NOT_PICKLABLE", "AsyncClosing", "Closing", "OneProcess"]

NOT_PICKLABLE = (
    "A PayCombat client cannot be pickled or copied: it owns a connection pool (and, blocking, "
    "an event loop thread) that belong to one process. Create one client per process, in the "
    "worker (e.g. in a process pool's initializer)."
)

S = TypeVar("S")


class AsyncClosing:
    """``async with obj:`` runs ``_aopen()`` (nothing by default), then ``aclose()`` on exit."""

    async def _aopen(self) -> None:
        return None

    async def aclose(self) -> None:
        raise NotImplementedError

    async def __aenter__(self: S) -> S:
        await self._aopen()  # type: ignore[attr-defined]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class Closing:
    """``with obj:`` runs ``_open()`` (nothing by default), then ``close()`` on exit."""

    def _open(self) -> None:
        return None

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: S) -> S:
        self._open()  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class OneProcess:
    """Refuses pickling and copying, with a message that says why (clients and their resources)."""

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        raise TypeError(NOT_PICKLABLE)
