"""paycombat_async: the PayCombat payment gateway from asyncio.

```python
from paycombat_async import PayCombat

async with PayCombat() as client:  # PAYCOMBAT_TOKEN / PAYCOMBAT_SIGNATURE_KEY from the env
    payout = await client.payouts.create(...)
```

Every public name is imported the first time it is used: importing the package for its models,
errors or the pytest plugin (``paycombat_async.testing``) does not pay for aiohttp, nor for the
models of the API groups it does not touch (``_lazy.PUBLIC`` lists them all, with their modules).
"""

import logging as _logging
from typing import TYPE_CHECKING

# A library only emits: the application decides where "paycombat" logs go (and without a
# configuration, Python's last-resort handler must not print them on its behalf).
_logging.getLogger("paycombat").addHandler(_logging.NullHandler())

if TYPE_CHECKING:  # what type checkers and IDEs read: the same names, typed
    from ._client import PayCombat as PayCombat
    from ._static import *  # noqa: F403
    from ._version import __version__ as __version__
else:
    from ._lazy import PUBLIC as _PUBLIC
    from ._lazy import exports as _exports

    __all__, __getattr__, __dir__ = _exports(globals(), _PUBLIC)
