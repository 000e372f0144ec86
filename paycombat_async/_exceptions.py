"""Every error the SDK raises, under one base class.

::

    PayCombatError                      base; catch this to catch everything
    ├── ConfigurationError              missing or malformed credentials, base URL, options
    ├── ValidationError                 bad input, raised before anything is sent
    ├── ClientStateError                client closed, or used from another event loop
    ├── APIConnectionError              the server could not be reached or stopped answering
    │   └── APITimeoutError             the call's deadline passed
    ├── OutcomeUnknownError             a create/money movement that may or may not have happened
    ├── PayoutConflictError             a payout found under an order_id is not the one asked for
    ├── BatchAbortedError               a batch stopped early; ``results`` holds what was decided
    ├── JournalError                    a batch journal that cannot be opened, read or written
    ├── WebhookSignatureError           a webhook whose X-Signature is missing or does not match
    ├── WebhookPayloadError             a webhook body that is not a PayCombat notification
    └── APIError                        the server answered with an error
        ├── BadRequestError             400 (and other 4xx without a class of their own)
        ├── AuthenticationError         401: bad X-token or signature
        ├── PermissionDeniedError       403
        ├── NotFoundError               404
        ├── ConflictError               409
        ├── UnprocessableEntityError    406 / 422: valid request, unacceptable values
        ├── RateLimitError              429
        ├── ServerError                 5xx
        └── InvalidResponseError        a body that is not the PayCombat envelope (HTML, empty, ...)
            └── PaginationError         a list whose pages repeat or run past the caller's bound

Every error carries what a caller needs to act: ``status`` (HTTP status or ``None``), ``message``
(PayCombat's own message where there is one), ``method`` and ``path`` of the call, ``body``
(the raw response, truncated), and ``may_have_taken_effect``. When that last flag is true the
operation must be reconciled (retrieve or list by your reference) before it is sent again.

Errors never carry the token or the signature key: the pipeline scrubs them from bodies, and no
error holds headers. Errors pickle, so they cross process boundaries (multiprocessing, Celery).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BatchAbortedError",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "InvalidResponseError",
    "JournalError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PaginationError",
    "PayCombatError",
    "PayoutConflictError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "UnprocessableEntityError",
    "ValidationError",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "error_class_for_status",
]

BODY_LIMIT = 2000


class PayCombatError(Exception):
    """Base class of every error raised by the SDK."""

    message: str
    status: int | None
    method: str | None
    path: str | None
    body: str | None
    may_have_taken_effect: bool

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        body: str | None = None,
        may_have_taken_effect: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.body = body[:BODY_LIMIT] if body is not None else None
        self.may_have_taken_effect = may_have_taken_effect

    def __str__(self) -> str:
        where = f"{self.method} {self.path}" if self.method and self.path else None
        parts = [p for p in (f"HTTP {self.status}" if self.status else None, where) if p]
        prefix = f"[{', '.join(parts)}] " if parts else ""
        suffix = " (the operation may have taken effect)" if self.may_have_taken_effect else ""
        return f"{prefix}{self.message}{suffix}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"method={self.method!r}, path={self.path!r}, "
            f"may_have_taken_effect={self.may_have_taken_effect!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), dict(self.__dict__)))


def _restore(cls: type[PayCombatError], state: dict[str, Any]) -> PayCombatError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class ConfigurationError(PayCombatError):
    """The client was configured wrongly (no token, a malformed base URL, a bad option)."""


class ValidationError(PayCombatError, ValueError):
    """An argument is invalid; nothing was sent. ``field`` names the offending argument."""

    field: str | None

    def __init__(self, message: str, *, field: str | None = None, **kwargs: Any) -> None:
        super().__init__(f"{field}: {message}" if field else message, **kwargs)
        self.field = field


class ClientStateError(PayCombatError, RuntimeError):
    """The client cannot be used in this state: closed, or bound to another event loop."""


class APIConnectionError(PayCombatError):
    """The request failed below HTTP: refused, reset, DNS failure, TLS error."""


class APITimeoutError(APIConnectionError, TimeoutError):
    """The call's total deadline passed before an answer arrived."""


class OutcomeUnknownError(PayCombatError):
    """A request that creates objects or moves money may have been processed, and we cannot tell.

    Raised instead of resending blindly when a timeout, a dropped connection, a 5xx or an
    unreadable success hits a request that may have reached the server. PayCombat may still be
    processing it: wait until it has settled, then look the object up by your own reference
    (``order_id``, kept here) before you try again; a lookup that finds nothing right after the
    failure does not prove the object was not created. ``__cause__`` holds the underlying failure.
    """

    order_id: str | None

    def __init__(self, message: str, *, order_id: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("may_have_taken_effect", True)
        super().__init__(message, **kwargs)
        self.order_id = order_id


class PayoutConflictError(PayCombatError):
    """A payout found under an ``order_id`` is not the payout asked for, or several carry it.

    Raised by ``payouts.create_reconciled`` (a batch reports the same case as a ``"conflict"``
    result) instead of taking a payout it cannot vouch for: an old payout to another account
    under a reused ``order_id``, or two payouts carrying one. Nothing was resent. ``found``
    holds the payouts found; ``order_id`` the reference looked up. Resolve it by hand (the
    payouts' ids are in ``found``), then use a fresh ``order_id`` for a new payout.
    """

    order_id: str | None
    found: tuple[Any, ...]

    def __init__(
        self,
        message: str,
        *,
        order_id: str | None = None,
        found: tuple[Any, ...] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("may_have_taken_effect", True)
        super().__init__(message, **kwargs)
        self.order_id = order_id
        self.found = tuple(found)


class BatchAbortedError(PayCombatError):
    """A batch stopped before every item was decided: its item source or ``on_progress`` raised,
    or it was cancelled.

    The items in flight were finished or recorded before this was raised, and ``results`` holds a
    ``BatchResult`` for every item that was decided (the sent ones included), in input order, so
    nothing that reached PayCombat goes unreported. ``__cause__`` is what stopped the batch. Run
    the same batch again with the same journal to finish it.
    """

    results: list[Any]

    def __init__(self, message: str, *, results: list[Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("may_have_taken_effect", bool(results))
        super().__init__(message, **kwargs)
        self.results = list(results or [])


class JournalError(PayCombatError):
    """A batch journal could not be opened, read or written (corrupt, read-only, disk full, a
    database that is unreachable). Raised before the item it concerns is sent: an item whose
    claim was not recorded is never sent. ``path`` names the journal (never a password)."""

    path: str | None

    def __init__(self, message: str, *, path: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.path = path


class WebhookSignatureError(PayCombatError):
    """A webhook's ``X-Signature`` header is missing, malformed, or not the HMAC of its body.

    Answer such a request with 401 and do not act on it: it may be forged or altered in transit.
    """


class WebhookPayloadError(PayCombatError, ValueError):
    """A webhook body is not a PayCombat notification: too large, not JSON, nested too deeply,
    not an object, or holding values of the wrong type. Answer such a request with 400."""


class APIError(PayCombatError):
    """PayCombat answered with an error (a 4xx/5xx status, or ``"status": false``)."""


class BadRequestError(APIError):
    """400 (or another 4xx without a dedicated class): the request was rejected as malformed."""


class AuthenticationError(APIError):
    """401: the ``X-token`` is not valid for this environment, or the signature did not match."""


class PermissionDeniedError(APIError):
    """403: the token is valid but may not perform this operation."""


class NotFoundError(APIError):
    """404: no such object (or the path is not served by this API version)."""


class ConflictError(APIError):
    """409: the request conflicts with the current state or another request."""


class UnprocessableEntityError(APIError):
    """406/422: well-formed, but the values were not acceptable (or a state transition is not)."""


class RateLimitError(APIError):
    """429: too many requests. ``retry_after`` is the server's hint in seconds, if it sent one."""

    retry_after: float | None

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx: PayCombat or a proxy in front of it failed."""

    retry_after: float | None

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InvalidResponseError(APIError):
    """The response was not the PayCombat JSON envelope (an HTML error page, an empty body...)."""


class PaginationError(InvalidResponseError):
    """A list cannot be trusted to end: a page repeated the one before it (the server ignores
    ``page``), or the pages ran past the caller's ``max_pages``. Raised instead of fetching
    forever; ``page`` is the page number that tripped it."""

    page: int | None

    def __init__(self, message: str, *, page: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.page = page


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    406: UnprocessableEntityError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for_status(status: int) -> type[APIError]:
    """The exception class for an HTTP error status."""
    if status >= 500:
        return ServerError
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return BadRequestError if status >= 400 else APIError
