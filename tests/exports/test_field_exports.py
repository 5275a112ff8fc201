"""The plan's other fields in every export of the Isère demo workspace (fiche, deck,
presentation screens, workbook, GeoPackage), with the numbers of the payload, and in none
when the workspace has no such data."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from dashboard.indicators.fields import FIELDS, HEADLINES

TODAY = dt.date(2025, 6, 30)
METRO = "200040715"


@pytest.fixture(scope="module")
def bundle(demo_workspace):
    from dashboard.exports.bundle import load_bundle

    return load_bundle("38", workspace=demo_workspace, today=TODAY)


@pytest.fixture(scope="module")
def bare(tmp_path_factory, isere):
    """A workspace with instances and operations only: no field data."""
    from dashboard.exports.bundle import load_bundle
    from dashboard.intake.demo import DEMO_DIR
    from dashboard.intake.imports import import_file
    from dashboard.store.workspace import open_workspace

    path = tmp_path_factory.mktemp("sans-champs")
    with open_workspace(path) as ws:
        for kind, name in (("instances", "instances_clh.csv"),
                           ("operations", "operations_sisal.csv")):
            assert import_file(kind, (DEMO_DIR / name).read_bytes(), name, ws, isere).imported
    return load_bundle("38", workspace=path, today=TODAY)


def _payload_value(bundle, kind: str, code: str, typ: str, territory: str) -> float:
    rec = bundle.fields
    rec = rec[(rec["champ"] == kind) & (rec["indicateur"] == code)]
    rec = rec[(rec["territoire_type"] == typ) & (rec["territoire_code"] == territory)]
    return float(rec[rec["annee"] == rec["annee"].max()]["valeur"].iloc[0])


def test_fiche_section_matches_the_payload(bundle):
    from dashboard.exports.fiche import fiche_content, field_value
    from dashboard.exports.pdf import fiche_html

    content = fiche_content(bundle, bundle.territoire(f"epci:{METRO}"))
    rows = content.fields
    assert set(rows["champ_code"]) == set(FIELDS)
    row = rows[rows["indicateur"] == "expulsions_assignation"].iloc[0]
    assert row["valeur"] == _payload_value(bundle, "expulsions", "expulsions_assignation", "epci",
                                           METRO)
    assert row["valeur_departement"] == _payload_value(
        bundle, "expulsions", "expulsions_assignation", "departement", "38")
    html = fiche_html(bundle, f"epci:{METRO}")
    assert "<h2>Autres champs du plan</h2>" in html
    rate = rows[rows["indicateur"] == "taux_relogement_dalo"].iloc[0]
    assert field_value(rate["valeur"], "taux") in html
    assert field_value(rate["valeur"], "taux").endswith("\u00a0%")


def test_deck_and_screens_have_one_field_each(bundle):
    from pptx import Presentation

    from dashboard.exports.pptx import deck_pptx
    from dashboard.exports.presentation import field_by_instance, screens

    kinds = [s.code for s in screens(bundle) if s.kind == "field"]
    assert kinds == list(FIELDS)
    prs = Presentation(io.BytesIO(deck_pptx(bundle)))
    slide = next(s for s in prs.slides if s.shapes.title.text.startswith(
        "Droit au logement opposable"))  # fmt: skip
    table = next(sh.table for sh in slide.shapes if sh.has_table)
    assert table.cell(1, 0).text == "Isère"  # the département first: the table keeps 14 rows
    header = [table.cell(0, j).text for j in range(len(table.columns))]
    assert header[2:] == [short for _code, short in HEADLINES["dalo"]]
    rows, year = field_by_instance(bundle, "dalo")
    assert year == 2024
    assert len(rows) == 14  # 13 instances and the département
    dep = rows[rows["territoire_type"] == "departement"].iloc[0]
    assert table.cell(1, 2).text == f"{int(dep['dalo_recours'])}"


def test_workbook_sheet_holds_every_record(bundle):
    from openpyxl import load_workbook

    from dashboard.exports import xlsx

    wb = load_workbook(io.BytesIO(xlsx.tables_xlsx(bundle)))
    ws = wb[xlsx.SHEET_CHAMPS]
    assert ws.max_row - xlsx.HEADER_ROW == len(bundle.fields)
    headers = [c.value for c in ws[xlsx.HEADER_ROW]]
    rows = pd.DataFrame([[c.value for c in r] for r in ws.iter_rows(min_row=xlsx.HEADER_ROW + 1)],
                        columns=headers)
    rates = rows[rows["Unité"] == "taux"]
    assert rates["Valeur"].isna().all()
    assert rates["Taux"].between(0, 2).all()
    assert ws.cell(xlsx.HEADER_ROW + 1, headers.index("Taux") + 1).number_format == xlsx.PCT
    assert "données de démonstration" in ws["A1"].value


def test_geopackage_layers(bundle, tmp_path):
    import geopandas as gpd

    from dashboard.exports.gpkg import layers_gpkg

    counts = layers_gpkg(bundle, tmp_path / "c.gpkg")
    assert counts["autres_champs_epci"] == 18
    assert counts["autres_champs_instances"] == 13
    epci = gpd.read_file(tmp_path / "c.gpkg", layer="autres_champs_epci")
    assert epci.crs.to_epsg() == 2154
    metro = epci[epci["code"] == METRO].iloc[0]
    assert metro["menages_dalo_reloges"] == _payload_value(bundle, "dalo", "menages_dalo_reloges",
                                                           "epci", METRO)
    assert metro["annee_dalo"] == 2024


def test_without_field_data_no_section_slide_sheet_or_layer(bare, tmp_path):
    from dashboard.exports import xlsx
    from dashboard.exports.fiche import fiche_content
    from dashboard.exports.gpkg import layers_gpkg
    from dashboard.exports.pdf import fiche_html
    from dashboard.exports.presentation import screens

    assert bare.fields.empty
    assert fiche_content(bare, bare.territoire(f"epci:{METRO}")).fields.empty
    assert "Autres champs du plan" not in fiche_html(bare, f"epci:{METRO}")
    assert not [s for s in screens(bare) if s.kind == "field"]
    from openpyxl import load_workbook

    assert xlsx.SHEET_CHAMPS not in load_workbook(io.BytesIO(xlsx.tables_xlsx(bare))).sheetnames
    assert "autres_champs_epci" not in layers_gpkg(bare, tmp_path / "c.gpkg")
