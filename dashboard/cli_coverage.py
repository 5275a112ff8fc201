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
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard import cli

#: Kinds the rules read.
COVERAGE_KINDS = ("plans", "objectifs", "instances", "populations")


@dataclass
class LoadedTables:
    """Tables for the rules and where they come from."""

    departement: str
    tables: dict[str, pd.DataFrame]
    source: str
    perimetres: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)


def _from_workspace(workspace, departement: str) -> LoadedTables:
    tables = {kind: workspace.read(kind) for kind in COVERAGE_KINDS}
    tables = {k: v for k, v in tables.items() if not v.empty}
    loaded = LoadedTables(departement, tables, f"espace de travail {workspace.directory}")
    perimetres = workspace.read("perimetres")
    if not perimetres.empty:
        loaded.perimetres = perimetres  # memberships converted from drawings at import
    return loaded


def _memberships(loaded: LoadedTables, reference) -> pd.DataFrame | None:
    """Memberships of the instance rows plus those of the imported drawings, if any."""
    if loaded.perimetres is None:
        return None  # the engine expands the instance rows itself
    from geo.perimeters import MEMBERSHIP_COLUMNS, expand_memberships

    parts = [loaded.perimetres[MEMBERSHIP_COLUMNS]]
    instances = loaded.tables.get("instances")
    if instances is not None and not instances.empty:
        parts.insert(0, expand_memberships(instances, reference))
    both = pd.concat(parts, ignore_index=True)
    return both.drop_duplicates(["instance_code", "code_insee"], ignore_index=True)


def _from_demo(departement: str, reference) -> LoadedTables:
    from dashboard import demo
    from dashboard.context import instance_rows_for

    tables: dict[str, pd.DataFrame] = {}
    warnings: list[str] = []
    files: tuple[tuple[str, str], ...] = ()
    if departement == demo.DEMO_DEPARTEMENT:
        try:
            from dashboard.cli_workspace import DEMO_FILES

            files = tuple((k, n) for k, n in DEMO_FILES if k in COVERAGE_KINDS)
        except ImportError:  # the workspace commands are optional
            files = ()
    for kind, name in files:
        path = demo.DEMO_DIR / name
        if not path.exists():
            continue
        from dashboard.imports import check_file

        report = check_file(kind, path.read_bytes(), name, reference)
        if report.valid and report.frame is not None:
            tables[kind] = report.frame
        else:
            warnings.append(f"fichier de démonstration {name} invalide : ignoré")
    if "instances" not in tables:
        rows, _ = instance_rows_for(departement)
        if rows is not None:
            tables["instances"] = rows
    source = (
        f"démonstration ({demo.DEMO_LABEL})"
        if tables
        else "aucun espace de travail ni donnée de démonstration"
    )
    return LoadedTables(departement, tables, source, warnings=warnings)


def _load_tables(args: argparse.Namespace) -> LoadedTables:
    """Tables of the workspace (``--workspace`` or the default one), else the demo.

    Raises
    ------
    ValueError
        When ``--departement`` contradicts the workspace's département.
    """
    from geo.reference import load_reference, normalise_departement

    asked = normalise_departement(args.departement) if args.departement else None
    try:
        from dashboard.workspace import open_workspace
    except ImportError:  # workspace module not installed in this build
        open_workspace = None
    if open_workspace is not None:
        workspace = open_workspace(args.workspace)
        try:
            current = workspace.departement
            if current is not None:
                if asked and asked != current:
                    raise ValueError(
                        f"l'espace de travail {workspace.directory} appartient au département "
                        f"{current}, pas au {asked}"
                    )
                return _from_workspace(workspace, current)
        finally:
            workspace.dispose()
    departement = asked or "38"
    return _from_demo(departement, load_reference(departement))


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
            reference, loaded.tables, None, _memberships(loaded, reference), drawings, as_of=as_of
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
