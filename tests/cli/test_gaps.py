"""``territoires gaps``, driven in-process through :func:`dashboard.cli.main`."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from dashboard.cli import main
from dashboard.intake.demo import DEMO_DIR, INSTANCES_FILE

OBLIGED = {"243800604", "243800984", "200077014", "200040715"}
#: CC Lyon-Saint-Exupéry en Dauphiné: within 2 % of both thresholds on the populations in force.
BORDERLINE = "243800935"
KEYS = {"rule", "territoire_type", "territoire_code", "severity", "message", "article"}

PLANS_CSV = """type_plan;territoire_type;territoire_code;intitule;statut;date_debut;date_fin
PDALHPD;departement;38;PDALHPD de l'Isère 2024-2029;en_vigueur;01/01/2024;31/12/2029
PDH;departement;38;PDH de l'Isère;en_vigueur;01/01/2020;31/12/2026
"""


def _gaps(capsys, *args: str) -> dict:
    code = main(["gaps", "--json", *args])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


@pytest.fixture
def workspace(tmp_path, isere):
    """A workspace whose plans give no PLH at all, with the demo CLH."""
    from dashboard.intake.imports import import_file
    from dashboard.store.workspace import open_workspace

    ws = open_workspace(tmp_path / "ws")
    try:
        for kind, data, name in (
            ("plans", PLANS_CSV.encode("utf-8"), "plans.csv"),
            ("instances", INSTANCES_FILE.read_bytes(), INSTANCES_FILE.name),
        ):
            report = import_file(kind, data, name, ws, isere, user="test")
            assert report.valid, report.errors
    finally:
        ws.close()
    return tmp_path / "ws"


def test_gaps_json_from_a_workspace(capsys, workspace):
    payload = _gaps(capsys, "--workspace", str(workspace), "--date", "2025-06-01")
    assert payload["departement"] == "38"
    gaps = payload["gaps"]
    assert gaps
    for gap in gaps:
        assert set(gap) >= KEYS
    obligation = Counter(g["territoire_code"] for g in gaps if g["rule"] == "PLH_OBLIGATION")
    assert set(obligation) == OBLIGED | {BORDERLINE}
    assert set(obligation.values()) == {1}
    severity = {g["territoire_code"]: g["severity"] for g in gaps
                if g["rule"] == "PLH_OBLIGATION"}  # fmt: skip
    assert {c for c, s in severity.items() if s == "alerte"} == {BORDERLINE}
    period = {g["territoire_code"] for g in gaps if g["rule"] == "PLH_PERIOD"}
    assert period == OBLIGED | {BORDERLINE}
    codes = {(g["rule"], g["territoire_code"]) for g in gaps}
    assert ("INSTANCE_SPLITS_EPCI", "200085751") in codes
    assert ("COMMUNE_OUTSIDE_INSTANCES", "38519") in codes


def test_gaps_details_and_text_output(capsys, workspace):
    payload = _gaps(capsys, "--workspace", str(workspace), "--details", "--date", "2025-06-01")
    period = [g for g in payload["gaps"] if g["rule"] == "PLH_PERIOD"]
    assert period[0]["details"]["annees_non_couvertes"] == list(range(2024, 2030))
    assert main(["gaps", "--workspace", str(workspace)]) == 0
    text = capsys.readouterr().out
    assert "PLH_OBLIGATION" in text
    assert "CCH, art. L302-1" in text


def test_gaps_without_workspace_falls_back_to_the_demo(capsys, tmp_path):
    payload = _gaps(capsys, "--workspace", str(tmp_path / "absent"), "--date", "2026-06-01")
    assert "démonstration" in payload["source"]
    codes = {(g["rule"], g["territoire_code"]) for g in payload["gaps"]}
    assert ("INSTANCE_SPLITS_EPCI", "200085751") in codes
    assert ("COMMUNE_OUTSIDE_INSTANCES", "38519") in codes
    if (DEMO_DIR / "plans.csv").exists():
        # Demo faults: the Pays Voironnais PLH expired in 2022 during the 2021-2026 plan,
        # and Vienne Condrieu's PLH targets fewer PLA-I than the plan gives it.
        assert ("PLH_OBLIGATION", "243800984") in codes
        assert ("PLH_PERIOD", "243800984") in codes
        assert ("PLH_PDALHPD_OBJECTIVE", "200077014") in codes
    assert not (tmp_path / "absent").exists()  # reading never creates a workspace


def test_gaps_usage_errors(capsys, workspace, tmp_path):
    assert main(["gaps", "--workspace", str(workspace), "--departement", "73"]) == 2
    assert main(["gaps", "--workspace", str(tmp_path / "absent"), "--departement", "99"]) == 2
    assert main(["gaps", "--workspace", str(workspace), "--date", "juin"]) == 2
    assert "erreur" in capsys.readouterr().err
