"""Command line ``territoires``.

Each sub-command lives in its own small function ``cmd_<name>`` and is registered in
:func:`build_parser`. Exit codes follow DESIGN.md §4: 0 success, 1 invalid input,
2 usage error (including an unknown département).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import Any

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def _print_json(payload: Any) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _fr_int(value: int) -> str:
    from dashboard.formatting import fr_int

    return fr_int(value)


def cmd_reference(args: argparse.Namespace) -> int:
    """``territoires reference DEP [--json] [--communes]``."""
    from dashboard.reference_summary import reference_summary
    from geo.reference import UnknownDepartementError

    try:
        summary = reference_summary(args.departement, with_communes=args.communes)
    except UnknownDepartementError as exc:
        print(f"Erreur : {exc}. Codes attendus : 01 à 95, 2A, 2B, 971 à 976.", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        _print_json(summary)
        return EXIT_OK
    print(f"{summary['departement_nom']} ({summary['departement']})")
    print(
        f"{_fr_int(summary['communes'])} communes, {_fr_int(summary['population'])} habitants "
        f"({summary['source_population']})"
    )
    for warning in summary["avertissements"]:
        print(f"Attention : {warning}.")
    print(f"{len(summary['epci'])} EPCI :")
    for e in summary["epci"]:
        beyond = " — s'étend hors du département" if e["extends_beyond"] else ""
        print(
            f"  {e['siren']}  {e['nature']}  {e['nom']} : {_fr_int(e['communes_dep'])} communes, "
            f"{_fr_int(e['population_dep'])} hab. dans le département, "
            f"{_fr_int(e['population_totale'])} au total{beyond}"
        )
    if args.communes:
        for c in summary["communes_list"]:
            print(f"  {c['code_insee']}  {c['nom']}  {_fr_int(c['population'])}  {c['epci_siren']}")
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    """``territoires bench [--json]``: ratios against naive baselines measured in the same run."""
    from dashboard.bench import run_bench

    results = run_bench(departement=args.departement)
    if args.json:
        _print_json(results)
    else:
        for key, value in results.items():
            print(f"{key}: {value}")
    return EXIT_OK


#: argparse's own English messages (Python 3.11+) and their French, applied to its output.
_ARGPARSE_FR: tuple[tuple[str, str], ...] = (
    (r"^usage: ", "utilisation : "),
    (r"\npositional arguments:\n", "\narguments :\n"),
    (r"\noptions:\n", "\noptions :\n"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"choix invalide : \1 (choix possibles : \2)"),
    (r"the following arguments are required: ", "arguments obligatoires manquants : "),
    (r"unrecognized arguments: ", "arguments non reconnus : "),
    (r"expected one argument", "une valeur est attendue"),
    (r"expected at least one argument", "au moins une valeur est attendue"),
    (r"invalid (\w+) value: ", r"valeur invalide (\1) : "),
    (r"ambiguous option: (\S+) could match ", r"option ambiguë : \1 peut désigner "),
    (r"not allowed with argument ", "incompatible avec l'argument "),
    (r"^argument (\S+): ", r"argument \1 : "),
)


def french_argparse(text: str) -> str:
    """argparse's usage, help and error texts in French (it has no French catalogue)."""
    for pattern, replacement in _ARGPARSE_FR:
        text = re.sub(pattern, replacement, text)
    return text


class _Parser(argparse.ArgumentParser):
    """ArgumentParser speaking French, whose usage errors exit with code 2."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="affiche cette aide et s'arrête")

    def format_usage(self) -> str:
        return french_argparse(super().format_usage())

    def format_help(self) -> str:
        return french_argparse(super().format_help())

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"territoires : erreur d'utilisation : {french_argparse(message)}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = _Parser(
        prog="territoires", description="Territoires du Plan — tableau de bord du PDALHPD"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("reference", help="résumé du référentiel territorial d'un département")
    p.add_argument("departement", help="code du département (38, 2A, 974…)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.add_argument("--communes", action="store_true", help="ajoute la liste des communes")
    p.set_defaults(func=cmd_reference)

    p = sub.add_parser("bench", help="mesures de performance (ratios contre une base naïve)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--departement", default="38")
    p.set_defaults(func=cmd_bench)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


#: Registration hooks of sub-commands defined in other modules (workspace, indicators…).
_EXTRA_COMMANDS: list = []


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``territoires`` console script."""
    _load_extra_commands()
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args))


def _load_extra_commands() -> None:
    """Import modules that register more sub-commands, if they exist."""
    import importlib

    for name in (
        "dashboard.cli_workspace",
        "dashboard.cli_indicators",
        "dashboard.cli_coverage",
        "dashboard.cli_exports",
        "dashboard.cli_users",
    ):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        if module.register not in _EXTRA_COMMANDS:
            _EXTRA_COMMANDS.append(module.register)


if __name__ == "__main__":
    sys.exit(main())
