"""``territoires utilisateurs add|list|remove``: roles and scopes of the workspace.

The command line runs on the machine that holds the workspace (or its database
credentials): it acts as the local *administrateur*, unless ``--utilisateur`` names a
registered user, whose role then applies, exactly as in the app. Every change is
recorded in the import log with its author.

Exit codes: 0 done, 1 refused (role) or nothing to remove, 2 usage error.
"""

from __future__ import annotations

import argparse
import re

from dashboard.cli.common import EXIT_INVALID, EXIT_OK, fail, print_json
from dashboard.settings import DEFAULT_DEPARTEMENT
from dashboard.store.auth import local_acteur
from dashboard.store.permissions import DELEGUE_EPCI, ROLES, Acteur, PermissionRefusee
from dashboard.store.workspace import Workspace, WorkspaceError, open_workspace

SIREN = re.compile(r"^\d{9}$")


def cli_acteur(workspace, utilisateur: str | None) -> Acteur:
    """Author of a CLI write: the registered user ``utilisateur``, else the local admin.

    Parameters
    ----------
    workspace : Workspace
        Where the users are registered.
    utilisateur : str or None
        ``--utilisateur``: an e-mail/login of the users table, or a free label.
    """
    if utilisateur:
        found = workspace.user(utilisateur)
        if found is not None:
            return found
    return local_acteur(utilisateur)


def cmd_users(args: argparse.Namespace) -> int:
    """``territoires utilisateurs add|list|remove``."""
    try:
        with open_workspace(args.workspace) as ws:
            return _users(args, ws)
    except PermissionRefusee as exc:
        return fail(str(exc), EXIT_INVALID)
    except WorkspaceError as exc:
        return fail(str(exc))


def _users(args: argparse.Namespace, ws: Workspace) -> int:
    if args.action == "list":
        return _list(args, ws)
    acteur = cli_acteur(ws, args.utilisateur)
    if args.action == "add":
        if args.epci and not SIREN.match(args.epci):
            return fail(f"SIREN d'EPCI invalide : « {args.epci} » (9 chiffres)")
        if ws.departement is None:
            ws.create(args.departement or DEFAULT_DEPARTEMENT)
        try:
            user = Acteur(args.identifiant.strip().lower(), args.role, args.nom or "",
                          args.epci if args.role == DELEGUE_EPCI else None)
        except ValueError as exc:
            return fail(str(exc))
        ws.save_user(acteur, user)
        print(f"Utilisateur enregistré : {user.libelle}")
        return EXIT_OK
    if not ws.remove_user(acteur, args.identifiant):
        return fail(f"aucun utilisateur « {args.identifiant} »", EXIT_INVALID)
    print(f"Utilisateur supprimé : {args.identifiant}")
    return EXIT_OK


def _list(args: argparse.Namespace, ws: Workspace) -> int:
    users = ws.users()
    if args.json:
        print_json({"utilisateurs": [
            {k: (None if v != v else v) for k, v in row.items() if k != "cree_le"}
            for row in users.to_dict("records")]})
    elif users.empty:
        print("Aucun utilisateur enregistré (en mode local, tout le monde est administrateur).")
    else:
        for row in users.itertuples(index=False):
            scope = f" EPCI {row.epci_siren}" if row.epci_siren else ""
            print(f"{row.identifiant:<32} {row.role}{scope}  {row.nom}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``utilisateurs`` to the ``territoires`` sub-commands."""
    p = sub.add_parser("utilisateurs", help="rôles et périmètres des utilisateurs")
    actions = p.add_subparsers(dest="action", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", help="dossier de l'espace de travail")
    common.add_argument("--utilisateur",
                        help="auteur de la modification (par défaut : administrateur local)")
    a = actions.add_parser("add", parents=[common], help="ajoute ou modifie un utilisateur")
    a.add_argument("identifiant", help="e-mail de connexion (OIDC)")
    a.add_argument("role", choices=ROLES)
    a.add_argument("--epci", help="SIREN de l'EPCI d'un délégué")
    a.add_argument("--nom", help="nom affiché")
    a.add_argument("--departement", help="département d'un nouvel espace de travail (38)")
    r = actions.add_parser("remove", parents=[common], help="supprime un utilisateur")
    r.add_argument("identifiant")
    ls = actions.add_parser("list", parents=[common], help="liste les utilisateurs")
    ls.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=cmd_users)
