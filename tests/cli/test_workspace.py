"""``territoires check``, ``import`` and ``demo``: JSON and exit codes (docs/ARCHITECTURE.md,
« Ligne de commande »)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.cli import common as cli
from dashboard.cli import main
from dashboard.store.workspace import open_workspace
from tests.paths import CORPUS, ROOT


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; usage errors raised by argparse become their exit code."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _default_workspace(monkeypatch, tmp_path):
    """Never touch the user's default workspace (the backend is conftest's choice)."""
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(tmp_path / "defaut"))


def _fingerprint(target) -> str:
    """SQLite: SHA-256 of the file; PostgreSQL: of the operations table and the log."""
    ws = open_workspace(target)
    try:
        if ws.database_path is not None:
            return hashlib.sha256(ws.database_path.read_bytes()).hexdigest()
        text = ws.read("operations").to_csv() + ws.history().to_csv()
        return hashlib.sha256(text.encode()).hexdigest()
    finally:
        ws.close()


def test_check_valid_json(capsys):
    code, out, _ = run(capsys, "check", "operations", str(CORPUS / "ops_merged_commune.csv"),
                       "--json")
    assert code == cli.EXIT_OK
    payload = json.loads(out)
    assert set(payload) == {"kind", "rows", "valid", "errors", "warnings"}
    assert payload["kind"] == "operations"
    assert payload["rows"] == 2
    assert payload["valid"] is True
    assert payload["errors"] == []
    (warning,) = payload["warnings"]
    assert set(warning) == {"line", "column", "message"}
    assert warning["line"] == 2
    assert warning["column"] == "Code INSEE commune"


def test_check_invalid_json_names_line_and_column(capsys):
    code, out, _ = run(capsys, "check", "operations", str(CORPUS / "ops_duplicate_id.csv"),
                       "--json")
    assert code == cli.EXIT_INVALID
    payload = json.loads(out)
    assert payload["valid"] is False
    assert [(e["line"], e["column"]) for e in payload["errors"]] == [(4, "N° opération")]
    assert "doublon de la ligne 2" in payload["errors"][0]["message"]


def test_check_writes_nothing(capsys, tmp_path):
    run(capsys, "check", "plans", str(CORPUS / "plans_ok.csv"))
    assert not (tmp_path / "defaut").exists()


def test_check_other_departement_and_sheet(capsys):
    code, out, _ = run(capsys, "check", "operations", str(CORPUS / "ops_leading_zero_ain.csv"),
                       "--departement", "1", "--json")
    assert code == cli.EXIT_OK
    assert "01001" in json.loads(out)["warnings"][0]["message"]
    code, _, _ = run(capsys, "check", "objectifs", str(CORPUS / "obj_named_sheet.xlsx"))
    assert code == cli.EXIT_INVALID
    code, _, _ = run(capsys, "check", "objectifs", str(CORPUS / "obj_named_sheet.xlsx"),
                     "--feuille", "Objectifs")
    assert code == cli.EXIT_OK


def test_check_with_header_mapping(capsys):
    path = str(CORPUS / "ops_unmapped_header.csv")
    assert run(capsys, "check", "operations", path)[0] == cli.EXIT_INVALID
    code, out, _ = run(capsys, "check", "operations", path, "--colonne",
                       "Logements très sociaux=nb_plai", "--json")
    assert code == cli.EXIT_OK
    assert json.loads(out)["warnings"] == []


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "communes", str(CORPUS / "pop_ok.csv")],  # unknown kind
        ["check", "operations", str(CORPUS / "absent.csv")],  # missing file
        ["check", "operations", str(CORPUS / "ops_sisal.xlsx"), "--departement", "99"],
        ["check", "operations"],  # missing argument
        ["import", "operations", str(CORPUS / "absent.csv")],
        ["import", "operations", str(CORPUS / "ops_sisal.xlsx"), "--departement", "99"],
        ["check", "operations", str(CORPUS / "ops_sisal.xlsx"), "--colonne", "sans-egal"],
    ],
)
def test_usage_errors_exit_2(capsys, argv, tmp_path):
    code, out, err = run(capsys, *argv)
    assert code == cli.EXIT_USAGE
    assert err
    assert out == ""
    assert not (tmp_path / "defaut").exists()


def test_import_then_reimport_invalid(capsys, tmp_path):
    target = tmp_path / "ws"
    code, out, _ = run(capsys, "import", "operations", str(CORPUS / "ops_sisal.xlsx"),
                       "--workspace", str(target), "--json")
    assert code == cli.EXIT_OK
    payload = json.loads(out)
    assert payload["valid"] is True
    assert payload["imported"] is True
    before = _fingerprint(target)
    code, out, _ = run(capsys, "import", "operations", str(CORPUS / "ops_negative.csv"),
                       "--workspace", str(target), "--json")
    assert code == cli.EXIT_INVALID
    assert json.loads(out)["imported"] is False
    assert _fingerprint(target) == before
    ws = open_workspace(target)
    assert ws.read("operations")["id_operation"].tolist() == ["XL-1", "XL-2"]
    ws.close()


def test_import_append_and_user(capsys, tmp_path):
    import getpass

    target = str(tmp_path / "ws")
    assert run(capsys, "import", "populations", str(CORPUS / "pop_ok.csv"), "--workspace",
               target, "--ajout")[0] == cli.EXIT_OK
    assert run(capsys, "utilisateurs", "add", "ddt38@isere.gouv.fr", "comite", "--workspace",
               target)[0] == cli.EXIT_OK
    assert run(capsys, "import", "populations", str(CORPUS / "pop_ok.csv"), "--workspace",
               target, "--ajout", "--utilisateur", "DDT38@isere.gouv.fr")[0] == cli.EXIT_INVALID
    run(capsys, "utilisateurs", "add", "ddt38@isere.gouv.fr", "administrateur", "--workspace",
        target)
    assert run(capsys, "import", "populations", str(CORPUS / "pop_ok.csv"), "--workspace",
               target, "--ajout", "--utilisateur", "DDT38@isere.gouv.fr")[0] == cli.EXIT_OK
    ws = open_workspace(target)
    assert ws.count("populations") == 4
    log = ws.history()
    assert log["utilisateur"].tolist() == [
        "ddt38@isere.gouv.fr", getpass.getuser(), getpass.getuser(), getpass.getuser()]
    assert log["kind"].tolist() == ["populations", "utilisateurs", "utilisateurs", "populations"]
    ws.close()


def test_import_into_workspace_of_other_departement_is_usage_error(capsys, tmp_path):
    target = str(tmp_path / "ws")
    assert run(capsys, "import", "populations", str(CORPUS / "pop_ok.csv"), "--workspace",
               target)[0] == cli.EXIT_OK
    code, _, err = run(capsys, "import", "operations", str(CORPUS / "ops_leading_zero_ain.csv"),
                       "--workspace", target, "--departement", "01")
    assert code == cli.EXIT_USAGE
    assert "appartient au département 38" in err


def test_import_uses_default_workspace(capsys, tmp_path):
    code, _, _ = run(capsys, "import", "plans", str(CORPUS / "plans_ok.csv"))
    assert code == cli.EXIT_OK
    assert open_workspace(tmp_path / "defaut").count("plans") > 0


def test_demo_builds_isere_workspace(capsys, tmp_path):
    target = tmp_path / "demo"
    code, out, _ = run(capsys, "demo", "--workspace", str(target))
    assert code == cli.EXIT_OK
    assert "données de démonstration" in out
    ws = open_workspace(target)
    assert ws.departement == "38"
    counts = {k: ws.count(k) for k in
              ("instances", "objectifs", "realisations", "operations", "signalements", "plans")}
    assert counts["instances"] == 62
    assert 150 <= counts["operations"] <= 350
    assert 1500 <= counts["signalements"] <= 3000
    ops = ws.read("operations")
    per_year = ops.groupby("annee")["nb_plai"].sum()
    assert per_year.index.min() == 2018
    assert per_year.index.max() == 2024
    assert per_year.between(500, 950).all()
    assert set(ops["statut"].dropna()) == {"programmee", "agreee", "livree", "abandonnee"}
    sig = ws.read("signalements")
    assert set(sig["procedure"].dropna()) == {"insalubrite", "peril", "non_decence", "rsd"}
    assert not {"nom_occupant", "telephone_occupant"} & set(sig.columns)
    history = ws.history()
    from dashboard.intake.demo import DEMO_FILES

    assert len(history) == len(DEMO_FILES)
    assert set(history["utilisateur"]) == {"démonstration"}
    ws.close()


def test_demo_contains_the_plan_faults(tmp_path):
    from dashboard.cli.workspace import build_demo

    target = tmp_path / "demo"
    assert build_demo(target, quiet=True) == cli.EXIT_OK
    ws = open_workspace(target)
    plans = ws.read("plans")
    objectifs = ws.read("objectifs")
    ws.close()
    pdalhpd = plans[plans["type_plan"] == "PDALHPD"].iloc[0]
    assert (pdalhpd["date_debut"].year, pdalhpd["date_fin"].year) == (2021, 2026)
    plh = plans[plans["type_plan"] == "PLH"]
    voironnais = plh[plh["territoire_code"] == "243800984"]
    assert len(voironnais) == 1  # expired in 2022, no successor
    assert voironnais["statut"].iloc[0] == "echu"
    assert voironnais["date_fin"].iloc[0].year == 2022
    vienne = plh[plh["territoire_code"] == "200077014"].iloc[0]
    target_vienne = objectifs[(objectifs["territoire_type"] == "epci")
                              & (objectifs["territoire_code"] == "200077014")
                              & (objectifs["indicateur"] == "plai")]["valeur"].iloc[0]
    assert vienne["objectif_plai_annuel"] < 0.5 * target_vienne / 6
    assert "en_elaboration" in set(plh["statut"])
    assert "PDH" in set(plans["type_plan"])
    for siren in ("200040715", "243800984", "200077014", "243800604"):
        assert siren in set(plh["territoire_code"])


def test_console_script_subprocess(tmp_path):
    """The installed ``territoires`` entry point, as a user runs it."""
    exe = Path(sys.executable).with_name("territoires")
    env = {**os.environ, "TERRITOIRES_WORKSPACE": str(tmp_path / "x")}
    proc = subprocess.run(
        [str(exe), "check", "signalements", str(CORPUS / "sig_bad_date.csv"), "--json"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
    )
    assert proc.returncode == cli.EXIT_INVALID, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["errors"][0]["line"] == 3
    assert payload["errors"][0]["column"] == "Date de dépôt"
