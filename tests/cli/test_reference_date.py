"""One reference-date rule shared by ``territoires indicators``, ``territoires gaps``, the
coverage report (page « Couverture des plans ») and the exports, on the Isère demo files
(operations up to 2024): all judge at 31/12/2024, not at today's date, and say so."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboard.cli import main
from dashboard.indicators.status import REGLE_DATE_REFERENCE, au, reference_date
from dashboard.intake.loader import load_tables

END_OF_DATA = dt.date(2024, 12, 31)


@pytest.fixture(scope="module")
def demo_tables():
    """The Isère demo files as the loader reads them (no workspace)."""
    return load_tables(None, "38").tables


def test_the_rule_on_the_demo(demo_tables):
    assert reference_date(demo_tables) == END_OF_DATA
    assert reference_date(demo_tables, today=dt.date(2024, 3, 1)) == dt.date(2024, 3, 1)
    assert reference_date({}, today=dt.date(2026, 12, 2)) == dt.date(2026, 12, 2)
    assert au(END_OF_DATA) == "au 31/12/2024"


def test_cli_indicators_and_gaps_judge_at_the_same_date(capsys, tmp_path):
    """No workspace: both commands read the demo files and agree on 31/12/2024."""
    absent = str(tmp_path / "absent")
    assert main(["indicators", "--workspace", absent, "--json", "--level", "departement"]) == 0
    indicators = json.loads(capsys.readouterr().out)
    assert main(["gaps", "--workspace", absent, "--json"]) == 0
    gaps = json.loads(capsys.readouterr().out)
    assert indicators["date"] == gaps["date"] == "2024-12-31"
    assert indicators["regle_date_reference"] == REGLE_DATE_REFERENCE
    assert {r["date_statut"] for r in indicators["indicators"]} == {"2024-12-31"}
    voironnais = next(g for g in gaps["gaps"] if g["rule"] == "PLH_OBLIGATION"
                      and g["territoire_code"] == "243800984")  # fmt: skip
    assert "aucun PLH en vigueur au 31/12/2024" in voironnais["message"]
    assert main(["indicators", "--workspace", absent, "--level", "departement"]) == 0
    text = capsys.readouterr().out
    assert "Objectifs et réalisations — département 38, au 31/12/2024" in text
    assert "Statut au 31/12/2024" in text
    assert main(["gaps", "--workspace", absent]) == 0
    text = capsys.readouterr().out
    assert "Couverture des plans — Isère (38), au 31/12/2024" in text
    assert REGLE_DATE_REFERENCE in text


def test_an_explicit_date_wins(capsys, tmp_path):
    absent = str(tmp_path / "absent")
    assert main(["gaps", "--workspace", absent, "--json", "--date", "2026-06-01"]) == 0
    assert json.loads(capsys.readouterr().out)["date"] == "2026-06-01"


def test_coverage_report_and_bundle_use_the_rule(tmp_path):
    from dashboard.coverage.report import coverage_report
    from dashboard.exports.bundle import load_bundle

    report = coverage_report("38", tmp_path / "absent")
    assert report.inputs.as_of == END_OF_DATA
    bundle = load_bundle("38", tmp_path / "absent")
    assert bundle.today == END_OF_DATA
    assert bundle.coverage.inputs.as_of == END_OF_DATA


def test_cli_indicators_reports_the_three_outcomes(capsys, tmp_path):
    absent = str(tmp_path / "absent")
    assert main(["indicators", "--workspace", absent, "--json", "--level", "instance"]) == 0
    payload = json.loads(capsys.readouterr().out)
    rows = payload["signalements"]
    dep = rows[0]
    assert (dep["territoire_type"], dep["territoire_code"]) == ("departement", "38")
    assert dep["nb_resolus"] + dep["nb_clos_sans_resolution"] + dep["nb_en_cours"] == (
        dep["nb_signalements"]
    )
    assert 0 < dep["nb_resolus"] < dep["nb_resolus"] + dep["nb_clos_sans_resolution"]
    assert {r["territoire_type"] for r in rows[1:]} == {"instance"}
    assert "définition de Signal Logement" in payload["definition_signalements"]
    traites = next(r for r in payload["indicators"] if r["indicateur"] == "signalements_traites"
                   and "-" in r["periode"])  # fmt: skip
    assert "résolus" in traites["source"]
    assert main(["indicators", "--workspace", absent, "--level", "instance"]) == 0
    text = capsys.readouterr().out
    assert "Signalements d'habitat indigne" in text
    assert "Clos sans résolution" in text
