"""``territoires bench [--json]``: ratios against naive baselines measured in the same run."""

from __future__ import annotations

import argparse

from dashboard.cli.common import EXIT_OK, print_json
from dashboard.settings import DEFAULT_DEPARTEMENT


def cmd_bench(args: argparse.Namespace) -> int:
    """Run every benchmark of :mod:`dashboard.bench` and print the figures."""
    from dashboard.bench import IMPORT_ROWS, run_bench  # on use: it loads the map stack

    results = run_bench(departement=args.departement,
                        import_rows=args.lignes_import or IMPORT_ROWS)
    if args.json:
        print_json(results)
    else:
        for key, value in results.items():
            print(f"{key}: {value}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``bench`` to the ``territoires`` parser."""
    p = sub.add_parser("bench", help="mesures de performance (ratios contre une base naïve)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.add_argument("--departement", default=DEFAULT_DEPARTEMENT, help="département mesuré")
    p.add_argument("--lignes-import", type=int, metavar="N",
                   help="lignes de l'import pendant lequel les lectures sont chronométrées "
                   "(500 000)")
    p.set_defaults(func=cmd_bench)
