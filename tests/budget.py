"""How hard the property tests search: their whole budget in one session, a tenth in the others.

CI runs the suite on three Pythons and under uvloop. What Hypothesis checks here (JavaScript-exact
JSON and signing, the converter's compiled functions, webhook parsing, odd server responses) is
logic the first session (Python 3.11) searches in full; the other sessions still run every
property, with a tenth of the examples, so a break specific to one Python still shows while the
run stays short. ``noxfile.py`` sets ``PAYCOMBAT_TEST_EXAMPLES=light`` for those sessions.
"""

from __future__ import annotations

import os

from hypothesis import settings

LIGHT = os.environ.get("PAYCOMBAT_TEST_EXAMPLES") == "light"

# No per-example deadline anywhere: a loaded CI machine (or mutmut's tracing) makes a 200 ms
# example slow, and a speed target belongs in benchmarks/, not in a test that can flake.
settings.register_profile("full", deadline=None)
# Properties without a budget of their own get a tenth of Hypothesis' default 100 examples.
settings.register_profile("light", deadline=None, max_examples=10)
settings.load_profile("light" if LIGHT else "full")


def examples(full: int) -> int:
    """``full`` examples in the full session; a tenth (at least 10) in a light one."""
    return max(10, full // 10) if LIGHT else full
