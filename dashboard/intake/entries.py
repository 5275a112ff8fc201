"""Entries typed in the app (a délégué's réalisation or comment) go the way of a file.

:func:`declare` writes the rows as a small CSV and hands it to
:func:`dashboard.intake.imports.import_file` in ``append`` mode: the same parsing,
validation, permission check (role and EPCI scope) and import-log record as any import.
A délégué's entry is stored « déclaré » by the workspace until the comité reviews it
(:mod:`dashboard.store.reviews`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dashboard.intake.imports import ImportReport, import_file
from dashboard.spreadsheets import transport_csv
from dashboard.store.permissions import Acteur
from dashboard.store.schemas import INDICATORS, KINDS
from dashboard.store.workspace import Workspace
from geo.reference import Reference

#: Indicators a délégué declares: those read from ``realisations`` (not computed from the
#: operations or the signals).
DECLARABLE_INDICATORS: tuple[str, ...] = tuple(
    code for code, ind in INDICATORS.items() if ind.source.startswith("réalisations")
)
#: Kinds typed in the app.
ENTRY_KINDS = ("realisations", "commentaires")


def entry_csv(kind: str, rows: Sequence[Mapping[str, object]]) -> bytes:
    """Rows as a UTF-8 CSV with the canonical header of ``kind`` (``;``, quoted)."""
    names = [n for n in KINDS[kind].names if any(n in row for row in rows)]
    return transport_csv(
        names, [["" if row.get(n) is None else str(row.get(n)) for n in names] for row in rows]
    )


def declare(
    kind: str,
    rows: Sequence[Mapping[str, object]],
    workspace: Workspace,
    reference: Reference,
    acteur: Acteur,
    label: str = "saisie dans l'application",
) -> ImportReport:
    """Validate and append entries typed in the app, exactly as an imported file.

    Parameters
    ----------
    kind : str
        ``realisations`` or ``commentaires``.
    rows : sequence of mapping
        Canonical column → value (dates as ``JJ/MM/AAAA`` or ``date``).
    workspace, reference
        Where to write, and the reference the codes are checked against.
    acteur : Acteur
        Who types: their role and EPCI scope are checked by the workspace.
    label : str
        Name of the « file » in the import log.

    Returns
    -------
    ImportReport
        ``imported`` when written; otherwise the errors (line 2 is the first entry) or the
        refusal.
    """
    if kind not in ENTRY_KINDS:
        raise ValueError(f"« {kind} » ne se saisit pas dans l'application")
    data = entry_csv(kind, rows)
    return import_file(kind, data, label, workspace, reference, mode="append", acteur=acteur)
