"""Spreadsheets store user text as text (issue 12): no formula in any XLSX the project
writes, CSV cells neutralised with an apostrophe; and every export works on every valid
workspace, including one whose optional columns are empty."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.spreadsheets import FORMULA_STARTS, csv_text, formula_like, frame_csv, frame_xlsx
from dashboard.store.schemas import KIND_NAMES, KINDS
from tests.hostile import FORMULA, MINUS, PAYLOADS, xlsx_formula_cells, xlsx_texts
from tests.paths import ROOT

TODAY = dt.date(2025, 6, 30)


# ------------------------------------------------------------------ the helper


@pytest.mark.parametrize("text", [*PAYLOADS[:1], *PAYLOADS[3:6], "\t=1+1", "\r=1+1",
                                  "  =1+1", "\uff1d1+1", "@x"])
def test_formula_like_texts(text):
    assert formula_like(text)
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("text", ["-12", "+33 4 76 00 00 00", "−3,5", "-1\u202f234,5 %",
                                  "Agglomération grenobloise", "2021–2026", "a=b"])
def test_numbers_and_plain_texts_are_left_alone(text):
    assert not formula_like(text)
    assert csv_text(text) == text


def test_frame_xlsx_keeps_text_as_text_and_numbers_as_numbers():
    frame = pd.DataFrame({
        "nom": [FORMULA, MINUS, "Vercors\x0b", None],
        "valeur": pd.array([1, None, -3, 4], dtype="Int64"),
        "taux": [0.5, float("nan"), -0.25, 1.0],
        "date": pd.to_datetime(["2025-01-02", None, "2024-12-31", "2023-06-01"]),
    })
    data = frame_xlsx(frame, "Données")
    assert xlsx_formula_cells(data) == []
    ws = load_workbook(io.BytesIO(data))["Données"]
    assert [c.value for c in ws["A"]] == ["nom", FORMULA, MINUS, "Vercors", None]
    assert ws["A2"].quotePrefix  # editing the cell in Excel keeps it as text
    assert [c.value for c in ws["B"]][1:] == [1, None, -3, 4]
    assert [c.value for c in ws["C"]][1:] == [0.5, None, -0.25, 1.0]
    assert ws["D2"].value == dt.datetime(2025, 1, 2)
    assert ws["D2"].number_format == "dd/mm/yyyy"
    stamped = pd.DataFrame({"horodatage": pd.to_datetime(["2025-01-02 10:30"]).tz_localize(
        "Europe/Paris")})
    cell = load_workbook(io.BytesIO(frame_xlsx(stamped)))["Données"]["A2"]
    assert cell.value == dt.datetime(2025, 1, 2, 9, 30)  # in UTC
    assert cell.number_format == "dd/mm/yyyy hh:mm"


def _csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


_NUMBER = re.compile(r"[+\-\u2212]?\d[\d \u00a0\u202f.,]*(?:[eE][+\-]?\d+)?[ \u00a0]?%?")


def _unsafe_csv_cells(data: bytes) -> list[str]:
    return [cell for row in _csv_rows(data) for cell in row
            if cell.lstrip(" \u00a0\u202f").startswith(FORMULA_STARTS)
            and not _NUMBER.fullmatch(cell.lstrip(" \u00a0\u202f"))]


def test_frame_csv_neutralises_formulas():
    frame = pd.DataFrame({"nom": [FORMULA, "-12", "Oisans"], "n": [-1, 2, 3]})
    rows = _csv_rows(frame_csv(frame))
    assert rows == [["nom", "n"], ["'" + FORMULA, "-1"], ["-12", "2"], ["Oisans", "3"]]


# ------------------------------------------------------------------ every file written


@pytest.fixture(scope="module")
def hostile_bundle(hostile_workspace):
    from dashboard.exports.bundle import load_bundle

    return load_bundle("38", workspace=hostile_workspace, today=TODAY)


def test_tables_export_has_no_formula(hostile_bundle):
    from dashboard.exports.xlsx import tables_xlsx

    data = tables_xlsx(hostile_bundle)
    assert xlsx_formula_cells(data) == []
    texts = xlsx_texts(data)
    assert FORMULA in texts  # the instance name and the operation label, as text
    assert any(t.startswith(MINUS) for t in texts)  # the bailleur


def test_every_export_works_with_hostile_names(hostile_bundle):
    """Formulas, markdown, HTML and malformed mathtext (« $\\frac$ ») in names: the deck, the
    layers and the fiches are written (matplotlib once raised on the mathtext)."""
    from dashboard.exports.gpkg import layers_gpkg_bytes
    from dashboard.exports.pdf import fiche_pdf
    from dashboard.exports.pptx import deck_pptx

    assert deck_pptx(hostile_bundle).startswith(b"PK")
    assert layers_gpkg_bytes(hostile_bundle).startswith(b"SQLite format 3")
    for code in ("SGR", "TRI", "MAT"):
        assert fiche_pdf(hostile_bundle, f"instance:{code}").startswith(b"%PDF")


def test_cli_tables_export_has_no_formula(hostile_workspace, tmp_path):
    out = tmp_path / "tableaux.xlsx"
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "export", "tables", "--workspace",
         str(hostile_workspace), "--out", str(out), "--date", TODAY.isoformat()],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = out.read_bytes()
    assert xlsx_formula_cells(data) == []
    assert FORMULA in xlsx_texts(data)


@pytest.mark.parametrize("kind", ["instances", "operations", "plans", "commentaires"])
def test_page_downloads_of_tables_have_no_formula(kind, hostile_workspace):
    from dashboard.intake.templates import table_csv, table_xlsx
    from dashboard.store.workspace import open_workspace

    with open_workspace(hostile_workspace) as ws:
        frame = ws.read(kind)
    xlsx = table_xlsx(frame, kind)
    assert xlsx_formula_cells(xlsx) == []
    assert FORMULA in xlsx_texts(xlsx)
    data = table_csv(frame)
    assert _unsafe_csv_cells(data) == []
    assert "'" + FORMULA in [c for row in _csv_rows(data) for c in row]


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_templates_have_no_formula(kind):
    from dashboard.intake.templates import template

    for fmt in ("xlsx", "csv"):
        if KINDS[kind].geo:
            continue
        data, _name, _mime = template(kind, fmt)
        if fmt == "xlsx":
            assert xlsx_formula_cells(data) == []
        else:
            assert _unsafe_csv_cells(data) == []


def test_no_module_writes_a_spreadsheet_by_itself():
    """Every XLSX and CSV goes through dashboard/spreadsheets.py (one helper everywhere)."""
    writers = re.compile(r"\.to_csv\(|\.to_excel\(|ExcelWriter|csv\.writer|\bws\.append\(|"
                         r"\.cell\([^)]*,[^)]*,")
    offenders = []
    for path in [*(ROOT / "dashboard").rglob("*.py"), *(ROOT / "pages").glob("*.py")]:
        if path.name == "spreadsheets.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if writers.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


# ------------------------------------------------------------------ minimal workspaces

#: Files of every kind with their required columns only (optional columns absent).
MINIMAL = {
    "instances": "instance_code;instance_nom;instance_type;epci_siren\n"
                 "AGG;Agglomération;clh;200040715\nTRI;Trièves;clh;200030658\n",
    "operations": "id_operation;code_insee;annee;nb_plai\nA1;38185;2023;3\nA2;38421;2024;2\n",
    "signalements": "id_signalement;code_insee;date_signalement\nS1;38185;12/03/2024\n"
                    "S2;38563;01/06/2024\n",
    "plans": "type_plan;territoire_type;territoire_code;intitule;statut;date_debut;date_fin\n"
             "PDALHPD;departement;38;PDALHPD;en_vigueur;01/01/2021;31/12/2026\n"
             "PLH;epci;200040715;PLH;en_elaboration;;\n",
    "objectifs": "territoire_type;territoire_code;indicateur;annee_debut;annee_fin;valeur\n"
                 "instance;AGG;plai;2021;2026;300\n",
    "realisations": "territoire_type;territoire_code;indicateur;annee;valeur\n"
                    "instance;AGG;contingent_attributions;2023;40\n",
    "commentaires": "territoire_type;territoire_code;date;texte\ninstance;AGG;15/01/2025;Bien\n",
    "expulsions": "territoire_code;annee;etape;nombre\n200040715;2024;assignation;400\n"
                  "38185;2024;expulsion_effective;30\n",
    "dalo": "territoire_code;annee;recours_deposes;decisions_favorables;menages_reloges\n"
            "200040715;2024;200;80;60\n",
    "attributions_prioritaires": "territoire_code;annee;dispositif;objectif;realise\n"
                                 "200040715;2024;accord_collectif;300;250\n",
    "siao": "territoire_code;annee;demandes;orientations\n200040715;2024;3000;1200\n",
    "fsl": "territoire_code;annee;volet;nb_aides;montant\n38185;2024;energie;900;230000\n",
}


def _minimal_workspace(folder, kinds) -> None:
    from dashboard.intake.imports import import_file
    from dashboard.store.workspace import open_workspace
    from geo.reference import load_reference

    reference = load_reference("38")
    with open_workspace(folder) as ws:
        for kind in kinds:
            report = import_file(kind, MINIMAL[kind].encode(), f"{kind}.csv", ws, reference)
            assert report.imported, [m.message for m in report.errors]


@pytest.fixture(scope="module")
def minimal_workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("minimal")
    _minimal_workspace(folder, list(MINIMAL))
    return folder


@pytest.fixture(scope="module")
def operations_only(tmp_path_factory):
    """The workspace of the issue: two operations, no optional column, nothing else."""
    folder = tmp_path_factory.mktemp("operations-seules")
    _minimal_workspace(folder, ["operations"])
    return folder


EXPORTS = [
    ("tables", [], "tableaux.xlsx"),
    ("deck", [], "comite.pptx"),
    ("layers", [], "couches.gpkg"),
    ("fiche", ["--territoire", "epci:200040715"], "fiche.pdf"),
]


@pytest.mark.parametrize(("what", "extra", "name"), EXPORTS, ids=[e[0] for e in EXPORTS])
@pytest.mark.parametrize("workspace", ["operations_only", "minimal_workspace"])
def test_every_export_works_on_a_minimal_workspace(what, extra, name, workspace, request,
                                                   tmp_path, capsys):
    from dashboard.cli import main

    folder = request.getfixturevalue(workspace)
    out = tmp_path / name
    code = main(["export", what, *extra, "--workspace", str(folder), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert out.stat().st_size > 1000
    if what == "tables":
        wb = load_workbook(out)
        sheet = wb["Opérations"]
        ids = [c.value for c in sheet["A"]][3:]
        assert ids == ["A1", "A2"]
        assert xlsx_formula_cells(out.read_bytes()) == []


@pytest.mark.parametrize("kind", list(MINIMAL))
def test_every_export_works_on_a_workspace_of_one_kind(kind, tmp_path):
    """A workspace holding one kind only (instances alone, plans alone…) is valid: every
    export works on it (an empty indicator table once broke deck, layers and fiche)."""
    from dashboard.exports.bundle import load_bundle
    from dashboard.exports.gpkg import layers_gpkg_bytes
    from dashboard.exports.pdf import fiche_pdf
    from dashboard.exports.pptx import deck_pptx
    from dashboard.exports.xlsx import tables_xlsx

    _minimal_workspace(tmp_path / kind, [kind])
    bundle = load_bundle(None, tmp_path / kind)
    assert xlsx_formula_cells(tables_xlsx(bundle)) == []
    assert deck_pptx(bundle).startswith(b"PK")
    assert layers_gpkg_bytes(bundle).startswith(b"SQLite format 3")
    assert fiche_pdf(bundle, "epci:200040715").startswith(b"%PDF")
    if kind == "instances":
        assert fiche_pdf(bundle, "instance:TRI").startswith(b"%PDF")


def test_the_instance_fiche_works_on_a_minimal_workspace(minimal_workspace, tmp_path, capsys):
    from dashboard.cli import main

    out = tmp_path / "fiche.pdf"
    code = main(["export", "fiche", "--territoire", "instance:TRI", "--workspace",
                 str(minimal_workspace), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert out.read_bytes().startswith(b"%PDF")


def test_an_internal_error_is_not_a_usage_error(operations_only, tmp_path, capsys, monkeypatch):
    """A defect of an export (here a ValueError, as « Cannot convert <NA> to Excel » was)
    exits 3 with « erreur interne », never 2 « erreur d'utilisation »; nothing is written."""
    from dashboard.cli import main
    from dashboard.exports import xlsx

    def broken(_bundle):
        raise ValueError("Cannot convert <NA> to Excel")

    monkeypatch.setattr(xlsx, "tables_xlsx", broken)
    out = tmp_path / "tableaux.xlsx"
    code = main(["export", "tables", "--workspace", str(operations_only), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 3
    assert "erreur interne pendant « export tables »" in err
    assert "erreur d'utilisation" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_directory_as_out_is_a_usage_error(operations_only, tmp_path, capsys):
    from dashboard.cli import main

    code = main(["export", "tables", "--workspace", str(operations_only), "--out",
                 str(tmp_path)])
    assert code == 2
    assert "désigne un dossier" in capsys.readouterr().err
