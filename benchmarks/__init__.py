"""Benchmarks: the SDK's own cost per call, measured against raw clients on a canned server.

``PERFORMANCE.md`` tells what they measure and what they found; ``HISTORY.md`` keeps the dated
record, ``RESULTS.md`` the latest run, ``MUTATION.md`` the mutation scores.

- ``bench_pipeline``: issue 7's targets as ratios in one run, PASS/FAIL, ``RESULTS.md``
  (``nox -s bench``, or ``python -m benchmarks.bench_pipeline [--quick] [--strict]``);
- ``bench_batch``: batches against the wire's ideal, memory in a 100,000-item stream, the
  sandbox's cost as its state grows;
- ``bench_workers``: one batch over four processes on one PostgreSQL journal against one process,
  with the database's own counts of claims, commits and rows (RESULTS.md's last section);
- ``bench_instructions``: instructions per call under valgrind, the ratio that does not move
  with the machine's load;
- ``bench_tricks``: each speed trick of the request path against its plain version, on the
  running Python (which tricks stay, and why: ``PERFORMANCE.md``);
- ``profile_pipeline``: where the time per call goes (``nox -s profile``);
- ``_server``, ``_workers``, ``_payloads``: the canned server, the client processes, and what
  they send.
"""
