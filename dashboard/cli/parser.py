"""The ``territoires`` parser: one sub-command group per module of this package.

Each group module (``reference``, ``workspace``, ``history``, ``users``, ``indicators``,
``coverage``, ``programme``, ``exports``, ``bench``) has a ``register(sub)`` that adds its
sub-commands, and thin
``cmd_*`` functions that parse, call the domain and print.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from dashboard.cli import (
    bench,
    coverage,
    exports,
    history,
    indicators,
    programme,
    reference,
    users,
    workspace,
)
from dashboard.cli.common import FrenchParser

#: Command groups, in the order of ``territoires --help``.
GROUPS = (reference, workspace, history, indicators, coverage, programme, exports, users,
          bench)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = FrenchParser(
        prog="territoires", description="Territoires du Plan — tableau de bord du PDALHPD"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=FrenchParser)
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``territoires`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))
