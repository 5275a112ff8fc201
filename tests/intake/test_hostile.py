"""Hostile files (issue 12): each one ends in a French error naming the file, never a
traceback, and leaves the workspace byte for byte as it was.

The corpus is written by ``tests/corpus/hostile/build_hostile.py``; the real Isère
reference checks the codes and places the drawings.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.intake.imports import check_file, import_file
from dashboard.intake.limits import MAX_UNZIPPED_BYTES
from dashboard.store.schemas import KINDS
from dashboard.store.workspace import Workspace, open_workspace
from tests.corpus.hostile.build_hostile import BIG_VERTICES, many_vertices
from tests.paths import CORPUS, ROOT

HOSTILE = CORPUS / "hostile"

#: File → (kind, words the first error must contain).
REFUSED = {
    # GeoJSON and GeoPackage drawings
    "perim_anneau_ouvert.geojson": ("perimetres", "entité n° 1 : anneau non fermé"),
    "perim_geometrie_nulle.geojson": ("perimetres", "entité n° 2 : géométrie vide ou absente"),
    "perim_coordonnees_texte.geojson": ("perimetres", "entité n° 1 : géométrie vide"),
    "perim_monde.geojson": ("perimetres", "entité n° 1 : coordonnées impossibles à situer"),
    "perim_json_tronque.geojson": ("perimetres", "Fichier géographique illisible"),
    "perim_nul_attribut.geojson": ("perimetres", "caractère de contrôle U+0007"),
    "perim_gpkg_corrompu.gpkg": ("perimetres", "Fichier géographique illisible"),
    # zipped shapefiles
    "perim_shp_zip_bombe.zip": ("perimetres", "Archive ZIP refusée : une fois décompressée"),
    "perim_shp_sans_dbf.zip": ("perimetres", "Shapefile incomplet : couche.shx, couche.dbf"),
    "perim_shp_corrompu.zip": ("perimetres", "Fichier géographique illisible"),
    "perim_shp_chemin_remontant.zip": ("perimetres", "Shapefile incomplet : evil.shx"),
    # workbooks
    "xlsx_feuille_tronquee.xlsx": ("operations", "« xl/worksheets/sheet1.xml » — XML mal formé"),
    "xlsx_classeur_tronque.xlsx": ("operations", "« xl/workbook.xml » — XML mal formé"),
    "xlsx_styles_corrompus.xlsx": ("operations", "« xl/styles.xml » — XML mal formé"),
    "xlsx_styles_invalides.xlsx": ("operations", "les styles (xl/styles.xml)"),
    "xlsx_bombe_entites.xlsx": ("operations", "entités XML (DOCTYPE, ENTITY) interdites"),
    "xlsx_entite_externe.xlsx": ("operations", "entités XML (DOCTYPE, ENTITY) interdites"),
    "xlsx_sans_feuille.xlsx": ("operations", "Classeur XLSX sans feuille"),
    "xlsx_zip_bombe.xlsx": ("operations", "Archive ZIP refusée"),
    "xlsx_zip_bombe_reelle.xlsx": ("operations", "Archive ZIP refusée"),
    "xlsx_deflate_corrompu.xlsx": ("operations", "données compressées corrompues"),
    "xlsx_tronque.xlsx": ("operations", "Archive ZIP illisible ou tronquée"),
    # text files
    "ops_octet_nul.csv": ("operations", "ligne 3, colonne E « libelle » : caractère de contrôle "
                                        "U+0000 (NUL) interdit, en position 7"),
    "inst_tabulation_verticale.csv": ("instances", "ligne 2, colonne B « instance_nom » : "
                                                   "caractère de contrôle U+000B"),
    "ops_nul_en_tete.csv": ("operations", "colonne D « nb_plai » : en-tête : caractère de "
                                          "contrôle U+0000"),
    "ops_caractere_c1.csv": ("operations", "ligne 2, colonne E « libelle » : caractère de "
                                           "contrôle U+0085"),
    "ops_direction_inversee.csv": ("operations", "inversion du sens d'écriture (U+202E)"),
    "ops_utf16_tronque.csv": ("operations", "Fichier UTF-16 tronqué"),
    "ops_binaire.csv": ("operations", "colonne obligatoire « id_operation » absente"),
    "ops_cellule_geante.csv": ("operations", "CSV mal formé (ligne 2)"),
}
#: Hostile-looking files that are accepted, with the warning that says what was done.
ACCEPTED = {
    "perim_noeud_papillon.geojson": ("perimetres", "géométrie invalide (contour qui se "
                                                   "recoupe), réparée"),
    "perim_crs_inconnu.geojson": ("perimetres", "hors de tout périmètre dessiné"),
    "ops_bom_puis_cp1252.csv": ("operations", "fichier mêlant deux encodages : ligne 2 lue en "
                                              "cp1252"),
}


def test_every_hostile_file_has_an_expected_outcome():
    files = {p.name for p in HOSTILE.iterdir() if p.suffix != ".py" and p.is_file()}
    assert files == set(REFUSED) | set(ACCEPTED)
    assert len(REFUSED) >= 30


def _clean(message: str, name: str) -> None:
    assert message.startswith(name), message
    for english in ("Traceback", "Error", "Exception", "/tmp/", "Unable to", "not recognized"):
        assert english not in message, message


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_file_is_refused_with_a_french_message(name, isere):
    kind, expected = REFUSED[name]
    report = check_file(kind, (HOSTILE / name).read_bytes(), name, isere)
    assert not report.valid
    assert any(expected in m.message for m in report.errors), [m.message for m in report.errors]
    for message in report.errors + report.warnings:
        _clean(message.message, name)


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_hostile_looking_file_is_accepted_with_a_warning(name, isere):
    kind, expected = ACCEPTED[name]
    report = check_file(kind, (HOSTILE / name).read_bytes(), name, isere)
    assert report.valid, [m.message for m in report.errors]
    assert any(expected in m.message for m in report.warnings), [
        m.message for m in report.warnings]


def test_mixed_encodings_are_each_decoded(isere):
    report = check_file("operations", (HOSTILE / "ops_bom_puis_cp1252.csv").read_bytes(),
                        "melange.csv", isere)
    assert report.frame["libelle"].tolist() == ["Le Pré vert"]  # not « Le Pr� vert »
    assert report.details["encodage"] == "utf-8 + cp1252"
    assert report.warnings[0].line == 2


def _fingerprint(ws: Workspace) -> str:
    """SQLite: SHA-256 of the database files. PostgreSQL: of every table and the log."""
    if ws.database_path is not None:
        # The database and its journal, not SQLite's shared-memory index (-shm), which a
        # mere read may rewrite.
        files = sorted(p for p in ws.database_path.parent.glob(ws.database_path.name + "*")
                       if not p.name.endswith("-shm"))
        return hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in files)
                              ).hexdigest()
    tables = [ws.read(kind).to_csv() for kind in KINDS]
    return hashlib.sha256("".join([*tables, ws.history().to_csv()]).encode()).hexdigest()


@pytest.fixture
def populated(tmp_path, isere) -> Path:
    """A workspace holding operations, instances and drawn perimeters."""
    folder = tmp_path / "espace"
    with open_workspace(folder) as ws:
        for kind, name in (("operations", "ops_cp1252_semicolon.csv"),
                           ("instances", "inst_both_codes.csv"), ("perimetres", "perim.gpkg")):
            data = (CORPUS / name).read_bytes()
            if kind == "instances":  # the corpus file is invalid on purpose: a valid one
                data = ("instance_code;instance_nom;instance_type;code_insee;epci_siren\n"
                        "AGG;Agglomération;clh;;200040715\n").encode()
            assert import_file(kind, data, name, ws, isere).imported
    return folder


def test_hostile_files_leave_the_workspace_byte_identical(populated, isere):
    with open_workspace(populated) as ws:
        before = _fingerprint(ws)
    for name, (kind, _expected) in sorted(REFUSED.items()):
        with open_workspace(populated) as ws:
            report = import_file(kind, (HOSTILE / name).read_bytes(), name, ws, isere)
            assert not report.imported, name
        with open_workspace(populated) as ws:
            assert _fingerprint(ws) == before, name


def test_nul_in_the_file_name_never_reaches_the_log(populated, isere):
    data = b"id_operation;code_insee;annee;nb_plai\nA-1;38185;2023;4\n"
    with open_workspace(populated) as ws:
        report = import_file("operations", data, "ops\x00\x0b.csv", ws, isere)
        assert report.imported
        assert ws.history()["fichier"].iloc[0] == "ops.csv"


def test_cli_reports_a_hostile_file_in_french_without_traceback(populated):
    for name in ("xlsx_bombe_entites.xlsx", "perim_anneau_ouvert.geojson"):
        kind = REFUSED[name][0]
        proc = subprocess.run(
            [sys.executable, "-m", "dashboard.cli", "import", kind, str(HOSTILE / name),
             "--workspace", str(populated)],
            cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stderr
        assert REFUSED[name][1] in proc.stdout + proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr


# ------------------------------------------------------------------ bounds


def test_zip_cap_is_checked_before_extraction():
    from dashboard.intake.readers import ReadError, open_zip

    data = (HOSTILE / "xlsx_zip_bombe_reelle.xlsx").read_bytes()
    assert len(data) < 1024 * 1024  # under a megabyte…
    with pytest.raises(ReadError, match="Rien n'a été décompressé"):
        open_zip(data)  # … that would be more than the cap once extracted
    assert MAX_UNZIPPED_BYTES < 300 << 20


def test_a_validation_past_its_time_bound_is_refused(isere):
    data = (CORPUS / "ops_cp1252_semicolon.csv").read_bytes()
    report = check_file("operations", data, "ops.csv", isere, time_limit=0)
    assert not report.valid
    assert report.errors[0].message.startswith("ops.csv : vérification interrompue au bout de 0 s")
    drawing = (CORPUS / "perim.gpkg").read_bytes()
    report = check_file("perimetres", drawing, "perim.gpkg", isere, time_limit=0)
    assert "vérification interrompue" in report.errors[0].message
    assert check_file("operations", data, "ops.csv", isere, time_limit=None).valid


@pytest.fixture(scope="module")
def big_drawing(tmp_path_factory) -> bytes:
    return many_vertices(tmp_path_factory.mktemp("gros") / "gros.geojson").read_bytes()


def test_a_drawing_of_many_vertices_is_converted(big_drawing, isere):
    """400 000 vertices around Grenoble: tiled, then crossed with the communes, with the
    communes that one untiled intersection per commune finds."""
    import geopandas as gpd
    import shapely

    report = check_file("perimetres", big_drawing, "gros.geojson", isere)
    assert report.valid, [m.message for m in report.errors]
    crs = isere.metric_crs()
    circle = gpd.read_file(big_drawing).to_crs(crs).geometry.iloc[0]
    assert shapely.get_num_coordinates(circle) == BIG_VERTICES + 1
    communes = isere.communes.to_crs(crs)
    near = communes[communes.intersects(circle)]
    expected = {c for c, g in zip(near["code_insee"], near.geometry, strict=True)
                if g.intersection(circle).area > 0.5 * g.area}
    assert "38185" in expected
    assert len(expected) >= 3
    assert set(report.frame["code_insee"]) == expected


def test_a_drawing_above_the_vertex_cap_is_refused(big_drawing, isere):
    from dashboard.intake.drawings import validate_drawing
    from dashboard.intake.readers import read_geo_bytes

    drawing, _ = read_geo_bytes(big_drawing, "gros.geojson")
    result = validate_drawing(drawing, isere, "gros.geojson", max_vertices=BIG_VERTICES - 1)
    assert not result.valid
    assert "dessin trop détaillé : 400\u202f001 sommets (au plus 399\u202f999)" in (
        result.errors[0].message)


def test_the_page_does_not_validate_twice(isere, tmp_path):
    """``import_file(checked=…)`` writes the report already shown, without a new check."""
    data = (CORPUS / "ops_cp1252_semicolon.csv").read_bytes()
    shown = check_file("operations", data, "ops.csv", isere)
    with open_workspace(tmp_path / "espace") as ws:
        done = import_file("operations", data, "ops.csv", ws, isere, checked=shown)
        assert done.imported
        assert done.frame is shown.frame  # the very rows checked, not a second validation
        other = import_file("operations", data.replace(b"SISAL-2", b"SISAL-3"), "ops.csv", ws,
                            isere, checked=shown)  # other bytes: checked again
        assert other.frame is not shown.frame
        assert other.frame["id_operation"].tolist() == ["SISAL-1", "SISAL-3"]


def test_truncated_shapefile_field_names_are_recognised(tmp_path, isere):
    """GDAL cuts « instance_code » to « instance_c » in a .dbf: still the instance code."""
    import io
    import warnings
    import zipfile

    from geo.reference import dissolve_by

    chosen = isere.communes[isere.communes["epci_siren"] == "200030658"].to_crs("EPSG:2154")
    drawing = dissolve_by(chosen, "epci_siren")[["geometry"]]
    drawing["instance_code"] = "TRI"
    drawing["instance_nom"] = "Trièves"
    drawing["instance_type"] = "territoire"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GDAL warns that it cuts the names: that is the point
        drawing.to_file(tmp_path / "clh.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for part in sorted(tmp_path.glob("clh.*")):
            archive.write(part, part.name)
    report = check_file("perimetres", buf.getvalue(), "clh.zip", isere)
    assert report.valid, [m.message for m in report.errors]
    assert report.columns == {"instance_code": "instance_c", "instance_nom": "instance_n",
                              "instance_type": "instance_t"}
    assert set(report.frame["instance_code"]) == {"TRI"}
    assert set(report.frame["instance_type"]) == {"territoire"}
    assert set(report.frame["code_insee"]) == set(chosen["code_insee"])
