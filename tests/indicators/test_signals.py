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
            "motif_cloture": ["Travaux faits ou en cours", "Non décence", "relogement_occupant",
                              None, None],
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
    # S1 (works done) and S3 (rehoused) are resolved; S2, closed as « non décence », is not.
    assert (voiron["nb_resolus"], voiron["nb_clos_sans_resolution"]) == (2, 1)
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
        "non renseigné": 1, "Non-décence": 1, "Péril": 1, "RSD": 2,
    }  # fmt: skip
    issues = signal_breakdown(isere, memberships, signals, "issue", level="departement")
    assert dict(zip(issues["issue"], issues["nb_signalements"], strict=True)) == {
        "résolu": 2, "clos sans résolution": 1, "en cours": 2,
    }  # fmt: skip
    motifs = signal_breakdown(isere, memberships, signals, "motif_cloture", level="departement")
    assert set(motifs["motif_cloture"]) == {  # closed signals only: no « non renseigné »
        "Travaux faits ou en cours", "Non décence", "Relogement occupant",
    }  # fmt: skip
    trend = signal_trend(isere, memberships, signals, level="departement")
    assert trend["nb_signalements"].tolist() == [2, 3]
    assert trend["nb_clotures"].tolist() == [2, 1]
    assert trend["nb_resolus"].tolist() == [1, 1]
    assert trend["nb_clos_sans_resolution"].tolist() == [1, 0]


def test_resolved_signals_feed_signalements_traites(isere, memberships, signals):
    """« Traités » are the resolved closures, as Signal Logement counts them: 2 of the 3."""
    tables = {
        "objectifs": objectives([("instance", "VCH", "signalements_traites", 2022, 2023, 6)]),
        "signalements": signals,
    }
    df = compute_indicators(isere, memberships, tables, END_2023, level="instance")
    row = row_of(df, "instance", "VCH", "2022-2023", "signalements_traites")
    assert row["realise"] == 2
    assert row["taux"] == pytest.approx(2 / 6)
    assert "signalements résolus dans l'année" in row["source"]


def test_outcomes_follow_signal_logement_on_its_export(isere):
    """Every status and motif of the real export layout: 6 motifs resolve, the other 15
    closures, the refused and the archived are closed without resolution, the rest open."""
    from dashboard.indicators.outcomes import DEFINITION_ISSUES, signal_outcomes
    from dashboard.intake.imports import check_file
    from tests.paths import CORPUS

    frame = check_file("signalements", (CORPUS / "signal_logement_export.xlsx").read_bytes(),
                       "export.xlsx", isere).frame  # fmt: skip
    outcomes = pd.Series(signal_outcomes(frame), index=frame["id_signalement"])
    assert outcomes.value_counts().to_dict() == {
        "clos_sans_resolution": 17, "resolu": 6, "en_cours": 3,
    }  # fmt: skip
    resolved = set(frame.loc[outcomes.to_numpy() == "resolu", "motif_cloture"])
    assert resolved == {"travaux_faits_ou_en_cours", "logement_mis_en_conformite",
                        "relogement_occupant", "insalubrite", "peril", "rsd"}  # fmt: skip
    assert outcomes["2024-104"] == "clos_sans_resolution"  # refusé
    assert "définition de Signal Logement" in DEFINITION_ISSUES


def test_a_closure_needs_a_date_and_a_motif_to_resolve():
    from dashboard.indicators.outcomes import signal_outcomes

    frame = pd.DataFrame({
        "statut": ["ferme", "ferme", None, None, "Fermé", "injonction_bailleur"],
        "date_cloture": pd.to_datetime(["2024-02-01", None, "2024-02-01", None, "2024-02-01",
                                        None]),
        "motif_cloture": ["rsd", "rsd", None, None, "Travaux réalisés", None],
    })  # fmt: skip
    assert signal_outcomes(frame).tolist() == [
        "resolu", "clos_sans_resolution", "clos_sans_resolution", "en_cours", "resolu",
        "en_cours",
    ]  # fmt: skip


