"""Roles and scopes, author's role in the audit log, comments, PostGIS perimeters.

- ``utilisateurs``: identifiant (e-mail), nom, role, epci_siren, cree_le;
- ``import_log.role``: role of the author of each write;
- ``commentaires``: the new import kind;
- ``perimetres_geom`` (PostgreSQL with PostGIS only): the uploaded perimeter drawings,
  ``geometry(MultiPolygon, 4326)``. The extension is created when the database user may;
  otherwise, and on SQLite, the table is skipped without error (memberships suffice).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _postgis_available(bind: sa.engine.Connection) -> bool:
    """Try to create the PostGIS extension in a savepoint; report whether it is there."""
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public")
    except sa.exc.DBAPIError:  # not installed on the server, or not allowed: skip
        pass
    return bool(bind.exec_driver_sql("SELECT to_regtype('geometry') IS NOT NULL").scalar())


def upgrade() -> None:
    """Add users, the author's role, comments and (PostGIS) perimeter geometries."""
    op.create_table(
        "utilisateurs",
        sa.Column("identifiant", sa.String(), primary_key=True),
        sa.Column("nom", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("epci_siren", sa.String()),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("import_log", sa.Column("role", sa.String()))
    op.create_table(
        "commentaires",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("territoire_type", sa.String()),
        sa.Column("territoire_code", sa.String()),
        sa.Column("date", sa.Date()),
        sa.Column("texte", sa.String()),
        sa.Column("auteur", sa.String()),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and _postgis_available(bind):
        op.execute(
            "CREATE TABLE perimetres_geom ("
            " id serial PRIMARY KEY, instance_code varchar, instance_nom varchar,"
            " instance_type varchar, geom geometry(MultiPolygon, 4326))"
        )


def downgrade() -> None:
    """Remove what :func:`upgrade` added."""
    op.execute("DROP TABLE IF EXISTS perimetres_geom")
    op.drop_table("commentaires")
    op.drop_column("import_log", "role")
    op.drop_table("utilisateurs")
