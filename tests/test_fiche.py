"""Fiche territoire: content on the demo workspace, and the page through AppTest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.fiche import (
    UnknownTerritoryError,
    build_fiche,
    default_reference_date,
    parse_territoire,
)

PAGE = Path(__file__).resolve().parent.parent / "pages" / "fiche.py"


def test_parse_territoire():
    assert parse_territoire("epci:200040715") == ("epci", "200040715")
    assert parse_territoire("INSTANCE: AGG") == ("instance", "AGG")
    for bad in ("", "200040715", "region:84", "epci:"):
        with pytest.raises(UnknownTerritoryError):
            parse_territoire(bad)


def test_default_reference_date_stops_with_the_data():
    import pandas as pd

    tables = {"operations": pd.DataFrame({"annee": [2022, 2024]})}
    assert default_reference_date(tables, dt.date(2026, 11, 29)) == dt.date(2024, 12, 31)
    assert default_reference_date(tables, dt.date(2024, 6, 1)) == dt.date(2024, 6, 1)
    assert default_reference_date({}, dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)


def test_epci_fiche_on_demo(demo_workspace):
    fiche = build_fiche("38", "epci:200040715", demo_workspace)
    assert fiche.nom == "Grenoble-Alpes-Métropole"
    assert len(fiche.communes) == 49
    labels = {label: value for label, value, _ in fiche.figures}
    assert labels["Population dans le département"] == "444\u202f533"
    assert all(source for _, _, source in fiche.figures)
    plai = fiche.indicators[(fiche.indicators["indicateur"] == "plai")]
    assert not plai.empty
    assert set(fiche.operations["code_insee"]) <= set(fiche.communes)
    assert "abandonnee" not in set(fiche.operations["statut"])
    assert set(fiche.plh["siren"]) == {"200040715"}
    cmp = fiche.comparison
    assert cmp["est_le_territoire"].sum() == 1
    assert "departement" in set(cmp["territoire_type"])
    assert fiche.is_demo


def test_instance_fiche_gathers_findings_of_its_epci(demo_workspace):
    fiche = build_fiche("38", "instance:IRH", demo_workspace)
    assert fiche.nom == "Isère rhodanienne"
    rules = set(fiche.findings["rule"])
    assert "INSTANCE_SPLITS_EPCI" in rules  # CC Entre Bièvre et Rhône, cut by the CLH
    assert "200085751" in set(fiche.findings["territoire_code"])
    # Vienne Condrieu extends beyond Isère: only its part in the département counts.
    assert len(fiche.communes) == 18 + 22


def test_unknown_territory(demo_workspace):
    with pytest.raises(UnknownTerritoryError):
        build_fiche("38", "epci:123456789", demo_workspace)


@pytest.mark.parametrize(
    ("territoire", "titre"),
    [("epci:200040715", "Grenoble-Alpes-Métropole"), ("instance:AGG", "Agglomération grenobloise")],
)
def test_page_renders_fiche_from_link(monkeypatch, demo_workspace, territoire, titre):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.query_params["territoire"] = territoire
    at.run()
    assert not at.exception
    assert at.title[0].value == titre
    assert [t.label for t in at.tabs] == [
        "Opérations PLA-I", "Habitat indigne", "PLH", "Écarts de couverture", "Comparaison",
    ]  # fmt: skip
    captions = " ".join(c.value for c in at.caption)
    assert "population municipale 2017" in captions
    assert "données de démonstration" in captions


def test_page_without_territory_asks_for_one(monkeypatch, demo_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Fiche territoire"
    at.selectbox(key="fiche-territoire").set_value("epci:243800984").run()
    assert not at.exception
    assert "Pays Voironnais" in at.title[0].value
    assert at.query_params["territoire"] in (["epci:243800984"], "epci:243800984")
