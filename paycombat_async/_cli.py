"""The ``paycombat`` command: serve the local sandbox, or run a demo against it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence

__all__ = ["main"]


async def _serve(
    host: str,
    port: int,
    token: str | None,
    signature_key: str | None,
    webhook_url: str | None = None,
) -> None:
    from .sandbox import LocalSandbox

    async with LocalSandbox(
        host=host, port=port, token=token, signature_key=signature_key, webhook_url=webhook_url
    ) as sb:
        print("PayCombat local sandbox (in-memory; state is lost on exit)")
        print(f"  PAYCOMBAT_BASE_URL={sb.base_url}")
        print(f"  PAYCOMBAT_TOKEN={sb.token}")
        print(f"  PAYCOMBAT_SIGNATURE_KEY={sb.signature_key}")
        if webhook_url:
            print(f"Sending signed webhooks to {webhook_url}")
        print("Press Ctrl-C to stop.", flush=True)
        await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="paycombat", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("sandbox", help="serve the local PayCombat sandbox")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--token", help="the X-token to accept (default: random snd_...)")
    serve.add_argument("--signature-key", help="the signature key (default: random)")
    serve.add_argument("--webhook-url", help="POST signed notifications here on state changes")
    demo = commands.add_parser("demo", help="a tour of the SDK against a local sandbox")
    demo.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    if args.command == "sandbox":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(
                _serve(args.host, args.port, args.token, args.signature_key, args.webhook_url)
            )
        return 0
    from ._demo import run_demo

    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="  %(name)s: %(message)s")
    asyncio.run(run_demo())
    return 0


if __name__ == "__main__":
    sys.exit(main())
