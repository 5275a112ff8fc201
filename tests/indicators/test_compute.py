"""Objectives against realisations and statuses, on the hand-computed cases of
``tests/indicators/cases.py``."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.indicators.compute import (
    INDICATOR_KEYS,
    compute_indicators,
)
from dashboard.indicators.status import (
    SEUIL_CONFORME,
    SEUIL_TRES_EN_RETARD,
    STATUT_A_VENIR,
    STATUT_CONFORME,
    STATUT_RETARD,
    STATUT_SANS_OBJECTIF,
    STATUT_TRES_RETARD,
    part_attendue,
    status,
)
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
    row_of,
)


@pytest.fixture(scope="module")
def vch_case(isere, memberships):
    """VCH objective 120 over 2021-2026; EPCI objectives 80 + 40; operations in both EPCI."""
    tables = {
        "objectifs": objectives(
            [
                ("departement", "38", "plai", 2021, 2026, 600),
                ("instance", "VCH", "plai", 2021, 2026, 120),
                ("epci", PAYS_VOIRONNAIS, "plai", 2021, 2026, 80),
                ("epci", COEUR_CHARTREUSE, "plai", 2021, 2026, 40),
            ]
        ),
        "operations": operations(
            [
                (VOIRON, 2021, 10, "agreee"),
                (CHARTREUSE, 2022, 5, "livree"),
                (GRENOBLE, 2022, 50, "agreee"),
                (VALENCIN, 2022, 6, "agreee"),
            ]
        ),
    }
    return compute_indicators(isere, memberships, tables, today=END_2023)


def test_keys_of_rows_follow_the_cli_contract(vch_case):
    assert list(vch_case.columns[: len(INDICATOR_KEYS)]) == INDICATOR_KEYS
    assert vch_case["source"].str.len().gt(0).all()


def test_instance_objective_against_sum_over_member_epci(vch_case):
    vch = row_of(vch_case, "instance", "VCH", "2021-2026")
    voironnais = row_of(vch_case, "epci", PAYS_VOIRONNAIS, "2021-2026")
    chartreuse = row_of(vch_case, "epci", COEUR_CHARTREUSE, "2021-2026")
    assert voironnais["realise"] == 10
    assert chartreuse["realise"] == 5
    assert vch["realise"] == voironnais["realise"] + chartreuse["realise"] == 15
    assert vch["objectif"] == 120
    assert vch["taux"] == pytest.approx(15 / 120)
    assert vch["territoire_nom"] == "Voironnais-Chartreuse"


def test_period_objective_on_a_partial_period(vch_case):
    vch = row_of(vch_case, "instance", "VCH", "2021-2026")
    assert part_attendue(2021, 2026, END_2023) == pytest.approx(0.5)
    assert vch["part_attendue"] == pytest.approx(0.5)
    assert vch["attendu_a_date"] == pytest.approx(60)
    # 15 realised for 60 expected: 25 % of the trajectory, far behind.
    assert vch["statut"] == STATUT_TRES_RETARD
    # Per-year rows carry the annual share of the objective.
    y2022 = row_of(vch_case, "instance", "VCH", "2022")
    assert y2022["objectif"] == pytest.approx(20)
    assert y2022["objectif_annualise"]
    assert y2022["realise"] == 5
    y2025 = row_of(vch_case, "instance", "VCH", "2025")
    assert y2025["statut"] == STATUT_A_VENIR
    assert y2025["attendu_a_date"] == 0
    assert vch["annee_donnees"] == 2022  # last year with operations


def test_expected_share_mid_year_and_before_start():
    assert part_attendue(2021, 2026, dt.date(2020, 12, 31)) == 0
    assert part_attendue(2021, 2026, dt.date(2030, 1, 1)) == 1
    # 2021 and 2022 over, 2023 half-way (1 July is day 182 of 365).
    assert part_attendue(2021, 2026, dt.date(2023, 7, 1)) == pytest.approx((2 + 182 / 365) / 6)
    assert part_attendue(2024, 2024, dt.date(2024, 12, 31)) == 1


def test_commune_in_no_instance_counts_for_departement_and_epci_only(vch_case, memberships):
    assert VALENCIN not in set(memberships["code_insee"])
    dep = row_of(vch_case, "departement", "38", "2021-2026")
    assert dep["realise"] == 10 + 5 + 50 + 6
    cinc = row_of(vch_case, "epci", CINC, "2021-2026")
    assert cinc["realise"] == 6
    assert cinc["statut"] == STATUT_SANS_OBJECTIF
    instances = vch_case[
        (vch_case["territoire_type"] == "instance")
        & (vch_case["indicateur"] == "plai")
        & (vch_case["periode"] == "2021-2026")
    ]
    assert instances["realise"].sum() == 10 + 5 + 50
    commune = row_of(vch_case, "commune", VALENCIN, "2021-2026")
    assert commune["realise"] == 6


def test_operations_with_mixed_statuses(isere, memberships):
    tables = {
        "objectifs": objectives([("epci", PAYS_VOIRONNAIS, "plai", 2022, 2022, 20)]),
        "operations": operations(
            [
                (VOIRON, 2022, 7, "programmee"),
                (VOIRON, 2022, 3, "agreee"),
                (VOIRON, 2022, 4, "livree"),
                (VOIRON, 2022, 20, "abandonnee"),
                (VOIRON, 2022, 2, None),  # no status: financed (STATUT_PAR_DEFAUT)
            ]
        ),
    }
    df = compute_indicators(isere, memberships, tables, END_2023, level="epci")
    row = row_of(df, "epci", PAYS_VOIRONNAIS, "2022")
    assert row["realise"] == 3 + 4 + 2
    assert row["programme"] == 7
    assert row["objectif"] == 20
    assert not row["objectif_annualise"]
    assert row["taux"] == pytest.approx(9 / 20)
    assert set(df["territoire_type"]) == {"epci"}


def test_epci_realisation_counts_for_containing_instance_not_twice(isere, memberships):
    """An EPCI value counts for the instance holding it; a value declared for the
    instance itself wins, and the département does not add the two."""
    real = pd.DataFrame(
        [
            ("epci", COEUR_CHARTREUSE, "contingent_attributions", 2022, 12.0),
            ("epci", CINC, "contingent_attributions", 2022, 4.0),
            ("instance", "AGG", "contingent_attributions", 2022, 100.0),
            ("epci", "200040715", "contingent_attributions", 2022, 90.0),  # = AGG's communes
        ],
        columns=["territoire_type", "territoire_code", "indicateur", "annee", "valeur"],
    )
    tables = {
        "objectifs": objectives([("instance", "VCH", "contingent_attributions", 2022, 2022, 24)]),
        "realisations": real,
    }
    df = compute_indicators(isere, memberships, tables, END_2023)
    vch = row_of(df, "instance", "VCH", "2022", "contingent_attributions")
    assert vch["realise"] == 12
    assert vch["taux"] == pytest.approx(0.5)
    agg = row_of(df, "instance", "AGG", "2022", "contingent_attributions")
    assert agg["realise"] == 100  # declared for the instance: wins over the EPCI value
    dep = row_of(df, "departement", "38", "2022", "contingent_attributions")
    assert dep["realise"] == 12 + 4 + 100


def test_future_period_and_unknown_indicator(isere, memberships):
    tables = {
        "objectifs": objectives(
            [
                ("departement", "38", "plai", 2027, 2032, 600),
                ("departement", "38", "logements_passerelle", 2021, 2026, 30),
            ]
        ),
    }
    df = compute_indicators(isere, memberships, tables, END_2023, level="departement")
    assert row_of(df, "departement", "38", "2027-2032")["statut"] == STATUT_A_VENIR
    unknown = row_of(df, "departement", "38", "2021-2026", "logements_passerelle")
    assert unknown["statut"] == STATUT_TRES_RETARD  # nothing realised, half the period gone
    assert any("logements_passerelle" in w for w in df.attrs["avertissements"])


@pytest.mark.parametrize(
    ("realise", "expected"),
    [
        (45.0, STATUT_CONFORME),  # exactly 90 % of the 50 expected
        (44.99, STATUT_RETARD),
        (30.0, STATUT_RETARD),  # exactly 60 %
        (29.99, STATUT_TRES_RETARD),
        (80.0, STATUT_CONFORME),  # ahead
    ],
)
def test_status_thresholds_at_boundaries(realise, expected):
    assert (SEUIL_CONFORME, SEUIL_TRES_EN_RETARD) == (0.90, 0.60)
    assert status(100, realise, 50) == expected


def test_status_without_objective_or_not_started():
    assert status(None, 10, None) == STATUT_SANS_OBJECTIF
    assert status(0, 10, 0) == STATUT_SANS_OBJECTIF
    assert status(100, 0, 0, started=False) == STATUT_A_VENIR


def test_vectorised_status_matches_scalar_rule(isere, memberships):
    tables = {
        "objectifs": objectives([("commune", VOIRON, "plai", 2021, 2026, 100)]),
        "operations": operations([(VOIRON, 2021, 45, "agreee")]),
    }
    df = compute_indicators(isere, memberships, tables, END_2023, level="commune")
    row = row_of(df, "commune", VOIRON, "2021-2026")
    assert row["attendu_a_date"] == pytest.approx(50)
    assert row["statut"] == STATUT_CONFORME == status(100, 45, 50)


