"""The coverage report read from the demo workspace, and the map categories."""

from __future__ import annotations

from dashboard.coverage.mapping import MODES, categorise
from dashboard.coverage.report import coverage_report


def test_report_on_demo_workspace(demo_workspace):
    report = coverage_report("38", demo_workspace)
    assert "données de démonstration" in report.source
    assert len(report.communes) == 512
    rules = set(report.frame["rule"])
    assert {"PLH_OBLIGATION", "PLH_PERIOD", "INSTANCE_SPLITS_EPCI"} <= rules
    assert set(report.timeline["siren"]) >= {"200040715", "243800984", "243800604", "200077014"}


def test_categories_follow_the_findings(demo_workspace):
    report = coverage_report("38", demo_workspace)
    com = report.communes
    plh = categorise(com, "plh")
    assert set(plh) <= set(MODES["plh"][1])
    voironnais = com["epci_siren"] == "243800984"
    obligation = report.frame[report.frame["rule"] == "PLH_OBLIGATION"]
    obliged_without = set(obligation.loc[obligation["severity"] == "erreur", "territoire_code"])
    borderline = set(obligation.loc[obligation["severity"] == "alerte", "territoire_code"])
    assert borderline == {"243800935"}  # CC Lyon-Saint-Exupéry en Dauphiné
    assert (plh[com["epci_siren"].isin(obliged_without)] == "PLH obligatoire absent").all()
    assert (plh[com["epci_siren"].isin(borderline)]
            == "Obligation à vérifier (cas limite), sans PLH").all()  # fmt: skip
    assert voironnais.sum() == 31
    inst = categorise(com, "instance")
    assert inst[com["code_insee"] == "38519"].tolist() == ["Hors de toute instance"]
    assert (inst == "Hors de toute instance").sum() == 1
