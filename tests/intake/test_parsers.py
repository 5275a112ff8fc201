"""Scalar parsers and header resolution, one value at a time (real Isère reference)."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.intake.parsers import (
    CommuneCodes,
    parse_bool,
    parse_date,
    parse_float,
    parse_int,
    parse_siren,
    parse_year,
    resolve_headers,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [("12,5", 12.5), ("1 234,5", 1234.5), ("1\u00a0234", 1234.0), ("1.234,5", 1234.5),
     ("1,234.5", 1234.5), ("-3", -3.0)],
)
def test_parse_float(text, value):
    assert parse_float(text) == value


@pytest.mark.parametrize("text", ["31/02/2024", "2024-13-01", "15/03/24", "hier"])
def test_parse_date_rejects(text):
    with pytest.raises(ValueError, match="date"):
        parse_date(text)


def test_parse_date_accepts_both_spellings():
    assert parse_date("15/03/2024") == parse_date("2024-03-15") == dt.date(2024, 3, 15)


def test_commune_codes_on_corsica_style_and_old_codes(isere):
    codes = CommuneCodes(isere)
    for old in isere.anciens_codes.itertuples():
        code, notes = codes.resolve(old.ancien_code)
        assert code == old.code_insee
        assert len(notes) == 1
        assert "fusionnée" in notes[0]
    with pytest.raises(ValueError, match="« 3818 » inconnu"):
        codes.resolve("3818")  # padded to 03818, which is no commune of Isère
    with pytest.raises(ValueError, match="5 caractères"):
        codes.resolve("381850")


@pytest.mark.parametrize(("text", "value"), [("2 024", 2024), ("2024", 2024), ("2024.0", 2024)])
def test_parse_year(text, value):
    assert parse_year(text) == value


@pytest.mark.parametrize("text", ["1850", "21", "deux mille"])
def test_parse_year_rejects(text):
    with pytest.raises(ValueError, match="année"):
        parse_year(text)


def test_parse_int_and_bool_and_siren():
    assert parse_int("1 200") == 1200
    assert parse_bool("Oui") is True
    assert parse_bool("non") is False
    with pytest.raises(ValueError, match="oui ou non"):
        parse_bool("peut-être")
    assert parse_siren("200 040 715") == "200040715"
    with pytest.raises(ValueError, match="SIREN"):
        parse_siren("2000407")


def test_commune_code_lost_zero_and_unknown(isere):
    codes = CommuneCodes(isere)
    assert codes.resolve(" 38185 ") == ("38185", [])
    with pytest.raises(ValueError, match="inconnu dans le référentiel du département 38"):
        codes.resolve("73065")
    with pytest.raises(ValueError, match="inconnu"):
        codes.resolve("3818")  # a lost zero gives 03818, which is not a code of Isère either
    with pytest.raises(ValueError, match="5 caractères"):
        codes.resolve("381")


def test_resolve_headers_by_alias_and_user_mapping():
    headers = ["N° opération", "Code INSEE", "Année", "PLAI", "Colonne libre"]
    matched, unknown, _ = resolve_headers("operations", headers)
    assert matched[0] == "id_operation"
    assert matched[1] == "code_insee"
    assert unknown == ["Colonne libre"]
    matched, unknown, _ = resolve_headers(
        "operations", ["Identifiant", "Commune", "Exercice", "Très sociaux"],
        {"Identifiant": "id_operation", "Commune": "code_insee", "Exercice": "annee",
         "Très sociaux": "nb_plai"},
    )  # fmt: skip
    assert sorted(matched.values()) == ["annee", "code_insee", "id_operation", "nb_plai"]
    assert unknown == []
