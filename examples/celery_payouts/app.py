"""The Celery application: ``celery -A examples.celery_payouts.app worker --concurrency 4``.

Each setting below is what Celery's documentation advises for tasks that must not be lost, and
why it is safe here: a chunk may run more than once (a message delivered twice, a worker killed
mid-chunk, a machine lost), and the batch journal makes every run after the first one finish
the chunk's items instead of paying them again.
"""

from __future__ import annotations

from celery import Celery

from . import settings

app = Celery("payouts", include=[f"{__package__}.tasks"])
app.conf.update(
    broker_url=settings.BROKER_URL,
    result_backend=settings.RESULT_BACKEND,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # Acknowledge a chunk's message when the task has finished, not when it starts: a worker
    # that dies mid-chunk leaves the message with the broker, which delivers it again.
    task_acks_late=True,
    # A pool process killed mid-chunk (SIGKILL, the OOM killer): put the message back in the
    # queue rather than acknowledging it as failed. The re-run resumes from the journal. (The
    # price, as Celery's docs warn: a chunk that kills its process every time loops; watch
    # for it, e.g. with `paycombat payouts report`.)
    task_reject_on_worker_lost=True,
    # One message reserved per process at a time: a lost machine holds back no more chunks than
    # it was running, and those come back after the visibility timeout.
    worker_prefetch_multiplier=1,
    # Redis has no acknowledgements of its own: a message taken but not acknowledged within
    # `visibility_timeout` seconds is delivered again, to another worker. This is what brings
    # back the chunks of a machine that was lost (nothing was left to requeue them). Make it
    # longer than any chunk takes (chunk size / rate, plus the settle period of the payouts in
    # doubt): a chunk still running when it expires runs a second time, concurrently, which
    # the journal makes harmless but wasteful. Retry countdowns must stay below it too.
    broker_transport_options={
        "visibility_timeout": settings.VISIBILITY_TIMEOUT,
        # How often a worker looks for such messages (kombu's default: about every 100 s).
        "unacked_restore_interval": max(1, min(10, int(settings.VISIBILITY_TIMEOUT // 4))),
        "unacked_restore_throttle": 1,
    },
    # A worker that loses its broker connection stops the chunks it runs: their messages will be
    # delivered again anyway (Celery's advice for late acknowledgement).
    worker_cancel_long_running_tasks_on_connection_loss=True,
    broker_connection_retry_on_startup=True,
    result_expires=7 * 24 * 3600,
)
