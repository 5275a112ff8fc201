"""``validate_table`` on tables as the readers give them: lines as in the spreadsheet,
columns by letter and header, repairs as warnings (real Isère reference)."""

from __future__ import annotations

import pandas as pd

from dashboard.intake.readers import RawTable
from dashboard.intake.tables import validate_table


def _raw(headers: list[str], *rows: list[str | None]) -> RawTable:
    return RawTable(headers, [(i + 2, list(r)) for i, r in enumerate(rows)], "csv")


def test_valid_operations_are_normalised(isere):
    raw = _raw(["id_operation", "code_insee", "annee", "nb_plai", "statut"],
               ["OP1", "38185", "2022", "12", "Agréée"],
               ["OP2", "38021", "2023", "3,0", "livrée"])  # fmt: skip
    result = validate_table("operations", raw, isere, "ops.csv")
    assert result.valid
    assert result.frame["code_insee"].tolist() == ["38185", "38225"]  # Autrans → Autrans-Méaudre
    assert result.frame["statut"].tolist() == ["agreee", "livree"]
    assert result.frame["nb_plai"].tolist() == [12, 3]
    assert result.lines == [2, 3]
    assert any("fusionnée" in w.message and w.line == 3 for w in result.warnings)


def test_errors_name_file_line_and_column(isere):
    raw = _raw(["id_operation", "code_insee", "annee", "nb_plai"],
               ["OP1", "38185", "2022", "douze"],
               ["OP2", "99999", "2022", "1"])  # fmt: skip
    result = validate_table("operations", raw, isere, "ops.csv")
    assert not result.valid
    first, second = result.errors
    assert (first.line, first.column) == (2, "nb_plai")
    assert first.message.startswith("ops.csv, ligne 2, colonne D « nb_plai » : ")
    assert (second.line, second.column) == (3, "code_insee")
    assert "colonne B" in second.message


def test_missing_required_column(isere):
    raw = _raw(["id_operation", "code_insee", "nb_plai"], ["OP1", "38185", "1"])
    result = validate_table("operations", raw, isere, "ops.csv")
    assert not result.valid
    assert [m.column for m in result.errors] == ["annee"]
    assert "colonne obligatoire « annee » absente" in result.errors[0].message


def test_duplicate_ids_are_errors_with_both_lines(isere):
    raw = _raw(["id_operation", "code_insee", "annee", "nb_plai"],
               ["OP1", "38185", "2022", "1"], ["OP1", "38185", "2023", "2"])  # fmt: skip
    result = validate_table("operations", raw, isere, "ops.csv")
    assert not result.valid
    assert result.errors[0].line == 3
    assert "2" in result.errors[0].message  # names the first line it repeats


def test_personal_columns_of_signals_are_dropped(isere):
    raw = _raw(["id_signalement", "code_insee", "date_signalement", "Nom occupant"],
               ["S1", "38185", "02/01/2024", "Dupont"])  # fmt: skip
    result = validate_table("signalements", raw, isere, "sig.csv")
    assert result.valid
    assert "Nom occupant" not in result.frame.columns
    assert "Dupont" not in result.frame.to_csv()
    assert result.frame["date_signalement"].iloc[0] == pd.Timestamp("2024-01-02")
    assert any("données personnelles" in w.message for w in result.warnings)
