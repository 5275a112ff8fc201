"""Alembic migrations: they build exactly the model's tables, on SQLite and PostgreSQL,
and bring a workspace created before them up to date without losing its data."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from dashboard.intake.imports import import_file
from dashboard.store import migrations
from dashboard.store.workspace import METADATA, open_workspace
from tests.paths import CORPUS

POPULATIONS = b"code_insee;population;millesime\n38185;158240;2021\n"


def test_migrations_match_the_model(tmp_path):
    ws = open_workspace(tmp_path / "ws")
    ws.create("38")
    with ws.engine.connect() as conn:
        assert migrations.current(conn) == migrations.head()
        context = MigrationContext.configure(conn, opts={
            "include_name": migrations.include_name})
        diff = compare_metadata(context, METADATA)
    ws.close()
    assert diff == []


def test_workspace_created_before_alembic_is_upgraded(tmp_path, isere):
    """A schema-version-1 workspace (no alembic_version, no role column) keeps its data."""
    ws = open_workspace(tmp_path / "ws")
    assert import_file("populations", POPULATIONS, "pop.csv", ws, isere, user="ancien").imported
    with ws.engine.begin() as conn:  # back to what version 1 wrote
        cfg = migrations._config(conn)
        from alembic import command

        command.downgrade(cfg, migrations.BASELINE)
        conn.execute(sa.text("DROP TABLE alembic_version"))
    ws.close()

    again = open_workspace(tmp_path / "ws")
    assert again.history()["role"].isna().all()  # readable before any migration
    assert import_file("populations", POPULATIONS, "pop.csv", again, isere, user="nouveau").imported
    with again.engine.connect() as conn:
        assert migrations.current(conn) == migrations.head()
    log = again.history()
    assert log["utilisateur"].tolist() == ["nouveau", "ancien"]
    assert log["role"].tolist()[0] == "administrateur"
    # the import after the upgrade kept the previous table (one row); the old one could not
    assert log["lignes_avant"].tolist()[0] == 1
    assert pd.isna(log["lignes_avant"].tolist()[1])
    again.restore(int(log["id"].iloc[0]), allow_empty=True)
    assert again.read("populations")["population"].tolist() == [158240]
    again.close()


def test_postgis_drawings_kept_on_postgresql(tmp_path, isere, backend):
    data = CORPUS / "perim_l93.geojson"  # Lambert-93: stored back in WGS84
    ws = open_workspace(tmp_path / "ws")
    report = import_file("perimetres", data.read_bytes(), data.name, ws, isere)
    assert report.imported, [m.message for m in report.errors]
    drawings = ws.perimeter_geometries()
    ws.close()
    if backend == "sqlite":
        assert drawings is None  # memberships only: no PostGIS on SQLite
        return
    assert drawings is not None
    assert len(drawings) == len(report.geometries)
    assert drawings.crs.to_epsg() == 4326
    assert set(drawings["instance_code"]) == set(report.geometries["instance_code"])
    assert drawings.geom_type.eq("MultiPolygon").all()
    area = drawings.to_crs(2154).area.sum()
    assert abs(area - report.geometries.to_crs(2154).area.sum()) < 1.0  # m², same drawings
