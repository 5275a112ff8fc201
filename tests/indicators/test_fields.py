"""The plan's other fields per territory, on the real Isère reference and the demo CLH:
the commune is the atom, rates per 1 000 inhabitants on the covered population, chain
rates, the DALO median for its own territory, objectives met from the fields' tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.indicators.compute import compute_indicators
from dashboard.indicators.fields import FIELDS, field_records, field_table
from dashboard.indicators.payload import compute_all, load_inputs
from tests.indicators.cases import objectives

METRO = "200040715"
GRENOBLE, ECHIROLLES = "38185", "38151"
EBR = "200085751"  # CC Entre Bièvre et Rhône, split between the CLH BVA and IRH
GRESIVAUDAN = "200018166"  # the whole of the CLH GRE


def _expulsions(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["territoire_type", "territoire_code", "annee", "etape",
                                       "nombre"])


def _row(frame: pd.DataFrame, typ: str, code: str, year: int = 2024) -> pd.Series:
    match = frame[(frame["territoire_type"] == typ) & (frame["territoire_code"] == code)
                  & (frame["annee"] == year)]  # fmt: skip
    assert len(match) == 1, (typ, code, year)
    return match.iloc[0]


@pytest.fixture(scope="module")
def expulsions(isere, memberships):
    tables = {"expulsions": _expulsions([
        ("commune", GRENOBLE, 2024, "assignation", 200),
        ("commune", GRENOBLE, 2024, "expulsion_effective", 30),
        ("commune", ECHIROLLES, 2024, "assignation", 50),
        ("commune", ECHIROLLES, 2024, "expulsion_effective", 10),
        ("epci", GRESIVAUDAN, 2024, "assignation", 40),
        ("epci", EBR, 2024, "assignation", 25),
    ])}
    return field_table(isere, memberships, tables, "expulsions",
                       ("departement", "instance", "epci", "commune"))


def test_communes_sum_into_every_territory_that_holds_them(expulsions):
    assert _row(expulsions, "epci", METRO)["expulsions_assignation"] == 250
    assert _row(expulsions, "departement", "38")["expulsions_assignation"] == 315
    assert _row(expulsions, "instance", "GRE")["expulsions_assignation"] == 40


def test_an_epci_split_between_instances_counts_for_neither(expulsions):
    """EBR's 25 assignations count for the département, not for BVA or IRH."""
    for code in ("BVA", "IRH"):
        rows = expulsions[(expulsions["territoire_type"] == "instance")
                          & (expulsions["territoire_code"] == code)]  # fmt: skip
        assert rows.empty
    assert _row(expulsions, "epci", EBR)["expulsions_assignation"] == 25


def test_rates_per_1000_on_the_covered_population(expulsions, isere):
    pop = isere.communes.set_index("code_insee")["population"]
    metro = _row(expulsions, "epci", METRO)
    covered = pop[GRENOBLE] + pop[ECHIROLLES]
    assert metro["population_couverte"] == covered
    assert metro["expulsions_assignation_pour_1000"] == pytest.approx(250 / covered * 1000)
    whole = isere.communes.groupby("epci_siren")["population"].sum()[METRO]
    assert metro["couverture"] == pytest.approx(covered / whole)
    gre = _row(expulsions, "instance", "GRE")
    assert gre["couverture"] == pytest.approx(1.0)


def test_chain_rate_assignations_to_expulsions(expulsions):
    assert _row(expulsions, "epci", METRO)["taux_expulsion_assignation"] == pytest.approx(
        40 / 250)
    assert pd.isna(_row(expulsions, "epci", GRESIVAUDAN)["taux_expulsion_assignation"])


def test_dalo_rates_and_median_of_its_own_territory(isere, memberships):
    dalo = pd.DataFrame(
        [("epci", METRO, 2024, 300, 120, 90, 7.5), ("epci", GRESIVAUDAN, 2024, 40, 10, 8, 11.0)],
        columns=["territoire_type", "territoire_code", "annee", "recours_deposes",
                 "decisions_favorables", "menages_reloges", "delai_median_mois"])
    table = field_table(isere, memberships, {"dalo": dalo}, "dalo")
    metro = _row(table, "epci", METRO)
    assert metro["taux_relogement_dalo"] == pytest.approx(0.75)
    assert metro["taux_favorable_dalo"] == pytest.approx(0.4)
    assert metro["dalo_delai_median_mois"] == 7.5
    dep = _row(table, "departement", "38")
    assert dep["menages_dalo_reloges"] == 98
    assert pd.isna(dep["dalo_delai_median_mois"])  # a median is not summed
    records = field_records(table, "dalo")
    rate = records[(records["indicateur"] == "taux_relogement_dalo")
                   & (records["territoire_code"] == METRO)]  # fmt: skip
    assert rate["unite"].tolist() == ["taux"]
    assert "décisions favorables" in rate["definition"].iloc[0]


def test_accord_collectif_against_its_objective(isere, memberships):
    attributions = pd.DataFrame(
        [("epci", METRO, 2024, "accord_collectif", 400, 300),
         ("epci", METRO, 2024, "contingent_prefectoral", 500, 520)],
        columns=["territoire_type", "territoire_code", "annee", "dispositif", "objectif",
                 "realise"])
    table = field_table(isere, memberships, {"attributions_prioritaires": attributions},
                        "attributions_prioritaires")
    metro = _row(table, "epci", METRO)
    assert metro["taux_accord_collectif"] == pytest.approx(0.75)
    assert metro["taux_contingent"] == pytest.approx(1.04)


def test_an_objective_on_a_field_indicator_gets_its_status(isere, memberships):
    fsl = pd.DataFrame(
        [("epci", METRO, year, "acces", 100, 50_000.0) for year in (2021, 2022, 2023)],
        columns=["territoire_type", "territoire_code", "annee", "volet", "nb_aides", "montant"])
    tables = {"fsl": fsl,
              "objectifs": objectives([("epci", METRO, "fsl_aides_acces", 2021, 2026, 600)])}
    out = compute_indicators(isere, memberships, tables, dt.date(2023, 12, 31), "epci")
    row = out[(out["indicateur"] == "fsl_aides_acces") & (out["periode"] == "2021-2026")]
    assert row["realise"].tolist() == [300]
    assert row["statut"].iloc[0] != "sans objectif"
    assert "table « fsl » importée" in row["source"].iloc[0]


def test_demo_payload_has_every_field_with_source_and_definition():
    inputs = load_inputs(None, "38")
    payload = compute_all(inputs, dt.date(2024, 12, 31), None)
    records = pd.DataFrame(payload["autres_champs"])
    assert set(records["champ"]) == set(FIELDS)
    assert set(payload["definition_autres_champs"]) == set(FIELDS)
    assert records["source"].str.endswith("données de démonstration").all()
    assert records["definition"].str.len().gt(10).all()
    assert set(records["territoire_type"]) == {"departement", "instance", "epci"}
    dep = records[(records["territoire_type"] == "departement") & (records["annee"] == 2024)]
    effective = dep[dep["indicateur"] == "expulsions_expulsion_effective"]["valeur"].iloc[0]
    assert 100 <= effective <= 400  # hundreds a year in a département of 1,3 million
