"""Batch payouts run by Celery: one batch split into chunks, every chunk a task on a shared journal.

``app`` (the Celery application, ``celery -A examples.celery_payouts.app worker``), ``tasks``
(``pay_chunk``), ``producer`` (splits a CSV or any rows into chunks and enqueues them),
``settings`` (what the workers read from their environment). See README.md.
"""
