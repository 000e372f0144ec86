"""The public names for type checkers and IDEs, typed: every name of ``_lazy.PUBLIC`` but the
client (each package has its own ``PayCombat``) and ``__version__`` (a star import skips it).

At run time the packages import each name on first use, which a type checker does not follow:
``paycombat_async`` and ``paycombat_sync`` star-import this module under ``TYPE_CHECKING``, and
``tests/unit/test_public_api.py`` holds its names equal to ``PUBLIC``'s. Nothing imports it at run
time (it would import every module of the SDK).
"""

from ._batch.engine import BatchCounts as BatchCounts
from ._batch.journal import Journal as Journal
from ._batch.journal import JournalEntry as JournalEntry
from ._batch.journal import SQLiteJournal as SQLiteJournal
from ._batch.postgres import PostgresJournal as PostgresJournal
from ._batch.reconcile import BatchResult as BatchResult
from ._core.config import ClientConfig as ClientConfig
from ._core.pagination import AsyncPaginator as AsyncPaginator
from ._core.pagination import Page as Page
from ._core.pagination import Paginator as Paginator
from ._core.raw import RawResponse as RawResponse
from ._core.retry import RetryPolicy as RetryPolicy
from ._core.routes import Operation as Operation
from ._exceptions import APIConnectionError as APIConnectionError
from ._exceptions import APIError as APIError
from ._exceptions import APITimeoutError as APITimeoutError
from ._exceptions import AuthenticationError as AuthenticationError
from ._exceptions import BadRequestError as BadRequestError
from ._exceptions import BatchAbortedError as BatchAbortedError
from ._exceptions import ClientStateError as ClientStateError
from ._exceptions import ConfigurationError as ConfigurationError
from ._exceptions import ConflictError as ConflictError
from ._exceptions import InvalidResponseError as InvalidResponseError
from ._exceptions import JournalError as JournalError
from ._exceptions import NotFoundError as NotFoundError
from ._exceptions import OutcomeUnknownError as OutcomeUnknownError
from ._exceptions import PaginationError as PaginationError
from ._exceptions import PayCombatError as PayCombatError
from ._exceptions import PayoutConflictError as PayoutConflictError
from ._exceptions import PermissionDeniedError as PermissionDeniedError
from ._exceptions import RateLimitError as RateLimitError
from ._exceptions import ServerError as ServerError
from ._exceptions import UnprocessableEntityError as UnprocessableEntityError
from ._exceptions import ValidationError as ValidationError
from ._exceptions import WebhookPayloadError as WebhookPayloadError
from ._exceptions import WebhookSignatureError as WebhookSignatureError
from .models._base import Model as Model
from .models._base import OpenEnum as OpenEnum
from .models._base import Params as Params
from .models._record import FrozenMapping as FrozenMapping
from .models.beneficiary import *  # noqa: F403
from .models.checkout import *  # noqa: F403
from .models.customer import *  # noqa: F403
from .models.master_data import *  # noqa: F403
from .models.merchant import *  # noqa: F403
from .models.methods import *  # noqa: F403
from .models.party import *  # noqa: F403
from .models.payin import *  # noqa: F403
from .models.payout import *  # noqa: F403
from .models.transaction import *  # noqa: F403
from .models.wallet import *  # noqa: F403
from .resources import OPERATIONS as OPERATIONS
