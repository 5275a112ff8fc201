"""Snapshots: figures computed once per workspace revision, shared by every process.

- ``instantanes``: revision, nom, cree_le, contenu (see :mod:`dashboard.store.snapshots`).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the snapshot table."""
    op.create_table(
        "instantanes",
        sa.Column("revision", sa.String(), primary_key=True),
        sa.Column("nom", sa.String(), primary_key=True),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contenu", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    """Drop the snapshot table."""
    op.drop_table("instantanes")
