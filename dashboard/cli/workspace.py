"""Sub-commands ``check``, ``import`` and ``demo`` of ``territoires``.

Exit codes: 0 valid (or imported), 1 invalid file or refused write (role, scope, a file
with no row that would empty a table without ``--vider``), 2 usage error (unknown kind,
missing file, unknown département, workspace of another département, unknown
``--utilisateur``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dashboard import settings
from dashboard.cli.common import EXIT_INVALID, EXIT_OK, fail, print_json
from dashboard.cli.users import cli_acteur
from dashboard.formatting import fr_int
from dashboard.intake import demo
from dashboard.intake.imports import ImportReport, check_file, import_file
from dashboard.settings import DEFAULT_DEPARTEMENT
from dashboard.store.schemas import KIND_NAMES
from dashboard.store.workspace import WorkspaceError, open_workspace
from geo.reference import UnknownDepartementError, load_reference, normalise_departement


def _parse_mapping(items: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in items or []:
        header, sep, canonical = item.partition("=")
        if not sep:
            raise ValueError(f"--colonne attend « En-tête=nom_canonique », « {item} » reçu")
        mapping[header.strip()] = canonical.strip()
    return mapping


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
            if report.rows_written == 0 and report.rows_replaced:
                done = f"table vidée, {fr_int(report.rows_replaced)} lignes supprimées"
            else:
                done = f"{fr_int(report.rows_written)} lignes écrites" + (
                    f", {fr_int(report.rows_replaced)} lignes remplacées"
                    if report.rows_replaced else "")
            print(f"Import réussi (n° {report.import_id}) : {done}. Pour revenir à l'état "
                  f"précédent : territoires restaurer {report.import_id}")
        elif report.wipe:
            print("Rien n'a été importé. Pour vider la table, relancez avec --vider (l'état "
                  "précédent restera restaurable : territoires historique).")
        else:
            print("Rien n'a été importé : corrigez les erreurs puis relancez.")


def _read_input(path_text: str) -> tuple[bytes, str] | None:
    path = Path(path_text)
    if not path.is_file():
        return None
    return path.read_bytes(), path.name


def cmd_check(args: argparse.Namespace) -> int:
    """``territoires check KIND FILE [--departement DEP] [--json]``: validate, write nothing."""
    loaded = _read_input(args.file)
    if loaded is None:
        return fail(f"fichier introuvable : {args.file}")
    try:
        mapping = _parse_mapping(args.colonne)
        reference = load_reference(args.departement)
    except UnknownDepartementError as exc:
        return fail(f"{exc}")
    except ValueError as exc:
        return fail(str(exc))
    report = check_file(args.kind, loaded[0], loaded[1], reference, mapping, args.feuille)
    if args.json:
        print_json(report.as_dict())
    else:
        _print_report(report, "check")
    return EXIT_OK if report.valid else EXIT_INVALID


def cmd_import(args: argparse.Namespace) -> int:
    """``territoires import KIND FILE [--workspace DIR] [--departement DEP] [--json]``."""
    loaded = _read_input(args.file)
    if loaded is None:
        return fail(f"fichier introuvable : {args.file}")
    try:
        mapping = _parse_mapping(args.colonne)
        with open_workspace(args.workspace) as workspace:
            current = workspace.departement
            wanted = normalise_departement(args.departement) if args.departement else None
            if current and wanted and wanted != current:
                return fail(
                    f"l'espace de travail {workspace.directory} appartient au département "
                    f"{current}, pas au {wanted}"
                )
            reference = load_reference(current or wanted or DEFAULT_DEPARTEMENT)
            report = import_file(
                args.kind, loaded[0], loaded[1], workspace, reference, mapping=mapping,
                sheet=args.feuille, mode="append" if args.ajout else "replace",
                acteur=cli_acteur(workspace, args.utilisateur), allow_empty=args.vider,
            )
    except UnknownDepartementError as exc:
        return fail(f"{exc}")
    except (ValueError, WorkspaceError) as exc:
        return fail(str(exc))
    if args.json:
        payload = report.as_dict()
        payload["imported"] = report.imported
        payload["import_id"] = report.import_id
        print_json(payload)
    else:
        _print_report(report, "import")
    return EXIT_OK if report.valid else EXIT_INVALID


def build_demo(workspace_dir: str | Path | None = None, quiet: bool = False) -> int:
    """Build the Isère demo workspace and print one line per file.

    Returns
    -------
    int
        Exit code: 0, or 1 if a demo file were invalid (a bug).
    """
    status = EXIT_OK
    reports = demo.build_demo(workspace_dir)
    for name, report in reports:
        if not report.valid:
            status = EXIT_INVALID
            _print_report(report, "import")
        elif not quiet:
            print(f"{report.kind:<13} {report.rows_written:>6} lignes  ({name}, "
                  f"{len(report.warnings)} avertissement(s))")
    if not quiet:
        where = workspace_dir or settings.workspace_dir()
        print(f"Espace de démonstration ({demo.DEMO_LABEL}) : {where}")
    return status


def cmd_demo(args: argparse.Namespace) -> int:
    """``territoires demo [--workspace DIR]``."""
    try:
        return build_demo(args.workspace)
    except WorkspaceError as exc:
        return fail(str(exc))


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``check``, ``import`` and ``demo`` to the ``territoires`` sub-commands."""
    common = {"help": "type de données"}
    p = sub.add_parser("check", help="valide un fichier sans rien écrire")
    p.add_argument("kind", choices=KIND_NAMES, **common)
    p.add_argument("file", help="fichier CSV, XLSX, GeoJSON, GeoPackage ou Shapefile zippé")
    p.add_argument("--departement", default=DEFAULT_DEPARTEMENT,
                   help=f"département du référentiel ({DEFAULT_DEPARTEMENT})")
    _add_file_options(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("import", help="valide puis importe un fichier dans l'espace de travail")
    p.add_argument("kind", choices=KIND_NAMES, **common)
    p.add_argument("file", help="fichier CSV, XLSX, GeoJSON, GeoPackage ou Shapefile zippé")
    p.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
    p.add_argument("--departement", help="département d'un nouvel espace de travail (38)")
    p.add_argument("--ajout", "--append", action="store_true",
                   help="ajoute les lignes au lieu de remplacer la table")
    p.add_argument("--vider", action="store_true",
                   help="autorise un fichier sans ligne à vider la table (refusé sinon)")
    p.add_argument("--utilisateur", help="auteur de l'import : un utilisateur enregistré, dont le "
                   "rôle s'applique (par défaut : l'administrateur local, l'utilisateur système)")
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
