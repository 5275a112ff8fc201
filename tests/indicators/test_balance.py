"""Territorial balance: shares of need, objective and realised, dissimilarity index."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.indicators.balance import balance_for_cli, compute_balance, dissimilarity
from dashboard.indicators.compute import compute_indicators, plai_programming
from geo.reference import Reference
from tests.indicators.cases import (
    CHARTREUSE,
    CINC,
    COEUR_CHARTREUSE,
    END_2023,
    GRENOBLE,
    PAYS_VOIRONNAIS,
    VALENCIN,
    VOIRON,
    objectives,
    operations,
)


def test_dissimilarity_index():
    assert dissimilarity([60, 40], [50, 50]) == pytest.approx(10)
    assert dissimilarity([1, 0], [0, 1]) == pytest.approx(100)
    assert dissimilarity([3, 3], [1, 1]) == 0


@pytest.fixture
def tiny_reference() -> Reference:
    """Three communes: A (100 inh.) and B (300) in EPCI E1, C (600) in EPCI E2."""
    communes = gpd.GeoDataFrame(
        {
            "code_insee": ["99001", "99002", "99003"],
            "nom": ["A", "B", "C"],
            "population": [100, 300, 600],
            "epci_siren": ["E1", "E1", "E2"],
            "epci_nom": ["Un", "Un", "Deux"],
            "epci_nature": ["CC", "CC", "CC"],
        },
        geometry=[None, None, None],
    )
    empty = pd.DataFrame()
    return Reference("99", "Test", communes, empty, empty, empty)


def test_balance_index_on_a_tiny_hand_example(tiny_reference):
    tables = {
        "objectifs": objectives(
            [("epci", "E1", "plai", 2021, 2026, 40), ("epci", "E2", "plai", 2021, 2026, 60)]
        ),
        "operations": operations([("99001", 2021, 10, "agreee"), ("99003", 2022, 30, "livree")]),
    }
    df = compute_balance(tiny_reference, None, tables, "plai", "epci")
    rows = df.set_index(["territoire_type", "territoire_code"])
    e1, e2 = rows.loc[("epci", "E1")], rows.loc[("epci", "E2")]
    assert e1["part_besoin"] == pytest.approx(0.4)
    assert e1["part_realise"] == pytest.approx(0.25)
    assert e1["indice_equilibre"] == pytest.approx(0.625)
    assert e2["indice_equilibre"] == pytest.approx(1.25)
    assert e1["indice_equilibre_objectif"] == pytest.approx(1.0)
    dep = rows.loc[("departement", "99")]
    assert dep["dissimilarite_realise"] == pytest.approx(15)  # 0.5 × (0.15 + 0.15)
    assert dep["dissimilarite_objectif"] == pytest.approx(0)
    assert e1["periode"] == "2021-2026"


def test_balance_on_instances_with_imported_need(isere, memberships):
    real = pd.DataFrame(
        [
            ("epci", PAYS_VOIRONNAIS, "pppi", 2019, 300.0),
            ("epci", COEUR_CHARTREUSE, "pppi", 2019, 100.0),
            ("epci", "200040715", "pppi", 2019, 400.0),
        ],
        columns=["territoire_type", "territoire_code", "indicateur", "annee", "valeur"],
    )
    tables = {
        "realisations": real,
        "operations": operations([(VOIRON, 2021, 10, "agreee"), (GRENOBLE, 2021, 30, "agreee")]),
    }
    df = compute_balance(isere, memberships, tables, "plai", "instance", besoin="pppi")
    rows = df.set_index("territoire_code")
    assert rows.loc["VCH", "valeur_besoin"] == 400
    assert rows.loc["VCH", "part_besoin"] == pytest.approx(0.5)
    assert rows.loc["VCH", "part_realise"] == pytest.approx(0.25)
    assert rows.loc["VCH", "indice_equilibre"] == pytest.approx(0.5)
    assert rows.loc["38", "dissimilarite_realise"] == pytest.approx(25)


def test_plai_programming_by_year_and_status(isere, memberships):
    ops = operations(
        [
            (VOIRON, 2022, 7, "programmee"),
            (CHARTREUSE, 2022, 3, "agreee"),
            (VOIRON, 2022, 20, "abandonnee"),
            (VALENCIN, 2023, 6, None),
        ]
    )
    df = plai_programming(isere, memberships, ops, "instance", by=("annee", "statut"))
    vch = df[df["territoire_code"] == "VCH"].set_index("statut")
    assert vch.loc["programmee", "nb_plai"] == 7
    assert vch.loc["agreee", "nb_plai"] == 3
    assert vch.loc["abandonnee", "nb_operations"] == 1
    assert set(df["territoire_code"]) == {"VCH"}  # Valencin is in no instance
    epci = plai_programming(isere, memberships, ops, "epci", by=("statut",))
    assert epci.loc[epci["territoire_code"] == CINC, "statut"].tolist() == ["agreee"]


def test_unknown_territories_are_reported(isere, memberships):
    tables = {
        "objectifs": objectives([("instance", "XXX", "plai", 2021, 2026, 10)]),
        "realisations": pd.DataFrame(
            [("epci", "999999999", "parc_prive_social", 2022, 3.0)],
            columns=["territoire_type", "territoire_code", "indicateur", "annee", "valeur"],
        ),
    }
    df = compute_indicators(isere, memberships, tables, END_2023)
    warnings = " | ".join(df.attrs["avertissements"])
    assert "instance XXX" in warnings
    assert "epci 999999999" in warnings
    assert not (df["territoire_code"] == "XXX").any()


def test_balance_keeps_instance_types_apart(isere, memberships):
    sectors = memberships.assign(instance_type="secteur_pdh", instance_code="S-" + memberships[
        "instance_code"])  # fmt: skip
    both = pd.concat([memberships, sectors], ignore_index=True)
    tables = {"operations": operations([(VOIRON, 2021, 10, "agreee")])}
    df = balance_for_cli(isere, both, tables, levels=("instance",))
    summaries = df[df["territoire_type"] == "departement"].set_index("instance_type")
    assert set(summaries.index) == {"clh", "secteur_pdh"}
    assert (summaries["realise"] == 10).all()  # not 20: the two types are not summed
    clh = df[(df["instance_type"] == "clh") & (df["territoire_type"] == "instance")]
    assert clh["part_realise"].sum() == pytest.approx(1)
