"""Habitat-indigne signals: counts, rates per 10 000 inhabitants, breakdowns and trends."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.indicators.compute import compute_indicators
from dashboard.indicators.signals import signal_breakdown, signal_summary, signal_trend
from tests.indicators.cases import END_2023, VALENCIN, VOIRON, objectives, row_of


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
    assert voiron["population"] == 21_847  # population municipale 2023, in force in 2026
    assert voiron["nb_signalements"] == 4
    assert voiron["taux_pour_10000"] == pytest.approx(4 / 21_847 * 10_000)
    assert voiron["nb_clotures"] == 3
    assert voiron["nb_en_cours"] == 1
    assert voiron["delai_median_cloture_jours"] == 20  # 10, 20 and 40 days
    assert "population municipale 2023" in voiron["source"]
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
        "objectifs": objectives([("instance", "VCH", "signalements_traites", 2022, 2023, 6)]),
        "signalements": signals,
    }
    df = compute_indicators(isere, memberships, tables, END_2023, level="instance")
    row = row_of(df, "instance", "VCH", "2022-2023", "signalements_traites")
    assert row["realise"] == 3
    assert row["taux"] == pytest.approx(0.5)
    assert "clôturés" in row["source"]


