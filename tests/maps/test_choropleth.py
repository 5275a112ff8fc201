"""Choropleth classes (mapclassify) on real Isère values and the map's legend HTML."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.maps.choropleth import (
    METHODS,
    NO_DATA_LABEL,
    add_operations,
    build_choropleth_map,
    classify,
    finish_map,
    level_shapes,
)
from dashboard.maps.folium_map import Legend, map_html


@pytest.fixture(scope="module")
def epci_populations(isere) -> pd.Series:
    """Population of the 18 Isère EPCI inside the département (populations in force, real)."""
    com = isere.communes
    return com.groupby("epci_siren")["population"].sum().astype(float)


def test_quantiles_put_as_many_epci_in_each_class(epci_populations):
    classes = classify(epci_populations, "quantiles", k=3)
    assert len(classes.bins) == 3
    counts = pd.cut(epci_populations, [classes.lower - 1, *classes.bins]).value_counts()
    assert sorted(counts) == [6, 6, 6]
    assert classes.bins[-1] == epci_populations.max()
    assert classes.method_label == METHODS["quantiles"]


def test_jenks_isolates_grenoble_alpes_metropole(epci_populations):
    classes = classify(epci_populations, "jenks", k=5)
    # The métropole (450 608 inhabitants) is alone in the top class.
    assert classes.bins[-1] == 450_608
    assert (epci_populations > classes.bins[-2]).sum() == 1
    assert classes.labels[-1].endswith("450\u202f608,0")
    assert classes.colour_of(450_608) == classes.colours[-1]
    assert classes.colour_of(float("nan")) == "#d9d9d9"


def test_commune_level_counts_never_give_degenerate_classes(demo_workspace, isere):
    """PLA-I per commune of the demo: most communes have none. Quantiles would merge into
    « 0 – 0 / 0 – 11 »: the classes fall back to natural breaks, each label spans the values
    its class holds, and few distinct values give one class per value."""
    from dashboard.formatting import fr_int
    from dashboard.intake.loader import load_tables

    ops = load_tables(demo_workspace).tables["operations"]
    per = ops.groupby(ops["code_insee"].astype(str))["nb_plai"].sum()
    values = per.reindex(isere.communes["code_insee"].astype(str), fill_value=0).astype(float)
    assert (values == 0).mean() > 0.5  # the case that degenerated
    classes = classify(values, "quantiles", k=5, fmt=fr_int)
    assert classes.method == "jenks"
    assert len(classes.bins) == 5
    assert len(set(classes.labels)) == 5
    for text in classes.labels:
        lo, _, hi = text.partition(" – ")
        assert lo != hi, classes.labels  # never « 0 – 0 »
    los = [float(t.split(" – ")[0].replace("\u202f", "")) for t in classes.labels]
    assert los == sorted(set(los))  # no class starts where the previous one ended
    assert classify([0, 0, 0, 3, 3, 7], "quantiles", fmt=fr_int).labels == ["0", "3", "7"]


def test_equal_intervals_and_degenerate_inputs():
    classes = classify([0, 10, 20, 30, 40], "egal", k=4)
    assert classes.bins == [10, 20, 30, 40]
    single = classify([5, 5, float("nan")], "jenks")
    assert single.bins == [5]
    assert single.labels == ["5,0"]
    assert classify([], "quantiles").bins == []
    with pytest.raises(ValueError, match="inconnue"):
        classify([1, 2], "kmeans")


def test_legend_is_escaped_states_the_method_and_needs_no_cdn(isere_territory):
    terr = isere_territory
    shapes = level_shapes(terr.communes, terr.epci, terr.instances, "epci")
    population = terr.epci["population_dep"].to_numpy(float)
    values = pd.Series(population, index=terr.epci["siren"]).iloc[:-1]  # one EPCI « sans donnée »
    fmap, classes = build_choropleth_map(
        shapes, "epci", values, "Population <script>alert(1)</script>", "jenks", note="2017 & co"
    )
    ops = pd.DataFrame(
        {"code_insee": ["38185"], "annee": [2023], "nb_plai": [12], "statut": ["livree"],
         "libelle": ["<b>Résidence</b>"], "bailleur": ["Actis"]}
    )  # fmt: skip
    add_operations(fmap, ops, terr.communes, "points")
    html = map_html(finish_map(fmap, tuple(shapes.total_bounds)))
    assert "territoires-legend" in html
    legend = next(c for c in fmap._children.values() if isinstance(c, Legend)).html
    assert legend.startswith("<b>Population &lt;script&gt;alert(1)&lt;/script&gt;</b>")
    assert "seuils naturels de Jenks" in legend
    assert NO_DATA_LABEL in legend
    assert "2017 &amp; co" in legend
    assert "<script>alert(1)" not in html
    assert "&lt;b&gt;Résidence" in html
    for host in ("jsdelivr", "unpkg", "cdnjs", "d3js", "bootstrapcdn", "code.jquery"):
        assert host not in html
    assert "/app/static/leaflet/leaflet.js" in html
    assert "L.control.layers" in html
    assert "L.marker" not in html  # circle markers only, no icon to fetch
    assert len(classes.bins) == 5
