"""Hexalign on the command line: the same core the app uses, without a browser.

Each sub-command lives in its own module under ``commands/`` and exposes
``register(subparsers)``, which adds its parser and sets ``run`` as default.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from common import logs
from common.errors import HexalignError
from common.settings import Settings

COMMAND_MODULES = (
    "commands.metrics",
    "commands.balance",
    "commands.balance_instance",
    "commands.export",
    "commands.check",
    "commands.classes",  # issue 14: market-share classes
    "commands.targets",  # issue 14
    "commands.tracking",  # issue 15: cli.py track
    "commands.binning",  # issue 18 point 4: cli.py bin, on Dask above a size
)


def build_parser() -> argparse.ArgumentParser:
    """Collect every sub-command's parser."""
    parser = argparse.ArgumentParser(prog="cli.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command; errors we raise on purpose become one message and exit 2."""
    args = build_parser().parse_args(argv)
    logs.configure(Settings.from_env().log_level or "ERROR")
    try:
        return int(args.run(args) or 0)
    except HexalignError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
