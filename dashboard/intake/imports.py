"""Check and import user files: one way through for the CLI, the page and the demo.

``check_file`` reads and validates without writing anything; ``import_file`` does the
same and, only when the file has no error, writes it to the workspace in one
transaction (all or nothing) and records it in the import log.

Every import has an author, an :class:`~dashboard.store.permissions.Acteur`. Without one, the
author is the local administrateur (the local mode, with no login). A file with rows
that the author's role or scope does not allow is refused as a whole, with an error
naming those rows, and nothing is written. A file with no row does not empty a table
that has some, unless asked (``allow_empty``); every import can be undone
(:meth:`dashboard.store.workspace.Workspace.restore`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from dashboard.intake.drawings import validate_drawing
from dashboard.intake.limits import Deadline, ValidationTimeoutError
from dashboard.intake.messages import Message, ValidationResult
from dashboard.intake.parsers import printable
from dashboard.intake.readers import ReadError, read_geo_bytes, read_table, release_memory
from dashboard.intake.tables import validate_table
from dashboard.store.database import collector_paused
from dashboard.store.permissions import DELEGUE_EPCI, Acteur, PermissionRefusee, check_write
from dashboard.store.schemas import KINDS
from dashboard.store.workspace import (
    ImportRecord,
    WipeRefusedError,
    Workspace,
    current_user,
)
from geo.reference import Reference

if TYPE_CHECKING:
    import geopandas as gpd

#: Kinds whose ``territoire_code`` may name an instance of the workspace.
_USES_INSTANCES = ("objectifs", "realisations", "plans", "commentaires", "actions")
#: Kinds whose ``action`` column names an action of the workspace's programme.
_USES_ACTIONS = ("jalons", "commentaires")


class UnknownKindError(ValueError):
    """A kind of data that the workspace does not know."""


@dataclass
class ImportReport:
    """What a check or an import found and did.

    Attributes
    ----------
    kind, filename, sha256 : str
        Kind of data, file name (label only) and SHA-256 of the bytes.
    rows : int
        Data rows (features for drawings) in the file.
    errors, warnings : list of Message
        Messages with line and column.
    frame : DataFrame or None
        Normalised rows (memberships for drawings).
    details : dict
        How the file was read (format, encoding, delimiter, sheet).
    columns : dict
        Canonical name → header as written.
    unknown_headers : list of str
        Headers matched to no canonical column.
    imported : bool
        Whether the rows were written to the workspace.
    rows_written : int
        Rows written (memberships for drawings).
    lines : list of int
        Line of each row of ``frame`` in the file (tables only).
    geometries : GeoDataFrame or None
        The drawings of a valid ``perimetres`` file, in WGS84 (kept in PostGIS).
    refusal : str
        Why the author may not write these rows, or why the file may not empty the table
        (also in ``errors``); empty otherwise.
    wipe : int
        Rows that the file, having none, would have deleted: the import was refused for
        that (0 otherwise).
    import_id : int or None
        Id of the import in the log, once written.
    rows_replaced : int
        Rows the import replaced (deleted before writing).
    """

    kind: str
    filename: str
    sha256: str
    rows: int = 0
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    frame: pd.DataFrame | None = None
    details: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    unknown_headers: list[str] = field(default_factory=list)
    imported: bool = False
    rows_written: int = 0
    lines: list[int] = field(default_factory=list)
    geometries: gpd.GeoDataFrame | None = None
    refusal: str = ""
    wipe: int = 0
    import_id: int | None = None
    rows_replaced: int = 0

    @property
    def valid(self) -> bool:
        """True when the file has no error."""
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``territoires check`` (docs/ARCHITECTURE.md, « Ligne de commande »)."""
        return {
            "kind": self.kind,
            "rows": self.rows,
            "valid": self.valid,
            "errors": [m.as_dict() for m in self.errors],
            "warnings": [m.as_dict() for m in self.warnings],
        }


def _require_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UnknownKindError(
            f"Type de données inconnu : « {kind} » ; types possibles : {', '.join(KINDS)}"
        )


def check_file(
    kind: str,
    data: bytes,
    filename: str,
    reference: Reference,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    instance_codes: set[str] | None = None,
    time_limit: float | None = -1.0,
    action_codes: set[str] | None = None,
) -> ImportReport:
    """Read and validate a file without writing anything.

    Parameters
    ----------
    kind : str
        Kind of data (``operations``, ``signalements``, ``perimetres``…).
    data : bytes
        Content of the file. Nothing is ever read from a path given by the user here.
    filename : str
        Name shown in messages and in the import log.
    reference : Reference
        Reference of the workspace's département.
    mapping : dict, optional
        Header as written → canonical name ("" to ignore the column).
    sheet : str, optional
        Sheet of an XLSX workbook (default: the first).
    instance_codes : set of str, optional
        Instance codes known in the workspace (unknown ones give a warning).
    time_limit : float, optional
        Seconds the validation may take (default ``TERRITOIRES_VALIDATION_SECONDS``; None:
        no bound); past it, the file is reported invalid with a French message.
    action_codes : set of str, optional
        Action codes of the workspace's programme (unknown ones give a warning).

    Raises
    ------
    UnknownKindError
        For a kind that does not exist.
    """
    _require_kind(kind)
    filename = printable(filename)  # a label, kept in the log: no control character
    report = ImportReport(kind=kind, filename=filename, sha256=hashlib.sha256(data).hexdigest())
    label = filename or "fichier"
    deadline = Deadline(time_limit)
    try:
        if KINDS[kind].geo:
            drawing, fmt = read_geo_bytes(data, filename)
            report.details = {"format": fmt, "crs": str(drawing.crs) if drawing.crs else ""}
            result: ValidationResult = validate_drawing(drawing, reference, filename, mapping,
                                                        deadline)
        else:
            with collector_paused():
                raw = read_table(data, filename, sheet, deadline)
                report.details = {"format": raw.format, **raw.details}
                result = validate_table(kind, raw, reference, filename, mapping,
                                        instance_codes, deadline, action_codes, release=True)
                del raw
                release_memory()
    except (ReadError, ValidationTimeoutError) as exc:
        report.errors.append(Message(None, None, f"{label} : {exc}"))
        return report
    report.rows = result.rows
    report.errors = result.errors
    report.warnings = result.warnings
    report.frame = result.frame
    report.columns = result.columns
    report.unknown_headers = result.unknown_headers
    report.lines = result.lines
    if KINDS[kind].geo and report.valid:
        report.geometries = _drawings(drawing, result.columns)
    return report


def _drawings(drawing: gpd.GeoDataFrame, names: dict[str, str]) -> gpd.GeoDataFrame:
    """The drawn perimeters with canonical attribute names, in WGS84."""
    import geopandas as gpd

    if drawing.crs is None:  # accepted as WGS84 by the validation
        drawing = drawing.set_crs("EPSG:4326")
    attrs = {
        name: drawing[names[name]].astype("string") if name in names else None
        for name in ("instance_code", "instance_nom", "instance_type")
    }
    frame = gpd.GeoDataFrame(attrs, geometry=drawing.geometry.to_numpy(), crs=drawing.crs)
    frame["instance_type"] = frame["instance_type"].fillna("clh")
    return frame.to_crs("EPSG:4326")


def import_file(
    kind: str,
    data: bytes,
    filename: str,
    workspace: Workspace,
    reference: Reference,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    mode: str = "replace",
    user: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    acteur: Acteur | None = None,
    allow_empty: bool = False,
    checked: ImportReport | None = None,
) -> ImportReport:
    """Check a file and, if it has no error, write it to the workspace atomically.

    An invalid file writes nothing (the workspace is not even created). A valid one
    replaces the table of its kind (``mode="append"`` adds to it) and is logged, in one
    transaction, which also keeps the previous content of the table (to undo it). A
    valid file with no row is refused in ``replace`` mode when the table (a délégué: their
    scope) has rows, unless ``allow_empty``: ``report.wipe`` then says how many.

    Parameters
    ----------
    kind, data, filename, reference, mapping, sheet
        As for :func:`check_file`.
    workspace : Workspace
        Target workspace; created for ``reference.departement`` if it does not exist.
    mode : str
        ``replace`` (default) or ``append``.
    user : str, optional
        Who imports in local mode (default: the login of the process).
    progress : callable, optional
        Called with ``(rows_written, total)`` during the write.
    acteur : Acteur, optional
        Author, whose role and scope are checked (default: local administrateur
        ``user``). A refusal is reported as an error of the file; nothing is written.
    allow_empty : bool
        Let a file with no row empty the table (``--vider``, or the page's confirmation).
    checked : ImportReport, optional
        The report of :func:`check_file` on these very bytes and kind (the page has just
        shown it): the file is not validated a second time.

    Raises
    ------
    dashboard.store.workspace.WorkspaceError
        If the workspace belongs to another département.
    """
    instance_codes = None
    if kind in _USES_INSTANCES and workspace.exists():
        known = set(workspace.read("instances")["instance_code"].dropna())
        known |= set(workspace.read("perimetres")["instance_code"].dropna())
        instance_codes = known or None
    action_codes = None
    if kind in _USES_ACTIONS and workspace.exists():
        action_codes = set(workspace.read("actions")["code"].dropna().astype(str))
    sha256 = hashlib.sha256(data).hexdigest()
    if checked is not None and (checked.kind, checked.sha256) == (kind, sha256):
        report = replace(checked, errors=list(checked.errors))  # the caller's stays as is
    else:
        report = check_file(kind, data, filename, reference, mapping, sheet, instance_codes,
                            action_codes=action_codes)
    if not report.valid or report.frame is None:
        return report
    acteur = acteur or Acteur.local(user or current_user())
    epci_of_commune: dict[str, str] = {}
    if acteur.role == DELEGUE_EPCI:
        communes = reference.communes
        epci_of_commune = dict(zip(communes["code_insee"], communes["epci_siren"], strict=True))
    try:
        check_write(acteur, kind, report.frame, epci_of_commune, report.lines)
    except PermissionRefusee as exc:
        report.refusal = str(exc)
        report.errors.append(Message(None, None, report.refusal))
        return report
    empty = report.frame.empty and mode == "replace" and not allow_empty
    if empty and workspace.departement == reference.departement:
        wiped = workspace.rows_replaced(kind, acteur, epci_of_commune)
        if wiped:  # refused before anything is opened for writing
            return _refuse_wipe(report, WipeRefusedError(kind, wiped, acteur.role == DELEGUE_EPCI))
    workspace.create(reference.departement)
    record = ImportRecord(
        kind=kind,
        fichier=printable(filename),
        sha256=report.sha256,
        lignes=report.rows,
        mode=mode,
        utilisateur=user or "",
        avertissements=len(report.warnings),
    )
    try:
        written = workspace.write(
            kind, report.frame, record, progress=progress, acteur=acteur,
            epci_of_commune=epci_of_commune, lines=report.lines, geometries=report.geometries,
            allow_empty=allow_empty,
        )  # fmt: skip
    except WipeRefusedError as exc:  # rows written by someone else since the check above
        return _refuse_wipe(report, exc)
    report.rows_written = written.rows_written
    report.rows_replaced = written.rows_replaced
    report.import_id = written.import_id
    report.imported = True
    return report


def _refuse_wipe(report: ImportReport, exc: WipeRefusedError) -> ImportReport:
    report.wipe = exc.rows
    report.refusal = f"{report.filename or 'fichier'} : {exc}"
    report.errors.append(Message(None, None, report.refusal))
    return report
