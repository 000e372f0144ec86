"""PayCombat webhooks: verify and parse notifications, receive them, deduplicate them.

```python
from aiohttp import web
from paycombat_async.webhooks import PayoutFailed, PayoutSucceeded, handler

async def settle(event: PayoutSucceeded) -> None: ...

app = web.Application()
app.router.add_post("/paycombat/webhooks", handler(signature_key=KEY, on={PayoutSucceeded: settle}))
```

``parse_event`` alone verifies and types one notification; ``Receiver`` (or ``handler``) adds
deduplication, ordering and dispatch. ``paycombat_sync.webhooks`` has the same names, with a
blocking ``Receiver`` for Flask, Django and other blocking frameworks.
"""

from .._exceptions import WebhookPayloadError as WebhookPayloadError
from .._exceptions import WebhookSignatureError as WebhookSignatureError
from ._events import EventKind as EventKind
from ._events import PayinEvent as PayinEvent
from ._events import PayinExpired as PayinExpired
from ._events import PayinFailed as PayinFailed
from ._events import PayinSucceeded as PayinSucceeded
from ._events import PayoutEvent as PayoutEvent
from ._events import PayoutFailed as PayoutFailed
from ._events import PayoutReturned as PayoutReturned
from ._events import PayoutSucceeded as PayoutSucceeded
from ._events import UnknownEvent as UnknownEvent
from ._events import VirtualAccountRegistration as VirtualAccountRegistration
from ._events import WebhookEvent as WebhookEvent
from ._parse import MAX_BODY_BYTES as MAX_BODY_BYTES
from ._parse import parse_event as parse_event
from ._receiver import Receiver as Receiver
from ._receiver import WebhookResponse as WebhookResponse
from ._receiver import handler as handler
from ._stores import MemoryStore as MemoryStore
from ._stores import SQLiteStore as SQLiteStore
from ._stores import Verdict as Verdict
from ._stores import WebhookStore as WebhookStore

__all__ = [
    "MAX_BODY_BYTES",
    "EventKind",
    "MemoryStore",
    "PayinEvent",
    "PayinExpired",
    "PayinFailed",
    "PayinSucceeded",
    "PayoutEvent",
    "PayoutFailed",
    "PayoutReturned",
    "PayoutSucceeded",
    "Receiver",
    "SQLiteStore",
    "UnknownEvent",
    "Verdict",
    "VirtualAccountRegistration",
    "WebhookEvent",
    "WebhookPayloadError",
    "WebhookResponse",
    "WebhookSignatureError",
    "WebhookStore",
    "handler",
    "parse_event",
]
