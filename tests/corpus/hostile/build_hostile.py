"""Write the hostile-file corpus used by ``tests/intake/test_hostile.py``.

Files an attacker, or a tired user, would give the import: broken GeoJSON (unclosed
ring, null geometry, the whole world, truncated text, a bow-tie), corrupted workbooks
(truncated sheet, workbook or styles XML, an XML entity bomb, a zip bomb, bad deflate
data), zipped shapefiles that lie about their size or miss their parts, control
characters and NUL bytes, broken encodings. Each one must end in a French error naming
the file (and the line or feature, and the column, when there is one), never a
traceback, and must leave the workspace byte for byte as it was.

Everything is built from bytes written here, so the files are exact and reproducible.
The one big file (a polygon of :data:`BIG_VERTICES` vertices, about 10 MB) is not kept in
the repository: :func:`many_vertices` writes it where the test asks.

Run from the repository root: ``.venv/bin/python tests/corpus/hostile/build_hostile.py``.
"""

from __future__ import annotations

import io
import json
import math
import struct
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Vertices of the polygon written by :func:`many_vertices` (above the validation's cap).
BIG_VERTICES = 400_000
#: A square around Grenoble, in WGS84 (lon, lat).
GRENOBLE = [[5.68, 45.15], [5.78, 45.15], [5.78, 45.22], [5.68, 45.22], [5.68, 45.15]]


def _write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def _geojson(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _feature(geometry: dict | None, code: str = "GRE", nom: str = "Grenoble") -> dict:
    return {"type": "Feature", "properties": {"instance_code": code, "instance_nom": nom},
            "geometry": geometry}


def geojson_files() -> None:
    """Drawings that GDAL reads but that are not valid perimeters, or that GDAL rejects."""
    ring = GRENOBLE[:-1]  # the last point does not repeat the first
    _write("perim_anneau_ouvert.geojson",
           _geojson([_feature({"type": "Polygon", "coordinates": [ring]})]))
    _write("perim_geometrie_nulle.geojson", _geojson([
        _feature({"type": "Polygon", "coordinates": [GRENOBLE]}),
        _feature(None, "VID", "Sans géométrie"),
    ]))
    world = [[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]
    _write("perim_monde.geojson",
           _geojson([_feature({"type": "Polygon", "coordinates": [world]}, "MND", "Monde")]))
    bowtie = [[5.68, 45.15], [5.78, 45.22], [5.78, 45.15], [5.68, 45.22], [5.68, 45.15]]
    _write("perim_noeud_papillon.geojson",
           _geojson([_feature({"type": "Polygon", "coordinates": [bowtie]})]))
    whole = _geojson([_feature({"type": "Polygon", "coordinates": [GRENOBLE]})])
    _write("perim_json_tronque.geojson", whole[: len(whole) // 2])
    _write("perim_coordonnees_texte.geojson", _geojson([_feature(
        {"type": "Polygon", "coordinates": [[["a", "b"], ["c", "d"], ["e", "f"], ["a", "b"]]]})]))
    _write("perim_crs_inconnu.geojson", json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}},
        "features": [_feature({"type": "Polygon", "coordinates": [GRENOBLE]})],
    }).encode())
    _write("perim_nul_attribut.geojson",
           _geojson([_feature({"type": "Polygon", "coordinates": [GRENOBLE]}, "GRE",
                              "Greno\u0007ble")]))
    _write("perim_gpkg_corrompu.gpkg", b"SQLite format 3\x00" + bytes(range(256)) * 8)


def many_vertices(path: Path, vertices: int = BIG_VERTICES) -> Path:
    """A GeoJSON of one polygon with ``vertices`` vertices around Grenoble (about 10 MB)."""
    cx, cy, r = 5.73, 45.185, 0.05
    ring = [[round(cx + r * math.cos(2 * math.pi * i / vertices), 7),
             round(cy + r * math.sin(2 * math.pi * i / vertices), 7)] for i in range(vertices)]
    ring.append(ring[0])
    path.write_bytes(_geojson([_feature({"type": "Polygon", "coordinates": [ring]})]))
    return path


def jagged(path: Path, vertices: int = 500_000) -> Path:
    """A GeoJSON of one polygon over the whole of Isère whose outline zigzags by about 60 m
    (about 12 MB): every commune meets it, and no simplification under 60 m shortens it.

    The costly case of issue 12 (55 s of CPU before the drawings were tiled); to measure::

        python -c "from pathlib import Path; from tests.corpus.hostile.build_hostile import \\
            jagged; jagged(Path('/tmp/dents.geojson'))"
        /usr/bin/time -v territoires check perimetres /tmp/dents.geojson
    """
    cx, cy, r = 5.55, 45.25, 0.75
    ring = []
    for i in range(vertices):
        angle = 2 * math.pi * i / vertices
        radius = r + (0.0006 if i % 2 else 0)
        ring.append([round(cx + radius * math.cos(angle) / 0.7, 7),
                     round(cy + radius * math.sin(angle), 7)])
    ring.append(ring[0])
    path.write_bytes(_geojson([_feature({"type": "Polygon", "coordinates": [ring]}, "DEN",
                                        "Dents")]))
    return path


# ------------------------------------------------------------------------ workbooks
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/></Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Opérations" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="1"><xf/></cellXfs>'
    '</styleSheet>'
)


def _cell(ref: str, value: str | int) -> str:
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _sheet(rows: list[list[str | int]], doctype: str = "") -> str:
    body = "".join(
        f'<row r="{i}">' + "".join(_cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(row))
        + "</row>" for i, row in enumerate(rows, start=1)
    )
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + doctype +
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{body}</sheetData></worksheet>")


_OPS_ROWS: list[list[str | int]] = [
    ["id_operation", "code_insee", "annee", "nb_plai"],
    ["X-1", "38185", 2023, 4],
    ["X-2", "38421", 2024, 2],
]


def _xlsx(parts: dict[str, str | bytes]) -> bytes:
    base: dict[str, str | bytes] = {
        "[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK, "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/styles.xml": _STYLES, "xl/worksheets/sheet1.xml": _sheet(_OPS_ROWS),
    }
    base.update(parts)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in base.items():
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buf.getvalue()


def _lying_zip(name: str, declared: int, base: bytes) -> bytes:
    """``base`` (a zip) with one more member whose headers declare ``declared`` bytes.

    The member holds a few real bytes; its local and central headers claim a size that
    would take gigabytes to extract — what a reader must refuse before extracting.
    """
    payload = b"\x00" * 1024
    buf = io.BytesIO(base)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
        archive.writestr(info, payload)
    data = bytearray(buf.getvalue())
    # Patch the uncompressed size of the last member, in its local and central headers.
    local = data.rfind(b"PK\x03\x04")
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, declared)
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def _real_bomb(name: str, size: int, base: bytes) -> bytes:
    """``base`` with one more member of ``size`` zero bytes, honestly declared (deflated)."""
    buf = io.BytesIO(base)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            chunk = b"\x00" * (1 << 20)
            for _ in range(size >> 20):
                member.write(chunk)
    return buf.getvalue()


def workbook_files() -> None:
    """Corrupted workbooks, entity bombs and zip bombs."""
    sheet = _sheet(_OPS_ROWS)
    _write("xlsx_feuille_tronquee.xlsx", _xlsx({"xl/worksheets/sheet1.xml": sheet[:300]}))
    _write("xlsx_classeur_tronque.xlsx", _xlsx({"xl/workbook.xml": _WORKBOOK[:150]}))
    _write("xlsx_styles_corrompus.xlsx", _xlsx({"xl/styles.xml": "<styleSheet><fonts><font"}))
    _write("xlsx_styles_invalides.xlsx", _xlsx({"xl/styles.xml": _STYLES.replace(
        '<cellXfs count="1"><xf/></cellXfs>', '<cellXfs count="1"><xf numFmtId="x"/></cellXfs>')}))
    laughs = ('<!DOCTYPE lolz [<!ENTITY lol "lololololololololol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                        for i in range(1, 10))
              + "]>")
    _write("xlsx_bombe_entites.xlsx", _xlsx({"xl/worksheets/sheet1.xml": _sheet(
        [*_OPS_ROWS, ["&lol9;", "38185", 2023, 1]], laughs)}))
    _write("xlsx_entite_externe.xlsx", _xlsx({"xl/worksheets/sheet1.xml": _sheet(
        [*_OPS_ROWS, ["&xxe;", "38185", 2023, 1]],
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')}))
    _write("xlsx_sans_feuille.xlsx", _xlsx({"xl/workbook.xml": _WORKBOOK.replace(
        '<sheet name="Opérations" sheetId="1" r:id="rId1"/>', "")}))
    _write("xlsx_zip_bombe.xlsx", _lying_zip("xl/media/image1.png", 3_000_000_000, _xlsx({})))
    _write("xlsx_zip_bombe_reelle.xlsx", _real_bomb("xl/media/zeros.bin", 300 << 20, _xlsx({})))
    good = bytearray(_xlsx({}))
    # Flip bytes inside the deflated sheet: bad deflate data or a CRC error.
    start = good.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml") + 20
    for k in range(start, start + 40):
        good[k] ^= 0x5A
    _write("xlsx_deflate_corrompu.xlsx", bytes(good))
    _write("xlsx_tronque.xlsx", _xlsx({})[:700])


# ------------------------------------------------------------------------ shapefiles
def _shapefile_zip(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in names.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), content)
    return buf.getvalue()


def shapefile_files() -> None:
    """Zipped shapefiles that lie about their size, miss parts or hold garbage."""
    _write("perim_shp_zip_bombe.zip",
           _lying_zip("couche.dbf", 3_000_000_000, _shapefile_zip({"couche.shp": b"\0" * 100})))
    _write("perim_shp_sans_dbf.zip", _shapefile_zip({"couche.shp": b"\0" * 100}))
    _write("perim_shp_corrompu.zip", _shapefile_zip({
        "couche.shp": b"\x00\x00\x27\x0a" + bytes(range(256)) * 2,
        "couche.shx": bytes(range(256)), "couche.dbf": b"\x03" + bytes(200),
    }))
    _write("perim_shp_chemin_remontant.zip", _shapefile_zip({"../../evil.shp": b"\0" * 100}))


# ------------------------------------------------------------------------ text files
def text_files() -> None:
    """Control characters, NUL bytes and broken encodings."""
    header = "id_operation;code_insee;annee;nb_plai;libelle\r\n"
    _write("ops_octet_nul.csv",
           (header + "A-1;38185;2023;4;Les Jardins\r\nA-2;38421;2024;2;Le Pré\x00vert\r\n")
           .encode())
    _write("inst_tabulation_verticale.csv",
           b"instance_code;instance_nom;instance_type;code_insee;epci_siren\r\n"
           b"MAT;Mathey\x0bsine;clh;;200040715\r\n")
    _write("ops_nul_en_tete.csv",
           ("id_operation;code_insee;annee;nb_pl\x00ai\r\nA-1;38185;2023;4\r\n").encode())
    _write("ops_caractere_c1.csv", (header + "A-1;38185;2023;4;Les \x85Jardins\r\n").encode())
    _write("ops_utf16_tronque.csv", "\ufeffid_operation;code_insee\r\nA".encode("utf-16-le")[:-1])
    _write("ops_bom_puis_cp1252.csv",
           b"\xef\xbb\xbf" + (header + "A-1;38185;2023;4;Le Pr\xe9 vert\r\n").encode("cp1252"))
    _write("ops_binaire.csv", bytes((i * 97 + 13) % 256 for i in range(4096)))
    _write("ops_cellule_geante.csv", (header + "A-1;38185;2023;4;\"" + "x" * 140_000 + "\r\n")
           .encode())
    _write("ops_direction_inversee.csv",
           (header + "A-1;38185;2023;4;Les Jardins \u202egnp.exe\r\n").encode())


def build() -> None:
    """Write every small file of the corpus next to this script."""
    geojson_files()
    workbook_files()
    shapefile_files()
    text_files()


if __name__ == "__main__":
    build()
