"""Read user files from their bytes: CSV, XLSX, and perimeter drawings.

The file name is only used to label messages and to hint at the format; it is never
used as a path. Tables come back as :class:`RawTable`, every cell a stripped string (or
None), each row with the line number the user sees in their spreadsheet (the header is
line 1, the first data row line 2).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

#: Encodings tried in order on CSV files without a BOM.
ENCODINGS = ("utf-8", "cp1252", "latin-1")
DELIMITERS = (";", ",", "\t")
#: Ceiling of the uncompressed size of a zipped shapefile (zip-bomb guard).
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


class ReadError(ValueError):
    """A file that cannot be read at all (message in French, for the user)."""


@dataclass
class RawTable:
    """Cells of a tabular file as strings.

    Attributes
    ----------
    headers : list of str
        Header cells as written (line 1).
    rows : list of (int, list)
        ``(line, cells)`` for each non-empty data row; ``cells`` is padded to the headers.
    format : str
        ``csv`` or ``xlsx``.
    details : dict
        How the file was read: encoding, delimiter, sheet.
    """

    headers: list[str]
    rows: list[tuple[int, list[str | None]]]
    format: str
    details: dict[str, str] = field(default_factory=dict)


def sniff_format(data: bytes, filename: str = "") -> str:
    """Guess the format from the content (and the extension as a tie-break).

    Returns ``csv``, ``xlsx``, ``geojson``, ``gpkg`` or ``shapezip``.

    Raises
    ------
    ReadError
        For an old ``.xls`` workbook or an unknown archive.
    """
    head = data[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(
            "Classeur Excel 97-2003 (.xls) non pris en charge : enregistrez-le en .xlsx ou CSV."
        )
    if head.startswith(b"SQLite format 3"[:8]):
        return "gpkg"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):  # zip local header / empty zip
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as exc:
            raise ReadError("Archive ZIP illisible ou tronquée.") from exc
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.lower().endswith(".shp") for n in names):
            return "shapezip"
        raise ReadError("Archive ZIP sans classeur .xlsx ni shapefile (.shp).")
    text_start = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if text_start.startswith(b"{") and (
        b'"FeatureCollection"' in data[:4096] or b'"Feature"' in data[:4096]
        or filename.lower().endswith((".geojson", ".json"))
    ):
        return "geojson"
    return "csv"


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file: BOM first, then UTF-8, cp1252, latin-1.

    Returns
    -------
    (str, str)
        The text and the encoding used.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ReadError("Encodage du fichier non reconnu.")  # unreachable: latin-1 decodes all


def detect_delimiter(header_line: str) -> str:
    """The delimiter among ``;``, ``,`` and tab that splits the header line most."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ";"


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).replace("\u00a0", " ").replace("\u202f", " ").strip()
    return text or None


def _rows_to_table(
    records: list[list[str | None]], fmt: str, details: dict[str, str]
) -> RawTable:
    """Split records into headers and data rows; record ``i`` is spreadsheet line ``i + 1``."""
    header_index = next((i for i, r in enumerate(records) if any(c for c in r)), None)
    if header_index is None:
        raise ReadError("Fichier vide : aucune ligne d'en-tête.")
    headers = [c or "" for c in records[header_index]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    rows: list[tuple[int, list[str | None]]] = []
    for i in range(header_index + 1, len(records)):
        cells = records[i]
        if not any(cells):
            continue
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        rows.append((i + 1, cells))
    if header_index:
        details = {**details, "premiere_ligne": str(header_index + 1)}
    return RawTable(headers=headers, rows=rows, format=fmt, details=details)


def read_csv_bytes(data: bytes) -> RawTable:
    """Read a CSV file from bytes (encoding and delimiter detected)."""
    text, encoding = decode_text(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = detect_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [[_clean(c) for c in row] for row in reader]
    except csv.Error as exc:
        raise ReadError(f"CSV mal formé (ligne {reader.line_num}) : {exc}") from exc
    label = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}[delimiter]
    return _rows_to_table(records, "csv", {"encodage": encoding, "separateur": label})


def _xlsx_cell(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean(value)


def sheet_names(data: bytes) -> list[str]:
    """Names of the sheets of an XLSX workbook."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_xlsx_bytes(data: bytes, sheet: str | None = None) -> RawTable:
    """Read the first sheet (or the named one) of an XLSX workbook from bytes."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReadError(f"Classeur XLSX illisible : {exc}") from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise ReadError(
                f"Feuille « {sheet} » absente du classeur ; feuilles : {', '.join(wb.sheetnames)}."
            )
        ws = wb[sheet] if sheet else wb.worksheets[0]
        ws.reset_dimensions()  # do not trust the stored dimension of exported files
        records = []
        for row in ws.iter_rows(min_row=1, values_only=True):
            records.append([_xlsx_cell(v) for v in row])
        return _rows_to_table(records, "xlsx", {"feuille": ws.title})
    finally:
        wb.close()


def read_table(data: bytes, filename: str = "", sheet: str | None = None) -> RawTable:
    """Read a tabular file (CSV or XLSX) from its bytes.

    Raises
    ------
    ReadError
        Unreadable file, or a geographic file given for a tabular kind.
    """
    fmt = sniff_format(data, filename)
    if fmt == "xlsx":
        return read_xlsx_bytes(data, sheet)
    if fmt != "csv":
        raise ReadError("Fichier géographique : il ne peut être importé que comme périmètres.")
    return read_csv_bytes(data)


def _read_shapezip(data: bytes) -> gpd.GeoDataFrame:
    """Read a zipped shapefile, extracting its parts under names we choose."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    infos = archive.infolist()
    if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise ReadError("Archive trop volumineuse une fois décompressée.")
    shps = [i for i in infos if i.filename.lower().endswith(".shp")]
    if len(shps) != 1:
        raise ReadError(f"L'archive doit contenir un seul fichier .shp (trouvés : {len(shps)}).")
    stem = shps[0].filename[:-4]
    with tempfile.TemporaryDirectory(prefix="territoires-shp-") as tmp:
        for info in infos:
            base, dot, ext = info.filename.rpartition(".")
            suffix = f".{ext.lower()}"
            if dot and base == stem and suffix in _SHAPEFILE_PARTS:
                # Our own name, never the one stored in the archive.
                (Path(tmp) / f"couche{suffix}").write_bytes(archive.read(info))
        return _read_geo_source(str(Path(tmp) / "couche.shp"))


def _read_geo_source(source: str | bytes) -> gpd.GeoDataFrame:
    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return pyogrio.read_dataframe(source)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise ReadError(f"Fichier géographique illisible : {exc}") from exc


def read_geo_bytes(data: bytes, filename: str = "") -> tuple[gpd.GeoDataFrame, str]:
    """Read a GeoJSON, GeoPackage (first layer) or zipped shapefile from bytes.

    Returns
    -------
    (GeoDataFrame, str)
        The features in their own CRS (possibly None) and the format name.
    """
    fmt = sniff_format(data, filename)
    if fmt == "shapezip":
        return _read_shapezip(data), fmt
    if fmt in ("geojson", "gpkg"):
        return _read_geo_source(data), fmt
    raise ReadError(
        "Un périmètre doit être un GeoJSON, un GeoPackage ou un Shapefile zippé "
        f"(format lu : {fmt})."
    )
