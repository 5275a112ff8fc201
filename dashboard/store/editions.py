"""Frozen annual reports (« bilan annuel d'exécution »): one row of ``editions`` each.

An edition holds the JSON of its figures and the PDF, PPTX and XLSX made from them, in
the workspace database itself, so that every replica serves the same files. It is
written once and never updated: a later import changes the tables, not the editions.
Freezing a year again is refused unless asked for (``replace``); the earlier edition is
then kept, marked as replaced, and both writes are in the import log.

The figures are computed above this layer (:mod:`dashboard.exports.bilan`); this module
only stores and reads them, and says which data versions a freeze read
(:func:`data_versions`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa

from dashboard.store.permissions import EDITIONS_KIND, Acteur, check_review
from dashboard.store.workspace import METADATA, ImportRecord, Workspace, WorkspaceError, _audit

#: File formats kept with each edition (columns of ``editions``).
FILE_FORMATS = ("pdf", "pptx", "xlsx")
LIST_COLUMNS = [
    "id", "annee", "date_reference", "horodatage", "utilisateur", "role", "sha256",
    "remplacee", "octets",
]  # fmt: skip
#: Import-log modes after which a table no longer holds what came before.
_RESETTING = frozenset({"replace"})


@dataclass
class Edition:
    """One frozen edition: its figures (``donnees``) and its files, as stored."""

    id: int
    annee: int
    date_reference: dt.date
    horodatage: dt.datetime
    utilisateur: str
    role: str | None
    sha256: str
    donnees: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)


def canonical_json(donnees: Mapping[str, Any]) -> str:
    """The stored text of an edition's figures (UTF-8, stable key order)."""
    return json.dumps(donnees, ensure_ascii=False, sort_keys=True, default=str)


def save_edition(
    workspace: Workspace,
    acteur: Acteur,
    annee: int,
    date_reference: dt.date,
    donnees: Mapping[str, Any],
    files: Mapping[str, bytes],
    replace: bool = False,
) -> int:
    """Store a frozen edition and log it; return its id.

    Raises
    ------
    PermissionRefusee
        If ``acteur`` is neither comité nor administrateur.
    WorkspaceError
        If the workspace does not exist, or the year is already frozen and ``replace`` is
        false.
    """
    check_review(acteur, f"geler le bilan {annee}")
    departement = workspace.departement
    if departement is None:
        raise WorkspaceError("L'espace de travail n'existe pas encore : créez-le d'abord.")
    workspace.create(departement)
    table = METADATA.tables["editions"]
    text = canonical_json(donnees)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with workspace._writing(EDITIONS_KIND) as conn:
        earlier = conn.execute(
            sa.select(table.c.horodatage, table.c.utilisateur).where(table.c.annee == annee)
            .order_by(table.c.id.desc())
        ).first()  # fmt: skip
        if earlier is not None and not replace:
            when = pd.Timestamp(earlier.horodatage).strftime("%d/%m/%Y")
            raise WorkspaceError(
                f"Le bilan {annee} est déjà gelé (le {when}, par {earlier.utilisateur}) : une "
                "édition gelée ne change plus. Demandez explicitement une nouvelle édition "
                "(--remplacer) ; l'ancienne reste consultable."
            )
        new_id = conn.execute(sa.insert(table).values(
            annee=int(annee), date_reference=date_reference,
            horodatage=dt.datetime.now(dt.UTC), utilisateur=acteur.identifiant,
            role=acteur.role, departement=departement, sha256=digest, donnees=text,
            **{fmt: files.get(fmt) for fmt in FILE_FORMATS},
        )).inserted_primary_key[0]  # fmt: skip
        record = ImportRecord(
            kind=EDITIONS_KIND, fichier=f"bilan {annee} (édition {new_id})", sha256=digest,
            lignes=1, mode="remplacement" if earlier is not None else "gel",
        )
        _audit(conn, record, EDITIONS_KIND, acteur, departement)
    return int(new_id)


def list_editions(workspace: Workspace) -> pd.DataFrame:
    """Every edition, latest year first (no file contents): :data:`LIST_COLUMNS`.

    ``remplacee`` is true for an edition that a later one of the same year replaced;
    ``octets`` is the size of its files.
    """
    if not workspace.exists():
        return pd.DataFrame(columns=LIST_COLUMNS)
    table = METADATA.tables["editions"]
    size = sum(
        (sa.func.coalesce(sa.func.length(table.c[fmt]), 0) for fmt in FILE_FORMATS),
        sa.literal(0),
    )
    with workspace.engine.connect() as conn:
        if not workspace._has_table(conn, "editions"):
            return pd.DataFrame(columns=LIST_COLUMNS)
        rows = conn.execute(sa.select(
            table.c.id, table.c.annee, table.c.date_reference, table.c.horodatage,
            table.c.utilisateur, table.c.role, table.c.sha256, size.label("octets"),
        ).order_by(table.c.annee.desc(), table.c.id.desc())).all()  # fmt: skip
    frame = pd.DataFrame([tuple(r) for r in rows],
                         columns=[c for c in LIST_COLUMNS if c != "remplacee"])  # fmt: skip
    frame.insert(7, "remplacee", frame.duplicated("annee", keep="first"))
    return frame[LIST_COLUMNS]


def read_edition(
    workspace: Workspace, annee: int | None = None, edition_id: int | None = None,
    with_files: bool = True,
) -> Edition | None:
    """The current edition of ``annee`` (the latest frozen), or edition ``edition_id``."""
    if not workspace.exists():
        return None
    table = METADATA.tables["editions"]
    columns = [c for c in table.c if with_files or c.name not in FILE_FORMATS]
    query = sa.select(*columns)
    if edition_id is not None:
        query = query.where(table.c.id == int(edition_id))
    elif annee is not None:
        query = query.where(table.c.annee == int(annee)).order_by(table.c.id.desc())
    else:
        raise ValueError("read_edition attend une année ou un identifiant d'édition")
    with workspace.engine.connect() as conn:
        if not workspace._has_table(conn, "editions"):
            return None
        row = conn.execute(query).first()
    if row is None:
        return None
    values = row._mapping
    files = {fmt: bytes(values[fmt]) for fmt in FILE_FORMATS
             if fmt in values and values[fmt] is not None}  # fmt: skip
    return Edition(
        id=int(values["id"]), annee=int(values["annee"]),
        date_reference=values["date_reference"], horodatage=values["horodatage"],
        utilisateur=values["utilisateur"], role=values["role"], sha256=values["sha256"],
        donnees=json.loads(values["donnees"]), files=files,
    )  # fmt: skip


def table_fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's content as read (same rows, same order → same print)."""
    digest = hashlib.sha256("\x1f".join(map(str, frame.columns)).encode("utf-8"))
    digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy().tobytes())
    return digest.hexdigest()


def data_versions(workspace: Workspace, kinds: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The data versions of ``kinds`` as they stand: what an edition was made from.

    For each kind: its rows, a fingerprint of its content (:func:`table_fingerprint`) and
    the imports it holds — the last ``replace`` and every write logged after it (appends,
    reviews), each with its id, date, file, SHA-256, mode and author.
    """
    history = workspace.history()
    out: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        frame = workspace.read(kind)
        log = history[history["kind"] == kind]  # most recent first
        chain = []
        for row in log.itertuples(index=False):
            chain.append({
                "id": int(row.id), "horodatage": pd.Timestamp(row.horodatage).isoformat(),
                "fichier": row.fichier, "sha256": row.sha256, "mode": row.mode,
                "utilisateur": row.utilisateur, "lignes": int(row.lignes),
            })  # fmt: skip
            if row.mode in _RESETTING:
                break
        out[kind] = {
            "lignes": len(frame),
            "empreinte": table_fingerprint(frame),
            "imports": list(reversed(chain)),
        }
    return out
