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
import re
import shutil
import tempfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from dashboard.formatting import fr_int
from dashboard.intake.limits import (
    MAX_UNZIPPED_BYTES,
    MAX_ZIP_MEMBERS,
    Deadline,
    ValidationTimeoutError,
)

#: Encodings tried in order on CSV files without a BOM.
ENCODINGS = ("utf-8", "cp1252", "latin-1")
DELIMITERS = (";", ",", "\t")
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
    notes : list of (int or None, str)
        What the reader repaired, as ``(line, French text)`` (warnings of the file).
    """

    headers: list[str]
    rows: list[tuple[int, list[str | None]]]
    format: str
    details: dict[str, str] = field(default_factory=dict)
    notes: list[tuple[int | None, str]] = field(default_factory=list)


def _mb(size: int) -> str:
    return f"{fr_int(size / 1024 / 1024)} Mo"


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open an archive after checking, from its directory alone, what it would extract.

    Raises
    ------
    ReadError
        For an unreadable archive, too many members, or members whose uncompressed size
        passes :data:`~dashboard.intake.limits.MAX_UNZIPPED_BYTES` (a zip bomb): nothing
        has been extracted yet. ``zipfile`` never returns more than the declared size.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ReadError("Archive ZIP illisible ou tronquée.") from exc
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ReadError(f"Archive ZIP refusée : {len(infos)} fichiers (au plus "
                        f"{MAX_ZIP_MEMBERS}).")
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_UNZIPPED_BYTES:
            raise ReadError(
                f"Archive ZIP refusée : une fois décompressée, elle dépasserait "
                f"{_mb(MAX_UNZIPPED_BYTES)} (« {info.filename} » : {_mb(info.file_size)}). "
                "Rien n'a été décompressé."
            )
    return archive


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
        names = open_zip(data).namelist()
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
    text, encoding, _ = decode_lines(data)
    return text, encoding


def _line_is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_lines(data: bytes) -> tuple[str, str, list[int]]:
    """Decode a text file, line by line when it mixes UTF-8 and cp1252.

    A file pasted together from two sources may hold UTF-8 lines and cp1252 lines; decoded
    as one, one half becomes mojibake (« PrÃ© »). Each line is then decoded in its own
    encoding.

    Returns
    -------
    (str, str, list of int)
        The text, the encoding (``utf-8 + cp1252`` for a mix) and the lines (numbered from
        1) read in cp1252 in a mixed file (empty otherwise).

    Raises
    ------
    ReadError
        For a UTF-16 file cut in the middle of a character.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as exc:
            raise ReadError(f"Fichier UTF-16 tronqué ou corrompu (octet {exc.start}).") from exc
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8", []
    except UnicodeDecodeError:
        pass
    lines = body.split(b"\n")
    high = [i for i, line in enumerate(lines) if any(b > 0x7F for b in line)]
    utf8 = [i for i in high if _line_is_utf8(lines[i])]
    if bom or utf8:  # some lines are UTF-8 (or the BOM says so), others are not
        legacy = [i for i in high if i not in set(utf8)]
        text = "\n".join(
            line.decode("cp1252", errors="replace") if i in set(legacy) else line.decode("utf-8")
            for i, line in enumerate(lines)
        )
        return text, "utf-8 + cp1252", [i + 1 for i in legacy]
    for encoding in ENCODINGS[1:]:
        try:
            return body.decode(encoding), encoding, []
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
    notes: list[tuple[int | None, str]] = []
    # Title rows above the headers (one filled cell: « Bilan FSL 2024 », a source line) are
    # skipped when a row of several headers follows within the next few lines.
    while sum(1 for c in records[header_index] if c) == 1:
        below = next((i for i in range(header_index + 1, min(len(records), header_index + 6))
                      if any(c for c in records[i])), None)  # fmt: skip
        if below is None or sum(1 for c in records[below] if c) < 2:
            break
        title = next(c for c in records[header_index] if c)
        shown = title if len(title) <= 80 else f"{title[:79]}…"
        notes.append((header_index + 1, f"ligne de titre « {shown} » ignorée"))
        header_index = below
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
    return RawTable(headers=headers, rows=rows, format=fmt, details=details, notes=notes)


def read_csv_bytes(data: bytes) -> RawTable:
    """Read a CSV file from bytes (encoding and delimiter detected)."""
    text, encoding, legacy = decode_lines(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = detect_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [[_clean(c) for c in row] for row in reader]
    except csv.Error as exc:
        raise ReadError(f"CSV mal formé (ligne {reader.line_num}) : {exc}") from exc
    label = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}[delimiter]
    table = _rows_to_table(records, "csv", {"encodage": encoding, "separateur": label})
    if legacy:
        shown = ", ".join(str(n) for n in legacy[:10])
        more = f" et {len(legacy) - 10} autres" if len(legacy) > 10 else ""
        table.notes.append((legacy[0], (
            f"fichier mêlant deux encodages : ligne{'s' if len(legacy) > 1 else ''} {shown}"
            f"{more} lue{'s' if len(legacy) > 1 else ''} en cp1252 (Windows), les autres en "
            "UTF-8 ; vérifiez les accents de ces lignes")))
    return table


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


#: XML parts of a workbook that openpyxl reads when it opens it (sheets are read later).
_WORKBOOK_PARTS = re.compile(r"(\[Content_Types\]\.xml|.*\.rels|xl/workbook\.xml|"
                             r"xl/styles\.xml|xl/sharedStrings\.xml|docProps/.*\.xml)$")


def _chain(exc: BaseException | None) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def _xml_problem(exc: BaseException) -> str:
    """French words for what a parser said about a workbook's content."""
    from xml.etree.ElementTree import ParseError
    from xml.parsers.expat import ExpatError

    chain = _chain(exc)
    for err in chain:
        text = str(err)
        if type(err).__module__.startswith("defusedxml") or "entit" in text.lower():
            return "déclarations d'entités XML (DOCTYPE, ENTITY) interdites par sécurité"
        position = getattr(err, "position", None)
        if isinstance(err, ParseError | SyntaxError) and position:
            return (f"XML mal formé ou tronqué (ligne {position[0]}, colonne {position[1]} "
                    "du XML)")
        if isinstance(err, ExpatError):
            return f"XML mal formé ou tronqué (ligne {err.lineno}, colonne {err.offset} du XML)"
        if isinstance(err, zlib.error | zipfile.BadZipFile | EOFError):
            return "données compressées corrompues"
        if isinstance(err, KeyError):
            return f"partie manquante ({text})"
    return "valeur ou structure inattendue"


#: Where, in openpyxl's code, a failure points to (the part of the workbook at fault).
_OPENPYXL_PARTS = (
    ("/openpyxl/styles/", "les styles (xl/styles.xml)"),
    ("/openpyxl/worksheet/", "une feuille (xl/worksheets/)"),
    ("/openpyxl/workbook/", "le classeur (xl/workbook.xml)"),
    ("/openpyxl/reader/strings", "les textes partagés (xl/sharedStrings.xml)"),
    ("/openpyxl/packaging/", "les propriétés du document (docProps/)"),
)


def _openpyxl_part(exc: BaseException) -> str:
    import traceback

    while exc is not None:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            path = frame.filename.replace("\\", "/")
            for marker, part in _OPENPYXL_PARTS:
                if marker in path:
                    return part
        exc = exc.__cause__ or exc.__context__
    return "la structure du classeur"


def _check_workbook_parts(archive: zipfile.ZipFile, everything: bool = False) -> None:
    """Parse the XML parts of a workbook safely, to name the one that is broken.

    Only the small parts that openpyxl reads on opening, unless ``everything``: the sheets
    too (after a failure, to say which one).
    """
    from defusedxml.ElementTree import iterparse

    for info in archive.infolist():
        name = info.filename
        if not (_WORKBOOK_PARTS.match(name) or (everything and name.endswith(".xml"))):
            continue
        try:
            with archive.open(info) as member:
                for _ in iterparse(member):
                    pass
        except Exception as exc:  # any parser error of a hostile file becomes a message
            raise ReadError(f"Classeur XLSX illisible : « {name} » — "
                            f"{_xml_problem(exc)}.") from exc


def _open_workbook(data: bytes, data_only: bool):
    from openpyxl import load_workbook

    archive = open_zip(data)
    _check_workbook_parts(archive)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # « no default style »
            return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises anything on a corrupted workbook
        _check_workbook_parts(archive, everything=True)  # names the broken part, if XML
        raise ReadError(f"Classeur XLSX illisible : {_openpyxl_part(exc)} — "
                        f"{_xml_problem(exc)}.") from exc


def sheet_names(data: bytes) -> list[str]:
    """Names of the sheets of an XLSX workbook.

    Raises
    ------
    ReadError
        For an unreadable workbook.
    """
    wb = _open_workbook(data, data_only=False)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_xlsx_bytes(data: bytes, sheet: str | None = None,
                    deadline: Deadline | None = None) -> RawTable:
    """Read the first sheet (or the named one) of an XLSX workbook from bytes."""
    wb = _open_workbook(data, data_only=True)
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise ReadError(
                f"Feuille « {sheet} » absente du classeur ; feuilles : {', '.join(wb.sheetnames)}."
            )
        if not wb.sheetnames:
            raise ReadError("Classeur XLSX sans feuille.")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        records: list[list[str | None]] = []
        try:
            ws.reset_dimensions()  # do not trust the stored dimension of exported files
            for row in ws.iter_rows(min_row=1, values_only=True):
                records.append([_xlsx_cell(v) for v in row])
                if deadline is not None and len(records) % 1000 == 0:
                    deadline.check()
        except (ReadError, ValidationTimeoutError):
            raise
        except Exception as exc:  # openpyxl raises anything on a corrupted sheet
            where = f"après la ligne {len(records)}" if records else "dès la première ligne"
            raise ReadError(f"Classeur XLSX illisible : feuille « {ws.title} » tronquée ou "
                            f"corrompue {where} — {_xml_problem(exc)}.") from exc
        return _rows_to_table(records, "xlsx", {"feuille": ws.title})
    finally:
        wb.close()


def read_table(data: bytes, filename: str = "", sheet: str | None = None,
               deadline: Deadline | None = None) -> RawTable:
    """Read a tabular file (CSV or XLSX) from its bytes.

    Raises
    ------
    ReadError
        Unreadable file, or a geographic file given for a tabular kind.
    ValidationTimeoutError
        When ``deadline`` passes while reading a workbook.
    """
    fmt = sniff_format(data, filename)
    if fmt == "xlsx":
        return read_xlsx_bytes(data, sheet, deadline)
    if fmt != "csv":
        raise ReadError("Fichier géographique : il ne peut être importé que comme périmètres.")
    return read_csv_bytes(data)


def _read_shapezip(data: bytes) -> gpd.GeoDataFrame:
    """Read a zipped shapefile, extracting its parts under names we choose."""
    archive = open_zip(data)
    infos = archive.infolist()
    shps = [i for i in infos if i.filename.lower().endswith(".shp")]
    if len(shps) != 1:
        raise ReadError(f"L'archive doit contenir un seul fichier .shp (trouvés : {len(shps)}).")
    stem = shps[0].filename[:-4]
    parts = {}
    for info in infos:
        base, dot, ext = info.filename.rpartition(".")
        if dot and base == stem and f".{ext.lower()}" in _SHAPEFILE_PARTS:
            parts[f".{ext.lower()}"] = info
    missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
    if missing:
        name = Path(stem).name
        raise ReadError(f"Shapefile incomplet : {', '.join(name + m for m in missing)} "
                        f"absent{'s' if len(missing) > 1 else ''} de l'archive (un shapefile "
                        "se compose au moins de .shp, .shx et .dbf).")
    with tempfile.TemporaryDirectory(prefix="territoires-shp-") as tmp:
        for suffix, info in parts.items():
            # Our own name, never the one stored in the archive; copied by chunks.
            try:
                with archive.open(info) as src, (Path(tmp) / f"couche{suffix}").open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise ReadError(f"Archive ZIP corrompue : « {info.filename} » illisible.") from exc
        return _read_geo_source(str(Path(tmp) / "couche.shp"), tmp)


def _gdal_message(exc: BaseException, hide: str | None) -> str:
    text = str(exc).split("; It might help")[0].strip()
    if hide:
        text = text.replace(hide + "/", "").replace(hide, "")
    return text


_GEOS_REASONS = (
    ("closed linestring", "anneau non fermé : le dernier point doit répéter le premier"),
    ("must have at least", "anneau de moins de quatre points"),
    ("NaN", "coordonnées non numériques"),
)


def _bad_features(source: str | bytes) -> str:
    """Which features of ``source`` hold a geometry that cannot be read, and why."""
    import pyogrio.raw
    import shapely

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _meta, _fids, geometries, _fields = pyogrio.raw.read(source)
    bad = []
    for number, wkb in enumerate(geometries, start=1):
        try:
            shapely.from_wkb(wkb)
        except shapely.errors.GEOSException as exc:
            reason = next((fr for en, fr in _GEOS_REASONS if en in str(exc)), "géométrie invalide")
            bad.append(f"entité n° {number} : {reason}")
    return " ; ".join(bad[:5]) + (f" et {len(bad) - 5} autres" if len(bad) > 5 else "")


def _read_geo_source(source: str | bytes, hide: str | None = None) -> gpd.GeoDataFrame:
    """Read a geographic file with GDAL; every failure becomes a :class:`ReadError`.

    ``hide`` is a temporary directory whose path must not appear in messages.
    """
    import pyogrio
    import shapely

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return pyogrio.read_dataframe(source)
        except shapely.errors.GEOSException as exc:
            detail = _bad_features(source)
            raise ReadError(f"Géométrie illisible — {detail or _gdal_message(exc, hide)}.") from exc
        except Exception as exc:  # GDAL raises its own errors, and more, on hostile files
            raise ReadError("Fichier géographique illisible (GDAL : "
                            f"{_gdal_message(exc, hide)}).") from exc


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
