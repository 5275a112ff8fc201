"""Versions: the previous content of each table, kept at every write so that it can be undone.

- ``versions``: one row per write whose previous state is kept (``import_id`` = id of the
  write in ``import_log``, ``kind``, ``lignes``);
- ``{kind}_versions`` for every kind: the kept rows, with the ``import_id`` of their version
  (indexed) and the columns of the kind;
- ``perimetres_geom_versions`` (PostgreSQL with PostGIS only, next to ``perimetres_geom``):
  the drawings kept with each version of ``perimetres``.

Written out in full, not derived from the model, so that it never changes.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S, N, F, D, B = sa.String, sa.Integer, sa.Float, sa.Date, sa.Boolean
#: Columns of each kind's table at revision 0002 (besides ``id``).
KIND_COLUMNS: dict[str, tuple[tuple[str, type], ...]] = {
    "instances": (("instance_code", S), ("instance_nom", S), ("instance_type", S),
                  ("code_insee", S), ("epci_siren", S)),
    "perimetres": (("instance_code", S), ("instance_nom", S), ("instance_type", S),
                   ("code_insee", S)),
    "objectifs": (("territoire_type", S), ("territoire_code", S), ("indicateur", S),
                  ("annee_debut", N), ("annee_fin", N), ("valeur", F), ("source", S)),
    "realisations": (("territoire_type", S), ("territoire_code", S), ("indicateur", S),
                     ("annee", N), ("valeur", F), ("source", S)),
    "operations": (("id_operation", S), ("code_insee", S), ("annee", N), ("nb_plai", N),
                   ("nb_plus", N), ("nb_pls", N), ("statut", S), ("bailleur", S),
                   ("libelle", S), ("latitude", F), ("longitude", F)),
    "signalements": (("id_signalement", S), ("code_insee", S), ("date_signalement", D),
                     ("statut", S), ("procedure", S), ("date_cloture", D),
                     ("motif_cloture", S), ("latitude", F), ("longitude", F)),
    "plans": (("type_plan", S), ("territoire_type", S), ("territoire_code", S),
              ("intitule", S), ("statut", S), ("date_debut", D), ("date_fin", D),
              ("objectif_plai_annuel", F), ("volet_defavorises", B)),
    "populations": (("code_insee", S), ("population", N), ("millesime", N)),
    "commentaires": (("territoire_type", S), ("territoire_code", S), ("date", D),
                     ("texte", S), ("auteur", S)),
}


def upgrade() -> None:
    """Create ``versions``, one ``{kind}_versions`` per kind and, with PostGIS, the drawings'."""
    op.create_table(
        "versions",
        sa.Column("import_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("lignes", sa.Integer(), nullable=False),
    )
    for kind, columns in KIND_COLUMNS.items():
        name = f"{kind}_versions"
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            *(sa.Column(column, kind_type()) for column, kind_type in columns),
        )
        op.create_index(f"ix_{name}_import_id", name, ["import_id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and sa.inspect(bind).has_table("perimetres_geom"):
        op.execute(
            "CREATE TABLE perimetres_geom_versions ("
            " id serial PRIMARY KEY, import_id integer NOT NULL, instance_code varchar,"
            " instance_nom varchar, instance_type varchar, geom geometry(MultiPolygon, 4326))"
        )
        op.execute("CREATE INDEX ix_perimetres_geom_versions_import_id "
                   "ON perimetres_geom_versions (import_id)")


def downgrade() -> None:
    """Drop what :func:`upgrade` created (the kept versions are lost)."""
    op.execute("DROP TABLE IF EXISTS perimetres_geom_versions")
    for kind in KIND_COLUMNS:
        op.drop_index(f"ix_{kind}_versions_import_id", table_name=f"{kind}_versions")
        op.drop_table(f"{kind}_versions")
    op.drop_table("versions")
