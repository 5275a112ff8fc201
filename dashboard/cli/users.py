"""``territoires utilisateurs add|list|remove``: roles and scopes of the workspace.

The command line runs on the machine that holds the workspace (or its database
credentials): it acts as the local *administrateur*, named after the system user, unless
``--utilisateur`` names a registered user, whose role then applies, exactly as in the app.
An ``--utilisateur`` that names nobody registered is a usage error (exit 2), never a new
administrateur of that name. Every change is recorded in the import log with its author.

Exit codes: 0 done, 1 refused (role) or nothing to remove, 2 usage error (including an
unknown ``--utilisateur`` and a délégué's EPCI absent from the reference).
"""

from __future__ import annotations

import argparse
import re

from dashboard.cli.common import EXIT_INVALID, EXIT_OK, fail, format_table, print_json
from dashboard.settings import DEFAULT_DEPARTEMENT
from dashboard.store.auth import local_acteur
from dashboard.store.permissions import DELEGUE_EPCI, ROLE_LABELS, ROLES, Acteur, PermissionRefusee
from dashboard.store.workspace import Workspace, WorkspaceError, current_user, open_workspace
from geo.reference import UnknownDepartementError, load_reference

SIREN = re.compile(r"^\d{9}$")


class UnknownUserError(ValueError):
    """``--utilisateur`` names nobody registered in the workspace."""


def cli_acteur(workspace: Workspace, utilisateur: str | None) -> Acteur:
    """Author of a CLI write: the registered user ``utilisateur``, else the local admin.

    Parameters
    ----------
    workspace : Workspace
        Where the users are registered.
    utilisateur : str or None
        ``--utilisateur``: an e-mail/login of the users table. None: the local
        administrateur, named after the system user.

    Raises
    ------
    UnknownUserError
        If ``utilisateur`` is given but not registered (French message).
    """
    if not utilisateur:
        return local_acteur()
    found = workspace.user(utilisateur)
    if found is None:
        raise UnknownUserError(
            f"--utilisateur « {utilisateur} » n'est pas un utilisateur enregistré dans "
            f"l'espace de travail {workspace.directory} (voir territoires utilisateurs list) ; "
            f"sans --utilisateur, l'auteur est l'administrateur local « {current_user()} »"
        )
    return found


def cmd_users(args: argparse.Namespace) -> int:
    """``territoires utilisateurs add|list|remove``."""
    try:
        with open_workspace(args.workspace) as ws:
            return _users(args, ws)
    except PermissionRefusee as exc:
        return fail(str(exc), EXIT_INVALID)
    except (WorkspaceError, ValueError) as exc:
        return fail(str(exc))


def _users(args: argparse.Namespace, ws: Workspace) -> int:
    if args.action == "list":
        return _list(args, ws)
    acteur = cli_acteur(ws, args.utilisateur)
    if args.action == "add":
        if args.epci and not SIREN.match(args.epci):
            return fail(f"SIREN d'EPCI invalide : « {args.epci} » (9 chiffres)")
        try:
            user = Acteur(args.identifiant.strip().lower(), args.role, args.nom or "",
                          args.epci if args.role == DELEGUE_EPCI else None)
        except ValueError as exc:
            return fail(str(exc))
        if ws.departement is None:
            ws.create(args.departement or DEFAULT_DEPARTEMENT)
        ws.save_user(acteur, user)
        print(f"Utilisateur enregistré : {user.libelle}")
        return EXIT_OK
    if not ws.remove_user(acteur, args.identifiant):
        return fail(f"aucun utilisateur « {args.identifiant} »", EXIT_INVALID)
    print(f"Utilisateur supprimé : {args.identifiant}")
    return EXIT_OK


def _epci_names(departement: str | None) -> dict[str, str]:
    """SIREN → name of the EPCI of the workspace's reference (empty if unavailable)."""
    try:
        epci = load_reference(departement or DEFAULT_DEPARTEMENT).epci
    except (UnknownDepartementError, OSError):
        return {}
    return dict(zip(epci["siren"].astype(str), epci["nom"], strict=True))


def _list(args: argparse.Namespace, ws: Workspace) -> int:
    users = ws.users()
    records = [{k: (None if v is None or v != v else v) for k, v in row.items()}
               for row in users.to_dict("records")]  # NaN → None
    if args.json:
        print_json({"utilisateurs": [{k: v for k, v in r.items() if k != "cree_le"}
                                     for r in records]})
    elif not records:
        print("Aucun utilisateur enregistré (sans connexion, l'administrateur est "
              f"l'utilisateur système « {current_user()} »).")
    else:
        names = _epci_names(ws.departement) if any(r["epci_siren"] for r in records) else {}
        rows = [
            (r["identifiant"], ROLE_LABELS.get(r["role"], r["role"]),
             f"{r['epci_siren']} {names.get(r['epci_siren'], '')}".strip()
             if r["epci_siren"] else "–", r["nom"] or "–")
            for r in records
        ]
        print(format_table(["Identifiant", "Rôle", "EPCI", "Nom"], rows))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``utilisateurs`` to the ``territoires`` sub-commands."""
    p = sub.add_parser("utilisateurs", help="rôles et périmètres des utilisateurs")
    actions = p.add_subparsers(dest="action", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", help="dossier de l'espace de travail")
    common.add_argument("--utilisateur",
                        help="auteur de la modification : un utilisateur enregistré (par "
                        "défaut : l'administrateur local, l'utilisateur système)")
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
