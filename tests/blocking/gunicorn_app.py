"""A flask app with a module-level blocking client, as deployed under gunicorn ``-k gevent``.

Served by ``tests/blocking/test_gunicorn_gevent.py``. The client is built when the module is
imported: in gunicorn's master with ``--preload`` (before any worker forks and before gevent
patches anything), in each worker otherwise. It reads ``PAYCOMBAT_TOKEN``,
``PAYCOMBAT_SIGNATURE_KEY`` and ``PAYCOMBAT_BASE_URL`` from the environment.
"""

from __future__ import annotations

import os

from flask import Flask

from paycombat_sync import NotFoundError, PayCombat
from tests.helpers import NO_WAIT, payout_args

client = PayCombat(timeout=10, retry=NO_WAIT)
app = Flask(__name__)


@app.get("/health")
def health() -> dict[str, int]:
    """Ready: answers without touching the client."""
    return {"pid": os.getpid()}


@app.get("/payouts/<payout_id>")
def retrieve(payout_id: str) -> tuple[dict[str, str], int]:
    try:
        payout = client.payouts.retrieve(payout_id)
    except NotFoundError:
        return {"pid": str(os.getpid()), "found": "no"}, 404
    return {"pid": str(os.getpid()), "id": payout.id}, 200


@app.post("/payouts/<order_id>")
def create(order_id: str) -> tuple[dict[str, str], int]:
    payout = client.payouts.create(**payout_args(order_id=order_id))
    return {"pid": str(os.getpid()), "id": payout.id}, 201
