"""The plan itself: action programme, milestones, the délégués' loop, frozen editions.

- ``actions`` and ``jalons``: the new import kinds (fiches action, their milestones);
- ``realisations``: ``auteur``, ``statut_validation``, ``motif_revue`` (a délégué's entry is
  declared until the comité validates it or sends it back);
- ``commentaires``: ``action`` (the action commented), ``statut_validation``,
  ``motif_revue``;
- ``editions``: the frozen annual reports, their JSON and their PDF, PPTX and XLSX;
- the versions kept to undo imports (revision 0003) follow: ``actions_versions``,
  ``jalons_versions``, and the new columns in ``realisations_versions`` and
  ``commentaires_versions``.

Existing rows keep an empty review state: they are official figures.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Review columns added to the délégués' kinds (and to their kept versions).
NEW_COLUMNS = {
    "realisations": ("auteur", "statut_validation", "motif_revue"),
    "commentaires": ("action", "statut_validation", "motif_revue"),
}


def upgrade() -> None:
    """Add the programme tables, the review columns and the editions."""
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String()),
        sa.Column("axe", sa.String()),
        sa.Column("intitule", sa.String()),
        sa.Column("pilote", sa.String()),
        sa.Column("partenaires", sa.String()),
        sa.Column("budget", sa.Float()),
        sa.Column("etp", sa.Float()),
        sa.Column("date_debut", sa.Date()),
        sa.Column("date_fin", sa.Date()),
        sa.Column("statut", sa.String()),
        sa.Column("indicateurs", sa.String()),
        sa.Column("territoires", sa.String()),
    )
    op.create_table(
        "jalons",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action", sa.String()),
        sa.Column("libelle", sa.String()),
        sa.Column("date_prevue", sa.Date()),
        sa.Column("date_realisee", sa.Date()),
    )
    for kind, columns in NEW_COLUMNS.items():
        for table in (kind, f"{kind}_versions"):
            for column in columns:
                op.add_column(table, sa.Column(column, sa.String()))
    for kind in ("actions", "jalons"):
        source = sa.Table(kind, sa.MetaData(), autoload_with=op.get_bind())
        name = f"{kind}_versions"
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            *(sa.Column(c.name, c.type) for c in source.columns if c.name != "id"),
        )
        op.create_index(f"ix_{name}_import_id", name, ["import_id"])
    op.create_table(
        "editions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("date_reference", sa.Date(), nullable=False),
        sa.Column("horodatage", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utilisateur", sa.String(), nullable=False),
        sa.Column("role", sa.String()),
        sa.Column("departement", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("donnees", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary()),
        sa.Column("pptx", sa.LargeBinary()),
        sa.Column("xlsx", sa.LargeBinary()),
    )


def downgrade() -> None:
    """Remove what :func:`upgrade` added."""
    op.drop_table("editions")
    for kind, columns in NEW_COLUMNS.items():
        for table in (kind, f"{kind}_versions"):
            with op.batch_alter_table(table) as batch:
                for column in columns:
                    batch.drop_column(column)
    op.drop_table("jalons_versions")
    op.drop_table("actions_versions")
    op.drop_table("jalons")
    op.drop_table("actions")
