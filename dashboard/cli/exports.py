"""``territoires export …``: PDF fiche, PPTX deck, XLSX workbook, GeoPackage.

::

    territoires export fiche --territoire epci:SIREN|instance:CODE --format pdf --out FILE
    territoires export deck --format pptx --out FILE
    territoires export tables --format xlsx --out FILE
    territoires export layers --format gpkg --out FILE

Each takes ``[--workspace DIR] [--date AAAA-MM-JJ]``. Exit 0; 2 with a French message for
an unknown territory, a format the export does not offer, or another usage error; 3 for an
internal error while writing the file (never reported as a usage error), with nothing
written. Only ``--out`` is written; no other path comes from the command line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import traceback
from pathlib import Path

from dashboard.cli.common import (
    EXIT_INTERNAL,
    EXIT_INVALID,
    EXIT_OK,
    FrenchParser,
    fail,
    usage_error,
)
from dashboard.exports.bundle import UnknownTerritoryError, load_bundle, parse_territoire
from dashboard.intake.loader import DepartementMismatchError
from geo.perimeters import MembershipError
from geo.reference import UnknownDepartementError

#: Formats each export offers.
FORMATS = {"fiche": ("pdf",), "deck": ("pptx",), "tables": ("xlsx",), "layers": ("gpkg",)}
HELP = {
    "fiche": "fiche PDF d’un EPCI ou d’une instance",
    "deck": "présentation PPTX pour le comité",
    "tables": "classeur XLSX des tableaux (indicateurs, équilibre, écarts, opérations…)",
    "layers": "GeoPackage des couches (communes, EPCI, instances, constats) en Lambert-93",
}


def _write(out: Path, data: bytes) -> None:
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)


def cmd_export(args: argparse.Namespace) -> int:
    """Run one export (``args.what``) and write ``--out``."""
    # Imported on use: the writers pull weasyprint, matplotlib and python-pptx (~0.7 s),
    # which every other command would pay at start-up.
    from dashboard.exports.gpkg import layers_gpkg
    from dashboard.exports.pdf import fiche_pdf
    from dashboard.exports.pptx import deck_pptx
    from dashboard.exports.xlsx import tables_xlsx

    what = args.what
    fmt = (args.format or FORMATS[what][0]).lower()
    if fmt not in FORMATS[what]:
        offered = ", ".join(FORMATS[what])
        return usage_error(
            f"format « {fmt} » non disponible pour « export {what} » (formats : {offered})"
        )
    out = Path(args.out)
    if not out.parent.is_dir():
        return usage_error(f"dossier de sortie introuvable : {out.parent}")
    if out.is_dir():
        return usage_error(f"--out désigne un dossier, pas un fichier : {out}")
    # What the command line asks for: a wrong date, territory or département is a usage error.
    try:
        today = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        return usage_error(f"date invalide « {args.date} » : AAAA-MM-JJ attendu")
    if what == "fiche":
        try:
            parse_territoire(args.territoire)
        except UnknownTerritoryError as exc:
            return usage_error(str(exc))
    # Only what the user asked for or imported is theirs; anything else is a defect of ours.
    partial = out.with_name(f"{out.stem}.part.gpkg")
    try:
        bundle = load_bundle(args.departement, args.workspace, today)
        if what == "fiche":
            _write(out, fiche_pdf(bundle, args.territoire))
        elif what == "deck":
            _write(out, deck_pptx(bundle))
        elif what == "tables":
            _write(out, tables_xlsx(bundle))
        else:
            layers_gpkg(bundle, partial)  # GDAL wants the .gpkg extension
            partial.replace(out)
    except (UnknownTerritoryError, UnknownDepartementError, DepartementMismatchError) as exc:
        return usage_error(str(exc))
    except MembershipError as exc:  # instance rows naming a code unknown in the reference
        return fail(f"données invalides : {exc}", EXIT_INVALID)
    except Exception as exc:  # a defect of ours, never blamed on the command line
        traceback.print_exc(file=sys.stderr)
        partial.unlink(missing_ok=True)
        return fail(f"erreur interne pendant « export {what} » ({type(exc).__name__} : {exc}) ; "
                    "rien n'a été écrit. Merci de signaler cette erreur.", EXIT_INTERNAL)
    note = f" ({bundle.demo_note})" if bundle.is_demo else ""
    print(f"Export {what} écrit : {out}{note}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``export fiche|deck|tables|layers`` to the ``territoires`` parser."""
    p = sub.add_parser("export", help="fiches PDF, présentation PPTX, classeur XLSX, GeoPackage")
    kinds = p.add_subparsers(dest="what", required=True, parser_class=FrenchParser)
    for what, formats in FORMATS.items():
        q = kinds.add_parser(what, help=HELP[what])
        if what == "fiche":
            q.add_argument("--territoire", required=True, help="epci:SIREN ou instance:CODE")
        q.add_argument("--format", default=formats[0], help=f"format ({', '.join(formats)})")
        q.add_argument("--out", required=True, help="fichier à écrire")
        q.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
        q.add_argument("--departement", help="département attendu (par défaut celui de l'espace)")
        q.add_argument("--date", help="date de référence AAAA-MM-JJ (par défaut aujourd'hui)")
        q.set_defaults(func=cmd_export)
