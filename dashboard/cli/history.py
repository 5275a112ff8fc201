"""``territoires historique`` and ``territoires restaurer``: the import log, and undo.

Every import (and every restore) keeps the previous content of its table
(:meth:`dashboard.store.workspace.Workspace.restore`); ``restaurer IMPORT_ID`` puts the table
back as it was before that import, as a write of its own: logged, checked against the
author's role (a délégué puts back the rows of their EPCI only), atomic, and undoable
by ``restaurer`` on its own id.

Exit codes: 0 done, 1 refused (role, state no longer kept, a restore that would empty the
table without ``--vider``), 2 usage error (unknown import id, unknown ``--utilisateur``).
"""

from __future__ import annotations

import argparse

from dashboard.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    fail,
    format_table,
    print_json,
)
from dashboard.cli.users import cli_acteur
from dashboard.formatting import fr_int
from dashboard.store.permissions import PermissionRefusee
from dashboard.store.schemas import KIND_NAMES
from dashboard.store.workspace import (
    RestoreImpossibleError,
    UnknownImportError,
    WipeRefusedError,
    WorkspaceError,
    history_records,
    open_workspace,
    state_before_label,
)

HEADERS = ["N°", "Date (heure de Paris)", "Type", "Opération", "Lignes", "Fichier", "Par",
           "État d'avant"]


def _lines(count: int) -> str:
    return f"{fr_int(count)} ligne{'s' if count > 1 else ''}"


def cmd_history(args: argparse.Namespace) -> int:
    """``territoires historique [--type KIND] [--limite N] [--json]``."""
    try:
        with open_workspace(args.workspace) as ws:
            history = ws.history()
    except WorkspaceError as exc:
        return fail(str(exc))
    if args.type:
        history = history[history["kind"] == args.type]
    if args.limite:
        history = history.head(args.limite)
    records = history_records(history)
    if args.json:
        print_json({"imports": records})
        return EXIT_OK
    if not records:
        print("Aucun import dans l'historique.")
        return EXIT_OK
    rows = [
        (r["id"], r["date"], r["kind"], r["mode"], fr_int(r["lignes"]), r["fichier"],
         f"{r['utilisateur']} ({r['role']})", state_before_label(r))
        for r in records
    ]
    print(format_table(HEADERS, rows, right=(0, 4)))
    print("Pour remettre une table dans son état d'avant un import : "
          "territoires restaurer N° (annulable à son tour).")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """``territoires restaurer IMPORT_ID [--vider] [--utilisateur ID] [--json]``."""
    try:
        with open_workspace(args.workspace) as ws:
            acteur = cli_acteur(ws, args.utilisateur)
            done = ws.restore(args.import_id, acteur, allow_empty=args.vider)
    except (UnknownImportError, ValueError) as exc:
        return fail(str(exc), EXIT_USAGE)
    except WipeRefusedError as exc:
        return fail(f"{exc} Relancez avec --vider pour le faire.", EXIT_INVALID)
    except (RestoreImpossibleError, PermissionRefusee) as exc:
        return fail(str(exc), EXIT_INVALID)
    except WorkspaceError as exc:
        return fail(str(exc))
    if args.json:
        print_json({"import_id": done.import_id, "restaure": done.restored, "kind": done.kind,
                    "lignes_avant": done.rows_before, "lignes_apres": done.rows_after})
        return EXIT_OK
    print(f"« {done.kind} » remis dans son état d'avant l'import n° {done.restored} : "
          f"{_lines(done.rows_after)} (au lieu de {fr_int(done.rows_before)}).")
    print(f"Cette restauration est l'import n° {done.import_id} ; pour l'annuler : "
          f"territoires restaurer {done.import_id}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``historique`` and ``restaurer`` to the ``territoires`` sub-commands."""
    p = sub.add_parser("historique", help="liste les imports et restaurations, avec leur numéro")
    p.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
    p.add_argument("--type", choices=KIND_NAMES, help="seulement les imports de ce type")
    p.add_argument("--limite", type=int, metavar="N", help="les N plus récents seulement")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("restaurer",
                       help="remet une table dans son état d'avant un import (annulable)")
    p.add_argument("import_id", type=int, metavar="N°",
                   help="numéro de l'import (territoires historique)")
    p.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
    p.add_argument("--vider", action="store_true",
                   help="autorise la restauration à vider la table (refusée sinon)")
    p.add_argument("--utilisateur", help="auteur : un utilisateur enregistré, dont le rôle "
                   "s'applique (par défaut : l'administrateur local, l'utilisateur système)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=cmd_restore)
