"""The local PayCombat sandbox: ``async with LocalSandbox() as sandbox: ...``."""

from ._faults import Fault as Fault
from ._faults import Faults as Faults
from ._server import LocalSandbox as LocalSandbox
from ._server import RecordedRequest as RecordedRequest
from ._state import SandboxState as SandboxState
from ._webhooks import WebhookDelivery as WebhookDelivery
from ._webhooks import WebhookSender as WebhookSender

__all__ = [
    "Fault",
    "Faults",
    "LocalSandbox",
    "RecordedRequest",
    "SandboxState",
    "WebhookDelivery",
    "WebhookSender",
]
