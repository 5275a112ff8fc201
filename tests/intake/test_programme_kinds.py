"""The import kinds of the action programme (``actions``, ``jalons``) on real-looking files,
and who may write them."""

from __future__ import annotations

import io

from openpyxl import Workbook

from dashboard.intake.imports import check_file, import_file
from dashboard.intake.templates import template_xlsx
from dashboard.store.permissions import COMITE, DELEGUE_EPCI, Acteur
from dashboard.store.workspace import open_workspace

ACTIONS_CP1252 = (
    "N° fiche;Axe stratégique;Intitulé de l'action;Pilote;Partenaires;Budget prévisionnel;"
    "ETP;Date de début;Échéance;État;Indicateurs de résultat;Territoires concernés\r\n"
    "1.1;Accès au logement;Produire du PLA-I;DDT;Bailleurs;1 200 000,50;1,5;01/01/2021;"
    "31/12/2026;En cours;PLA-I, contingent attributions;200040715, instance:AGG, 38185\r\n"
    "2.1;Prévention des expulsions;Charte;Département;;;;01/01/2021;31/12/2022;Terminée;;\r\n"
).encode("cp1252")
COMITE_MEMBRE = Acteur("comite@isere.gouv.fr", COMITE, "Camille Comité")
DELEGUE = Acteur("delegue@metro.fr", DELEGUE_EPCI, "Denis Délégué", "200040715")


def test_actions_cp1252_semicolon_with_french_headers(isere):
    report = check_file("actions", ACTIONS_CP1252, "programme.csv", isere,
                        instance_codes={"AGG"})  # fmt: skip
    assert report.valid, [m.message for m in report.errors]
    frame = report.frame
    assert list(frame["code"]) == ["1.1", "2.1"]
    assert list(frame["statut"]) == ["en_cours", "realisee"]
    assert frame.loc[0, "indicateurs"] == "plai,contingent_attributions"
    assert frame.loc[0, "territoires"] == "epci:200040715,instance:AGG,commune:38185"
    assert frame.loc[0, "budget"] == 1_200_000.5
    assert frame.loc[0, "etp"] == 1.5
    assert report.details["encodage"] == "cp1252"


def _xlsx(rows: list[list[object]], sheet: str = "Programme") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_actions_errors_name_line_and_column(isere):
    data = _xlsx([
        ["code", "axe", "intitule", "pilote", "statut", "date_debut", "date_fin", "territoires",
         "indicateurs"],
        ["1.1", "Axe", "Une action", "DDT", "en cours", "01/01/2024", "31/12/2022",
         "epci:123", "plai; inconnu"],
        ["1.1", "Axe", "Doublon", "DDT", "on verra", None, None, "Trièves", None],
    ])  # fmt: skip
    report = check_file("actions", data, "programme.xlsx", isere)
    errors = [m.message for m in report.errors]
    assert not report.valid
    assert any("ligne 2, colonne G « date_fin »" in e and "antérieure" in e for e in errors)
    assert any("ligne 2, colonne H « territoires »" in e and "SIREN" in e for e in errors)
    assert any("ligne 3, colonne E « statut »" in e and "on verra" in e for e in errors)
    assert any("ligne 3, colonne H « territoires »" in e and "epci:SIREN" in e for e in errors)
    assert any("ligne 3" in e and "doublon de la ligne 2" in e for e in errors)
    warnings = [m.message for m in report.warnings]
    assert any("indicateur « inconnu » absent du catalogue" in w for w in warnings)


def test_milestones_name_actions_of_the_programme(tmp_path, isere):
    with open_workspace(tmp_path / "ws") as ws:
        assert import_file("actions", ACTIONS_CP1252, "programme.csv", ws, isere).imported
        jalons = ("action;jalon;date prévue;réalisé le\n"
                  "1.1;Bilan à mi-parcours;31/12/2023;15/01/2024\n"
                  "9.9;Jalon orphelin;30/06/2024;\n").encode()  # fmt: skip
        report = import_file("jalons", jalons, "jalons.csv", ws, isere)
        assert report.imported
        assert [m.message for m in report.warnings] == [
            "jalons.csv, ligne 3, colonne A « action » : action « 9.9 » absente du programme "
            "de l'espace de travail, acceptée (ligne 3)"
        ]
        stored = ws.read("jalons")
        assert stored["date_realisee"].isna().tolist() == [False, True]


def test_the_comite_writes_the_programme_a_delegue_does_not(tmp_path, isere):
    with open_workspace(tmp_path / "ws") as ws:
        done = import_file("actions", ACTIONS_CP1252, "p.csv", ws, isere, acteur=COMITE_MEMBRE)
        assert done.imported
        refused = import_file("actions", ACTIONS_CP1252, "p.csv", ws, isere, acteur=DELEGUE)
        assert not refused.imported
        assert "ne peut pas modifier « actions »" in refused.refusal
        assert ws.history()["role"].tolist() == ["comite"]


def test_templates_describe_the_lists():
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(template_xlsx("actions")))
    help_rows = [[c.value for c in row] for row in wb["Aide"].iter_rows()]
    territoires = next(r for r in help_rows if r[0] == "territoires")
    assert "epci:SIREN" in territoires[3]
    assert any(r[0] == "plai" for r in help_rows)  # the catalogue of indicators
