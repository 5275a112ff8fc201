"""The workspace: the tables imported by the users, with an audit trail of every import.

SQLAlchemy 2 Core. By default a SQLite file ``workspace.sqlite`` in the workspace
directory (``TERRITOIRES_WORKSPACE`` or ``~/.local/share/territoires/workspace``); a
``TERRITOIRES_DATABASE_URL`` (for instance ``postgresql+psycopg://…``) replaces it with
no code change. Only portable types are used (String, Integer, Float, Date, Boolean,
DateTime).

A workspace belongs to one département, stored in the ``meta`` table when it is created.
Writing a kind replaces (or appends to) its table and records the import in
``import_log``, all in one transaction: an interrupted import leaves the previous state.
SQLite keeps its default rollback journal, which a killed process cannot half-apply.
"""

from __future__ import annotations

import datetime as dt
import getpass
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.schemas import KINDS, ColumnSpec, coerce_frame

DATABASE_FILE = "workspace.sqlite"
SCHEMA_VERSION = "1"
#: Rows per INSERT batch (progress is reported between batches).
BATCH_SIZE = 2000

LOG_COLUMNS = [
    "id", "horodatage", "kind", "fichier", "sha256", "lignes", "mode", "utilisateur",
    "departement", "avertissements",
]


class WorkspaceError(RuntimeError):
    """A workspace operation that cannot be done (wrong département, bad mode…)."""


def default_workspace_dir() -> Path:
    """Workspace directory: ``$TERRITOIRES_WORKSPACE`` or the default location.

    The default is ``~/.local/share/territoires/workspace``.
    """
    env = os.environ.get("TERRITOIRES_WORKSPACE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "territoires" / "workspace"


def _sa_type(col: ColumnSpec) -> sa.types.TypeEngine:
    return {
        "int": sa.Integer(),
        "year": sa.Integer(),
        "float": sa.Float(),
        "date": sa.Date(),
        "bool": sa.Boolean(),
    }.get(col.type, sa.String())


def build_metadata() -> sa.MetaData:
    """Table definitions: one table per kind, ``import_log`` and ``meta``."""
    md = sa.MetaData()
    for spec in KINDS.values():
        cols = [sa.Column(c.name, _sa_type(c), nullable=True) for c in spec.columns]
        if spec.geo:  # drawings are stored as the memberships they were converted to
            cols = [
                sa.Column(name, sa.String(), nullable=True)
                for name in ("instance_code", "instance_nom", "instance_type", "code_insee")
            ]
        sa.Table(spec.kind, md, sa.Column("id", sa.Integer, primary_key=True), *cols)
    sa.Table(
        "import_log",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("horodatage", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("fichier", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("lignes", sa.Integer, nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("utilisateur", sa.String(), nullable=False),
        sa.Column("departement", sa.String(), nullable=False),
        sa.Column("avertissements", sa.Integer, nullable=False),
    )
    sa.Table(
        "meta",
        md,
        sa.Column("cle", sa.String(64), primary_key=True),
        sa.Column("valeur", sa.String(), nullable=False),
    )
    return md


METADATA = build_metadata()

#: Columns stored for the ``perimetres`` kind (memberships from a drawing).
PERIMETRE_COLUMNS = ["instance_code", "instance_nom", "instance_type", "code_insee"]


def stored_columns(kind: str) -> list[str]:
    """Columns of the table of ``kind`` in the workspace (without ``id``)."""
    if KINDS[kind].geo:
        return list(PERIMETRE_COLUMNS)
    return KINDS[kind].names


@dataclass(frozen=True)
class ImportRecord:
    """What the import log keeps about one import."""

    kind: str
    fichier: str
    sha256: str
    lignes: int
    mode: str = "replace"
    utilisateur: str = ""
    avertissements: int = 0


def current_user() -> str:
    """Login of the person running the import (``inconnu`` when it cannot be read)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry / no login name in containers
        return "inconnu"


def _python_value(value: Any) -> Any:
    """A value ready for the database driver: no NaN/NaT/NA, dates as ``date``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


class Workspace:
    """One workspace: a database and the directory that holds it.

    Parameters
    ----------
    directory : Path
        Workspace directory (holds ``workspace.sqlite`` unless a URL is given).
    url : str, optional
        SQLAlchemy URL; default ``TERRITOIRES_DATABASE_URL`` or the SQLite file.

    Notes
    -----
    Opening a workspace never writes: reading a workspace that does not exist yet gives
    empty tables. :meth:`create` makes it.
    """

    def __init__(self, directory: Path, url: str | None = None) -> None:
        self.directory = Path(directory)
        self.url = url or os.environ.get("TERRITOIRES_DATABASE_URL") or ""
        self._engine: Engine | None = None

    @property
    def database_path(self) -> Path | None:
        """Path of the SQLite file, or None for a database URL."""
        return None if self.url else self.directory / DATABASE_FILE

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (created lazily)."""
        if self._engine is None:
            url = self.url or f"sqlite:///{self.database_path}"
            self._engine = sa.create_engine(url)
        return self._engine

    def exists(self) -> bool:
        """Whether the workspace has been created (its ``meta`` table holds a département)."""
        path = self.database_path
        if path is not None and not path.exists():
            return False
        try:
            return self._meta().get("departement") is not None
        except sa.exc.SQLAlchemyError:
            return False

    def _meta(self) -> dict[str, str]:
        meta = METADATA.tables["meta"]
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("meta"):
                return {}
            return {r.cle: r.valeur for r in conn.execute(sa.select(meta))}

    @property
    def departement(self) -> str | None:
        """Département of the workspace, None if it does not exist yet."""
        if not self.exists():
            return None
        return self._meta().get("departement")

    def create(self, departement: str) -> None:
        """Create the workspace for ``departement`` (no-op if it exists for the same one).

        Raises
        ------
        WorkspaceError
            If it already belongs to another département.
        """
        current = self.departement
        if current is not None:
            if current != departement:
                raise WorkspaceError(
                    f"L'espace de travail {self.directory} appartient au département "
                    f"{current}, pas au {departement}."
                )
            return
        if self.database_path is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
        METADATA.create_all(self.engine)
        meta = METADATA.tables["meta"]
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.engine.begin() as conn:
            conn.execute(sa.delete(meta))
            conn.execute(
                sa.insert(meta),
                [
                    {"cle": "departement", "valeur": departement},
                    {"cle": "schema_version", "valeur": SCHEMA_VERSION},
                    {"cle": "cree_le", "valeur": now},
                ],
            )

    def read(self, kind: str) -> pd.DataFrame:
        """The table of ``kind`` as a DataFrame with canonical columns and dtypes.

        Rows come back in import order. An absent workspace gives an empty frame.
        """
        if kind not in KINDS:
            raise KeyError(f"type de données inconnu : {kind}")
        columns = stored_columns(kind)
        if not self.exists():
            rows: list[Any] = []
        else:
            table = METADATA.tables[kind]
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(*(table.c[c] for c in columns)).order_by(table.c.id)
                ).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
        if KINDS[kind].geo:
            return frame.astype("str")
        return coerce_frame(kind, frame)

    def count(self, kind: str) -> int:
        """Number of rows in the table of ``kind`` (0 when the workspace does not exist)."""
        if not self.exists():
            return 0
        table = METADATA.tables[kind]
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())

    def history(self) -> pd.DataFrame:
        """The import log, most recent first."""
        if not self.exists():
            return pd.DataFrame(columns=LOG_COLUMNS)
        log = METADATA.tables["import_log"]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(log).order_by(log.c.id.desc())).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=LOG_COLUMNS)

    def write(
        self,
        kind: str,
        frame: pd.DataFrame,
        record: ImportRecord,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Replace (or append to) the table of ``kind`` and log the import, atomically.

        Parameters
        ----------
        kind : str
            Kind of data; ``frame`` must already be validated.
        frame : DataFrame
            Rows with the canonical columns (memberships for ``perimetres``).
        record : ImportRecord
            What to write in the import log; ``record.mode`` is ``replace`` or ``append``.
        progress : callable, optional
            Called with ``(rows_written, total)`` after each batch.

        Returns
        -------
        int
            Number of rows written.
        """
        if record.mode not in ("replace", "append"):
            raise WorkspaceError(f"Mode d'import inconnu : {record.mode}")
        departement = self.departement
        if departement is None:
            raise WorkspaceError("L'espace de travail n'existe pas encore : créez-le d'abord.")
        columns = stored_columns(kind)
        table = METADATA.tables[kind]
        records = [
            {c: _python_value(v) for c, v in zip(columns, row, strict=True)}
            for row in frame[columns].itertuples(index=False, name=None)
        ]
        total = len(records)
        log = METADATA.tables["import_log"]
        with self.engine.begin() as conn:
            if record.mode == "replace":
                conn.execute(sa.delete(table))
            for start in range(0, total, BATCH_SIZE):
                conn.execute(sa.insert(table), records[start : start + BATCH_SIZE])
                if progress is not None:
                    progress(min(start + BATCH_SIZE, total), total)
            conn.execute(
                sa.insert(log),
                {
                    "horodatage": dt.datetime.now(dt.UTC),
                    "kind": kind,
                    "fichier": record.fichier,
                    "sha256": record.sha256,
                    "lignes": record.lignes,
                    "mode": record.mode,
                    "utilisateur": record.utilisateur or current_user(),
                    "departement": departement,
                    "avertissements": record.avertissements,
                },
            )
        if progress is not None and total == 0:
            progress(0, 0)
        return total

    def dispose(self) -> None:
        """Close the pooled connections (tests, end of a CLI run)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def open_workspace(directory: str | Path | None = None, url: str | None = None) -> Workspace:
    """Open the workspace in ``directory`` (default :func:`default_workspace_dir`) without writing.

    Parameters
    ----------
    directory : str or Path, optional
        Workspace directory.
    url : str, optional
        SQLAlchemy URL overriding ``TERRITOIRES_DATABASE_URL`` and the SQLite file.
    """
    return Workspace(Path(directory) if directory else default_workspace_dir(), url=url)
