"""The kinds of the plan's other fields through ``territoires check``, ``import``,
``restaurer`` and ``indicators --json``."""

from __future__ import annotations

import json

from dashboard.cli import common as cli
from dashboard.intake.demo import DEMO_DIR
from tests.cli.test_workspace import _default_workspace, run  # noqa: F401 (fixture)

METRO = "200040715"




def test_check_names_line_and_column(capsys, tmp_path):
    bad = tmp_path / "fsl.csv"
    bad.write_text("territoire_code;annee;volet;nb_aides;montant\n"
                   f"{METRO};2024;loyer;10;1000\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", "fsl", str(bad), "--json")
    assert code == cli.EXIT_INVALID
    (error,) = json.loads(out)["errors"]
    assert (error["line"], error["column"]) == (2, "volet")
    assert "valeur « loyer » non autorisée" in error["message"]


def test_import_indicators_and_restore(capsys, tmp_path):
    target = str(tmp_path / "ws")
    code, out, _ = run(capsys, "import", "dalo", str(DEMO_DIR / "dalo_infodalo.xlsx"),
                       "--workspace", target, "--json")
    assert code == cli.EXIT_OK, out
    assert json.loads(out)["rows"] == 72
    code, out, _ = run(capsys, "indicators", "--workspace", target, "--level", "epci", "--json")
    assert code == cli.EXIT_OK
    payload = json.loads(out)
    records = [r for r in payload["autres_champs"] if r["territoire_code"] == METRO
               and r["indicateur"] == "taux_relogement_dalo" and r["annee"] == 2024]  # fmt: skip
    (record,) = records
    assert record["unite"] == "taux"
    assert 0 < record["valeur"] <= 1
    assert {r["territoire_type"] for r in payload["autres_champs"]} == {"departement", "epci"}
    assert "dalo" in payload["definition_autres_champs"]
    code, out, _ = run(capsys, "historique", "--workspace", target, "--json")
    last = json.loads(out)["imports"][0]["id"]
    code, out, _ = run(capsys, "restaurer", str(last), "--vider", "--workspace", target,
                       "--json")
    assert code == cli.EXIT_OK, out
    assert json.loads(out)["lignes_apres"] == 0
