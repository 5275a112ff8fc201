"""Versioned schema of the workspace (Alembic), the same for SQLite and PostgreSQL.

Revisions live in ``versions/`` and are written by hand (``0001_initial``: schema
version 1; ``0002_roles_audit``: users, author's role, comments, PostGIS; ``0003_versions``:
the versions kept to undo each import; ``0004_snapshots``: figures shared by the processes;
``0005_programme``: actions, milestones, review of the délégués' entries, editions). A workspace
created before Alembic (a ``meta`` table but no ``alembic_version``) is stamped at
``0001`` and then upgraded.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

HERE = Path(__file__).resolve().parent
BASELINE = "0001"
#: Tables outside the SQLAlchemy model: the PostGIS drawings and their versions (created by
#: ``0002`` and ``0003`` only) and PostGIS's own ``spatial_ref_sys``.
UNMODELLED_TABLES = frozenset({"perimetres_geom", "perimetres_geom_versions", "spatial_ref_sys"})


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Alembic filter: leave the tables of :data:`UNMODELLED_TABLES` out of comparisons."""
    return not (type_ == "table" and name in UNMODELLED_TABLES)


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = conn
    return config


@cache
def head() -> str:
    """Revision that the code expects (the head of ``versions/``)."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    return str(ScriptDirectory.from_config(config).get_current_head())


def current(conn: Connection) -> str | None:
    """Revision of the database on ``conn`` (None: never migrated)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn: Connection) -> None:
    """Bring the workspace on ``conn`` to :func:`head` inside the caller's transaction.

    The caller holds the write lock, so that two processes never migrate at once.
    """
    inspector = sa.inspect(conn)
    if inspector.has_table("meta") and not inspector.has_table("alembic_version"):
        command.stamp(_config(conn), BASELINE)
    if current(conn) != head():
        command.upgrade(_config(conn), "head")
