"""``territoires gaps``: coverage gaps between the PDALHPD, the PLH and the PDH.

Reads the workspace when it exists; otherwise, for the Isère demonstration, the demo
files of ``data/demo`` that are present (validated by the import code, nothing written)
and the demo CLH. Exit 0 whatever is found; 1 when instance rows name a code unknown
in the reference; 2 for a usage error (unknown département,
workspace of another département, unreadable drawing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from dashboard.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, print_json
from dashboard.coverage import RULES_BY_ID, evaluate
from dashboard.coverage.report import REPORT_KINDS
from dashboard.indicators.status import REGLE_DATE_REFERENCE, au, reference_date
from dashboard.intake.loader import load_tables
from dashboard.intake.readers import read_geo_bytes
from geo.perimeters import MembershipError
from geo.reference import UnknownDepartementError, load_reference


def cmd_gaps(args: argparse.Namespace) -> int:
    """``territoires gaps [--workspace DIR] [--departement DEP] [--json]``."""
    try:
        loaded = load_tables(args.workspace, args.departement, REPORT_KINDS)
        reference = load_reference(loaded.departement)
        drawings = None
        if args.perimetres:
            path = Path(args.perimetres)
            drawings = read_geo_bytes(path.read_bytes(), path.name)[0]
        as_of = dt.date.fromisoformat(args.date) if args.date else reference_date(loaded.tables)
    except UnknownDepartementError as exc:
        print(f"territoires : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, OSError) as exc:
        print(f"territoires : erreur d'utilisation : {exc}", file=sys.stderr)
        return EXIT_USAGE
    for warning in loaded.warnings:
        print(f"Avertissement : {warning}", file=sys.stderr)
    try:
        findings = evaluate(
            reference, loaded.tables, None, loaded.memberships(reference), drawings, as_of=as_of
        )
    except MembershipError as exc:  # instance rows naming a code unknown in the reference
        print(f"territoires : données invalides : {exc}", file=sys.stderr)
        return EXIT_INVALID
    if args.json:
        print_json(
            {
                "departement": reference.departement,
                "date": as_of.isoformat(),
                "source": loaded.source,
                "gaps": [f.to_json(with_details=args.details) for f in findings],
            }
        )
        return EXIT_OK
    print(
        f"Couverture des plans — {reference.departement_nom} ({reference.departement}), "
        f"{au(as_of)}"
    )
    if not args.date:
        print(f"({REGLE_DATE_REFERENCE} ; --date pour une autre)")
    print(f"Source : {loaded.source}")
    if not findings:
        print("Aucun écart détecté.")
    current = None
    for f in findings:
        if f.rule != current:
            current = f.rule
            rule = RULES_BY_ID[f.rule]
            print(f"\n{rule.id} — {rule.label} ({rule.article})")
        print(f"  [{f.severity}] {f.message}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``gaps`` to the ``territoires`` parser."""
    p = sub.add_parser("gaps", help="écarts de couverture PDALHPD / PLH / PDH, avec leur base")
    p.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
    p.add_argument(
        "--departement", help="département (par défaut celui de l'espace de travail, sinon 38)"
    )
    p.add_argument("--json", action="store_true", help='sortie JSON {"gaps": […]}')
    p.add_argument("--details", action="store_true", help="ajoute les détails au JSON")
    p.add_argument("--date", help="date de référence AAAA-MM-JJ (par défaut la fin de la "
                   "dernière année de données, sans dépasser aujourd'hui)")  # fmt: skip
    p.add_argument(
        "--perimetres",
        help="périmètres dessinés (GeoJSON, GeoPackage, Shapefile zippé) à contrôler",
    )
    p.set_defaults(func=cmd_gaps)
