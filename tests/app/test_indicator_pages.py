"""The four indicator pages (AppTest) on the Isère demo workspace, at instance and EPCI level."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.formatting import fr_int
from tests.conftest import folium_component_args
from tests.paths import PAGES

LEVELS = ["instance", "epci"]
AGG = "Agglomération grenobloise"
GAM = "Grenoble-Alpes-Métropole"


@pytest.fixture
def on_demo(monkeypatch, demo_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))


def _run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.subheader, *at.info)]
    parts += [m.label + " " + m.value for m in at.metric]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    return "\n".join(str(p) for p in parts)


def _name(level: str) -> str:
    return AGG if level == "instance" else GAM


@pytest.mark.usefixtures("on_demo")
@pytest.mark.parametrize("level", LEVELS)
def test_objectifs_match_the_cli_numbers(level):
    from dashboard.cli.indicators import compute_all, load_inputs

    at = _run("objectifs.py", niveau=level, date="2025-12-31")
    payload = compute_all(load_inputs(None, None), dt.date(2025, 12, 31), level)
    expected = next(
        r for r in payload["indicators"]
        if r["indicateur"] == "plai" and r["periode"] == "2021-2026"
        and r["territoire_nom"] == _name(level)
    )  # fmt: skip
    table = at.dataframe[0].value
    row = table[table["Territoire"] == _name(level)].iloc[0]
    assert row["Réalisé"] == fr_int(expected["realise"])
    assert row["Objectif"] == fr_int(expected["objectif"])
    assert row["Statut"] == expected["statut"]
    text = _text(at)
    assert "données de démonstration" in text
    assert "données disponibles jusqu'en 2024" in text
    assert "Taux de réalisation = réalisé / objectif" in text
    assert "indice de dissimilarité" in text
    assert at.radio(key="ind-niveau").value == level
    assert len(at.get("plotly_chart")) >= 3
    for chart in at.get("plotly_chart"):  # « 1 500 », not « 1500 »
        layout = json.loads(chart.proto.spec)["layout"]
        assert layout["separators"] == ", "
        assert layout["yaxis"]["separatethousands"] is True
    trajectory = next(c for c in at.get("plotly_chart") if c.key == "objectifs-trajectoire")
    axis = json.loads(trajectory.proto.spec)["layout"]["xaxis"]
    assert axis["type"] == "category"  # « 2021 », never « 2 021 »
    assert axis["categoryarray"] == [str(y) for y in range(2021, 2027)]
    assert len(at.get("download_button")) == 2


@pytest.mark.usefixtures("on_demo")
@pytest.mark.parametrize("level", LEVELS)
def test_carte_renders_the_choropleth_with_its_legend(level):
    at = _run("carte.py", niveau=level, methode="jenks")
    text = _text(at)
    assert "Cliquez sur un territoire" in text
    assert "données de démonstration" in text
    assert at.sidebar.selectbox(key="ind-methode").value == "jenks"
    blob = json.dumps(folium_component_args(at))
    assert "territoires-legend" in blob
    assert "seuils naturels de Jenks" in blob
    for host in ("jsdelivr", "unpkg", "cdnjs", "bootstrapcdn", "code.jquery", "d3js"):
        assert host not in blob


@pytest.mark.usefixtures("on_demo")
def test_carte_click_state_shows_the_detail():
    at = AppTest.from_file(str(PAGES / "carte.py"), default_timeout=120)
    at.query_params["niveau"] = "instance"
    at.session_state["carte-selection"] = ("instance", "AGG")
    at.run()
    assert not at.exception
    text = _text(at)
    assert AGG in text
    assert "Signalements" in text


@pytest.mark.usefixtures("on_demo")
@pytest.mark.parametrize("level", LEVELS)
def test_programmation_breaks_down_by_status_and_territory(level):
    at = _run("programmation.py", niveau=level, annee="2023")
    text = _text(at)
    assert _name(level) in text
    assert "agréées et livrées" in text
    assert "données de démonstration" in text
    assert len(at.get("plotly_chart")) == 3
    table = at.dataframe[0].value
    assert set(table["Année"]) == {"2023"}
    assert {"agréée", "livrée"} <= set(table["Statut"])
    years = json.loads(at.get("plotly_chart")[0].proto.spec)
    axis = years["layout"]["xaxis"]
    assert axis["type"] == "category"  # « 2021 », never « 2 021 »
    assert axis["categoryarray"] == sorted(axis["categoryarray"])  # 2018, 2019, 2020…
    assert "2020" in axis["categoryarray"]
    # One stable order of the statuses, French labels only.
    assert [t["name"] for t in years["data"]] == ["livrée", "agréée", "programmée", "abandonnée"]


@pytest.mark.usefixtures("on_demo")
@pytest.mark.parametrize("level", LEVELS)
def test_habitat_indigne_rates_and_trend(level):
    from dashboard.cli.indicators import load_inputs
    from dashboard.indicators.signals import signal_summary
    from geo.reference import load_reference

    at = _run("habitat_indigne.py", niveau=level)
    text = _text(at)
    assert "pour 10\u202f000 habitants (population municipale 2023)" in text
    assert "données de démonstration" in text
    inputs = load_inputs(None, None)
    summary = signal_summary(
        load_reference("38"), inputs.memberships, inputs.tables["signalements"], level=level
    )
    row = summary[summary["territoire_nom"] == _name(level)].iloc[0]
    table = at.dataframe[0].value
    shown = table[table["Territoire"] == _name(level)].iloc[0]
    assert shown["Signalements reçus"] == fr_int(row["nb_signalements"])
    assert shown["Résolus"] == fr_int(row["nb_resolus"])
    assert shown["Clos sans résolution"] == fr_int(row["nb_clos_sans_resolution"])
    assert shown["En cours"] == fr_int(row["nb_en_cours"])
    metrics = {m.label: m.value for m in at.metric}
    dep = signal_summary(load_reference("38"), inputs.memberships, inputs.tables["signalements"],
                         level="departement").iloc[0]  # fmt: skip
    assert metrics["Résolus"] == fr_int(dep["nb_resolus"])
    assert metrics["Clos sans résolution"] == fr_int(dep["nb_clos_sans_resolution"])
    assert "Résolu : clos par des travaux faits ou en cours" in text
    assert [c.key for c in at.get("plotly_chart")] == [
        "sig-issue", "sig-procedure", "sig-motifs", "sig-tendance",
    ]  # fmt: skip
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    procedures = [t["name"] for t in charts[1]["data"]]
    assert procedures[:4] == ["Insalubrité", "Péril", "RSD", "Non-décence"]  # labels, in order
    assert len({t["marker"]["color"] for t in charts[1]["data"]}) == len(procedures)
    assert charts[1]["layout"]["legend"]["yanchor"] == "bottom"  # above the bars, not on them
    trend = charts[3]["layout"]
    assert trend["xaxis"]["type"] == "category"
    assert all(len(y) == 4 for y in trend["xaxis"]["categoryarray"])
    assert float(trend["yaxis2"]["dtick"]).is_integer()  # days: 50, 100…, never 62,1
    assert "territoires-legend" in json.dumps(folium_component_args(at))


def test_objectifs_when_instances_no_longer_match_the_objectives(
    own_demo_workspace, monkeypatch, isere
):
    """Instances renamed after the objectives were set: no instance objective, no crash."""
    from dashboard.intake.imports import import_file
    from dashboard.store.workspace import open_workspace

    folder = own_demo_workspace
    text = (PAGES.parent / "data" / "demo" / "instances_clh.csv").read_bytes().decode("cp1252")
    renamed = "\n".join(line if i == 0 else "N" + line for i, line in enumerate(text.splitlines()))
    report = import_file(
        "instances", renamed.encode("cp1252"), "instances_renommees.csv",
        open_workspace(folder), isere,
    )  # fmt: skip
    assert report.valid, report.as_dict()
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(folder))
    at = _run("objectifs.py", niveau="instance", date="2024-12-31")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Indice de dissimilarité (objectif)"] == "–"
    assert metrics["Indice de dissimilarité (réalisé)"] != "–"
    warning = "\n".join(w.value for w in at.warning)
    assert "Objectif ignoré, territoire inconnu : instance AGG (plai)" in warning
