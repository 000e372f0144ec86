"""paycombat_sync: the PayCombat payment gateway from blocking code.

```python
from paycombat_sync import PayCombat

with PayCombat() as client:  # PAYCOMBAT_TOKEN / PAYCOMBAT_SIGNATURE_KEY from the env
    payout = client.payouts.create(...)
```

The API is identical to ``paycombat_async`` (documented there), but blocking: methods return
values instead of coroutines, and lists are plain iterators. Models, errors and configuration
classes are the very same objects, so ``except paycombat_sync.NotFoundError`` catches what the
async core raised. ``paycombat_sync.sandbox.LocalSandbox`` runs the local sandbox in the
background, for tests with no async code.

The names are ``paycombat_async``'s (``paycombat_async._lazy.PUBLIC``), each imported the first
time it is used, as there: only ``PayCombat`` is this package's own.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what type checkers and IDEs read: the same names, typed
    from paycombat_async._static import *  # noqa: F403
    from paycombat_async._version import __version__ as __version__

    from ._client import PayCombat as PayCombat
else:
    from paycombat_async._lazy import PUBLIC as _PUBLIC
    from paycombat_async._lazy import exports as _exports

    __all__, __getattr__, __dir__ = _exports(
        globals(), _PUBLIC, _PUBLIC | {"PayCombat": "paycombat_sync._client"}
    )
