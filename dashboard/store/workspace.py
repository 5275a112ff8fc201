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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dashboard import settings
from dashboard.settings import DEFAULT_DEPARTEMENT
from dashboard.store import database
from dashboard.store.permissions import (
    DELEGUE_EPCI,
    REVIEWED_KINDS,
    USERS_KIND,
    Acteur,
    PermissionRefusee,
    check_write,
    in_scope,
)
from dashboard.store.schemas import KINDS, STATUT_DECLARE, ColumnSpec, coerce_frame

if TYPE_CHECKING:
    import geopandas as gpd

DATABASE_FILE = "workspace.sqlite"
SCHEMA_VERSION = "2"
#: Rows per INSERT batch (progress is reported between batches).
BATCH_SIZE = 2000

LOG_COLUMNS = [
    "id", "horodatage", "kind", "fichier", "sha256", "lignes", "mode", "utilisateur",
    "departement", "avertissements", "role",
]
USER_COLUMNS = ["identifiant", "nom", "role", "epci_siren", "cree_le"]
#: Lock name of schema changes (creation, migrations) and of the users table.
SCHEMA_LOCK = "schema"


class WorkspaceError(RuntimeError):
    """A workspace operation that cannot be done (wrong département, bad mode…)."""


def _sa_type(col: ColumnSpec) -> sa.types.TypeEngine:
    return {
        "int": sa.Integer(),
        "year": sa.Integer(),
        "float": sa.Float(),
        "date": sa.Date(),
        "bool": sa.Boolean(),
    }.get(col.type, sa.String())


def build_metadata() -> sa.MetaData:
    """Table definitions: one table per kind, ``import_log``, ``utilisateurs``, ``meta``,
    ``editions``.

    The migrations of :mod:`dashboard.store.migrations` create exactly these tables (a test
    compares them); ``perimetres_geom`` (PostGIS only) is created by the migration alone.
    """
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
    empty tables. :meth:`create` makes it. With a PostgreSQL URL, the workspace may live
    in its own schema (``TERRITOIRES_DATABASE_SCHEMA``, see :mod:`dashboard.store.database`).
    """

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

    @contextmanager
    def _writing(self, lock: str) -> Iterator[Connection]:
        """A write transaction holding the write lock of ``lock`` (a kind, or schema)."""
        writer = self.engine.execution_options(**{database.WRITE_OPTION: True})
        with writer.begin() as conn:
            database.take_write_lock(conn, self.schema, lock)
            yield conn

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
            if not self._has_table(conn, "meta"):
                return {}
            return {r.cle: r.valeur for r in conn.execute(sa.select(meta))}

    @property
    def departement(self) -> str | None:
        """Département of the workspace, None if it does not exist yet."""
        if not self.exists():
            return None
        return self._meta().get("departement")

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
            with self.engine.connect() as conn:
                if self._has_table(conn, kind):  # a kind added by a later migration
                    rows = conn.execute(
                        sa.select(table.c.id, *(table.c[c] for c in columns))
                        .order_by(table.c.id)
                    ).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=["id", *columns])
        row_ids = frame.pop("id").astype("Int64")
        out = frame.astype("str") if KINDS[kind].geo else coerce_frame(kind, frame)
        if ids:
            out.insert(0, "id", row_ids.to_numpy())
        return out

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
        path = self.database_path
        if path is None:
            where = f"{sa.make_url(self.url).render_as_string(hide_password=True)}|{self.schema}"
        elif not path.exists():
            return "sans-espace"
        else:
            where = f"{path}:{path.stat().st_ino}"
        log = METADATA.tables["import_log"]
        counted = log.c.kind.in_(list(kinds)) if kinds is not None else sa.true()
        query = sa.select(
            sa.func.count().filter(counted), sa.func.max(log.c.id).filter(counted),
            sa.func.min(log.c.horodatage),
        )  # fmt: skip
        try:
            with self.engine.connect() as conn:
                if not self._has_table(conn, "import_log"):
                    return f"{where}|sans-journal"
                count, last, first = conn.execute(query).one()
        except sa.exc.SQLAlchemyError:
            return f"{where}|indisponible"
        return f"{where}|{first}|{count}|{last}"

    def history(self) -> pd.DataFrame:
        """The import log (every write, with its author and role), most recent first."""
        if not self.exists():
            return pd.DataFrame(columns=LOG_COLUMNS)
        log = METADATA.tables["import_log"]
        with self.engine.connect() as conn:
            present = {c["name"] for c in sa.inspect(conn).get_columns("import_log",
                                                                          schema=self.schema)}
            cols = [log.c[c] if c in present else sa.null().label(c) for c in LOG_COLUMNS]
            rows = conn.execute(sa.select(*cols).order_by(log.c.id.desc())).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=LOG_COLUMNS)

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
    ) -> int:
        """Replace (or append to) the table of ``kind`` and log the write, atomically.

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

        Returns
        -------
        int
            Number of rows written.

        Raises
        ------
        PermissionRefusee
            When the role or scope of ``acteur`` does not allow the write (nothing is
            written). A délégué's ``replace`` only replaces the rows of their scope (for
            réalisations and comments, their declarations: never the official figures).
        """
        if record.mode not in ("replace", "append"):
            raise WorkspaceError(f"Mode d'import inconnu : {record.mode}")
        departement = self.departement
        if departement is None:
            raise WorkspaceError("L'espace de travail n'existe pas encore : créez-le d'abord.")
        acteur = acteur or Acteur.local(record.utilisateur or current_user())
        delegue = acteur.role == DELEGUE_EPCI
        if delegue and epci_of_commune is None:
            epci_of_commune = self.epci_of_commune()
        check_write(acteur, kind, frame, epci_of_commune or {}, lines)
        self.create(departement)  # schema up to date before the first write
        columns = stored_columns(kind)
        table = METADATA.tables[kind]
        data = frame[columns].copy()
        if "auteur" in data:  # the author of a comment or an entry defaults to the importer
            data["auteur"] = data["auteur"].astype(object).where(data["auteur"].notna(),
                                                                 acteur.identifiant)
        if delegue and "statut_validation" in data:  # a délégué's entry awaits review
            data["statut_validation"] = STATUT_DECLARE
        records = [
            {c: _python_value(v) for c, v in zip(columns, row, strict=True)}
            for row in data.itertuples(index=False, name=None)
        ]
        total = len(records)
        with self._writing(kind) as conn:
            if record.mode == "replace":
                if delegue:
                    self._delete_scope(conn, kind, acteur, epci_of_commune or {})
                else:
                    conn.execute(sa.delete(table))
            for start in range(0, total, BATCH_SIZE):
                conn.execute(sa.insert(table), records[start : start + BATCH_SIZE])
                if progress is not None:
                    progress(min(start + BATCH_SIZE, total), total)
            if geometries is not None and record.mode == "replace":
                _write_geometries(conn, geometries)
            _audit(conn, record, kind, acteur, departement)
        if progress is not None and total == 0:
            progress(0, 0)
        return total

    def _delete_scope(
        self, conn: Connection, kind: str, acteur: Acteur, epci_of_commune: Mapping[str, str]
    ) -> None:
        """Delete the rows of ``kind`` inside the délégué's scope, and only those; for the
        reviewed kinds, only their declarations (the official figures are not theirs)."""
        table = METADATA.tables[kind]
        query = sa.select(table.c.id, table.c.territoire_type, table.c.territoire_code)
        if kind in REVIEWED_KINDS:
            query = query.where(table.c.statut_validation.is_not(None))
        current = pd.DataFrame(conn.execute(query).all(),
                               columns=["id", "territoire_type", "territoire_code"])  # fmt: skip
        if current.empty:
            return
        ids = [int(i) for i in current.loc[in_scope(acteur, kind, current, epci_of_commune),
                                           "id"]]
        for start in range(0, len(ids), BATCH_SIZE):
            conn.execute(sa.delete(table).where(table.c.id.in_(ids[start : start + BATCH_SIZE])))

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
            record = ImportRecord(kind=USERS_KIND, fichier=f"{key} ({user.role if user else '-'})",
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


def normalise_identifiant(identifiant: str) -> str:
    """User key: the e-mail or login, stripped and in lower case."""
    return str(identifiant).strip().lower()


def _audit(conn: Connection, record: ImportRecord, kind: str, acteur: Acteur,
           departement: str) -> None:
    """Record one write in ``import_log`` with its author and role (same transaction)."""
    conn.execute(sa.insert(METADATA.tables["import_log"]), {
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


__all__ = ["Acteur", "PermissionRefusee", "Workspace", "WorkspaceError", "open_workspace"]
