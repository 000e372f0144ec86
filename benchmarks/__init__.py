"""Benchmarks: the SDK's own cost per call, measured against raw clients on a canned server.

Run ``nox -s bench`` (or ``python -m benchmarks.bench_pipeline [--quick] [--strict]``).
"""
