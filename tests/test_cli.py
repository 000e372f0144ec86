"""The `paycombat` command: the README's demo runs against the bundled sandbox."""

from __future__ import annotations

import pytest

from paycombat_async._cli import main


def test_demo_walks_the_main_flow_against_the_local_sandbox(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for step in (
        "Create Customer",
        "Create Payment Request",
        "Simulate Payin: 249.9 AUD status=SUCCESS",
        "Create Payout",
        "Simulate Payout: status=SUCCESS",
        "999874.5 AUD available",
        "OutcomeUnknownError, not resent",
        "1 payout found",
        "Webhook PAYOUT SUCCESS received: order_id=supplier-payout-78, signature verified",
        "supplier-payout-78 settled: status=SUCCESS",
    ):
        assert step in out


def test_the_command_needs_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([])
    assert "sandbox" in capsys.readouterr().err
