"""The comité's decision on the délégués' entries: « validé », or « à revoir » with a motif.

A délégué's réalisation or comment is written as « déclaré »
(:meth:`dashboard.store.workspace.Workspace.write`); :func:`review_entries` changes its
``statut_validation`` (and ``motif_revue``) in one transaction under the kind's write lock,
and logs the decision in the import log with its author and role. Only declarations are
touched: a row imported as an official figure (no review state) is never reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from dashboard.store.permissions import REVIEWED_KINDS, Acteur, check_review
from dashboard.store.schemas import STATUT_A_REVOIR, STATUT_VALIDE
from dashboard.store.workspace import METADATA, ImportRecord, Workspace, WorkspaceError, _audit

#: Decisions the comité takes, and their wording in the import log.
DECISIONS = {STATUT_VALIDE: "validée(s)", STATUT_A_REVOIR: "à revoir"}
#: Mode of a review in the import log.
REVIEW_MODE = "revue"


def review_entries(
    workspace: Workspace,
    acteur: Acteur,
    kind: str,
    ids: Iterable[int],
    statut: str,
    motif: str = "",
) -> int:
    """Mark the declarations ``ids`` of ``kind`` validated or to review; return how many.

    Parameters
    ----------
    workspace : Workspace
    acteur : Acteur
        The comité member or administrateur who decides.
    kind : str
        ``realisations`` or ``commentaires``.
    ids : iterable of int
        Row ids (:meth:`Workspace.read` with ``ids=True``).
    statut : str
        ``valide`` or ``a_revoir``.
    motif : str
        Why the entry is to be reviewed (required for ``a_revoir``), shown to the délégué.

    Raises
    ------
    PermissionRefusee
        If ``acteur`` may not review.
    WorkspaceError
        For another kind or decision, a missing motif, or no declaration among ``ids``.
    """
    check_review(acteur)
    if kind not in REVIEWED_KINDS:
        raise WorkspaceError(f"« {kind} » n'a pas de déclarations à valider.")
    if statut not in DECISIONS:
        raise WorkspaceError(f"Décision inconnue : « {statut} » (valide ou a_revoir).")
    motif = (motif or "").strip()
    if statut == STATUT_A_REVOIR and not motif:
        raise WorkspaceError("Dites au délégué ce qu'il faut revoir : le motif est obligatoire.")
    wanted = sorted({int(i) for i in ids})
    departement = workspace.departement
    if departement is None or not wanted:
        raise WorkspaceError("Aucune déclaration choisie : rien n'a été écrit.")
    workspace.create(departement)
    table = METADATA.tables[kind]
    with workspace._writing(kind) as conn:
        done = conn.execute(
            sa.update(table)
            .where(table.c.id.in_(wanted), table.c.statut_validation.is_not(None))
            .values(statut_validation=statut,
                    motif_revue=motif if statut == STATUT_A_REVOIR else None)
        ).rowcount  # fmt: skip
        if not done:
            raise WorkspaceError("Aucune des lignes choisies n'est une déclaration : rien n'a "
                                 "été écrit.")
        shown = ", ".join(map(str, wanted[:20])) + ("…" if len(wanted) > 20 else "")
        why = f" — {motif}" if motif and statut == STATUT_A_REVOIR else ""
        record = ImportRecord(kind=kind, fichier=f"{done} déclaration(s) {DECISIONS[statut]} "
                              f"(lignes {shown}){why}", sha256="", lignes=done,
                              mode=REVIEW_MODE)  # fmt: skip
        _audit(conn, record, kind, acteur, departement)
    return int(done)
