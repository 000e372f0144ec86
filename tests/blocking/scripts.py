"""Python scripts run in a fresh interpreter, for what only a real process shows (fork, gevent,
interpreter exit): warnings are errors there too."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Protocol


class LocalSandbox(Protocol):
    """Either sandbox (async or blocking): where a script's client should point."""

    token: str
    signature_key: str
    base_url: str


def command(code: str, sandbox: LocalSandbox | None = None) -> list[str]:
    """``python -W error -c CODE``, with the sandbox's token, signature key and base URL as
    ``sys.argv[1:4]`` when there is one."""
    credentials = [sandbox.token, sandbox.signature_key, sandbox.base_url] if sandbox else []
    return [sys.executable, "-W", "error", "-c", textwrap.dedent(code), *credentials]


def run(
    code: str, sandbox: LocalSandbox | None = None, *, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` to its end (at most ``timeout`` seconds, else ``subprocess.TimeoutExpired``
    once the script is killed); its exit status, stdout and stderr."""
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        command(code, sandbox), capture_output=True, text=True, timeout=timeout, check=False
    )
