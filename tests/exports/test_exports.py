"""Exports of the Isère demo, each read back by its own library (issue 6)."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess

import pytest

from dashboard.cli import common as cli
from dashboard.cli import main

TODAY = dt.date(2025, 6, 30)
NNBSP = "\u202f"
GRENOBLE = "epci:200040715"


@pytest.fixture(scope="module")
def bundle(demo_workspace):
    from dashboard.exports.bundle import load_bundle

    return load_bundle("38", workspace=demo_workspace, today=TODAY)


@pytest.fixture(scope="module")
def fiche_epci(bundle) -> bytes:
    from dashboard.exports.pdf import fiche_pdf

    return fiche_pdf(bundle, GRENOBLE)


def _pdf_text(data: bytes) -> tuple[str, object]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), reader


# ------------------------------------------------------------------ typography


def test_typo_french_spaces_quotes_and_dashes():
    from dashboard.formatting import typo

    assert typo('l\'EPCI : 12 % ; "PLH" 2021-2026 !') == (
        "l’EPCI\u00a0: 12\u00a0%\u202f; «\u202fPLH\u202f» 2021–2026\u202f!"
    )
    assert typo("Coeur de Chartreuse, mise en oeuvre") == "Cœur de Chartreuse, mise en œuvre"


def test_html_text_is_escaped():
    from dashboard.exports.pdf import esc, html_table

    assert esc('<script>alert("x")</script>') == (
        "&lt;script&gt;alert(«\u202fx\u202f»)&lt;/script&gt;"
    )
    assert "<b>" not in html_table(["Nom"], [[esc("<b>")]])


# ------------------------------------------------------------------ PDF


def test_pdf_fiche_epci_text_figures_and_images(fiche_epci):
    text, reader = _pdf_text(fiche_epci)
    assert "Grenoble-Alpes-Métropole" in text
    assert f"450{NNBSP}608" in text  # population, narrow no-break space
    assert "données de démonstration" in text
    assert "2021–2026" in text  # en dash in periods
    assert "Sources et millésimes" in text
    assert sum(len(page.images) for page in reader.pages) >= 2  # map + charts
    assert "Actions du plan qui concernent ce territoire" in text
    assert "Logement d’abord" in text  # action 4.3 names the métropole
    assert "foncier maîtrisé" in text  # the délégué's validated comment


def test_sources_listed_once_per_kind(bundle):
    """Objective, realisation and need sources each once, without the combined row texts."""
    sources = bundle.sources()
    assert len(sources) == len(set(sources))
    by_label: dict[str, list[str]] = {}
    for label, value in sources:
        by_label.setdefault(label, []).append(value)
    assert "PDALHPD 2021–2026, fiche action" in [v.replace("-", "–") for v in by_label["Objectifs"]]
    assert any("opérations PLA-I importées" in v for v in by_label["Réalisations"])
    assert by_label["Population"] == [
        "population municipale 2023 (populations légales en vigueur au 1er janvier 2026), "
        "INSEE via @etalab/decoupage-administratif 6.0.0"
    ]
    assert by_label["Besoin (équilibre)"] == by_label["Population"]
    for label in ("Objectifs", "Réalisations", "Besoin (équilibre)"):
        assert all(" ; " not in v and "aucun objectif" not in v for v in by_label[label])


def test_pdf_fiche_instance(bundle):
    from dashboard.exports.pdf import fiche_pdf

    text, _ = _pdf_text(fiche_pdf(bundle, "instance:AGG"))
    assert "Agglomération grenobloise" in text
    assert "Instance locale" in text
    assert f"450{NNBSP}608" in text


def test_pdf_unknown_territory(bundle):
    from dashboard.exports.bundle import UnknownTerritoryError
    from dashboard.exports.pdf import fiche_pdf

    with pytest.raises(UnknownTerritoryError, match="EPCI inconnu"):
        fiche_pdf(bundle, "epci:123456789")


def test_pdf_pages_render_not_blank(fiche_epci, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm absent (paquet poppler-utils)")
    from PIL import Image

    pdf = tmp_path / "fiche.pdf"
    pdf.write_bytes(fiche_epci)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 2
    for page in pages:
        img = Image.open(page).convert("L")
        lo, _hi = img.getextrema()
        assert lo < 128, f"{page.name} est blanche"


# ------------------------------------------------------------------ PPTX


def test_pptx_deck_slides_pictures_tables(bundle):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from dashboard.exports.pptx import (
        FIXED_TITLES,
        TITLE_COMMENTS,
        TITLE_LATE,
        axe_title,
        deck_pptx,
        instance_title,
    )
    from dashboard.formatting import typo
    from dashboard.indicators.fields import FIELDS

    prs = Presentation(io.BytesIO(deck_pptx(bundle)))
    slides = list(prs.slides)
    instances = bundle.instance_refs()
    assert len(instances) == 13
    titles = [s.shapes.title.text for s in slides]
    assert titles[0].startswith("Bilan du PDALHPD – Isère")
    assert titles[1:6] == [typo(t) for t in FIXED_TITLES]
    axes = [axe_title(a) for a in bundle.programme.axes]
    assert len(axes) == 5
    assert titles[6:13] == [*axes, TITLE_LATE, TITLE_COMMENTS]
    fields = [typo(f"{f.label} (2024)") for f in FIELDS.values()]  # one slide per field
    assert titles[13:18] == fields
    assert titles[18:] == [instance_title(r.nom) for r in instances]
    for slide in slides[1:]:
        types = [shape.shape_type for shape in slide.shapes]
        assert MSO_SHAPE_TYPE.PICTURE in types, slide.shapes.title.text
        assert MSO_SHAPE_TYPE.TABLE in types, slide.shapes.title.text
    texts = " ".join(sh.text_frame.text for sh in slides[0].shapes if sh.has_text_frame)
    assert "données de démonstration" in texts
    agg = slides[18]
    table = next(sh.table for sh in agg.shapes if sh.has_table)
    cells = [table.cell(i, 0).text for i in range(len(table.rows))]
    assert "Logements PLA-I financés" in cells
    assert table.cell(0, 4).text == "Statut au 30/06/2025"  # the bundle's reference date
    signals = next(sh.table for sh in slides[4].shapes if sh.has_table)
    header = [signals.cell(0, j).text for j in range(len(signals.columns))]
    assert header[:5] == ["Instance", "Reçus", "Résolus", "Clos sans résolution", "En cours"]
    departement = [signals.cell(len(signals.rows) - 1, j).text for j in range(5)]
    dep = bundle.signals[bundle.signals["territoire_type"] == "departement"].iloc[0]
    assert departement[0] == "Isère"
    assert departement[2] == f"{dep['nb_resolus']:_}".replace("_", "\u202f")
    assert dep["nb_resolus"] + dep["nb_clos_sans_resolution"] + dep["nb_en_cours"] == (
        dep["nb_signalements"]
    )


def test_pptx_deck_programme_slides(bundle):
    """One slide per axe (its actions, status, progress), then the late milestones."""
    from pptx import Presentation

    from dashboard.exports.pptx import TITLE_COMMENTS, TITLE_LATE, axe_title, deck_pptx

    slides = {s.shapes.title.text: s for s in Presentation(io.BytesIO(deck_pptx(bundle))).slides}

    def cells(slide) -> list[list[str]]:
        table = next(sh.table for sh in slide.shapes if sh.has_table)
        return [[c.text for c in row.cells] for row in table.rows]

    axe = cells(slides[axe_title("Hébergement et logement accompagné")])
    assert axe[0] == ["Action", "Intitulé", "Pilote", "Statut", "Avancement", "Jalons en retard"]
    assert [r[0] for r in axe[1:]] == ["4.1", "4.2", "4.3"]
    assert axe[2][3:] == ["en cours", "33\u00a0%", "1"]
    late = cells(slides[TITLE_LATE])
    assert late[0] == ["Action", "Intitulé", "Jalon", "Prévu le", "Retard (jours)"]
    cia = next(r for r in late if r[2] == "CIA de la CAPI signée")
    assert cia[3:] == ["30/06/2023", "731"]  # at the bundle's date, 30/06/2025
    footer = " ".join(sh.text_frame.text for sh in slides[TITLE_LATE].shapes
                      if sh.has_text_frame)  # fmt: skip
    assert "programme d’actions et jalons" in footer
    assert "DÉMONSTRATION" in footer
    # the comments: validated and the comité's, most recent first; never a pending one
    comments = cells(slides[TITLE_COMMENTS])
    assert comments[0] == ["Date", "Territoire", "Auteur", "Commentaire"]
    assert comments[1][0] == "20/02/2025"
    texts = " ".join(r[3] for r in comments[1:])
    assert "foncier" in texts
    assert "CIA" not in texts  # the CAPI délégué's comment awaits the comité


def test_pptx_deck_pictures_and_tables_do_not_overlap(bundle):
    """Every shape stays on the 16:9 slide, and no chart or map runs under a table."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from dashboard.exports.pptx import deck_pptx

    prs = Presentation(io.BytesIO(deck_pptx(bundle)))
    width, height = prs.slide_width, prs.slide_height
    for slide in prs.slides:
        title = slide.shapes.title.text
        boxes = {MSO_SHAPE_TYPE.PICTURE: [], MSO_SHAPE_TYPE.TABLE: []}
        for shape in slide.shapes:
            where = (title, shape.name)
            assert shape.left >= 0, where
            assert shape.left + shape.width <= width, where
            assert shape.top >= 0, where
            assert shape.top + shape.height <= height, where
            if shape.shape_type in boxes:
                boxes[shape.shape_type].append(shape)
        for pic in boxes[MSO_SHAPE_TYPE.PICTURE]:
            for table in boxes[MSO_SHAPE_TYPE.TABLE]:
                apart = (pic.left + pic.width <= table.left or table.left + table.width <= pic.left
                         or pic.top + pic.height <= table.top)  # fmt: skip
                assert apart, f"{title} : l'image passe sous le tableau"


# ------------------------------------------------------------------ XLSX


def _same(got: object, want: object) -> bool:
    """Equal, floats to Excel's 15 significant digits (openpyxl writes them so)."""
    if isinstance(want, float) and isinstance(got, int | float):
        return got == pytest.approx(want, rel=1e-14, abs=1e-12)
    return got == want


def _sheet_records(ws, columns) -> list[dict]:
    """The rows of a sheet by column key, French labels read back as their stored codes."""
    from dashboard.exports.xlsx import HEADER_ROW
    from dashboard.store.schemas import LABELS

    headers = [c.value for c in ws[HEADER_ROW]]
    by_header = {c.header: c for c in columns}
    cols = [by_header[h] for h in headers]
    codes = {c.key: {v: k for k, v in LABELS[c.labels].items()} for c in cols if c.labels}
    return [
        {c.key: codes[c.key].get(v, v) if c.key in codes else v
         for c, v in zip(cols, row, strict=True)}
        for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    ]  # fmt: skip


def test_xlsx_matches_cli_indicators_json(bundle, demo_workspace, capsys):
    from openpyxl import load_workbook

    from dashboard.exports.xlsx import (
        BALANCE_COLUMNS,
        INDICATOR_COLUMNS,
        SHEET_EQUILIBRE,
        SHEET_INDICATEURS,
        tables_xlsx,
    )
    from dashboard.indicators.compute import INDICATOR_KEYS

    wb = load_workbook(io.BytesIO(tables_xlsx(bundle)))
    capsys.readouterr()
    argv = ["indicators", "--json", "--workspace", str(demo_workspace), "--date", TODAY.isoformat()]
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)

    rows = _sheet_records(wb[SHEET_INDICATEURS], INDICATOR_COLUMNS)
    assert len(rows) == len(payload["indicators"])
    step = max(1, len(rows) // 40)
    for got, want in list(zip(rows, payload["indicators"], strict=True))[::step]:
        for key in INDICATOR_KEYS:
            assert _same(got[key], want[key]), (key, want)
    # PLA-I of Grenoble-Alpes-Métropole over the plan period, in full
    want = next(
        r for r in payload["indicators"]
        if r["indicateur"] == "plai" and r["territoire_code"] == "200040715"
        and "-" in r["periode"]
    )  # fmt: skip
    got = next(r for r in rows if all(r[k] == want[k] for k in ("indicateur", "territoire_code",
                                                                 "periode")))  # fmt: skip
    assert all(_same(got[k], want[k]) for k in INDICATOR_KEYS), (got, want)

    balance = _sheet_records(wb[SHEET_EQUILIBRE], BALANCE_COLUMNS)
    assert len(balance) == len(payload["balance"])
    for got, want in zip(balance, payload["balance"], strict=True):
        for key in ("territoire_code", "part_besoin", "part_realise", "indice_equilibre",
                    "dissimilarite_realise"):  # fmt: skip
            assert _same(got[key], want[key]), (key, want)


def test_xlsx_sheets_and_french_formats(bundle):
    from openpyxl import load_workbook

    from dashboard.exports import xlsx

    wb = load_workbook(io.BytesIO(xlsx.tables_xlsx(bundle)))
    assert wb.sheetnames == [
        xlsx.SHEET_INDICATEURS, xlsx.SHEET_EQUILIBRE, xlsx.SHEET_ECARTS, xlsx.SHEET_OPERATIONS,
        xlsx.SHEET_SIGNALEMENTS, xlsx.SHEET_PLH, xlsx.SHEET_ACTIONS, xlsx.SHEET_JALONS,
        xlsx.SHEET_CHAMPS, xlsx.SHEET_SOURCES,
    ]  # fmt: skip
    ws = wb[xlsx.SHEET_INDICATEURS]
    assert "données de démonstration" in ws["A1"].value
    assert ws.freeze_panes == f"A{xlsx.HEADER_ROW + 1}"
    assert ws.auto_filter.ref.startswith(f"A{xlsx.HEADER_ROW}")
    headers = [c.value for c in ws[xlsx.HEADER_ROW]]
    first = xlsx.HEADER_ROW + 1
    assert ws.cell(first, headers.index("Taux de réalisation") + 1).number_format == "0.0%"
    assert ws.cell(first, headers.index("Objectif") + 1).number_format == "#,##0"
    plh = wb[xlsx.SHEET_PLH]
    plh_headers = [c.value for c in plh[xlsx.HEADER_ROW]]
    dates = [
        row[plh_headers.index("Début")]
        for row in plh.iter_rows(min_row=first)
        if row[plh_headers.index("Début")].value is not None
    ]
    assert dates
    assert all(c.number_format == "dd/mm/yyyy" for c in dates)
    assert isinstance(dates[0].value, dt.datetime)
    assert wb[xlsx.SHEET_ECARTS].max_row - xlsx.HEADER_ROW == len(bundle.coverage.findings)
    assert wb[xlsx.SHEET_OPERATIONS].max_row - xlsx.HEADER_ROW == len(bundle.operations)
    # Stored codes are written as their French labels (« agréée », « EPCI », « en vigueur »).
    for sheet, header, shown in ((xlsx.SHEET_OPERATIONS, "Statut", {"agréée", "livrée"}),
                                 (xlsx.SHEET_PLH, "Statut", {"en vigueur", "échu"}),
                                 (xlsx.SHEET_INDICATEURS, "Type de territoire",
                                  {"département", "instance", "EPCI"})):  # fmt: skip
        ws = wb[sheet]
        col = [c.value for c in ws[xlsx.HEADER_ROW]].index(header)
        values = {row[col] for row in ws.iter_rows(min_row=first, values_only=True)}
        assert shown <= values, (sheet, values)
        assert not {"agreee", "livree", "en_vigueur", "echu", "departement"} & values
    actions = wb[xlsx.SHEET_ACTIONS]
    assert actions.max_row - xlsx.HEADER_ROW == len(bundle.programme.actions) == 16
    headers = [c.value for c in actions[xlsx.HEADER_ROW]]
    first = [c.value for c in actions[xlsx.HEADER_ROW + 1]]
    assert first[headers.index("Action")] == "1.1"
    assert first[headers.index("Indicateurs liés")] == "plai"
    assert actions.cell(xlsx.HEADER_ROW + 1, headers.index("Avancement (jalons)") + 1
                        ).number_format == xlsx.PCT
    assert wb[xlsx.SHEET_JALONS].max_row - xlsx.HEADER_ROW == 37


# ------------------------------------------------------------------ GeoPackage


def test_gpkg_layers_counts_and_crs(bundle, tmp_path):
    import geopandas as gpd
    import pyogrio

    from dashboard.exports.gpkg import layers_gpkg

    path = tmp_path / "couches.gpkg"
    layers_gpkg(bundle, path)
    listed = dict(pyogrio.list_layers(path))
    assert set(listed) == {"communes", "epci", "instances", "constats", "autres_champs_epci",
                           "autres_champs_instances"}
    communes = gpd.read_file(path, layer="communes")
    assert len(communes) == 512
    assert communes.crs.to_epsg() == 2154
    assert {"plai_realise", "signalements_pour_10000", "situation"} <= set(communes.columns)
    assert communes["code_insee"].str.len().eq(5).all()
    assert len(gpd.read_file(path, layer="epci")) == 18
    assert len(gpd.read_file(path, layer="instances")) == 13
    findings = gpd.read_file(path, layer="constats")
    assert findings.crs.to_epsg() == 2154
    terr = bundle.territory
    known = (
        {("commune", c) for c in terr.communes["code_insee"]}
        | {("epci", s) for s in terr.epci["siren"]}
        | {("instance", i) for i in terr.instances["instance_code"]}
        | {("departement", bundle.departement)}
    )
    with_geometry = [
        f for f in bundle.coverage.findings
        if (f.territoire_type, str(f.territoire_code)) in known
    ]  # fmt: skip
    assert len(findings) == len(with_geometry) > 0
    assert findings.geometry.notna().all()


# ------------------------------------------------------------------ CLI


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["fiche", "--territoire", "instance:AGG", "--format", "pdf"], "fiche.pdf"),
        (["deck", "--format", "pptx"], "deck.pptx"),
        (["tables", "--format", "xlsx"], "tables.xlsx"),
        (["layers", "--format", "gpkg"], "couches.gpkg"),
    ],
)
def test_cli_export_writes_file(argv, name, demo_workspace, tmp_path, capsys):
    out = tmp_path / name
    code = main(
        ["export", *argv, "--out", str(out), "--workspace", str(demo_workspace),
         "--date", TODAY.isoformat()]
    )  # fmt: skip
    assert code == cli.EXIT_OK, capsys.readouterr().err
    assert out.stat().st_size > 1000
    assert "données de démonstration" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fiche", "--territoire", "epci:123456789"], "EPCI inconnu"),
        (["fiche", "--territoire", "instance:XYZ"], "instance inconnue"),
        (["fiche", "--territoire", "commune:38185"], "attendu epci:SIREN ou instance:CODE"),
        (["fiche", "--territoire", "epci:200040715", "--format", "docx"], "format « docx »"),
        (["deck", "--format", "pdf"], "format « pdf »"),
        (["tables", "--format", "csv"], "format « csv »"),
        (["layers", "--format", "shp"], "format « shp »"),
    ],
)
def test_cli_export_usage_errors(argv, message, demo_workspace, tmp_path, capsys):
    out = tmp_path / "sortie.bin"
    code = main(["export", *argv, "--out", str(out), "--workspace", str(demo_workspace)])
    assert code == cli.EXIT_USAGE
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_cli_export_missing_out_is_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["export", "deck"])
    assert exc.value.code == cli.EXIT_USAGE
    assert "--out" in capsys.readouterr().err
