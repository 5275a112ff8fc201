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

import geopandas as gpd

from dashboard import cli
from dashboard.sources import LoadedTables, load_tables, memberships_of

#: Kinds the rules read.
COVERAGE_KINDS = ("plans", "objectifs", "instances", "populations")


def _load_tables(args: argparse.Namespace) -> LoadedTables:
    """Tables of the workspace (``--workspace`` or the default one), else the demo."""
    return load_tables(args.workspace, args.departement, COVERAGE_KINDS)


def _read_drawing(path: str) -> gpd.GeoDataFrame:
    data = Path(path).read_bytes()
    try:
        from dashboard.readers import read_geo_bytes
    except ImportError:
        return gpd.read_file(path)
    return read_geo_bytes(data, Path(path).name)[0]


def cmd_gaps(args: argparse.Namespace) -> int:
    """``territoires gaps [--workspace DIR] [--departement DEP] [--json]``."""
    from dashboard.coverage import RULES_BY_ID, evaluate
    from geo.perimeters import MembershipError
    from geo.reference import UnknownDepartementError, load_reference

    try:
        loaded = _load_tables(args)
        reference = load_reference(loaded.departement)
        drawings = _read_drawing(args.perimetres) if args.perimetres else None
        as_of = dt.date.fromisoformat(args.date) if args.date else None
    except UnknownDepartementError as exc:
        print(f"territoires : {exc}", file=sys.stderr)
        return cli.EXIT_USAGE
    except (ValueError, OSError) as exc:
        print(f"territoires : erreur d'utilisation : {exc}", file=sys.stderr)
        return cli.EXIT_USAGE
    for warning in loaded.warnings:
        print(f"Avertissement : {warning}", file=sys.stderr)
    try:
        findings = evaluate(
            reference, loaded.tables, None, memberships_of(loaded, reference), drawings, as_of=as_of
        )
    except MembershipError as exc:  # instance rows naming a code unknown in the reference
        print(f"territoires : données invalides : {exc}", file=sys.stderr)
        return cli.EXIT_INVALID
    if args.json:
        cli._print_json(
            {
                "departement": reference.departement,
                "source": loaded.source,
                "gaps": [f.to_json(with_details=args.details) for f in findings],
            }
        )
        return cli.EXIT_OK
    print(f"Couverture des plans — {reference.departement_nom} ({reference.departement})")
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
    return cli.EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``gaps`` to the ``territoires`` parser."""
    p = sub.add_parser("gaps", help="écarts de couverture PDALHPD / PLH / PDH, avec leur base")
    p.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
    p.add_argument(
        "--departement", help="département (par défaut celui de l'espace de travail, sinon 38)"
    )
    p.add_argument("--json", action="store_true", help='sortie JSON {"gaps": […]}')
    p.add_argument("--details", action="store_true", help="ajoute les détails au JSON")
    p.add_argument("--date", help="date de référence AAAA-MM-JJ (par défaut aujourd'hui)")
    p.add_argument(
        "--perimetres",
        help="périmètres dessinés (GeoJSON, GeoPackage, Shapefile zippé) à contrôler",
    )
    p.set_defaults(func=cmd_gaps)
