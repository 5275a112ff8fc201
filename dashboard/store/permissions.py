"""Who may write what: roles, scopes and the check that the workspace runs on every write.

Pure functions, no database and no Streamlit. The workspace calls :func:`check_write`
inside its write transaction, so the rule holds whatever the interface shows.

=================  =======================================================================
role               may write
=================  =======================================================================
administrateur     every kind, and the users table
comite             objectifs, plans, instances, perimetres, commentaires, actions, jalons
                   and the fields' kinds (expulsions, dalo, attributions_prioritaires,
                   siao, fsl), every territory; reviews the délégués' entries; freezes
                   the editions
delegue_epci       realisations, commentaires, plans and the fields' kinds of *their* EPCI
                   only: rows whose territory is their EPCI or one of its communes (plans:
                   their EPCI only)
lecteur            nothing
=================  =======================================================================

Everybody reads everything. A délégué's import in ``replace`` mode replaces only the rows
of their scope and keeps the other EPCI's rows; for réalisations and comments, only their
declarations, never the official figures of their EPCI. Restoring the state before an
import (:meth:`dashboard.store.workspace.Workspace.restore`) needs the same right as
importing the kind; a délégué's restore puts back the rows of their scope only.

The délégués' loop: a délégué's réalisations and comments are *declared*; they never
set their own review (``statut_validation`` other than ``declare``, ``motif_revue``). Only
the comité and the administrateur review them (:func:`check_review`). The programme
(``actions``, ``jalons``) is the comité's: a délégué comments an action (the ``action``
column of ``commentaires``) but does not write the programme.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard.store.schemas import FIELD_KINDS, STATUT_DECLARE, is_blank

ADMINISTRATEUR = "administrateur"
COMITE = "comite"
DELEGUE_EPCI = "delegue_epci"
LECTEUR = "lecteur"
ROLES: tuple[str, ...] = (ADMINISTRATEUR, COMITE, DELEGUE_EPCI, LECTEUR)
ROLE_LABELS = {
    ADMINISTRATEUR: "administrateur",
    COMITE: "comité",
    DELEGUE_EPCI: "délégué EPCI",
    LECTEUR: "lecteur",
}

#: Kinds each role may write (the administrateur may write every kind).
WRITABLE_KINDS: dict[str, frozenset[str]] = {
    COMITE: frozenset({"objectifs", "plans", "instances", "perimetres", "commentaires",
                       "actions", "jalons", *FIELD_KINDS}),
    DELEGUE_EPCI: frozenset({"realisations", "commentaires", "plans", *FIELD_KINDS}),
    LECTEUR: frozenset(),
}
#: Kinds where a délégué may also name the communes of their EPCI (plans: the EPCI only).
COMMUNE_SCOPED_KINDS = frozenset({"realisations", "commentaires", *FIELD_KINDS})
#: Name of the pseudo-kind used in the audit log for changes to the users table.
USERS_KIND = "utilisateurs"
#: Pseudo-kind of the audit log for the frozen annual reports (editions).
EDITIONS_KIND = "bilan"
#: Roles that review the délégués' entries and freeze the annual reports.
REVIEWERS = frozenset({ADMINISTRATEUR, COMITE})
#: Kinds whose rows carry the review columns of the délégués' loop.
REVIEWED_KINDS = frozenset({"realisations", "commentaires"})
#: Rows named in a refusal message before « et N autres ».
SHOWN_ROWS = 10


class PermissionRefusee(PermissionError):  # noqa: N818 (French name, reads as a sentence)
    """A write that the author's role or scope does not allow; nothing was written."""


@dataclass(frozen=True)
class Acteur:
    """The author of a read or write: a person with a role and, for a délégué, an EPCI.

    Attributes
    ----------
    identifiant : str
        E-mail (app) or login (CLI); recorded in the audit log.
    role : str
        One of :data:`ROLES`.
    nom : str
        Display name.
    epci_siren : str or None
        SIREN of the délégué's EPCI (required for ``delegue_epci``).
    """

    identifiant: str
    role: str = LECTEUR
    nom: str = ""
    epci_siren: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"rôle inconnu : « {self.role} » (rôles : {', '.join(ROLES)})")
        if self.role == DELEGUE_EPCI and not self.epci_siren:
            raise ValueError(f"le délégué EPCI {self.identifiant} n'a pas d'EPCI (epci_siren)")

    @classmethod
    def local(cls, identifiant: str = "local") -> Acteur:
        """The single user of the local mode (no login): an administrateur."""
        return cls(identifiant=identifiant or "local", role=ADMINISTRATEUR, nom="mode local")

    @property
    def libelle(self) -> str:
        """« Marie Durand (délégué EPCI 200040715) »."""
        role = ROLE_LABELS[self.role]
        if self.epci_siren:
            role = f"{role} {self.epci_siren}"
        return f"{self.nom or self.identifiant} ({role})"


def can_write_kind(acteur: Acteur, kind: str) -> bool:
    """Whether the role of ``acteur`` may write ``kind`` at all (scope aside)."""
    if acteur.role == ADMINISTRATEUR:
        return True
    return kind in WRITABLE_KINDS[acteur.role]


def writable_kinds(acteur: Acteur, kinds: Sequence[str]) -> list[str]:
    """The kinds of ``kinds`` that ``acteur`` may write, in order (for the interface)."""
    return [k for k in kinds if can_write_kind(acteur, k)]


def in_scope(
    acteur: Acteur, kind: str, frame: pd.DataFrame, epci_of_commune: Mapping[str, str]
) -> pd.Series:
    """Boolean mask of the rows of ``frame`` inside the délégué's scope.

    Parameters
    ----------
    acteur : Acteur
        A ``delegue_epci``.
    kind : str
        A kind with ``territoire_type`` and ``territoire_code`` columns.
    frame : DataFrame
        Rows to test (from a file, or the rows already in the table).
    epci_of_commune : mapping
        Commune code → SIREN of its EPCI (the workspace's reference).
    """
    types = frame["territoire_type"].astype("string")
    codes = frame["territoire_code"].astype("string")
    mask = (types == "epci") & (codes == acteur.epci_siren)
    if kind in COMMUNE_SCOPED_KINDS:
        epci = codes.map(lambda c: epci_of_commune.get(c) if isinstance(c, str) else None)
        mask |= (types == "commune") & (epci == acteur.epci_siren)
    return mask.fillna(False).astype(bool)


def check_write(
    acteur: Acteur,
    kind: str,
    frame: pd.DataFrame,
    epci_of_commune: Mapping[str, str],
    lines: Sequence[int] | None = None,
) -> None:
    """Refuse a write that the role or scope of ``acteur`` does not allow.

    Parameters
    ----------
    acteur : Acteur
        Author of the write.
    kind : str
        Kind written (or :data:`USERS_KIND`).
    frame : DataFrame
        Rows to write.
    epci_of_commune : mapping
        Commune code → EPCI SIREN, used for délégués.
    lines : sequence of int, optional
        Line of each row in the user's file, for the message (default: row number + 2,
        the header being line 1).

    Raises
    ------
    PermissionRefusee
        With a French message naming the role, the kind and the rows outside the scope.
    """
    if not can_write_kind(acteur, kind):
        raise PermissionRefusee(
            f"{acteur.libelle} ne peut pas modifier « {kind} » : rien n'a été écrit."
        )
    if acteur.role != DELEGUE_EPCI:
        return
    if kind in REVIEWED_KINDS:
        _check_declared(acteur, kind, frame, lines)
    outside = ~in_scope(acteur, kind, frame, epci_of_commune).to_numpy()
    if not outside.any():
        return
    numbers = list(lines) if lines is not None else [i + 2 for i in range(len(frame))]
    rows = [
        f"ligne {numbers[i]} ({frame['territoire_type'].iloc[i]} "
        f"{frame['territoire_code'].iloc[i]})"
        for i in range(len(frame))
        if outside[i]
    ]
    more = f" et {len(rows) - SHOWN_ROWS} autres" if len(rows) > SHOWN_ROWS else ""
    where = "de son EPCI" if kind not in COMMUNE_SCOPED_KINDS else "de son EPCI ou de ses communes"
    raise PermissionRefusee(
        f"{acteur.libelle} ne peut écrire dans « {kind} » que les lignes {where} ; "
        f"{len(rows)} ligne(s) hors de son périmètre : {', '.join(rows[:SHOWN_ROWS])}{more}. "
        "Rien n'a été écrit."
    )


def _check_declared(
    acteur: Acteur, kind: str, frame: pd.DataFrame, lines: Sequence[int] | None
) -> None:
    """A délégué declares: no review state of their own (validated, to review, a motif)."""
    numbers = list(lines) if lines is not None else [i + 2 for i in range(len(frame))]
    statut = frame.get("statut_validation", pd.Series(None, index=frame.index))
    motif = frame.get("motif_revue", pd.Series(None, index=frame.index))
    rows = [
        f"ligne {numbers[i]}"
        for i, (s, m) in enumerate(zip(statut, motif, strict=True))
        if not (is_blank(s) or s == STATUT_DECLARE) or not is_blank(m)
    ]
    if rows:
        more = f" et {len(rows) - SHOWN_ROWS} autres" if len(rows) > SHOWN_ROWS else ""
        raise PermissionRefusee(
            f"{acteur.libelle} déclare des « {kind} » : seul le comité les valide ou les "
            f"renvoie à revoir ({', '.join(rows[:SHOWN_ROWS])}{more} portent une décision "
            "du comité). Rien n'a été écrit."
        )


def can_review(acteur: Acteur) -> bool:
    """Whether ``acteur`` reviews the délégués' entries and freezes the annual reports."""
    return acteur.role in REVIEWERS


def check_review(acteur: Acteur, what: str = "valider les déclarations des délégués") -> None:
    """Refuse a review (or a freeze) by anyone but the comité or an administrateur.

    Raises
    ------
    PermissionRefusee
        With a French message naming the person and what they tried.
    """
    if not can_review(acteur):
        raise PermissionRefusee(
            f"{acteur.libelle} ne peut pas {what} : réservé au comité et aux administrateurs. "
            "Rien n'a été écrit."
        )
