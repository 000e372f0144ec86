"""gunicorn settings for ``test_gunicorn_gevent.py``: each worker reports when it is ready to
serve and when it exits, as files in ``$PAYCOMBAT_TEST_GUNICORN_DIR``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

_REPORTS = Path(os.environ["PAYCOMBAT_TEST_GUNICORN_DIR"])

worker_class = "gevent"
control_socket_disable = True  # gunicorn 24+: no control socket shared with other servers


def post_worker_init(worker: Any) -> None:
    """Patched, app loaded (so its client built): the worker starts serving now."""
    (_REPORTS / f"ready-{worker.pid}").touch()


def worker_exit(server: Any, worker: Any) -> None:
    (_REPORTS / f"exit-{worker.pid}").touch()
