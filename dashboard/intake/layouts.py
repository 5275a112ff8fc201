"""Layouts of files exported by other tools, recognised as a whole so that they import as
downloaded, with no column to map.

One layout today: the export of **Signal Logement** (ex-Histologe, MTES-MCT/histologe,
``SignalementExportHeader`` / ``SignalementExportSelectableColumns``), in CSV (UTF-8 with
BOM, ``;``, multi-line quoted cells) or XLSX. Its columns are of three sorts: the ones the
dashboard keeps (mapped to canonical names), personal data (dropped, each one named in a
warning) and the rest (ignored, listed once).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.intake.parsers import enum_parser, resolve_headers
from dashboard.intake.readers import RawTable
from dashboard.store.schemas import KINDS, normalise_header


@dataclass(frozen=True)
class Layout:
    """A known file layout of one kind.

    Attributes
    ----------
    name : str
        French name shown in messages (« export Signal Logement »).
    kind : str
        Kind of data it carries.
    columns : dict
        Header as the tool writes it → canonical column.
    personal : tuple of str
        Headers of personal data, dropped at import.
    unused : tuple of str
        Headers the dashboard does not use.
    signature : tuple of str
        Headers that, all present, identify the layout.
    advice : str
        What to tick in the tool when a column the dashboard needs is missing.
    """

    name: str
    kind: str
    columns: dict[str, str]
    personal: tuple[str, ...]
    unused: tuple[str, ...]
    signature: tuple[str, ...]
    advice: str = ""

    def role(self, header: str) -> str | None:
        """``column``, ``personal``, ``unused`` or None (a header the layout does not have)."""
        key = normalise_header(header)
        if key in _keys(tuple(self.columns)):
            return "column"
        if key in _keys(self.personal):
            return "personal"
        if key in _keys(self.unused):
            return "unused"
        return None

    def canonical(self, header: str) -> str:
        """Canonical column of a header of :attr:`columns`."""
        key = normalise_header(header)
        return next(c for h, c in self.columns.items() if normalise_header(h) == key)

    def headers(self) -> list[str]:
        """Every header of the layout, in no particular order."""
        return [*self.columns, *self.personal, *self.unused]


def _keys(headers: tuple[str, ...]) -> set[str]:
    return {normalise_header(h) for h in headers}


#: Signal Logement's export: every column of its current version (in the order it writes
#: them, « Géolocalisation » as « Longitude » and « Latitude ») and of earlier ones.
SIGNAL_LOGEMENT = Layout(
    name="export Signal Logement",
    kind="signalements",
    columns={
        "Référence": "id_signalement",
        "Déposé le": "date_signalement",
        "Statut": "statut",
        "Code INSEE": "code_insee",
        "Fermé le": "date_cloture",
        "Clôturé le": "date_cloture",
        "Motif de clôture": "motif_cloture",
        "Longitude": "longitude",
        "Latitude": "latitude",
    },
    personal=(
        "Description", "Nom occupant", "Prénom occupant", "Tél. occupant", "Téléphone sec.",
        "E-mail occupant", "Adresse", "Étage", "Escalier", "Appartement", "Complément",
        "Photos", "Documents", "Nom bailleur", "Prénom bailleur", "Dénomination bailleur",
        "Adresse bailleur", "Code postal bailleur", "Ville bailleur", "Tél. bailleur",
        "Tél. sec. bailleur", "E-mail bailleur", "Autre situation de vulnérabilité",
        "Numéro allocataire", "Nom tiers", "Matricule tiers", "E-mail tiers",
        "Comm. de la dernière visite", "Commentaire de clôture",
        # Earlier versions.
        "Nom", "Prénom", "Téléphone", "Email",
    ),
    unused=(
        "Type déclarant", "Code postal", "Commune", "Type occupant", "EPCI", "Situations",
        "Désordres", "Criticité au dépôt", "Début des désordres", "Étiquettes",
        "Propriétaire averti", "Date d'information du propriétaire",
        "Moyen d'information du propriétaire", "Nb personnes", "Nb enfants",
        "Enfants -6 ans", "Allocataire", "Nature du logement", "Autres occupants désordres",
        "Superficie", "Logement social", "Préavis de départ", "Demande de relogement",
        "Déclarant tiers", "Structure tiers", "Lien tiers occupant", "Nombre de visites",
        "Date de la dernière visite", "Occupant présent dernière visite",
        "Statut de la dernière visite", "Ccl. de la dernière visite", "Dernière MAJ le",
        # Earlier versions.
        "Nb adultes", "Nb enfants -6 ans", "Nb enfants +6 ans", "Lien avec occupant",
        "Date de visite", "Visité le", "Occupant présent visite", "Statut de la visite",
        "Géolocalisation",
    ),
    signature=("Référence", "Déposé le"),
    advice=(
        "dans Signal Logement, cochez les colonnes « Code INSEE », « Fermé le » et « Motif de "
        "clôture » avant d'exporter"
    ),
)
LAYOUTS: tuple[Layout, ...] = (SIGNAL_LOGEMENT,)

#: A closure whose motif is a procedure says which procedure was taken.
PROCEDURE_OF_MOTIF = {
    "insalubrite": "insalubrite",
    "peril": "peril",
    "rsd": "rsd",
    "non_decence": "non_decence",
}


def detect_layout(kind: str, headers: list[str]) -> Layout | None:
    """The layout of ``kind`` whose signature headers are all in ``headers``, if any."""
    found = {normalise_header(h) for h in headers if h}
    for layout in LAYOUTS:
        if layout.kind == kind and _keys(layout.signature) <= found:
            return layout
    return None


def layout_mapping(layout: Layout, headers: list[str]) -> dict[str, str]:
    """Header → canonical name for :func:`dashboard.intake.parsers.resolve_headers`: the
    layout's columns mapped, its personal and unused columns set aside (``""``)."""
    mapping = {}
    for header in headers:
        role = layout.role(header) if header else None
        if role == "column":
            mapping[header] = layout.canonical(header)
        elif role in ("personal", "unused"):
            mapping[header] = ""
    return mapping


def complete(layout: Layout, frame: pd.DataFrame) -> pd.DataFrame:
    """Columns the layout implies: a Signal Logement closure by a procedure (insalubrité,
    péril, RSD, non-décence) gives the ``procedure`` when the file has none."""
    if layout is SIGNAL_LOGEMENT and "procedure" not in frame and "motif_cloture" in frame:
        motifs = frame["motif_cloture"]
        procedures = [PROCEDURE_OF_MOTIF.get(m) if isinstance(m, str) else None for m in motifs]
        frame = frame.assign(procedure=procedures)
    return frame


#: Name of the published layout of eviction figures, one column per stage.
STAGE_TABLE = "tableau publié des étapes de la procédure d'expulsion"


def unpivot_stages(kind: str, raw: RawTable, mapping: dict[str, str] | None = None) -> RawTable:
    """The published table of eviction stages (one row per territory and year, one column
    per stage, as the ministries publish them by département) read as one row per stage.

    A table of another kind, or with an ``etape`` column, is returned unchanged.
    """
    if kind != "expulsions":
        return raw
    matched, _unknown, _personal = resolve_headers(kind, raw.headers, mapping)
    if "etape" in matched.values():
        return raw
    stage = enum_parser(KINDS[kind].column("etape"))
    stages: dict[int, str] = {}
    for i, header in enumerate(raw.headers):
        if i in matched or not header:
            continue
        try:
            stages[i] = stage(header)
        except ValueError:
            continue
    if len(stages) < 2:
        return raw
    keep = [i for i in range(len(raw.headers)) if i not in stages]
    headers = [raw.headers[i] for i in keep] + ["etape", "nombre"]
    rows = []
    for line, cells in raw.rows:
        base = [cells[i] if i < len(cells) else None for i in keep]
        for i in stages:
            value = cells[i] if i < len(cells) else None
            if value is not None and str(value).strip():
                rows.append((line, [*base, raw.headers[i], value]))
    shown = ", ".join(f"« {raw.headers[i]} »" for i in stages)
    notes = [*raw.notes, (1, f"{STAGE_TABLE} reconnu : colonnes {shown} lues comme étapes")]
    return RawTable(headers, rows, raw.format, dict(raw.details), notes)
