"""The workspace: the tables imported by the users, with an audit trail of every import.

SQLAlchemy 2 Core. By default a SQLite file ``workspace.sqlite`` in the workspace
directory (``TERRITOIRES_WORKSPACE`` or ``~/.local/share/territoires/workspace``); a
``TERRITOIRES_DATABASE_URL`` (for instance ``postgresql+psycopg://…``) replaces it with
no code change. Only portable types are used (String, Integer, Float, Date, Boolean,
DateTime).

A workspace belongs to one département, stored in the ``meta`` table when it is created.
Writing a kind replaces (or appends to) its table and records the import in
``import_log``, all in one transaction: an interrupted import leaves the previous state.
SQLite runs in write-ahead-log mode (:func:`dashboard.store.database.set_journal_mode`):
a killed process cannot half-apply a transaction, and readers never wait for a writer.

**No silent wipe, every import undoable.** Replacing a non-empty table with no row is
refused (:class:`WipeRefusedError`) unless the caller asks for it (``allow_empty``). Before
changing a table, each write copies its previous content into ``{kind}_versions``
(listed in ``versions``, keyed by the id of the write in ``import_log``), in the same
transaction; :meth:`Workspace.restore` puts it back, as a write of its own (logged,
checked, itself undoable). The last :func:`dashboard.settings.versions_kept` versions of
each kind are kept.

Every write names its author, an :class:`~dashboard.store.permissions.Acteur`: the role and
scope rules of :mod:`dashboard.store.permissions` are checked here, in the data layer, and the
author and role go in ``import_log``. Two writes of the same kind serialise
(:mod:`dashboard.store.database`). The schema is versioned with Alembic
(:mod:`dashboard.store.migrations`); :meth:`Workspace.create` brings it to the current version.
"""

from __future__ import annotations

import datetime as dt
import getpass
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dashboard import settings
from dashboard.formatting import fr_datetime, fr_int
from dashboard.settings import DEFAULT_DEPARTEMENT
from dashboard.store import database, snapshots
from dashboard.store.permissions import (
    DELEGUE_EPCI,
    REVIEWED_KINDS,
    ROLE_LABELS,
    USERS_KIND,
    Acteur,
    PermissionRefusee,
    check_write,
    in_scope,
)
from dashboard.store.schemas import KINDS, STATUT_DECLARE, ColumnSpec, coerce_frame

if TYPE_CHECKING:
    import geopandas as gpd

T = TypeVar("T")
#: Workspace location → {kind: (revision of the kind, table)} last read by this process
#: (:meth:`Workspace.read_many`): one version per table, replaced when its kind is written,
#: for the latest :data:`LOCATIONS_KEPT` workspaces only (an app serves one).
_TABLES_READ: OrderedDict[str, dict[str, tuple[str, pd.DataFrame]]] = OrderedDict()
_TABLES_LOCK = threading.Lock()
LOCATIONS_KEPT = 2
DATABASE_FILE = "workspace.sqlite"
SCHEMA_VERSION = "3"
#: Rows per INSERT batch (progress is reported between batches).
BATCH_SIZE = 2000

LOG_COLUMNS = [
    "id", "horodatage", "kind", "fichier", "sha256", "lignes", "mode", "utilisateur",
    "departement", "avertissements", "role",
]
#: Columns of :meth:`Workspace.history`: the log, and the rows of the version kept before
#: each write (NA when none is kept: purged, or a change of users).
HISTORY_COLUMNS = [*LOG_COLUMNS, "lignes_avant"]
USER_COLUMNS = ["identifiant", "nom", "role", "epci_siren", "cree_le"]
#: Modes of ``import_log``: imports replace or append; a restore puts a version back. Users
#: changes are logged as ``ajout`` / ``suppression``.
REPLACE, APPEND, RESTORE = "replace", "append", "restore"
#: French label of each stored mode (a stored code is never shown as such).
MODE_LABELS = {
    REPLACE: "remplacement", APPEND: "ajout", RESTORE: "restauration",
    "ajout": "ajout", "suppression": "suppression",
}
#: Table listing the kept versions (one row per write whose previous state is kept).
VERSIONS = "versions"
#: PostGIS drawings kept with each version of ``perimetres`` (created by migration 0003).
GEOMETRY_VERSIONS = "perimetres_geom_versions"
#: Columns stored for the ``perimetres`` kind (memberships from a drawing).
PERIMETRE_COLUMNS = ["instance_code", "instance_nom", "instance_type", "code_insee"]
#: Lock name of schema changes (creation, migrations) and of the users table.
SCHEMA_LOCK = "schema"


class WorkspaceError(RuntimeError):
    """A workspace operation that cannot be done (wrong département, bad mode…)."""


class WipeRefusedError(WorkspaceError):
    """A replace by no row of a non-empty table (or scope), not asked for: nothing written.

    Attributes
    ----------
    kind : str
        Kind of data.
    rows : int
        Rows that the write would have deleted.
    """

    def __init__(self, kind: str, rows: int, scoped: bool = False) -> None:
        self.kind, self.rows = kind, rows
        what = "les lignes de votre périmètre dans" if scoped else "la table"
        super().__init__(
            f"Aucune ligne à écrire : remplacer « {kind} » viderait {what} "
            f"({fr_int(rows)} ligne{'s' if rows > 1 else ''}). Refusé, rien n'a été écrit ; "
            "pour vider la table, il faut le demander explicitement."
        )


class UnknownImportError(WorkspaceError):
    """An import id that is not in the import log."""


class RestoreImpossibleError(WorkspaceError):
    """A restore that cannot be done: no data kind, or no version kept."""


class UnknownEpciError(WorkspaceError):
    """A délégué's EPCI that is not in the reference of the workspace's département."""


def versions_table(kind: str) -> str:
    """Name of the table holding the kept versions of ``kind`` (``operations_versions``)."""
    return f"{kind}_versions"


def mode_label(mode: str) -> str:
    """French label of a stored mode (« remplacement », « ajout », « restauration »)."""
    return MODE_LABELS.get(mode, mode)


def _sa_type(col: ColumnSpec) -> sa.types.TypeEngine:
    return {
        "int": sa.Integer(),
        "year": sa.Integer(),
        "float": sa.Float(),
        "date": sa.Date(),
        "bool": sa.Boolean(),
    }.get(col.type, sa.String())


def build_metadata() -> sa.MetaData:
    """Table definitions: one table per kind and one of its versions (``{kind}_versions``),
    ``versions``, ``import_log``, ``utilisateurs``, ``meta``, ``instantanes``, ``editions``.

    The migrations of :mod:`dashboard.store.migrations` create exactly these tables (a test
    compares them); ``perimetres_geom`` and ``perimetres_geom_versions`` (PostGIS only) are
    created by the migrations alone.
    """
    md = sa.MetaData()

    def columns(spec) -> list[sa.Column]:
        if spec.geo:  # drawings are stored as the memberships they were converted to
            return [sa.Column(name, sa.String(), nullable=True) for name in PERIMETRE_COLUMNS]
        return [sa.Column(c.name, _sa_type(c), nullable=True) for c in spec.columns]

    for spec in KINDS.values():
        sa.Table(spec.kind, md, sa.Column("id", sa.Integer, primary_key=True), *columns(spec))
        sa.Table(
            versions_table(spec.kind), md, sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("import_id", sa.Integer, nullable=False, index=True), *columns(spec),
        )  # fmt: skip
    sa.Table(
        VERSIONS,
        md,
        sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("lignes", sa.Integer, nullable=False),
    )
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
        sa.Column("role", sa.String(), nullable=True),
    )
    sa.Table(
        "utilisateurs",
        md,
        sa.Column("identifiant", sa.String(), primary_key=True),
        sa.Column("nom", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("epci_siren", sa.String(), nullable=True),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "meta",
        md,
        sa.Column("cle", sa.String(64), primary_key=True),
        sa.Column("valeur", sa.String(), nullable=False),
    )
    sa.Table(
        "instantanes",
        md,
        sa.Column("revision", sa.String(), primary_key=True),
        sa.Column("nom", sa.String(), primary_key=True),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contenu", sa.LargeBinary(), nullable=False),
    )
    sa.Table(  # frozen annual reports (dashboard/store/editions.py)
        "editions",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("annee", sa.Integer, nullable=False),
        sa.Column("date_reference", sa.Date(), nullable=False),
        sa.Column("horodatage", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utilisateur", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=True),
        sa.Column("departement", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("donnees", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pptx", sa.LargeBinary(), nullable=True),
        sa.Column("xlsx", sa.LargeBinary(), nullable=True),
    )
    return md


METADATA = build_metadata()


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
    mode: str = REPLACE
    utilisateur: str = ""
    avertissements: int = 0


@dataclass(frozen=True)
class WriteResult:
    """What one write did.

    Attributes
    ----------
    import_id : int
        Id of the write in ``import_log`` (``territoires restaurer IMPORT_ID`` undoes it).
    rows_written : int
        Rows inserted.
    rows_replaced : int
        Rows deleted by a replace (0 for an append).
    version_kept : bool
        Whether the previous content of the table was kept (retention above 0).
    """

    import_id: int
    rows_written: int
    rows_replaced: int
    version_kept: bool


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: ``kind`` put back as it was before import ``restored``.

    Attributes
    ----------
    import_id : int
        Id of the restore itself in ``import_log`` (it can be undone in turn).
    restored : int
        Id of the import whose previous state was put back.
    kind : str
        Kind of data.
    rows_before, rows_after : int
        Rows of the table (a délégué: of their scope) before and after the restore.
    """

    import_id: int
    restored: int
    kind: str
    rows_before: int
    rows_after: int


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


def _column_values(values: pd.Series) -> list[Any]:
    """The values of a column ready for the database driver (see :func:`_python_value`),
    converted column by column; a column of mixed objects value by value."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.date.astype(object).where(values.notna(), None).tolist()
    if values.dtype == object:
        return [_python_value(v) for v in values]
    return values.to_numpy(dtype=object, na_value=None).tolist()


def _insert_rows(
    conn: Connection,
    kind: str,
    rows: pd.DataFrame,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Insert ``rows`` (stored columns of ``kind``), :data:`BATCH_SIZE` rows per statement.

    Each batch is converted column by column (:func:`_column_values`): the Python objects
    of one batch only are alive. On SQLite, SQLAlchemy's own conversions (dates, booleans)
    are applied column by column too and the batch goes to the driver's ``executemany`` as
    tuples: the statement is the one SQLAlchemy compiles, without its processing of every
    row's parameters (most of the time of a 300 000-row import). Other databases take the
    ordinary ``insert``.
    """
    table = METADATA.tables[kind]
    columns = list(rows.columns)
    total = len(rows)
    dialect = conn.dialect
    compiled = sa.insert(table).compile(dialect=dialect, column_keys=columns)
    positional = dialect.name == "sqlite" and compiled.positiontup is not None
    if positional:
        columns = list(compiled.positiontup)
        processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                      for name in columns]  # fmt: skip
    with database.collector_paused():
        for start in range(0, total, BATCH_SIZE):
            stop = min(start + BATCH_SIZE, total)
            batch = rows.iloc[start:stop]
            values = [_column_values(batch[c]) for c in columns]
            if positional:
                values = [[process(v) for v in column] if process else column
                          for process, column in zip(processors, values, strict=True)]
                conn.exec_driver_sql(str(compiled), list(zip(*values, strict=True)))
            else:
                conn.execute(sa.insert(table), [dict(zip(columns, row, strict=True))
                                                for row in zip(*values, strict=True)])
            if progress is not None:
                progress(stop, total)


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
    empty tables. :meth:`create` makes it. With a PostgreSQL URL, the workspace may live
    in its own schema (``TERRITOIRES_DATABASE_SCHEMA``, see :mod:`dashboard.store.database`).
    """

    #: SQLite journal mode set by :meth:`create` (the benchmark's baseline sets ``delete``).
    journal_mode = "wal"

    def __init__(self, directory: Path, url: str | None = None) -> None:
        self.directory = Path(directory)
        self.url = url or settings.database_url()
        self.schema = database.schema_for(self.directory) if self.url.startswith("postgres") \
            else None
        self._engine: Engine | None = None
        self._migrated = False

    @property
    def database_path(self) -> Path | None:
        """Path of the SQLite file, or None for a database URL."""
        return None if self.url else self.directory / DATABASE_FILE

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (created lazily)."""
        if self._engine is None:
            url = self.url or f"sqlite:///{self.database_path}"
            self._engine = database.make_engine(url, self.schema)
        return self._engine

    def _has_table(self, conn: Connection, name: str) -> bool:
        return sa.inspect(conn).has_table(name, schema=self.schema)

    def _if_table(self, conn: Connection, name: str, run: Callable[[], T], missing: T) -> T:
        """``run()`` on ``conn``, or ``missing`` when the table ``name`` does not exist.

        The table is looked up only when the query fails: one round trip to the database in
        the usual case instead of two (pages ask at every rerun).
        """
        try:
            return run()
        except sa.exc.SQLAlchemyError:
            conn.rollback()
            if self._has_table(conn, name):
                raise
            return missing

    @contextmanager
    def _writing(self, lock: str) -> Iterator[Connection]:
        """A write transaction holding the write lock of ``lock`` (a kind, or schema)."""
        global _local_writes
        writer = self.engine.execution_options(**{database.WRITE_OPTION: True})
        try:
            with writer.begin() as conn:
                database.take_write_lock(conn, self.schema, lock)
                yield conn
        finally:
            _local_writes += 1

    def exists(self) -> bool:
        """Whether the workspace has been created (its ``meta`` table holds a département)."""
        return self.departement is not None

    def _meta(self) -> dict[str, str]:
        meta = METADATA.tables["meta"]
        with self.engine.connect() as conn:
            return self._if_table(
                conn, "meta", lambda: {r.cle: r.valeur for r in conn.execute(sa.select(meta))}, {}
            )

    @property
    def departement(self) -> str | None:
        """Département of the workspace, None if it does not exist yet."""
        path = self.database_path
        if path is not None and not path.exists():
            return None
        try:
            return self._meta().get("departement")
        except sa.exc.SQLAlchemyError:
            return None

    def create(self, departement: str) -> None:
        """Create the workspace for ``departement``, or bring its schema up to date.

        Runs the Alembic migrations (:mod:`dashboard.store.migrations`) under the schema lock,
        so that several processes may call it at once.

        Raises
        ------
        WorkspaceError
            If it already belongs to another département.
        """
        current = self.departement
        if current is not None and current != departement:
            raise WorkspaceError(
                f"L'espace de travail {self.directory} appartient au département "
                f"{current}, pas au {departement}."
            )
        if current is not None and self._migrated:
            return
        from dashboard.store import migrations

        if self.database_path is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
        database.ensure_schema(self.engine, self.schema)
        database.set_journal_mode(self.engine, self.journal_mode)
        meta = METADATA.tables["meta"]
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._writing(SCHEMA_LOCK) as conn:
            migrations.upgrade(conn)
            rows = {r.cle: r.valeur for r in conn.execute(sa.select(meta))}
            if "departement" not in rows:
                conn.execute(sa.delete(meta))
                conn.execute(sa.insert(meta), [
                    {"cle": "departement", "valeur": departement},
                    {"cle": "schema_version", "valeur": SCHEMA_VERSION},
                    {"cle": "cree_le", "valeur": now},
                ])
            elif rows.get("schema_version") != SCHEMA_VERSION:
                conn.execute(sa.update(meta).where(meta.c.cle == "schema_version")
                             .values(valeur=SCHEMA_VERSION))
        self._migrated = True
        if self.departement != departement:  # created at the same time by another process
            raise WorkspaceError(f"L'espace de travail {self.directory} appartient au "
                                 f"département {self.departement}, pas au {departement}.")

    def read(self, kind: str, ids: bool = False) -> pd.DataFrame:
        """The table of ``kind`` as a DataFrame with canonical columns and dtypes.

        Rows come back in import order. An absent workspace gives an empty frame. With
        ``ids``, a first column ``id`` holds the row identifiers (to review a row).
        """
        if kind not in KINDS:
            raise KeyError(f"type de données inconnu : {kind}")
        columns = stored_columns(kind)
        rows: list[Any] = []
        if self.exists():
            table = METADATA.tables[kind]
            query = sa.select(table.c.id, *(table.c[c] for c in columns)).order_by(table.c.id)
            with self.engine.connect() as conn:  # a kind added by a later migration: no table
                rows = self._if_table(conn, kind, lambda: conn.execute(query).all(), [])
        frame = pd.DataFrame([tuple(r) for r in rows], columns=["id", *columns])
        row_ids = frame.pop("id").astype("Int64")
        out = frame.astype("str") if KINDS[kind].geo else coerce_frame(kind, frame)
        if ids:
            out.insert(0, "id", row_ids.to_numpy())
        return out

    def read_many(self, kinds: Iterable[str]) -> dict[str, pd.DataFrame]:
        """The tables of ``kinds``, as :meth:`read` gives them, each read again only when
        data of its kind was written since this process last read it.

        One query gives the revision of every kind (see :meth:`revision`); a table whose
        kind has not moved comes from the process's last reading. Each frame is a shallow
        copy (copy-on-write): a caller that changes it changes only its own.
        """
        kinds = list(dict.fromkeys(kinds))
        revisions = self._kind_revisions(kinds)
        here: dict[str, tuple[str, pd.DataFrame]] = {}
        if revisions:
            with _TABLES_LOCK:
                here = _TABLES_READ.setdefault(revisions[""], {})
                _TABLES_READ.move_to_end(revisions[""])
                while len(_TABLES_READ) > LOCATIONS_KEPT:
                    _TABLES_READ.popitem(last=False)
        out: dict[str, pd.DataFrame] = {}
        for kind in kinds:
            revision = revisions.get(kind)
            kept = here.get(kind)
            if revision is None or kept is None or kept[0] != revision:
                # Labelled with the revision read before it: never older than its label.
                kept = (revision, self.read(kind))
                if revision is not None:
                    here[kind] = kept
            out[kind] = kept[1].copy(deep=False)
        return out

    def _kind_revisions(self, kinds: list[str]) -> dict[str, str]:
        """:meth:`revision` of each kind alone, in one query, and under ``""`` the
        workspace's location; empty when the workspace or its log does not exist."""
        where = self._where()
        if where is None:
            return {}
        log = METADATA.tables["import_log"]
        query = (sa.select(log.c.kind, sa.func.count(), sa.func.max(log.c.id))
                 .where(log.c.kind.in_(kinds)).group_by(log.c.kind))  # fmt: skip
        first = sa.select(sa.func.min(log.c.horodatage))
        try:
            with self.engine.connect() as conn:
                found = self._if_table(conn, "import_log", lambda: (
                    conn.execute(first).scalar(), conn.execute(query).all()), None)  # fmt: skip
        except sa.exc.SQLAlchemyError:
            return {}
        if found is None:
            return {}
        start, rows = found
        counted = {str(kind): (count, last) for kind, count, last in rows}
        out = {kind: "{}|{}|{}|{}".format(where, start, *counted.get(kind, (0, None)))
               for kind in kinds}  # fmt: skip
        out[""] = where
        return out

    def _where(self) -> str | None:
        """Where the data live, for the keys of :meth:`revision` (None: no workspace)."""
        path = self.database_path
        if path is None:
            return f"{sa.make_url(self.url).render_as_string(hide_password=True)}|{self.schema}"
        if not path.exists():
            return None
        return f"{path}:{path.stat().st_ino}"

    def count(self, kind: str) -> int:
        """Number of rows in the table of ``kind`` (0 when the workspace does not exist)."""
        if not self.exists():
            return 0
        table = METADATA.tables[kind]
        with self.engine.connect() as conn:
            if not self._has_table(conn, kind):
                return 0
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())

    def revision(self, kinds: Iterable[str] | None = None) -> str:
        """A key that changes whenever the workspace is written (for the app's caches).

        The number and last id of the import log, which every write appends to in its own
        transaction, so that a write through another process or replica changes it too,
        with the time of the first write (a rebuilt workspace is a new history even if it
        counts the same). With ``kinds``, only writes of those kinds count (e.g. the map
        layers depend on ``instances`` and ``perimetres`` only). Never creates the workspace.
        """
        where = self._where()
        if where is None:
            return "sans-espace"
        log = METADATA.tables["import_log"]
        counted = log.c.kind.in_(list(kinds)) if kinds is not None else sa.true()
        query = sa.select(
            sa.func.count().filter(counted), sa.func.max(log.c.id).filter(counted),
            sa.func.min(log.c.horodatage),
        )  # fmt: skip
        try:
            with self.engine.connect() as conn:
                found = self._if_table(conn, "import_log", lambda: conn.execute(query).one(), None)
                if found is None:
                    return f"{where}|sans-journal"
                count, last, first = found
        except sa.exc.SQLAlchemyError:
            return f"{where}|indisponible"
        return f"{where}|{first}|{count}|{last}"

    def snapshot(self, name: str, compute: Callable[[], bytes],
                 revision: str | None = None) -> bytes:  # fmt: skip
        """The result ``name`` for the data of ``revision``, computed once for every process.

        ``revision`` (default: the current :meth:`revision`) is the one the caller read
        *before* ``compute`` reads the data: the data are never older than their label. A
        page passes the revision it read at its start, which keys its own caches too.

        Read from the ``instantanes`` table under that revision; when it is missing,
        computed by ``compute`` while holding the write lock of that name (other processes
        asking for it wait, then read it) and stored. A write that lands meanwhile makes a
        new revision: requests made after it never read this snapshot. See
        :mod:`dashboard.store.snapshots`. ``compute`` must not ask for another snapshot.
        """
        if not self.exists():
            return compute()
        table = METADATA.tables["instantanes"]
        revision = revision or self.revision()
        query = sa.select(table.c.contenu).where(table.c.revision == revision,
                                                 table.c.nom == name)  # fmt: skip
        with self.engine.connect() as conn:
            found = self._if_table(conn, "instantanes", lambda: (conn.execute(query).scalar(),),
                                   None)  # fmt: skip
        if found is None:  # not migrated yet: no storing
            return compute()
        found = found[0]
        if found is not None:
            return bytes(found)
        with self._writing(f"instantane:{name}") as conn:
            found = conn.execute(query).scalar()
            if found is not None:  # computed by another process while this one waited
                return bytes(found)
            data = compute()
            kept = sa.select(table.c.revision).group_by(table.c.revision).order_by(
                sa.func.max(table.c.cree_le).desc()).limit(snapshots.KEPT_REVISIONS - 1)
            conn.execute(sa.delete(table).where(table.c.revision != revision,
                                                table.c.revision.not_in(kept.scalar_subquery())))
            conn.execute(sa.insert(table), {"revision": revision, "nom": name,
                                            "cree_le": dt.datetime.now(dt.UTC),
                                            "contenu": data})  # fmt: skip
        return data

    def shared(self, departement: str, name: str, compute: Callable[[], dict],
               revision: str | None = None) -> dict:  # fmt: skip
        """``compute()`` (a dict of frames and JSON values) once per data version for every
        process, when this workspace is the département's; otherwise simply computed.

        The value always comes back through :func:`dashboard.store.snapshots.unpack`, so
        that the process that computed it and those that read it see the same types.
        ``revision``: as in :meth:`snapshot`.
        """
        if self.departement != departement:
            return snapshots.unpack(snapshots.pack(compute()))
        data = self.snapshot(f"v{snapshots.FORMAT}|{departement}|{name}",
                             lambda: snapshots.pack(compute()), revision)  # fmt: skip
        return snapshots.unpack(data)

    def snapshot_names(self) -> list[tuple[str, str]]:
        """(revision, name) of the stored snapshots (for tests and the benchmark)."""
        if not self.exists():
            return []
        table = METADATA.tables["instantanes"]
        with self.engine.connect() as conn:
            if not self._has_table(conn, "instantanes"):
                return []
            rows = conn.execute(sa.select(table.c.revision, table.c.nom)).all()
        return [(r.revision, r.nom) for r in rows]

    def history(self) -> pd.DataFrame:
        """The import log (every write, with its author and role), most recent first.

        Columns :data:`HISTORY_COLUMNS`: those of ``import_log`` and ``lignes_avant``, the
        rows of the version kept before each write (``<NA>`` when none is kept).
        """
        if not self.exists():
            return pd.DataFrame(columns=HISTORY_COLUMNS)
        log = METADATA.tables["import_log"]
        versions = METADATA.tables[VERSIONS]
        with self.engine.connect() as conn:
            present = {c["name"] for c in sa.inspect(conn).get_columns("import_log",
                                                                          schema=self.schema)}
            cols = [log.c[c] if c in present else sa.null().label(c) for c in LOG_COLUMNS]
            source: sa.FromClause = log
            if self._has_table(conn, VERSIONS):  # before migration 0003: no version
                cols.append(versions.c.lignes.label("lignes_avant"))
                source = log.outerjoin(versions, versions.c.import_id == log.c.id)
            else:
                cols.append(sa.null().label("lignes_avant"))
            rows = conn.execute(sa.select(*cols).select_from(source)
                                .order_by(log.c.id.desc())).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=HISTORY_COLUMNS)
        return frame.astype({"id": "int64", "lignes_avant": "Int64"})

    def epci_of_commune(self) -> dict[str, str]:
        """Commune code → SIREN of its EPCI, from the reference of the workspace."""
        from geo.reference import load_reference

        communes = load_reference(self.departement or DEFAULT_DEPARTEMENT).communes
        return dict(zip(communes["code_insee"], communes["epci_siren"], strict=True))

    def write(
        self,
        kind: str,
        frame: pd.DataFrame,
        record: ImportRecord,
        progress: Callable[[int, int], None] | None = None,
        *,
        acteur: Acteur | None = None,
        epci_of_commune: Mapping[str, str] | None = None,
        lines: Sequence[int] | None = None,
        geometries: gpd.GeoDataFrame | None = None,
        allow_empty: bool = False,
    ) -> WriteResult:
        """Replace (or append to) the table of ``kind`` and log the write, atomically.

        The previous content of the table is kept as a version (:meth:`restore` puts it
        back) in the same transaction, and the oldest versions of ``kind`` beyond
        :func:`dashboard.settings.versions_kept` are dropped.

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
        acteur : Acteur, optional
            Author. Default: the local administrateur named ``record.utilisateur`` (the
            local mode, with no login).
        epci_of_commune : mapping, optional
            Commune → EPCI SIREN for a délégué's scope (default: from the reference).
        lines : sequence of int, optional
            Line of each row in the file, for refusal messages.
        geometries : GeoDataFrame, optional
            Drawings of a ``perimetres`` import, kept in PostGIS when available.
        allow_empty : bool
            Allow a replace by no row to empty a non-empty table (``--vider``).

        Returns
        -------
        WriteResult
            Id of the write in the log, rows written and replaced.

        Raises
        ------
        PermissionRefusee
            When the role or scope of ``acteur`` does not allow the write (nothing is
            written). A délégué's ``replace`` only replaces the rows of their scope (for
            réalisations and comments, their declarations: never the official figures).
        WipeRefusedError
            When ``frame`` is empty, the mode is ``replace``, the rows it would delete are
            not, and ``allow_empty`` is false (nothing is written).
        """
        if record.mode not in (REPLACE, APPEND):
            raise WorkspaceError(f"Mode d'import inconnu : {record.mode}")
        departement = self.departement
        if departement is None:
            raise WorkspaceError("L'espace de travail n'existe pas encore : créez-le d'abord.")
        acteur = acteur or Acteur.local(record.utilisateur or current_user())
        delegue = acteur.role == DELEGUE_EPCI
        if delegue and epci_of_commune is None:
            epci_of_commune = self.epci_of_commune()
        check_write(acteur, kind, frame, epci_of_commune or {}, lines)
        kept = _versions_kept()
        self.create(departement)  # schema up to date before the first write
        columns = stored_columns(kind)
        table = METADATA.tables[kind]
        data = frame[columns].copy()
        if "auteur" in data:  # the author of a comment or an entry defaults to the importer
            data["auteur"] = data["auteur"].astype(object).where(data["auteur"].notna(),
                                                                 acteur.identifiant)
        if delegue and "statut_validation" in data:  # a délégué's entry awaits review
            data["statut_validation"] = STATUT_DECLARE
        total = len(data)
        with self._writing(kind) as conn:
            replaced_ids: list[int] | None = None
            replaced = 0
            if record.mode == REPLACE:
                if delegue:
                    replaced_ids = _scope_ids(conn, kind, acteur, epci_of_commune or {})
                    replaced = len(replaced_ids)
                else:
                    replaced = _count(conn, kind)
            if record.mode == REPLACE and total == 0 and replaced and not allow_empty:
                raise WipeRefusedError(kind, replaced, scoped=delegue)
            import_id = _audit(conn, record, kind, acteur, departement)
            if kept:
                _keep_version(conn, kind, import_id)
            if record.mode == REPLACE:
                _delete_rows(conn, kind, replaced_ids)
            elif kind == "signalements":
                # A later export of the same signalements updates them: a « Référence »
                # already stored is replaced, never duplicated.
                ids = sorted({str(v) for v in _column_values(data["id_signalement"])})
                for start in range(0, len(ids), BATCH_SIZE):
                    chunk = ids[start : start + BATCH_SIZE]
                    conn.execute(sa.delete(table).where(table.c.id_signalement.in_(chunk)))
            _insert_rows(conn, kind, data[columns], progress)
            if geometries is not None and record.mode == REPLACE:
                _write_geometries(conn, geometries)
            _prune_versions(conn, kind, kept)
        if progress is not None and total == 0:
            progress(0, 0)
        return WriteResult(import_id, total, replaced, bool(kept))

    def rows_replaced(self, kind: str, acteur: Acteur | None = None,
                      epci_of_commune: Mapping[str, str] | None = None) -> int:
        """Rows that a replace of ``kind`` by ``acteur`` would delete (a délégué: their scope).

        What the « Données » page and :func:`~dashboard.intake.imports.import_file` check
        before a file with no row; :meth:`write` checks it again inside its transaction.
        """
        if acteur is None or acteur.role != DELEGUE_EPCI:
            return self.count(kind)
        if not self.exists():
            return 0
        scope = epci_of_commune if epci_of_commune is not None else self.epci_of_commune()
        with self.engine.connect() as conn:
            if not self._has_table(conn, kind):
                return 0
            return len(_scope_ids(conn, kind, acteur, scope))

    def restore(
        self,
        import_id: int,
        acteur: Acteur | None = None,
        *,
        allow_empty: bool = False,
        epci_of_commune: Mapping[str, str] | None = None,
    ) -> RestoreResult:
        """Put the table of import ``import_id`` back as it was before that import.

        One transaction, under the write lock of the kind: the current content is kept as
        a version (so the restore can be undone in turn), the table takes the kept version,
        and the restore is logged with the mode ``restore``.

        Parameters
        ----------
        import_id : int
            Id of a write in :meth:`history` (an import, or a restore).
        acteur : Acteur, optional
            Author (default: the local administrateur). The role must allow writing the
            kind, as for an import. A délégué puts back the rows of their scope only (their
            EPCI and, where the kind allows, its communes); other rows stay as they are.
        allow_empty : bool
            Allow the restore to empty a non-empty table (or a délégué's scope).
        epci_of_commune : mapping, optional
            Commune → EPCI SIREN for a délégué's scope (default: from the reference).

        Raises
        ------
        UnknownImportError
            No such id in the log.
        RestoreImpossibleError
            The entry is not an import of data (a change of users), or its version is no
            longer kept.
        PermissionRefusee
            The role may not write this kind.
        WipeRefusedError
            The restore would empty a non-empty table and ``allow_empty`` is false.
        """
        departement = self.departement
        entry = self._log_entry(import_id) if departement is not None else None
        if entry is None:
            raise UnknownImportError(f"aucun import n° {import_id} dans l'historique de l'espace "
                                f"de travail {self.directory}")
        kind = entry["kind"]
        if kind not in KINDS:
            raise RestoreImpossibleError(f"l'entrée n° {import_id} de l'historique ({kind}) n'est "
                                    "pas un import de données : rien à restaurer")
        acteur = acteur or Acteur.local(current_user())
        delegue = acteur.role == DELEGUE_EPCI
        if delegue and epci_of_commune is None:
            epci_of_commune = self.epci_of_commune()
        check_write(acteur, kind, pd.DataFrame(columns=stored_columns(kind)), {})
        kept = _versions_kept()
        self.create(departement)
        table = METADATA.tables[kind]
        stored = METADATA.tables[versions_table(kind)]
        columns = stored_columns(kind)
        with self._writing(kind) as conn:
            version = conn.execute(sa.select(METADATA.tables[VERSIONS].c.lignes).where(
                METADATA.tables[VERSIONS].c.import_id == import_id)).first()
            if version is None:
                raise RestoreImpossibleError(
                    f"l'état d'avant l'import n° {import_id} ({kind}) n'est plus conservé : "
                    f"seules les {kept} dernières versions de chaque type de données sont "
                    "gardées (TERRITOIRES_VERSIONS_KEPT)")
            kept_rows = sa.select(*(stored.c[c] for c in columns)).where(
                stored.c.import_id == import_id).order_by(stored.c.id)
            replaced_ids: list[int] | None = None
            if delegue:
                previous = pd.DataFrame([tuple(r) for r in conn.execute(kept_rows)],
                                        columns=columns)
                previous = previous[in_scope(acteur, kind, previous,
                                             epci_of_commune or {}).to_numpy()]
                if kind in REVIEWED_KINDS:  # a délégué's rows are their declarations only
                    previous = previous[previous["statut_validation"].notna().to_numpy()]
                replaced_ids = _scope_ids(conn, kind, acteur, epci_of_commune or {})
                before, after = len(replaced_ids), len(previous)
            else:
                before, after = _count(conn, kind), int(version.lignes)
            if after == 0 and before and not allow_empty:
                raise WipeRefusedError(kind, before, scoped=delegue)
            record = ImportRecord(kind=kind, fichier=f"état d'avant l'import n° {import_id}",
                                  sha256="", lignes=after, mode=RESTORE)
            new_id = _audit(conn, record, kind, acteur, departement)
            if kept:
                _keep_version(conn, kind, new_id)
            _delete_rows(conn, kind, replaced_ids)
            if delegue:
                _insert_rows(conn, kind, previous[columns])
            else:
                conn.execute(sa.insert(table).from_select(columns, kept_rows))
                if kind == "perimetres":
                    _restore_geometries(conn, import_id)
            _prune_versions(conn, kind, kept)
        return RestoreResult(new_id, import_id, kind, before, after)

    def _log_entry(self, import_id: int) -> dict[str, Any] | None:
        """One row of ``import_log`` as a dict, None if there is none."""
        log = METADATA.tables["import_log"]
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(log.c.id, log.c.kind, log.c.mode)
                               .where(log.c.id == import_id)).first()
        return None if row is None else dict(row._mapping)

    def perimeter_geometries(self) -> gpd.GeoDataFrame | None:
        """The last uploaded perimeter drawings from PostGIS (None without PostGIS)."""
        if not self.exists() or self.engine.dialect.name != "postgresql":
            return None
        import geopandas as gpd

        with self.engine.connect() as conn:
            if not self._has_table(conn, "perimetres_geom"):
                return None
            rows = conn.execute(sa.text(
                "SELECT instance_code, instance_nom, instance_type, ST_AsBinary(geom) AS wkb "
                "FROM perimetres_geom ORDER BY id")).all()
        frame = pd.DataFrame([tuple(r) for r in rows],
                             columns=["instance_code", "instance_nom", "instance_type", "wkb"])
        geometry = gpd.GeoSeries.from_wkb([bytes(w) for w in frame.pop("wkb")], crs="EPSG:4326")
        return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")

    # ----------------------------------------------------------------- users and roles

    def users(self) -> pd.DataFrame:
        """The users table: identifiant, nom, role, epci_siren, cree_le."""
        if not self.exists():
            return pd.DataFrame(columns=USER_COLUMNS)
        table = METADATA.tables["utilisateurs"]
        with self.engine.connect() as conn:
            if not self._has_table(conn, "utilisateurs"):
                return pd.DataFrame(columns=USER_COLUMNS)
            rows = conn.execute(sa.select(table).order_by(table.c.identifiant)).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=USER_COLUMNS)

    def user(self, identifiant: str) -> Acteur | None:
        """The user registered as ``identifiant`` (case-insensitive), None if unknown."""
        key = normalise_identifiant(identifiant)
        users = self.users()
        found = users[users["identifiant"] == key]
        if found.empty:
            return None
        row = {k: (v if pd.notna(v) else None) for k, v in found.iloc[0].items()}
        return Acteur(identifiant=row["identifiant"], role=row["role"], nom=row["nom"] or "",
                      epci_siren=row["epci_siren"])

    def save_user(self, acteur: Acteur, user: Acteur) -> None:
        """Add or update ``user``; only an administrateur may. Logged in ``import_log``.

        Raises
        ------
        PermissionRefusee
            If ``acteur`` is not an administrateur.
        UnknownEpciError
            If ``user`` is a délégué whose EPCI is not in the reference of the workspace's
            département.
        WorkspaceError
            If the workspace does not exist.
        """
        self._users_change(acteur, user.identifiant, "ajout", user)

    def remove_user(self, acteur: Acteur, identifiant: str) -> bool:
        """Remove a user (administrateur only, logged); False if there was none."""
        return self._users_change(acteur, identifiant, "suppression", None)

    def _users_change(self, acteur: Acteur, identifiant: str, mode: str,
                      user: Acteur | None) -> bool:
        check_write(acteur, USERS_KIND, pd.DataFrame(), {})
        departement = self.departement
        if departement is None:
            raise WorkspaceError("L'espace de travail n'existe pas encore : créez-le d'abord.")
        if user is not None and user.role == DELEGUE_EPCI:
            _check_epci(departement, str(user.epci_siren))
        self.create(departement)
        table = METADATA.tables["utilisateurs"]
        key = normalise_identifiant(identifiant)
        with self._writing(USERS_KIND) as conn:
            deleted = conn.execute(sa.delete(table).where(table.c.identifiant == key)).rowcount
            if user is not None:
                conn.execute(sa.insert(table), {
                    "identifiant": key, "nom": user.nom or key, "role": user.role,
                    "epci_siren": user.epci_siren, "cree_le": dt.datetime.now(dt.UTC),
                })
            elif not deleted:
                return False
            role = ROLE_LABELS[user.role] if user else "–"
            record = ImportRecord(kind=USERS_KIND, fichier=f"{key} ({role})",
                                  sha256="", lignes=1, mode=mode)
            _audit(conn, record, USERS_KIND, acteur, departement)
        return True

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections; a shared server engine stays open for the next
        handle (:func:`dashboard.store.database.make_engine`). Called on leaving a ``with``
        block: ``with open_workspace() as ws: …``."""
        if self._engine is not None:
            if not database.is_shared(self._engine):
                self._engine.dispose()
            self._engine = None


def history_records(history: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of :meth:`Workspace.history` ready to show or print as JSON, in French.

    Each record has ``id``, ``horodatage`` (ISO 8601, UTC), ``date`` (« 15/03/2025 14:02 »,
    Paris time), ``kind``, ``fichier``, ``lignes``, ``mode`` (« remplacement », « ajout »,
    « restauration »…), ``utilisateur``, ``role`` (« délégué EPCI »…), ``avertissements``,
    ``sha256``, ``lignes_avant`` (rows of the kept previous state, None if not kept) and
    ``restaurable`` (whether ``territoires restaurer id`` can put it back).
    """
    records = []
    for row in history.itertuples(index=False):
        when = pd.Timestamp(row.horodatage)
        when = when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")
        kept = None if pd.isna(row.lignes_avant) else int(row.lignes_avant)
        records.append({
            "id": int(row.id),
            "horodatage": when.isoformat(),
            "date": fr_datetime(when.to_pydatetime()),
            "kind": row.kind,
            "fichier": row.fichier,
            "lignes": int(row.lignes),
            "mode": mode_label(row.mode),
            "utilisateur": row.utilisateur,
            "role": ROLE_LABELS.get(row.role, "–") if isinstance(row.role, str) else "–",
            "avertissements": int(row.avertissements),
            "sha256": row.sha256 or None,
            "lignes_avant": kept,
            "restaurable": kept is not None and row.kind in KINDS,
        })
    return records


def state_before_label(record: Mapping[str, Any]) -> str:
    """« 317 lignes », « non conservé » or « – » (no data kind) for a history record."""
    if record["kind"] not in KINDS:
        return "–"
    rows = record["lignes_avant"]
    if rows is None:
        return "non conservé"
    return f"{fr_int(rows)} ligne{'s' if rows > 1 else ''}"


def normalise_identifiant(identifiant: str) -> str:
    """User key: the e-mail or login, stripped and in lower case."""
    return str(identifiant).strip().lower()


def _audit(conn: Connection, record: ImportRecord, kind: str, acteur: Acteur,
           departement: str) -> int:
    """Record one write in ``import_log`` with its author and role (same transaction).

    Returns the id of the new log row.
    """
    result = conn.execute(sa.insert(METADATA.tables["import_log"]), {
        "horodatage": dt.datetime.now(dt.UTC),
        "kind": kind,
        "fichier": record.fichier,
        "sha256": record.sha256,
        "lignes": record.lignes,
        "mode": record.mode,
        "utilisateur": acteur.identifiant,
        "departement": departement,
        "avertissements": record.avertissements,
        "role": acteur.role,
    })
    return int(result.inserted_primary_key[0])


def _versions_kept() -> int:
    """:func:`dashboard.settings.versions_kept`, its error as a workspace error."""
    try:
        return settings.versions_kept()
    except ValueError as exc:
        raise WorkspaceError(str(exc)) from exc


def _count(conn: Connection, kind: str) -> int:
    table = METADATA.tables[kind]
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _scope_ids(conn: Connection, kind: str, acteur: Acteur,
               epci_of_commune: Mapping[str, str]) -> list[int]:
    """Ids of the rows of ``kind`` inside the délégué's scope, and only those; for the
    reviewed kinds, only their declarations (the official figures are not theirs)."""
    table = METADATA.tables[kind]
    query = sa.select(table.c.id, table.c.territoire_type, table.c.territoire_code)
    if kind in REVIEWED_KINDS:
        query = query.where(table.c.statut_validation.is_not(None))
    current = pd.DataFrame(conn.execute(query).all(),
                           columns=["id", "territoire_type", "territoire_code"])  # fmt: skip
    if current.empty:
        return []
    mask = in_scope(acteur, kind, current, epci_of_commune).to_numpy()
    return [int(i) for i in current.loc[mask, "id"]]


def _delete_rows(conn: Connection, kind: str, ids: list[int] | None) -> None:
    """Delete the rows ``ids`` of ``kind`` (None: every row)."""
    table = METADATA.tables[kind]
    if ids is None:
        conn.execute(sa.delete(table))
        return
    for start in range(0, len(ids), BATCH_SIZE):
        conn.execute(sa.delete(table).where(table.c.id.in_(ids[start : start + BATCH_SIZE])))


def _geometry_versions(conn: Connection) -> bool:
    """Whether the PostGIS drawings are versioned on this connection."""
    return database.has_postgis(conn) and sa.inspect(conn).has_table(GEOMETRY_VERSIONS)


_DRAWING = "instance_code, instance_nom, instance_type, geom"


def _keep_version(conn: Connection, kind: str, import_id: int) -> None:
    """Copy the current content of ``kind`` as the version kept before write ``import_id``.

    One ``INSERT … SELECT`` in the database, in the caller's transaction: the rows never
    travel through Python, whatever the size of the table.
    """
    table = METADATA.tables[kind]
    stored = METADATA.tables[versions_table(kind)]
    columns = stored_columns(kind)
    rows = _count(conn, kind)
    conn.execute(sa.insert(stored).from_select(
        ["import_id", *columns],
        sa.select(sa.literal(import_id, sa.Integer), *(table.c[c] for c in columns))
        .order_by(table.c.id),
    ))
    conn.execute(sa.insert(METADATA.tables[VERSIONS]),
                 {"import_id": import_id, "kind": kind, "lignes": rows})
    if kind == "perimetres" and _geometry_versions(conn):
        conn.execute(sa.text(
            f"INSERT INTO {GEOMETRY_VERSIONS} (import_id, {_DRAWING}) "
            f"SELECT :i, {_DRAWING} FROM perimetres_geom ORDER BY id"), {"i": import_id})


def _restore_geometries(conn: Connection, import_id: int) -> None:
    """Put back the PostGIS drawings kept with version ``import_id`` (PostGIS only)."""
    if not _geometry_versions(conn):
        return
    conn.execute(sa.text("DELETE FROM perimetres_geom"))
    conn.execute(sa.text(
        f"INSERT INTO perimetres_geom ({_DRAWING}) SELECT {_DRAWING} FROM {GEOMETRY_VERSIONS} "
        "WHERE import_id = :i ORDER BY id"), {"i": import_id})


def _prune_versions(conn: Connection, kind: str, kept: int) -> None:
    """Drop the versions of ``kind`` older than the ``kept`` most recent ones."""
    versions = METADATA.tables[VERSIONS]
    stored = METADATA.tables[versions_table(kind)]
    old = [int(i) for i, in conn.execute(
        sa.select(versions.c.import_id).where(versions.c.kind == kind)
        .order_by(versions.c.import_id.desc()).offset(kept))]
    geometry = kind == "perimetres" and bool(old) and _geometry_versions(conn)
    for start in range(0, len(old), BATCH_SIZE):
        chunk = old[start : start + BATCH_SIZE]
        conn.execute(sa.delete(stored).where(stored.c.import_id.in_(chunk)))
        conn.execute(sa.delete(versions).where(versions.c.import_id.in_(chunk)))
        if geometry:
            conn.execute(sa.text(f"DELETE FROM {GEOMETRY_VERSIONS} WHERE import_id = ANY(:ids)"),
                         {"ids": chunk})


def _check_epci(departement: str, siren: str) -> None:
    """Refuse an EPCI that has no commune in the reference of ``departement``."""
    from geo.reference import load_reference

    reference = load_reference(departement)
    if siren in set(reference.epci["siren"].astype(str)):
        return
    raise UnknownEpciError(
        f"l'EPCI {siren} n'existe pas dans le référentiel du département {departement} "
        f"({reference.departement_nom}) : un délégué EPCI doit être rattaché à un EPCI du "
        f"département (liste : territoires reference {departement} --json)"
    )


def _write_geometries(conn: Connection, geometries: gpd.GeoDataFrame) -> None:
    """Replace the drawings in ``perimetres_geom`` (PostGIS only; skipped elsewhere)."""
    if not database.has_postgis(conn) or not sa.inspect(conn).has_table("perimetres_geom"):
        return
    drawn = geometries.to_crs("EPSG:4326")
    conn.execute(sa.text("DELETE FROM perimetres_geom"))
    conn.execute(
        sa.text("INSERT INTO perimetres_geom (instance_code, instance_nom, instance_type, geom) "
                "VALUES (:code, :nom, :type, ST_Multi(ST_GeomFromWKB(:wkb, 4326)))"),
        [{"code": r.instance_code, "nom": r.instance_nom, "type": r.instance_type,
          "wkb": r.geometry.wkb} for r in drawn.itertuples(index=False)],
    )


#: Write transactions this process has run (see :func:`local_writes`).
_local_writes = 0


def local_writes() -> int:
    """How many write transactions this process has run: a value computed from the
    workspace earlier in the same page run is stale once it changes."""
    return _local_writes


def open_workspace(directory: str | Path | None = None, url: str | None = None) -> Workspace:
    """Open the workspace in ``directory`` without writing.

    The default directory is :func:`dashboard.settings.workspace_dir`.

    Parameters
    ----------
    directory : str or Path, optional
        Workspace directory.
    url : str, optional
        SQLAlchemy URL overriding ``TERRITOIRES_DATABASE_URL`` and the SQLite file.
    """
    return Workspace(Path(directory) if directory else settings.workspace_dir(), url=url)


__all__ = [
    "Acteur", "PermissionRefusee", "Workspace", "WorkspaceError", "local_writes", "open_workspace",
]  # fmt: skip
