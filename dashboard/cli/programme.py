"""``territoires actions``: the action programme at the reference date.

::

    territoires actions [--workspace DIR] [--departement DEP] [--date AAAA-MM-JJ] [--json]

JSON: ``{"departement", "date_reference", "source", "definition_avancement",
"actions": [{"code", "axe", "intitule", "pilote", "statut", "avancement",
"jalons_en_retard": [...], "indicateurs": [...], ...}]}`` (docs/ARCHITECTURE.md, « Ligne
de commande »). Exit 0; 2 for a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt

from dashboard.cli.common import EXIT_OK, print_json, usage_error
from dashboard.formatting import fr_date, pct
from dashboard.programme.actions import DEFINITION_AVANCEMENT, ProgrammeReport
from dashboard.programme.report import load_programme
from geo.reference import UnknownDepartementError


def actions_payload(report: ProgrammeReport, departement: str) -> dict:
    """The JSON of ``territoires actions``."""
    return {
        "departement": departement,
        "date_reference": report.today.isoformat(),
        "source": report.source,
        "definition_avancement": DEFINITION_AVANCEMENT,
        "actions": report.records(),
    }


def print_actions(report: ProgrammeReport) -> None:
    """The actions by axe, one line each, with their late milestones."""
    print(f"Programme d'actions au {fr_date(report.today)} — source : {report.source}")
    if report.actions.empty:
        print("Aucune action : importez le programme (territoires import actions FICHIER).")
        return
    late = report.late_milestones()
    for axe in report.axes:
        print(f"\n{axe}")
        for row in report.actions[report.actions["axe"] == axe].itertuples():
            flag = " — EN RETARD" if row.en_retard else ""
            print(f"  {row.code:<6} {row.intitule} ({row.pilote}) : {row.statut_libelle}, "
                  f"avancement {pct(row.avancement)}{flag}")
            for j in late[late["action"] == row.code].itertuples():
                print(f"         jalon en retard : {j.libelle} (prévu le "
                      f"{fr_date(j.date_prevue)}, {j.jours_de_retard} jours)")
    print(f"\n{DEFINITION_AVANCEMENT}")


def cmd_actions(args: argparse.Namespace) -> int:
    """``territoires actions [--json]``."""
    try:
        today = dt.date.fromisoformat(args.date) if args.date else None
        report, loaded = load_programme(args.workspace, args.departement, today)
    except (UnknownDepartementError, ValueError) as exc:
        return usage_error(str(exc))
    if args.json:
        print_json(actions_payload(report, loaded.departement))
    else:
        print_actions(report)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``actions`` to the ``territoires`` parser."""
    p = sub.add_parser("actions", help="programme d'actions : statuts, jalons en retard, "
                       "indicateurs liés")  # fmt: skip
    p.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
    p.add_argument("--departement", help="département attendu (par défaut celui de l'espace)")
    p.add_argument("--date", help="date de référence AAAA-MM-JJ (par défaut : fin de la "
                   "dernière année de données)")  # fmt: skip
    p.add_argument("--json", action="store_true", help='sortie JSON {"actions", '
                   '"date_reference"}')  # fmt: skip
    p.set_defaults(func=cmd_actions)
