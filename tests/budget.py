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

# Properties without a budget of their own (Hypothesis' default is 100 examples).
settings.register_profile("light", max_examples=10)
if LIGHT:
    settings.load_profile("light")


def examples(full: int) -> int:
    """``full`` examples in the full session; a tenth (at least 10) in a light one."""
    return max(10, full // 10) if LIGHT else full
