"""Benchmarks: the SDK's own cost per call, measured against raw clients on a canned server.

- ``bench_pipeline``: issue 7's targets as ratios in one run, PASS/FAIL, ``RESULTS.md``
  (``nox -s bench``, or ``python -m benchmarks.bench_pipeline [--quick] [--strict]``);
- ``bench_batch``: batches against the wire's ideal, memory in a 100,000-item stream, the
  sandbox's cost as its state grows;
- ``bench_workers``: one batch over four processes on one PostgreSQL journal against one process,
  with the database's own counts of claims, commits and rows (RESULTS.md's last section);
- ``profile_pipeline``: where the time per call goes (``nox -s profile``; see ``PROFILE.md``);
- ``bench_sync.py``: the blocking facade's portal overhead against the async client
  (``python benchmarks/bench_sync.py``);
- ``_server``, ``_workers``, ``_payloads``: the canned server, the client processes, and what
  they send.
"""
