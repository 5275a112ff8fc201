"""``territoires reference DEP [--json] [--communes]``: the reference of a département."""

from __future__ import annotations

import argparse
import sys

from dashboard.cli.common import EXIT_OK, EXIT_USAGE, print_json
from dashboard.formatting import fr_int
from geo.reference import UnknownDepartementError
from geo.summary import reference_summary


def cmd_reference(args: argparse.Namespace) -> int:
    """Print the summary of the reference of ``args.departement``."""
    try:
        summary = reference_summary(args.departement, with_communes=args.communes)
    except UnknownDepartementError as exc:
        print(f"Erreur : {exc}. Codes attendus : 01 à 95, 2A, 2B, 971 à 976.", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print_json(summary)
        return EXIT_OK
    print(f"{summary['departement_nom']} ({summary['departement']})")
    print(
        f"{fr_int(summary['communes'])} communes, {fr_int(summary['population'])} habitants "
        f"— {summary['source_population']}"
    )
    print(
        f"Population totale : {fr_int(summary['population_totale'])} "
        f"— {summary['source_population_totale']}"
    )
    print(f"Géographie : {summary['source_geographie']}")
    print(f"Licence : {summary['sources']['licence']}")
    for warning in summary["avertissements"]:
        print(f"Attention : {warning}.")
    print(f"{len(summary['epci'])} EPCI au 1er janvier {summary['millesime_epci']} :")
    for e in summary["epci"]:
        beyond = " — s'étend hors du département" if e["extends_beyond"] else ""
        print(
            f"  {e['siren']}  {e['nature']}  {e['nom']} : {fr_int(e['communes_dep'])} communes, "
            f"{fr_int(e['population_dep'])} hab. dans le département, "
            f"{fr_int(e['population_epci'])} pour l'EPCI entier (population totale "
            f"{fr_int(e['population_totale_epci'])}){beyond}"
        )
    if args.communes:
        for c in summary["communes_list"]:
            print(f"  {c['code_insee']}  {c['nom']}  {fr_int(c['population'])}  {c['epci_siren']}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``reference`` to the ``territoires`` parser."""
    p = sub.add_parser("reference", help="résumé du référentiel territorial d'un département")
    p.add_argument("departement", help="code du département (38, 2A, 974…)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.add_argument("--communes", action="store_true", help="ajoute la liste des communes")
    p.set_defaults(func=cmd_reference)
