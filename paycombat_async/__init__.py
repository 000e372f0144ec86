"""paycombat_async: the PayCombat payment gateway from asyncio.

```python
from paycombat_async import PayCombat

async with PayCombat() as client:  # PAYCOMBAT_TOKEN / PAYCOMBAT_SIGNATURE_KEY from the env
    payout = await client.payouts.create(...)
```
"""

from ._client import PayCombat as PayCombat
from ._config import ClientConfig as ClientConfig
from ._exceptions import APIConnectionError as APIConnectionError
from ._exceptions import APIError as APIError
from ._exceptions import APITimeoutError as APITimeoutError
from ._exceptions import AuthenticationError as AuthenticationError
from ._exceptions import BadRequestError as BadRequestError
from ._exceptions import ClientStateError as ClientStateError
from ._exceptions import ConfigurationError as ConfigurationError
from ._exceptions import ConflictError as ConflictError
from ._exceptions import InvalidResponseError as InvalidResponseError
from ._exceptions import NotFoundError as NotFoundError
from ._exceptions import OutcomeUnknownError as OutcomeUnknownError
from ._exceptions import PayCombatError as PayCombatError
from ._exceptions import PermissionDeniedError as PermissionDeniedError
from ._exceptions import RateLimitError as RateLimitError
from ._exceptions import ServerError as ServerError
from ._exceptions import UnprocessableEntityError as UnprocessableEntityError
from ._exceptions import ValidationError as ValidationError
from ._retry import RetryPolicy as RetryPolicy
from ._routes import OPERATIONS as OPERATIONS
from ._routes import Operation as Operation
from ._version import __version__ as __version__
from .models import CreatePayoutRequest as CreatePayoutRequest
from .models import Individual as Individual
from .models import Payout as Payout
from .models import PayoutApproval as PayoutApproval
from .models import PayoutBeneficiaryParam as PayoutBeneficiaryParam
from .models import PayoutStatus as PayoutStatus

__all__ = [
    "OPERATIONS",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientConfig",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "CreatePayoutRequest",
    "Individual",
    "InvalidResponseError",
    "NotFoundError",
    "Operation",
    "OutcomeUnknownError",
    "PayCombat",
    "PayCombatError",
    "Payout",
    "PayoutApproval",
    "PayoutBeneficiaryParam",
    "PayoutStatus",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "UnprocessableEntityError",
    "ValidationError",
    "__version__",
]
