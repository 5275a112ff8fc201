"""``territoires indicators`` driven in-process on workspaces built through the import API."""

from __future__ import annotations

import json

import pytest

from dashboard.cli import main
from dashboard.indicators.compute import INDICATOR_KEYS

pytest.importorskip("dashboard.store.workspace", reason="l'espace de travail (issue 3) est requis")

OBJECTIFS = """territoire_type;territoire_code;indicateur;annee_debut;annee_fin;valeur;source
departement;38;plai;2021;2026;600;PDALHPD fiche 1
instance;VCH;plai;2021;2026;120;territorialisation CLH
epci;243800984;plai;2021;2026;80;territorialisation EPCI
epci;200040111;plai;2021;2026;40;territorialisation EPCI
"""
INSTANCES = """instance_code;instance_nom;instance_type;code_insee;epci_siren
VCH;Voironnais-Chartreuse;clh;;243800984
VCH;Voironnais-Chartreuse;clh;;200040111
AGG;Agglomération grenobloise;clh;;200040715
"""
OPERATIONS = """id_operation;code_insee;annee;nb_plai;statut
OP1;38563;2021;10;agreee
OP2;38442;2022;5;livree
OP3;38442;2022;7;programmee
OP4;38563;2022;20;abandonnee
OP5;38185;2022;50;agreee
OP6;38519;2022;6;agreee
"""


@pytest.fixture(scope="module")
def small_workspace(tmp_path_factory, isere):
    from dashboard.intake.imports import import_file
    from dashboard.store.workspace import open_workspace

    directory = tmp_path_factory.mktemp("ws_indicateurs")
    workspace = open_workspace(directory)
    try:
        for kind, text in (
            ("instances", INSTANCES),
            ("objectifs", OBJECTIFS),
            ("operations", OPERATIONS),
        ):
            report = import_file(kind, text.encode(), f"{kind}.csv", workspace, isere)
            assert report.valid, [m.message for m in report.errors]
    finally:
        workspace.close()
    return directory


def _run_json(capsys, *args: str) -> dict:
    code = main(["indicators", "--json", *args])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def _find(rows: list[dict], ttype: str, code: str, periode: str, ind: str = "plai") -> dict:
    match = [
        r for r in rows
        if (r["territoire_type"], r["territoire_code"], r["periode"], r["indicateur"])
        == (ttype, code, periode, ind)
    ]  # fmt: skip
    assert len(match) == 1
    return match[0]


def test_json_on_a_small_workspace(capsys, small_workspace):
    payload = _run_json(capsys, "--workspace", str(small_workspace), "--date", "2023-12-31")
    assert set(payload) >= {"indicators", "balance"}
    rows = payload["indicators"]
    assert all(list(r)[: len(INDICATOR_KEYS)] == INDICATOR_KEYS for r in rows)
    vch = _find(rows, "instance", "VCH", "2021-2026")
    assert (vch["objectif"], vch["realise"], vch["attendu_a_date"]) == (120, 15, 60)
    assert vch["taux"] == pytest.approx(0.125)
    assert vch["statut"] == "très en retard"
    assert vch["programme"] == 7
    assert vch["territoire_nom"] == "Voironnais-Chartreuse"
    dep = _find(rows, "departement", "38", "2021-2026")
    assert dep["realise"] == 10 + 5 + 50 + 6
    assert _find(rows, "epci", "243801255", "2021-2026")["realise"] == 6  # Valencin
    assert all(r["source"] for r in rows)
    balance = [r for r in payload["balance"] if r["niveau"] == "instance"]
    assert {r["territoire_code"] for r in balance} == {"AGG", "VCH", "38"}
    summary = next(r for r in balance if r["territoire_type"] == "departement")
    # Valencin's 6 dwellings are in no instance: the instances hold 65 of 71.
    assert summary["couverture_realise"] == pytest.approx(65 / 71)


def test_level_filter_and_text_output(capsys, small_workspace):
    payload = _run_json(
        capsys, "--workspace", str(small_workspace), "--level", "epci", "--date", "2023-12-31"
    )
    assert {r["territoire_type"] for r in payload["indicators"]} == {"epci"}
    assert {r["niveau"] for r in payload["balance"]} == {"epci"}
    code = main(["indicators", "--workspace", str(small_workspace), "--date", "2023-12-31"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Voironnais-Chartreuse" in out
    assert "12,5\u00a0%" in out  # 15 / 120, French formatting
    assert "très en retard" in out


def test_usage_errors(capsys, small_workspace):
    assert main(["indicators", "--workspace", str(small_workspace), "--departement", "73"]) == 2
    assert main(["indicators", "--workspace", str(small_workspace), "--date", "hier"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["indicators", "--level", "region"])
    assert exc.value.code == 2
    capsys.readouterr()


def test_demo_workspace_same_numbers_as_the_api(capsys, tmp_path, isere):
    """The demo workspace: CLI JSON equals compute_indicators on the same tables."""
    import datetime as dt

    from dashboard.cli.indicators import load_inputs
    from dashboard.cli.workspace import build_demo
    from dashboard.indicators.compute import compute_indicators

    assert build_demo(tmp_path, quiet=True) == 0
    payload = _run_json(capsys, "--workspace", str(tmp_path), "--date", "2024-12-31")
    inputs = load_inputs(str(tmp_path), None)
    api = compute_indicators(isere, inputs.memberships, inputs.tables, dt.date(2024, 12, 31))
    assert len(payload["indicators"]) == len(api)
    for code in ("VCH", "AGG"):
        cli_row = _find(payload["indicators"], "instance", code, "2021-2026")
        api_row = api[
            (api["territoire_code"] == code)
            & (api["periode"] == "2021-2026")
            & (api["indicateur"] == "plai")
        ].iloc[0]
        assert cli_row["realise"] == api_row["realise"]
        assert cli_row["objectif"] == api_row["objectif"]
        assert "données de démonstration" in cli_row["source"]
    clh = {
        r["territoire_code"] for r in payload["indicators"] if r["territoire_type"] == "instance"
    }
    assert len(clh) == 13
