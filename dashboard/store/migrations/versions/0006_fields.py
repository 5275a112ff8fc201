"""The plan's other fields: evictions, DALO, priority allocations, SIAO, FSL.

- ``expulsions``, ``dalo``, ``attributions_prioritaires``, ``siao``, ``fsl``: the new import
  kinds (docs/ARCHITECTURE.md, « Types d'import »);
- their versions kept to undo imports (revision 0003): ``{kind}_versions``.

Written out in full, not derived from the model, so that it never changes.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

S, N, F = sa.String, sa.Integer, sa.Float
_TERRITOIRE = (("territoire_type", S), ("territoire_code", S), ("annee", N))
#: Columns of each new kind's table (besides ``id``).
KIND_COLUMNS: dict[str, tuple[tuple[str, type], ...]] = {
    "expulsions": (*_TERRITOIRE, ("etape", S), ("nombre", N), ("saisines_ccapex", N),
                   ("issues_favorables_ccapex", N), ("source", S)),
    "dalo": (*_TERRITOIRE, ("recours_deposes", N), ("decisions_favorables", N),
             ("menages_reloges", N), ("delai_median_mois", F), ("source", S)),
    "attributions_prioritaires": (*_TERRITOIRE, ("dispositif", S), ("bailleur", S),
                                  ("objectif", N), ("realise", N), ("dont_dalo", N),
                                  ("dont_sortants_hebergement", N), ("source", S)),
    "siao": (*_TERRITOIRE, ("demandes", N), ("orientations", N), ("places", N), ("source", S)),
    "fsl": (*_TERRITOIRE, ("volet", S), ("nb_aides", N), ("montant", F), ("source", S)),
}


def upgrade() -> None:
    """Create the tables of the fields' kinds and of their versions."""
    for kind, columns in KIND_COLUMNS.items():
        op.create_table(
            kind,
            sa.Column("id", sa.Integer(), primary_key=True),
            *(sa.Column(name, typ()) for name, typ in columns),
        )
        name = f"{kind}_versions"
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            *(sa.Column(column, typ()) for column, typ in columns),
        )
        op.create_index(f"ix_{name}_import_id", name, ["import_id"])


def downgrade() -> None:
    """Remove what :func:`upgrade` added."""
    for kind in reversed(KIND_COLUMNS):
        op.drop_table(f"{kind}_versions")
        op.drop_table(kind)
