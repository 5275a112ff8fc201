"""The action programme on the Isère demo: statuses, milestones at a reference date, linked
indicators taken from the payload, territories as sets of communes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.indicators.payload import compute_all, load_inputs
from dashboard.programme.actions import (
    ACTION_KEYS,
    ETAT_A_VENIR,
    ETAT_EN_RETARD,
    ETAT_REALISE,
    ETAT_REALISE_EN_RETARD,
    ETAT_SANS_OBJET,
    jalon_states,
    natural_key,
)
from dashboard.programme.report import load_programme

DEMO_DATE = dt.date(2024, 12, 31)
GRENOBLE = "200040715"


@pytest.fixture(scope="module")
def programme(demo_workspace):
    report, _ = load_programme(demo_workspace)
    return report


def test_demo_programme_by_axe(programme):
    assert programme.today == DEMO_DATE  # the end of the last data year
    assert len(programme.actions) == 16
    assert programme.axes == [
        "Accès au logement", "Prévention des expulsions", "Lutte contre l'habitat indigne",
        "Hébergement et logement accompagné", "Précarité énergétique",
    ]  # fmt: skip
    assert "données de démonstration" in programme.source
    row = programme.action("2.2")
    assert (row["statut"], row["statut_libelle"], row["avancement"]) == ("realisee", "réalisée",
                                                                        1.0)
    assert not row["en_retard"]


def test_late_milestones_at_the_reference_date(programme):
    late = programme.late_milestones()
    cia = late[late["libelle"] == "CIA de la CAPI signée"].iloc[0]
    assert cia["action"] == "1.4"
    assert cia["jours_de_retard"] == (DEMO_DATE - dt.date(2023, 6, 30)).days == 550
    assert list(late["jours_de_retard"]) == sorted(late["jours_de_retard"], reverse=True)
    assert set(late["action"]) == {"1.3", "1.4", "2.3", "3.1", "3.3", "4.2", "5.3"}
    # done after its planned date: reached, but late
    jal = programme.jalons
    contingent = jal[jal["libelle"].str.startswith("Convention de réservation")].iloc[0]
    assert contingent["etat"] == ETAT_REALISE_EN_RETARD
    # an action is late by a milestone or by its end date passed unfinished
    fsl = programme.action("5.3")
    assert fsl["echeance_depassee"]
    assert fsl["en_retard"]
    assert programme.action("1.4")["avancement"] == pytest.approx(2 / 4)
    assert set(programme.late_actions()["code"]) == {"1.3", "1.4", "2.3", "3.1", "3.3", "4.2",
                                                     "5.3"}  # fmt: skip


def test_an_earlier_date_has_fewer_late_milestones(demo_workspace):
    report, _ = load_programme(demo_workspace, today=dt.date(2022, 12, 31))
    jal = report.jalons
    assert jal.loc[jal["libelle"] == "CIA de la CAPI signée", "etat"].iloc[0] == ETAT_A_VENIR
    assert set(report.late_milestones()["action"]) == {"2.3"}  # due 31/12/2022: not late yet


def test_linked_indicators_are_the_payload_rows(programme, demo_workspace):
    inputs = load_inputs(demo_workspace, None)
    payload = pd.DataFrame(compute_all(inputs, DEMO_DATE, None)["indicators"])
    want = payload[(payload["indicateur"] == "plai") & (payload["territoire_type"] == "departement")
                   & (payload["periode"] == "2021-2026")].iloc[0]  # fmt: skip
    got = programme.links[(programme.links["action"] == "1.1")].iloc[0]
    for key in ("objectif", "realise", "taux", "attendu_a_date", "statut", "periode"):
        assert got[key] == want[key], key
    # an action naming three EPCI follows each of them
    anah = programme.links[programme.links["action"] == "1.3"]
    assert list(anah["territoire_code"]) == [GRENOBLE, "243800984", "243800604"]
    assert (anah["realise"] > 0).all()


def test_actions_touching_a_territory_share_a_commune(programme, isere):
    metro = isere.communes.loc[isere.communes["epci_siren"] == GRENOBLE, "code_insee"]
    codes = set(programme.touching(metro)["code"])
    # named EPCI, and the instance AGG that holds the métropole's communes
    assert codes == {"1.3", "1.4", "2.3", "4.3"}
    trieves = isere.communes.loc[isere.communes["epci_siren"] == "200030658", "code_insee"]
    assert set(programme.touching(trieves)["code"]) == {"3.3"}
    filtered = programme.filtered(communes=trieves, departemental=False)
    assert list(filtered["code"]) == ["3.3"]
    with_dep = programme.filtered(communes=trieves, axe="Lutte contre l'habitat indigne")
    assert list(with_dep["code"]) == ["3.1", "3.3"]


def test_records_put_the_contract_keys_first(programme):
    records = programme.records()
    assert [list(r)[: len(ACTION_KEYS)] for r in records] == [ACTION_KEYS] * 16
    late = next(r for r in records if r["code"] == "1.4")["jalons_en_retard"]
    assert late == [{"libelle": "CIA de la CAPI signée", "date_prevue": "2023-06-30",
                     "date_realisee": None, "etat": ETAT_EN_RETARD, "jours_de_retard": 550}]


def test_milestone_states_unit():
    actions = pd.DataFrame({"code": ["A", "B"], "statut": ["en_cours", "abandonnee"]})
    jalons = pd.DataFrame({
        "action": ["A", "A", "A", "A", "B"],
        "libelle": ["à l'heure", "tard", "en retard", "futur", "abandonné"],
        "date_prevue": pd.to_datetime(["2023-01-01", "2023-01-01", "2023-06-01", "2025-01-01",
                                       "2023-01-01"]),
        "date_realisee": pd.to_datetime(["2022-12-01", "2023-03-01", None, None, None]),
    })  # fmt: skip
    states = jalon_states(jalons, actions, dt.date(2024, 1, 1))
    assert list(states["etat"]) == [ETAT_REALISE, ETAT_REALISE_EN_RETARD, ETAT_EN_RETARD,
                                    ETAT_A_VENIR, ETAT_SANS_OBJET]  # fmt: skip
    assert list(states["jours_de_retard"]) == [None, None, 214, None, None]
    # realised after the reference date: not realised yet at that date
    before = jalon_states(jalons, actions, dt.date(2023, 2, 1))
    assert before.loc[1, "etat"] == ETAT_EN_RETARD


def test_natural_order_of_codes():
    assert sorted(["1.10", "2", "1.2", "1.1"], key=natural_key) == ["1.1", "1.2", "1.10", "2"]
