"""``territoires actions``, ``bilan`` and ``bilans``: the programme and the annual reports.

::

    territoires actions [--workspace DIR] [--departement DEP] [--date AAAA-MM-JJ] [--json]
    territoires bilan ANNEE [--workspace DIR] [--out DIR] [--remplacer] [--utilisateur U]
    territoires bilans [--workspace DIR] [--json]

``actions --json``: ``{"departement", "date_reference", "source", "definition_avancement",
"actions": [{"code", "axe", "intitule", "pilote", "statut", "avancement",
"jalons_en_retard": [...], "indicateurs": [...], ...}]}``; ``bilans --json``:
``{"editions": [{"id", "annee", "date_reference", "gele_le", "gele_par", "role", "sha256",
"remplacee", "octets"}]}`` (docs/ARCHITECTURE.md, « Ligne de commande »). Exit 0; 1 for a
refused freeze (role, year already frozen, data changed meanwhile); 2 for a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from dashboard.cli.common import EXIT_INVALID, EXIT_OK, fail, print_json, usage_error
from dashboard.cli.users import cli_acteur
from dashboard.formatting import fr_date, pct
from dashboard.programme.actions import DEFINITION_AVANCEMENT, ProgrammeReport
from dashboard.programme.report import load_programme
from dashboard.store.permissions import PermissionRefusee
from dashboard.store.workspace import WorkspaceError, open_workspace
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


def cmd_bilan(args: argparse.Namespace) -> int:
    """``territoires bilan ANNEE [--out DIR] [--remplacer]``: freeze the annual report."""
    from dashboard.exports.bilan import EditionError, freeze_edition, write_edition_files

    out = Path(args.out) if args.out else None
    if out is not None and not out.is_dir():
        return usage_error(f"dossier de sortie introuvable : {out}")
    try:
        with open_workspace(args.workspace) as ws:
            acteur = cli_acteur(ws, args.utilisateur)
        edition = freeze_edition(args.annee, acteur, args.workspace, args.departement,
                                 replace=args.remplacer)  # fmt: skip
    except PermissionRefusee as exc:
        return fail(str(exc), EXIT_INVALID)
    except (EditionError, WorkspaceError) as exc:
        return fail(str(exc), EXIT_INVALID)
    except (UnknownDepartementError, ValueError) as exc:
        return usage_error(str(exc))
    demo = " (données de démonstration)" if edition.donnees.get("demonstration") else ""
    print(f"Bilan {edition.annee} gelé : édition {edition.id}, chiffres au "
          f"{fr_date(edition.date_reference)}, empreinte {edition.sha256[:12]}{demo}.")
    if out is not None:
        for path in write_edition_files(edition, out):
            print(f"  {path}")
    return EXIT_OK


def cmd_bilans(args: argparse.Namespace) -> int:
    """``territoires bilans [--json]``: the frozen editions, latest year first."""
    from dashboard.store.editions import list_editions

    with open_workspace(args.workspace) as ws:
        frame = list_editions(ws)
    records = [
        {"id": int(r.id), "annee": int(r.annee), "date_reference": r.date_reference.isoformat(),
         "gele_le": r.horodatage.isoformat(timespec="seconds"), "gele_par": r.utilisateur,
         "role": r.role, "sha256": r.sha256, "remplacee": bool(r.remplacee),
         "octets": int(r.octets)}
        for r in frame.itertuples()
    ]  # fmt: skip
    if args.json:
        print_json({"editions": records})
        return EXIT_OK
    if not records:
        print("Aucun bilan gelé : territoires bilan ANNEE gèle celui d'une année terminée.")
    for r in records:
        state = " (remplacée)" if r["remplacee"] else ""
        print(f"{r['annee']}  édition {r['id']}{state} — chiffres au "
              f"{fr_date(dt.date.fromisoformat(r['date_reference']))}, gelée le "
              f"{r['gele_le'][:10]} par {r['gele_par']}, empreinte {r['sha256'][:12]}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``actions``, ``bilan`` and ``bilans`` to the ``territoires`` parser."""
    p = sub.add_parser("actions", help="programme d'actions : statuts, jalons en retard, "
                       "indicateurs liés")  # fmt: skip
    p.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
    p.add_argument("--departement", help="département attendu (par défaut celui de l'espace)")
    p.add_argument("--date", help="date de référence AAAA-MM-JJ (par défaut : fin de la "
                   "dernière année de données)")  # fmt: skip
    p.add_argument("--json", action="store_true", help='sortie JSON {"actions", '
                   '"date_reference"}')  # fmt: skip
    p.set_defaults(func=cmd_actions)

    p = sub.add_parser("bilan", help="gèle le bilan annuel d'exécution d'une année (chiffres, "
                       "PDF, PPTX, XLSX) dans l'espace de travail")  # fmt: skip
    p.add_argument("annee", type=int, help="année du bilan (terminée), par exemple 2024")
    p.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
    p.add_argument("--departement", help="département attendu (par défaut celui de l'espace)")
    p.add_argument("--out", help="dossier où écrire aussi le JSON, le PDF, le PPTX et le XLSX")
    p.add_argument("--remplacer", action="store_true", help="gèle une nouvelle édition d'une "
                   "année déjà gelée (l'ancienne reste consultable)")  # fmt: skip
    p.add_argument("--utilisateur", help="auteur : un utilisateur enregistré (comité ou "
                   "administrateur), sinon l'administrateur local de ce nom")  # fmt: skip
    p.set_defaults(func=cmd_bilan)

    p = sub.add_parser("bilans", help="liste les bilans annuels gelés")
    p.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
    p.add_argument("--json", action="store_true", help='sortie JSON {"editions"}')
    p.set_defaults(func=cmd_bilans)
