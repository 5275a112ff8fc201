"""The page « Autres champs du plan » (AppTest) on the Isère demo workspace: the figures
shown are those of the indicators' field table, in French formats, with their source."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.formatting import fr_int, fr_percent
from dashboard.indicators.fields import field_table
from tests.conftest import folium_component_args
from tests.paths import PAGES


@pytest.fixture
def on_demo(monkeypatch, demo_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))


def _run(**params: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / "autres_champs.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _expected(kind: str, level: str):
    from dashboard.cli.indicators import load_inputs
    from geo.reference import load_reference

    inputs = load_inputs(None, None)
    return field_table(load_reference("38"), inputs.memberships, inputs.tables, kind,
                       ("departement", level))  # fmt: skip


@pytest.mark.usefixtures("on_demo")
@pytest.mark.parametrize(("kind", "level", "name", "count", "rate", "count_label", "rate_label"), [
    ("expulsions", "epci", "Grenoble-Alpes-Métropole", "expulsions_assignation",
     "taux_expulsion_assignation", "Procédures d'expulsion : assignations",
     "Part des assignations suivies d'une expulsion effective"),
    ("dalo", "instance", "Agglomération grenobloise", "menages_dalo_reloges",
     "taux_relogement_dalo", "Ménages reconnus DALO relogés",
     "Part des décisions DALO favorables relogées"),
])  # fmt: skip
def test_figures_are_the_field_table(kind, level, name, count, rate, count_label, rate_label):
    at = _run(champ=kind, niveau=level)
    expected = _expected(kind, level)
    last = int(expected["annee"].max())
    row = expected[(expected["territoire_nom"] == name) & (expected["annee"] == last)].iloc[0]
    table = at.dataframe[0].value
    shown = table[table["Territoire"] == name].iloc[0]
    assert shown["Année"] == str(last)
    assert shown[count_label] == fr_int(row[count])
    assert shown[rate_label] == fr_percent(row[rate])
    dep = expected[(expected["territoire_type"] == "departement")
                   & (expected["annee"] == last)].iloc[0]  # fmt: skip
    metrics = {m.label: m.value for m in at.metric}
    assert fr_int(dep[count]) in metrics.values()
    captions = " ".join(c.value for c in at.caption)
    assert "données de démonstration" in captions
    assert "population municipale 2023" in captions
    assert [c.key for c in at.get("plotly_chart")] == [f"champ-tendance-{kind}"]
    assert "territoires-legend" in json.dumps(folium_component_args(at))


@pytest.mark.usefixtures("on_demo")
def test_fsl_amounts_in_euros():
    at = _run(champ="fsl", mesure="fsl_aides_pour_1000")
    table = at.dataframe[0].value
    montant = table["Montant des aides du FSL (tous volets)"].iloc[0]
    assert montant.endswith("\u00a0€")
    assert "\u202f" in montant  # thousands separated the French way


def test_without_field_data_the_page_says_what_to_import(monkeypatch, tmp_path):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(tmp_path / "vide"))
    from dashboard.store.workspace import open_workspace

    with open_workspace(tmp_path / "vide") as ws:
        ws.create("38")
    at = _run()
    assert "Aucune donnée de ces champs" in at.info[0].value


@pytest.mark.usefixtures("on_demo")
@pytest.mark.parametrize(("page", "title", "kinds"), [
    ("acces_logement.py", "Accès au logement des publics prioritaires",
     ["dalo", "attributions_prioritaires", "siao", "fsl"]),
    ("prevention_expulsions.py", "Prévention des expulsions", ["expulsions", "fsl"]),
])  # fmt: skip
def test_each_family_has_its_page_with_its_fields(page, title, kinds):
    """« Accès au logement » and « Prévention des expulsions »: each page offers its own
    fields (the FSL in both), opens on the first, and draws its map."""
    from dashboard.indicators.fields import FIELDS

    at = AppTest.from_file(str(PAGES / page), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [title]
    choice = at.selectbox(key="ind-champ")
    assert choice.options == [FIELDS[k].label for k in kinds]
    assert choice.value == kinds[0]
    assert folium_component_args(at)  # the map of the field is sent
    assert at.dataframe[0].value.shape[0] > 0
