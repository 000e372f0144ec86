"""The ``paycombat`` command's entry point: one clear line for every way it can go wrong.

The commands themselves (``app`` and the modules beside it) need click and rich, which come with
the ``cli`` extra (``pip install 'paycombat[cli]'``): the SDK itself does not depend on them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

NEEDS_EXTRA = (
    "paycombat: the command line needs its extra; install it with: pip install 'paycombat[cli]'"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``paycombat`` command; returns its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):  # answered with or without the extra
        from .._version import __version__

        print(f"paycombat, version {__version__}")
        return 0
    try:
        import click

        from . import app
    except ImportError as exc:
        if exc.name not in ("click", "rich") and not str(exc.name).startswith(("click.", "rich.")):
            raise
        print(NEEDS_EXTRA, file=sys.stderr)
        return 1
    if not args:
        print(app.cli.get_help(click.Context(app.cli, info_name="paycombat")), file=sys.stderr)
        return 2
    app.ARGV[:] = args
    try:
        code = app.cli.main(args=args, prog_name="paycombat", standalone_mode=False)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "paycombat"
        print(f"{where}: {exc.format_message()} (see '{where} --help')", file=sys.stderr)
        return 2
    except click.ClickException as exc:
        print(f"paycombat: {exc.format_message()}", file=sys.stderr)
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        print("paycombat: interrupted", file=sys.stderr)
        return 130
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
