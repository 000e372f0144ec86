"""``python -m paycombat_async``: the ``paycombat`` command."""

import sys

from ._cli import main

sys.exit(main())
