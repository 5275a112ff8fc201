"""Initial schema (workspace schema version 1): one table per kind, import_log and meta.

Written out in full, not derived from the model, so that it never changes.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

KINDS_V1 = (
    "instances", "perimetres", "objectifs", "realisations", "operations", "signalements",
    "plans", "populations",
)


def upgrade() -> None:
    """Create the tables of schema version 1."""
    op.create_table(
        "instances",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_code", sa.String()),
        sa.Column("instance_nom", sa.String()),
        sa.Column("instance_type", sa.String()),
        sa.Column("code_insee", sa.String()),
        sa.Column("epci_siren", sa.String()),
    )
    op.create_table(
        "perimetres",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_code", sa.String()),
        sa.Column("instance_nom", sa.String()),
        sa.Column("instance_type", sa.String()),
        sa.Column("code_insee", sa.String()),
    )
    op.create_table(
        "objectifs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("territoire_type", sa.String()),
        sa.Column("territoire_code", sa.String()),
        sa.Column("indicateur", sa.String()),
        sa.Column("annee_debut", sa.Integer()),
        sa.Column("annee_fin", sa.Integer()),
        sa.Column("valeur", sa.Float()),
        sa.Column("source", sa.String()),
    )
    op.create_table(
        "realisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("territoire_type", sa.String()),
        sa.Column("territoire_code", sa.String()),
        sa.Column("indicateur", sa.String()),
        sa.Column("annee", sa.Integer()),
        sa.Column("valeur", sa.Float()),
        sa.Column("source", sa.String()),
    )
    op.create_table(
        "operations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("id_operation", sa.String()),
        sa.Column("code_insee", sa.String()),
        sa.Column("annee", sa.Integer()),
        sa.Column("nb_plai", sa.Integer()),
        sa.Column("nb_plus", sa.Integer()),
        sa.Column("nb_pls", sa.Integer()),
        sa.Column("statut", sa.String()),
        sa.Column("bailleur", sa.String()),
        sa.Column("libelle", sa.String()),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
    )
    op.create_table(
        "signalements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("id_signalement", sa.String()),
        sa.Column("code_insee", sa.String()),
        sa.Column("date_signalement", sa.Date()),
        sa.Column("statut", sa.String()),
        sa.Column("procedure", sa.String()),
        sa.Column("date_cloture", sa.Date()),
        sa.Column("motif_cloture", sa.String()),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("type_plan", sa.String()),
        sa.Column("territoire_type", sa.String()),
        sa.Column("territoire_code", sa.String()),
        sa.Column("intitule", sa.String()),
        sa.Column("statut", sa.String()),
        sa.Column("date_debut", sa.Date()),
        sa.Column("date_fin", sa.Date()),
        sa.Column("objectif_plai_annuel", sa.Float()),
        sa.Column("volet_defavorises", sa.Boolean()),
    )
    op.create_table(
        "populations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code_insee", sa.String()),
        sa.Column("population", sa.Integer()),
        sa.Column("millesime", sa.Integer()),
    )
    op.create_table(
        "import_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("horodatage", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("fichier", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("lignes", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("utilisateur", sa.String(), nullable=False),
        sa.Column("departement", sa.String(), nullable=False),
        sa.Column("avertissements", sa.Integer(), nullable=False),
    )
    op.create_table(
        "meta",
        sa.Column("cle", sa.String(64), primary_key=True),
        sa.Column("valeur", sa.String(), nullable=False),
    )


def downgrade() -> None:
    """Drop every table of schema version 1."""
    for name in (*KINDS_V1, "import_log", "meta"):
        op.drop_table(name)
