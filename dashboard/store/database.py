"""Engines for the workspace: SQLite by default, PostgreSQL (PostGIS) by URL.

The same SQLAlchemy Core code runs on both. What differs is kept here:

- **SQLite**: the driver's own transaction handling is switched off so that a write can
  start with ``BEGIN IMMEDIATE``, which takes the write lock at once: two imports
  serialise (the second waits up to :data:`SQLITE_TIMEOUT` seconds, then fails cleanly).
  The file is in write-ahead-log mode (:func:`set_journal_mode`, at workspace creation):
  readers keep reading the last committed state while an import writes, instead of
  stalling behind it as with the rollback journal (``territoires bench`` measures it).
- **PostgreSQL**: a write takes ``pg_advisory_xact_lock`` on a key derived from the
  schema and the kind, released at commit or rollback. Optionally each workspace lives in
  its own PostgreSQL *schema* (``TERRITOIRES_DATABASE_SCHEMA``), for instance one per
  département on a shared server; ``@dossier`` derives the schema from the workspace
  directory (used by the test suite so that every test gets a fresh, isolated workspace).
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dashboard import settings

#: Seconds a SQLite write waits for another write to finish before failing.
SQLITE_TIMEOUT = 60.0
#: SQLite journal modes a workspace may use: write-ahead log, or the rollback journal.
JOURNAL_MODES = ("wal", "delete")
#: Execution option that marks a connection as a writer (``BEGIN IMMEDIATE`` on SQLite).
WRITE_OPTION = "territoires_write"
SCHEMA_ENV = "TERRITOIRES_DATABASE_SCHEMA"
PER_DIRECTORY = "@dossier"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: Server engines kept per (URL, schema): a page run opens the workspace several times, and
#: a new engine costs a new connection each time (about 10 ms against 1 ms on loopback).
SHARED_ENGINES_MAX = 8
_shared: OrderedDict[tuple[str, str | None], Engine] = OrderedDict()
_shared_lock = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a large file becomes rows.

    Hundreds of thousands of small lists and dicts, all alive, make the collector scan them
    again and again (half the time of a 300 000-row import); none of them forms a cycle, so
    reference counting frees them all the same. The collector is only switched back on by
    whoever switched it off (two imports at once never leave it off).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _forget_after_fork() -> None:
    # A child process must not use its parent's pooled sockets (SQLAlchemy's advice).
    for engine in _shared.values():
        engine.dispose(close=False)
    _shared.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def schema_for(directory: Path, setting: str | None = None) -> str | None:
    """PostgreSQL schema of a workspace, from ``TERRITOIRES_DATABASE_SCHEMA``.

    Parameters
    ----------
    directory : Path
        Workspace directory (only used with ``@dossier``).
    setting : str, optional
        The setting; default the environment variable. Empty: the default schema
        (``public``); a lower-case identifier: that schema; ``@dossier``: ``ws_`` and a
        hash of the resolved directory.

    Raises
    ------
    ValueError
        For a name that is not a plain lower-case SQL identifier.
    """
    value = (settings.database_schema() if setting is None else setting).strip()
    if not value:
        return None
    if value == PER_DIRECTORY:
        digest = hashlib.sha1(str(Path(directory).resolve()).encode()).hexdigest()[:20]
        return f"ws_{digest}"
    if not _IDENTIFIER.match(value):
        raise ValueError(f"{SCHEMA_ENV} : « {value} » n'est pas un nom de schéma valide "
                         "(minuscules, chiffres, _)")
    return value


def is_shared(engine: Engine) -> bool:
    """Whether ``engine`` comes from the shared cache (then it must not be disposed)."""
    with _shared_lock:
        return any(e is engine for e in _shared.values())


def make_engine(url: str, schema: str | None = None) -> Engine:
    """An engine for ``url``; on PostgreSQL, ``schema`` comes first in the search path.

    SQLite engines are private to their workspace handle (the file may be replaced);
    server engines are shared per (URL, schema) by the process, the least recently used
    disposed beyond :data:`SHARED_ENGINES_MAX`. The schema itself is created by
    :func:`ensure_schema` (at workspace creation), never by merely opening: until then its
    tables are simply not visible.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_TIMEOUT})
        _sqlite_explicit_transactions(engine)
        return engine
    key = (url, schema)
    with _shared_lock:
        engine = _shared.get(key)
        if engine is not None:
            _shared.move_to_end(key)
            return engine
        engine = _server_engine(url, schema)
        _shared[key] = engine
        while len(_shared) > SHARED_ENGINES_MAX:
            _, evicted = _shared.popitem(last=False)
            evicted.dispose()
        return engine


def _server_engine(url: str, schema: str | None) -> Engine:
    engine = sa.create_engine(url, pool_pre_ping=True)
    if schema and engine.dialect.name == "postgresql":

        @sa.event.listens_for(engine, "connect")
        def _search_path(dbapi_connection, _record) -> None:
            with dbapi_connection.cursor() as cur:
                cur.execute(f'SET search_path TO "{schema}", public')
            dbapi_connection.commit()

    return engine


def _sqlite_explicit_transactions(engine: Engine) -> None:
    """SQLAlchemy's recipe: let SQLAlchemy emit BEGIN, IMMEDIATE for writers."""

    @sa.event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        writer = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def set_journal_mode(engine: Engine, mode: str = "wal") -> str:
    """Put a SQLite database in journal ``mode`` (``wal`` or ``delete``); no-op elsewhere.

    The mode is stored in the file, so every later connection uses it. It cannot change
    inside a transaction, hence the raw driver connection (SQLAlchemy would begin one).

    Returns
    -------
    str
        The journal mode in force afterwards (``""`` for a server database).
    """
    if mode not in JOURNAL_MODES:
        raise ValueError(f"mode de journal inconnu : {mode}")
    if engine.dialect.name != "sqlite":
        return ""
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        current = driver.execute("PRAGMA journal_mode").fetchone()[0]
        if current.lower() != mode:
            current = driver.execute(f"PRAGMA journal_mode={mode}").fetchone()[0]
        return str(current).lower()
    finally:
        raw.close()


def ensure_schema(engine: Engine, schema: str | None) -> None:
    """Create the PostgreSQL schema of a workspace if it is missing (no-op otherwise)."""
    if not schema or engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def lock_key(schema: str | None, name: str) -> int:
    """Signed 64-bit advisory-lock key of ``name`` (a kind) in a schema."""
    return zlib.crc32(f"territoires:{schema or ''}:{name}".encode())


def take_write_lock(conn: Connection, schema: str | None, name: str) -> None:
    """Serialise writers of ``name`` until the end of the transaction of ``conn``.

    PostgreSQL: ``pg_advisory_xact_lock``. SQLite: nothing more to do, the transaction
    began with ``BEGIN IMMEDIATE`` and already holds the database's write lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(schema, name)})


def has_postgis(conn: Connection) -> bool:
    """Whether the ``geometry`` type of PostGIS is available on this connection."""
    if conn.dialect.name != "postgresql":
        return False
    return conn.execute(sa.text("SELECT to_regtype('geometry') IS NOT NULL")).scalar_one()
