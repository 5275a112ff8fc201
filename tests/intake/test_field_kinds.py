"""The kinds of the plan's other fields import from their demo files, from their
templates (tests/store/test_workspace.py), from messy real-looking files and from the
published table of eviction stages; errors name file, line and column in French; a
délégué writes their EPCI only; an import is undone like any other."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from dashboard.intake.demo import DEMO_DIR, DEMO_FILES
from dashboard.intake.imports import check_file, import_file
from dashboard.store.permissions import ADMINISTRATEUR, DELEGUE_EPCI, Acteur
from dashboard.store.schemas import FIELD_KINDS
from dashboard.store.workspace import open_workspace

METRO = "200040715"  # Grenoble-Alpes-Métropole
GRESIVAUDAN = "200018166"
GRENOBLE = "38185"
ADMIN = Acteur("admin@isere.fr", ADMINISTRATEUR, "Admin")
DELEGUE_METRO = Acteur("delegue@metro.fr", DELEGUE_EPCI, "Denis Délégué", METRO)


def _cp1252(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("cp1252")


@pytest.mark.parametrize(("kind", "name"), [(k, n) for k, n in DEMO_FILES if k in FIELD_KINDS])
def test_demo_files_are_valid(kind, name, isere):
    report = check_file(kind, (DEMO_DIR / name).read_bytes(), name, isere)
    assert report.valid, [e.message for e in report.errors]
    frame = report.frame
    assert set(frame["annee"]) == {2021, 2022, 2023, 2024}
    assert set(frame["territoire_type"]) <= {"epci", "commune"}
    assert METRO in set(frame["territoire_code"]) or GRENOBLE in set(frame["territoire_code"])


def test_demo_magnitudes_fit_a_departement_of_1_3_million(isere):
    """Assignations and expulsions in hundreds a year, not thousands."""
    name = dict(DEMO_FILES)["expulsions"]
    frame = check_file("expulsions", (DEMO_DIR / name).read_bytes(), name, isere).frame
    by_stage = frame[frame["annee"] == 2024].groupby("etape")["nombre"].sum()
    assert 500 <= by_stage["assignation"] <= 1500
    assert 100 <= by_stage["expulsion_effective"] <= 400
    assert by_stage["expulsion_effective"] < by_stage["concours_accorde"] < by_stage[
        "assignation"] < by_stage["commandement_payer"]


def test_messy_eviction_file(isere):
    """cp1252, « ; », headers of a hand-kept bilan, no territory type, stage names in
    words, an old commune code, a lost CCAPEX cell."""
    text = ("Code INSEE;Exercice;Stade;Nb;Saisines de la CCAPEX;Origine\n"
            "38185;2024;Assignations;320;200;CCAPEX locale\n"
            "38185;2024;Expulsion réalisée;45;;CCAPEX locale\n"
            "38007;2024;commandement de payer;12;;\n"
            f"{METRO};2023;Commandements de quitter les lieux;410;150;\n")
    report = check_file("expulsions", _cp1252(text), "bilan.csv", isere)
    assert report.valid, [e.message for e in report.errors]
    frame = report.frame
    assert frame["territoire_type"].tolist() == ["commune", "commune", "commune", "epci"]
    assert frame["etape"].tolist() == ["assignation", "expulsion_effective",
                                       "commandement_payer", "commandement_quitter"]
    assert frame["territoire_code"].iloc[2] == "38524"  # the old code, replaced
    assert any("38007" in w.message for w in report.warnings)


def test_errors_name_file_line_and_column_in_french(isere):
    text = ("territoire_code;annee;etape;nombre;saisines_ccapex;issues_favorables_ccapex\n"
            "38185;2024;assignation;-3;;\n"
            "38185;2024;saisie immobilière;5;;\n"
            "ABC;2024;assignation;5;;\n"
            "38185;2023;assignation;50;10;12\n")
    report = check_file("expulsions", text.encode(), "faux.csv", isere)
    assert not report.valid
    messages = [e.message for e in report.errors]
    assert any(m.startswith("faux.csv, ligne 2, colonne D") and "négative" in m
               for m in messages)
    assert any("ligne 3" in m and "saisie immobilière" in m and "valeurs permises" in m
               for m in messages)
    assert any("ligne 4" in m and "territoire « ABC » non reconnu" in m for m in messages)
    assert any("ligne 5" in m and "issues favorables de la CCAPEX supérieures" in m
               for m in messages)


def test_published_table_of_stages_is_read_as_published(isere):
    """One row per département and year, one column per stage (ministries' tables)."""
    text = ("Département;Année;Commandements de payer;Assignations;"
            "Décisions de justice prononçant l'expulsion;Commandements de quitter les lieux;"
            "Demandes de concours de la force publique;"
            "Décisions accordant le concours de la force publique;"
            "Interventions effectives de la force publique\n"
            "38;2023;4 100;1 790;1 320;1 010;760;420;215\n"
            "38;2024;4 250;1 850;1 400;1 050;790;455;231\n")
    report = check_file("expulsions", text.encode(), "publie.csv", isere)
    assert report.valid, [e.message for e in report.errors]
    assert report.rows == 14
    frame = report.frame
    assert set(frame["territoire_type"]) == {"departement"}
    effective = frame[frame["etape"] == "expulsion_effective"].set_index("annee")["nombre"]
    assert effective.to_dict() == {2023: 215, 2024: 231}
    assert any("tableau publié" in w.message for w in report.warnings)


def _titled_xlsx(header: list[str], rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Bilan du FSL 2024 — Département de l'Isère"])
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_with_a_title_row(isere):
    data = _titled_xlsx(["Code EPCI", "Exercice", "Volet", "Nombre d'aides", "Montant (€)"],
                        [[METRO, 2024, "Accès au logement", 1450, 812000.5],
                         [METRO, 2024, "Impayés d'énergie", 2100, 540000]])
    report = check_file("fsl", data, "fsl.xlsx", isere)
    assert report.valid, [e.message for e in report.errors]
    assert report.frame["volet"].tolist() == ["acces", "energie"]
    assert report.frame["montant"].tolist() == [812000.5, 540000.0]
    assert report.lines == [4, 5]
    assert any("ligne de titre" in w.message and w.line == 1 for w in report.warnings)


def test_parts_above_their_whole(isere):
    text = ("territoire_type;territoire_code;annee;dispositif;objectif;realise;dont_dalo\n"
            f"epci;{METRO};2024;accord collectif;700;610;640\n"
            f"epci;{METRO};2024;contingent;;500;40\n")
    report = check_file("attributions_prioritaires", text.encode(), "a.csv", isere)
    assert [e.line for e in report.errors] == [2]
    assert "« dont DALO » supérieur aux attributions réalisées (640 > 610)" in (
        report.errors[0].message)
    dalo = ("territoire_code;annee;recours_deposes;decisions_favorables;menages_reloges\n"
            f"{METRO};2024;100;40;55\n")
    report = check_file("dalo", dalo.encode(), "d.csv", isere)
    assert report.valid  # rehoused this year may have been recognised the year before
    assert any("menages_reloges (55) supérieur à decisions_favorables (40)" in w.message
               for w in report.warnings)


def test_delegue_writes_their_epci_and_its_communes_only(tmp_path, isere):
    header = "territoire_type;territoire_code;annee;recours_deposes;decisions_favorables;" \
             "menages_reloges\n"
    with open_workspace(tmp_path / "ws") as ws:
        own = header + f"epci;{METRO};2024;500;200;140\ncommune;{GRENOBLE};2024;200;90;60\n"
        assert import_file("dalo", own.encode(), "metro.csv", ws, isere,
                           acteur=DELEGUE_METRO).imported
        other = header + f"epci;{GRESIVAUDAN};2024;40;12;9\n"
        report = import_file("dalo", other.encode(), "autre.csv", ws, isere,
                             acteur=DELEGUE_METRO)
        assert not report.imported
        assert f"ligne 2 (epci {GRESIVAUDAN})" in report.errors[-1].message
        assert sorted(ws.read("dalo")["territoire_code"]) == [METRO, GRENOBLE]


def test_an_import_is_undone(tmp_path, isere):
    header = "territoire_code;annee;demandes;orientations;places\n"
    with open_workspace(tmp_path / "ws") as ws:
        first = import_file("siao", (header + f"{METRO};2023;4000;1800;2300\n").encode(),
                            "siao_2023.csv", ws, isere, acteur=ADMIN)
        second = import_file("siao", (header + f"{METRO};2024;4200;1900;2350\n").encode(),
                             "siao_2024.csv", ws, isere, acteur=ADMIN)
        assert first.imported
        assert second.imported
        assert ws.read("siao")["annee"].tolist() == [2024]
        last = int(ws.history()["id"].iloc[0])
        ws.restore(last, ADMIN)
        back = ws.read("siao")
        assert back["annee"].tolist() == [2023]
        assert back["territoire_type"].tolist() == ["epci"]
