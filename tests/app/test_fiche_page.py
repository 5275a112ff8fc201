"""Fiche territoire page (AppTest) on the demo: same content as the PDF fiche."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.exports.bundle import load_bundle
from dashboard.exports.fiche import fiche_content
from dashboard.indicators.status import reference_date
from tests.paths import PAGES

PAGE = PAGES / "fiche.py"


def test_reference_date_stops_with_the_data():
    tables = {"operations": pd.DataFrame({"annee": [2022, 2024]})}
    assert reference_date(tables, dt.date(2026, 11, 29)) == dt.date(2024, 12, 31)
    assert reference_date(tables, dt.date(2024, 6, 1)) == dt.date(2024, 6, 1)
    assert reference_date({}, dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)


@pytest.fixture(scope="module")
def demo_bundle(demo_workspace):
    return load_bundle("38", demo_workspace)


def test_bundle_defaults_to_the_last_data_year(demo_bundle):
    assert demo_bundle.today == dt.date(2024, 12, 31)


def test_epci_fiche_has_trajectory_and_trend(demo_bundle):
    fiche = fiche_content(demo_bundle, demo_bundle.territoire("epci:200040715"))
    assert list(fiche.annual["periode"]) == ["2021", "2022", "2023", "2024", "2025", "2026"]
    assert fiche.annual["realise"].sum() == pytest.approx(
        fiche.objectives.loc[fiche.objectives["indicateur"] == "plai", "realise"].iloc[0]
    )
    assert not fiche.signal_trend.empty
    assert set(fiche.signal_trend["territoire_code"]) == {"200040715"}


def test_instance_fiche_gathers_findings_of_its_epci(demo_bundle):
    fiche = fiche_content(demo_bundle, demo_bundle.territoire("instance:IRH"))
    assert "INSTANCE_SPLITS_EPCI" in set(fiche.findings["rule"])
    assert "200085751" in set(fiche.findings["territoire_code"].astype(str))
    assert len(fiche.ref.communes) == 18 + 22  # Vienne Condrieu in Isère + ex-Pays Roussillonnais


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
        "Opérations PLA-I", "Habitat indigne", "Autres champs du plan", "PLH",
        "Écarts de couverture", "Comparaison", "Actions du plan", "Commentaires",
        "Déclarer",  # the local administrateur may enter
    ]  # fmt: skip
    fields = at.tabs[2].dataframe[0].value
    assert set(fields["Champ"]) == {
        "Prévention des expulsions", "Droit au logement opposable",
        "Attributions aux publics prioritaires", "SIAO", "Fonds de solidarité pour le logement"}
    assert fields["Territoire"].str.endswith("%").any()
    assert fields["Territoire"].str.endswith("€").any()
    captions = " ".join(c.value for c in at.caption)
    assert "Population municipale 2023 (populations légales en vigueur" in captions
    assert "données de démonstration" in captions
    assert any(m.value == "450\u202f608" for m in at.metric)


def test_page_builds_the_pdf_on_demand(monkeypatch, demo_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.query_params["territoire"] = "epci:243800984"
    at.run()
    at.button(key="make-pdf-epci:243800984").click().run()
    assert not at.exception
    pdf = at.session_state["pdf-epci:243800984"]
    assert pdf.startswith(b"%PDF")


def test_page_without_territory_asks_for_one(monkeypatch, demo_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Fiche territoire"
    text = " ".join(m.value for m in at.markdown)
    assert "?territoire=" not in text  # no link syntax to type: a map and a list instead
    assert len(at.get("image")) == 1
    picks = [b for b in at.button if b.key and b.key.startswith("pick-")]
    assert len(picks) == 18 + 13  # every EPCI and every instance of the demo
    # Common names and acronyms are found by the list's search (exact letters).
    options = at.selectbox(key="fiche-territoire").options
    metro = next(o for o in options if "Grenoble-Alpes-Métropole" in o)
    assert "la Métro" in metro
    assert "metro" in metro.lower().replace("é", "")
    assert any("CAPI" in o for o in options)
    assert any("Pays Voironnais" in o for o in options)
    at.selectbox(key="fiche-territoire").set_value("epci:243800984").run()
    assert not at.exception
    assert "Pays Voironnais" in at.title[0].value
    assert at.query_params["territoire"] in (["epci:243800984"], "epci:243800984")
    link = at.code[0].value  # the fiche's own link, to copy
    assert link.endswith("fiche?dep=38&territoire=epci:243800984")


def test_a_picked_territory_opens_its_fiche(monkeypatch, demo_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    at.button(key="pick-instance:AGG").click().run()
    assert not at.exception
    assert at.title[0].value == "Agglomération grenobloise"
    assert at.query_params["territoire"] in (["instance:AGG"], "instance:AGG")
