"""Read user files from their bytes: CSV, XLSX, and perimeter drawings.

The file name is only used to label messages and to hint at the format; it is never
used as a path. Tables come back as :class:`RawTable`, every cell a stripped string (or
None), each row with the line number the user sees in their spreadsheet (the header is
line 1, the first data row line 2).
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import datetime as dt
import io
import re
import shutil
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterable
from itertools import chain, islice
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


class RawTable:
    """Cells of a tabular file as strings, held column by column (Arrow arrays).

    Attributes
    ----------
    headers : list of str
        Header cells as written (line 1).
    lines : ndarray of int
        Line of each non-empty data row, as the user sees it in their spreadsheet.
    columns : list of pyarrow.Array
        One string array per header: the stripped cells (null when empty), padded. Arrow
        holds 300 000 rows in a few megabytes where Python strings would take hundreds.
    format : str
        ``csv`` or ``xlsx``.
    details : dict
        How the file was read: encoding, delimiter, sheet.
    notes : list of (int or None, str)
        What the reader repaired, as ``(line, French text)`` (warnings of the file).

    Parameters
    ----------
    rows : list of (int, list), optional
        ``(line, cells)`` per data row, when the table is given row by row (tests); the
        readers give ``lines`` and ``columns`` instead.
    """

    def __init__(
        self,
        headers: list[str],
        rows: list[tuple[int, list[str | None]]] | None = None,
        format: str = "csv",
        details: dict[str, str] | None = None,
        notes: list[tuple[int | None, str]] | None = None,
        *,
        lines: np.ndarray | None = None,
        columns: list[pa.Array] | None = None,
    ) -> None:
        self.headers = headers
        self.format = format
        self.details = details or {}
        self.notes = notes or []
        if columns is None:
            rows = rows or []
            lines = np.array([line for line, _ in rows], dtype=np.int64)
            columns = [
                pa.array([cells[i] if i < len(cells) else None for _, cells in rows], pa.string())
                for i in range(len(headers))
            ]
        self.lines = np.asarray(lines, dtype=np.int64)
        self.columns = columns

    def __len__(self) -> int:
        return len(self.lines)

    def column(self, index: int) -> pa.Array:
        """Cells of column ``index`` (all null past the last column read)."""
        if index < len(self.columns):
            return self.columns[index]
        return pa.nulls(len(self.lines), pa.string())

    @property
    def rows(self) -> list[tuple[int, list[str | None]]]:
        """``(line, cells)`` for each data row (built on demand: for tests and debugging)."""
        cells = zip(*(c.to_pylist() for c in self.columns), strict=True)
        return [(int(line), list(row)) for line, row in zip(self.lines, cells, strict=False)]


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


#: A multi-byte UTF-8 sequence: without one, no line of a file that is not UTF-8 as a whole
#: can be UTF-8 (the file is read in one legacy encoding, without looking line by line).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


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
    if bom or _UTF8_SEQUENCE.search(body):  # some lines may be UTF-8, others not
        lines = body.split(b"\n")
        high = [i for i, line in enumerate(lines) if not line.isascii()]
        utf8 = {i for i in high if _line_is_utf8(lines[i])}
        if bom or utf8:  # some lines are UTF-8 (or the BOM says so), others are not
            legacy = [i for i in high if i not in utf8]
            old = set(legacy)
            text = "\n".join(
                line.decode("cp1252", errors="replace") if i in old else line.decode("utf-8")
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


#: Records read ahead of the first filled one to find the headers under title rows.
_TITLE_LOOKAHEAD = 30


def _title_rows(
    first: list[list[str | None]], header_index: int
) -> tuple[int, list[tuple[int | None, str]]]:
    """Title rows at the top of ``first`` (cleaned cells, ``first[0]`` the first filled
    record, at index ``header_index`` of the file).

    A row of one filled cell (« Bilan FSL 2024 », a source line) is a title when a row of
    several cells follows within the next five lines. Returns the position in ``first`` of
    the header row and a note per title skipped.
    """
    at, notes = 0, []
    while sum(1 for c in first[at] if c) == 1:
        below = next((i for i in range(at + 1, min(len(first), at + 6)) if any(first[i])),
                     None)  # fmt: skip
        if below is None or sum(1 for c in first[below] if c) < 2:
            break
        title = next(c for c in first[at] if c)
        shown = title if len(title) <= 80 else f"{title[:79]}…"
        notes.append((header_index + at + 1, f"ligne de titre « {shown} » ignorée"))
        at = below
    return at, notes


#: Records turned into columns at a time: the Python objects of one chunk only are alive.
CHUNK_ROWS = 20_000


def _rows_to_table(
    records: Iterable[list], fmt: str, details: dict[str, str], cleaned: bool = True
) -> RawTable:
    """Split records into headers and data columns; record ``i`` is spreadsheet line ``i + 1``.

    ``cleaned``: the cells are already stripped strings or None (XLSX); otherwise (CSV) they
    are raw strings whose no-break spaces have been made spaces, stripped here. Records
    are consumed :data:`CHUNK_ROWS` at a time, each chunk stored as Arrow columns.
    """
    records = iter(records)
    for header_index, record in enumerate(records):  # noqa: B007 - used after the loop
        if any(_clean(c) for c in record):
            break
    else:
        raise ReadError("Fichier vide : aucune ligne d'en-tête.")
    # Title rows above the headers (« Bilan FSL 2024 », a source line) are skipped.
    head = list(islice(records, _TITLE_LOOKAHEAD))
    first = [record, *head]
    at, notes = _title_rows([[_clean(c) for c in r] for r in first], header_index)
    header_index += at
    headers = [_clean(c) or "" for c in first[at]]
    records = chain(first[at + 1 :], records)
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    chunks: list[list[pa.Array]] = [[] for _ in range(width)]
    kept: list[np.ndarray] = []
    start = header_index + 1  # index of the chunk's first record
    while body := list(islice(records, CHUNK_ROWS)):
        columns, keep = _chunk_columns(body, width, cleaned)
        for chunk, column in zip(chunks, columns, strict=True):
            chunk.append(column)
        kept.append(keep + start + 1)
        start += len(body)
    if header_index:
        details = {**details, "premiere_ligne": str(header_index + 1)}
    return RawTable(
        headers, format=fmt, details=details, notes=notes,
        lines=np.concatenate(kept) if kept else np.empty(0, dtype=np.int64),
        columns=[pa.concat_arrays(c) if c else pa.array([], pa.string()) for c in chunks],
    )  # fmt: skip


def _chunk_columns(
    body: list[list], width: int, cleaned: bool
) -> tuple[list[pa.Array], np.ndarray]:
    """Columns of the non-empty records of ``body`` and the positions of those records."""
    lengths = np.fromiter(map(len, body), dtype=np.int64, count=len(body))
    pad = None if cleaned else ""
    for i in np.flatnonzero(lengths < width):
        body[i] = list(body[i]) + [pad] * (width - int(lengths[i]))
    columns = []
    for cells in islice(zip(*body, strict=False), width):  # every record has ``width`` cells
        if not cleaned:
            cells = [c.strip() or None for c in cells]
        column = np.empty(len(body), dtype=object)
        column[:] = cells
        columns.append(column)
    filled = np.zeros(len(body), dtype=bool)
    for column in columns:
        filled |= np.not_equal(column, None)
    for i in np.flatnonzero((lengths > width) & ~filled):  # cells past the last header
        filled[i] = any(_clean(c) for c in body[i][width:])
    keep = np.flatnonzero(filled)
    whole = len(keep) == len(body)
    return [pa.array(c if whole else c[keep], pa.string()) for c in columns], keep


#: A line as ``io.StringIO(text, newline="")`` gives it to the CSV reader: ended by ``\r\n``,
#: ``\r`` or ``\n``, ending kept.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")
#: The text of a line as ``str.splitlines`` cuts it (without making the list of all lines).
_TEXT_LINE = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")


#: Every character ``str.strip`` removes (``utf8_trim`` is told exactly these).
_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


def _read_arrow_csv(data: bytes, delimiter: str, width: int) -> list[pa.ChunkedArray] | None:
    """Arrow's CSV reader on a file without quotes whose lines all have ``width`` cells (a
    blank line gives empty cells); None when a line has fewer."""
    from pyarrow import csv as arrow_csv

    names = [str(j) for j in range(width)]
    try:
        table = arrow_csv.read_csv(
            io.BytesIO(data),
            read_options=arrow_csv.ReadOptions(column_names=names, use_threads=False),
            parse_options=arrow_csv.ParseOptions(
                delimiter=delimiter, quote_char=False, double_quote=False, escape_char=False,
                newlines_in_values=False, ignore_empty_lines=False),
            convert_options=arrow_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False),
        )  # fmt: skip
    except pa.ArrowInvalid:
        return None
    return [table.column(j) for j in range(width)]


def release_memory() -> None:
    """Give the memory freed by large temporary arrays back to the system (glibc only).

    glibc keeps freed blocks for the next allocation: after reading a large file, the
    process would stay at its peak size while holding a fraction of it.
    """
    pa.default_memory_pool().release_unused()
    # Another C library has no malloc_trim: nothing to release this way.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)  # the C library the interpreter runs on


#: Bytes looked at at once by :func:`_line_extents`.
_SLICE = 1 << 20


def _line_extents(data: bytes, delimiter: str) -> tuple[int, int]:
    """Length in bytes of the longest line, and cells of the line with most cells.

    Read in slices of a few megabytes cut after a line end: the positions of every line end
    and delimiter of a 300 000-row file would take more memory than its cells.
    """
    longest, width, start = 0, 1, 0
    while start < len(data):
        stop = min(len(data), start + _SLICE)
        if stop < len(data):
            cut = max(data.rfind(b"\n", start, stop), data.rfind(b"\r", start, stop))
            if cut < start:  # a line longer than a slice: up to its end
                found = [i for i in (data.find(b"\n", stop), data.find(b"\r", stop)) if i >= 0]
                cut = min(found) if found else len(data) - 1
            stop = cut + 1
        codes = np.frombuffer(data, dtype=np.uint8, count=stop - start, offset=start)
        ends = np.flatnonzero((codes == 10) | (codes == 13))
        longest = max(longest, int(np.diff(ends, prepend=-1, append=len(codes)).max()))
        # As many columns as the line with most cells: no line overflows into an index.
        cuts = np.flatnonzero(codes == ord(delimiter))
        width = max(width, int(np.bincount(np.searchsorted(ends, cuts)).max(initial=0)) + 1)
        start = stop
    return longest, width


def _read_plain_csv(text: str, delimiter: str, details: dict[str, str]) -> RawTable | None:
    """A CSV without any quote read by pandas' C reader, straight into Arrow columns.

    Without quotes, a record is a line and a cell what lies between two delimiters: the C
    reader cuts exactly as the ``csv`` module does, several times faster, without one
    Python string per cell. None when that does not hold (quotes, NUL, a cell the ``csv``
    module would refuse, or a line longer than such a cell): the caller then reads the
    file with ``csv``.
    """
    import pandas as pd

    if '"' in text or "\x00" in text:
        return None
    data = text.encode("utf-8")
    longest, width = _line_extents(data, delimiter)
    release_memory()
    if longest > csv.field_size_limit():
        return None  # a line (in bytes, at least its characters) that may hold a cell too long
    read = _read_arrow_csv(data, delimiter, width)
    if read is None:  # some lines have fewer cells: pandas pads them
        try:
            frame = pd.read_csv(
                io.BytesIO(data), sep=delimiter, header=None, names=range(width),
                index_col=False, dtype="string[pyarrow]", na_filter=False,
                skip_blank_lines=False, quoting=csv.QUOTE_NONE, engine="c", encoding="utf-8",
            )  # fmt: skip
        except (pd.errors.ParserError, ValueError):
            return None
        read = [pa.array(frame[j]) for j in range(width)]
        del frame
    del data
    columns = []
    filled = np.zeros(len(read[0]), dtype=bool)
    for j in range(width):
        cells = read[j]
        if isinstance(cells, pa.ChunkedArray):  # read by blocks
            cells = cells.combine_chunks()
        cells = pc.utf8_trim(cells.cast(pa.string()), characters=_WHITESPACE)
        cells = pc.if_else(pc.equal(cells, ""), pa.scalar(None, pa.string()), cells)
        filled |= cells.is_valid().to_numpy(zero_copy_only=False)
        columns.append(cells)
    del read
    release_memory()
    if not filled.any():
        raise ReadError("Fichier vide : aucune ligne d'en-tête.")
    header_index = int(np.argmax(filled))
    first = list(zip(*(c.slice(header_index, _TITLE_LOOKAHEAD + 1).to_pylist()
                       for c in columns), strict=True))  # fmt: skip
    at, notes = _title_rows(first, header_index)
    header_index += at
    headers = [columns[j][header_index].as_py() or "" for j in range(width)]
    while headers and not headers[-1]:
        headers.pop()
    keep = np.flatnonzero(filled[header_index + 1 :]) + header_index + 1
    if header_index:
        details = {**details, "premiere_ligne": str(header_index + 1)}
    if len(keep) == len(filled) - header_index - 1:  # no blank line: a view, no copy
        kept = [c.slice(header_index + 1) for c in columns[: len(headers)]]
    else:
        indices = pa.array(keep)
        kept = [c.take(indices) for c in columns[: len(headers)]]
    return RawTable(headers, format="csv", details=details, notes=notes, lines=keep + 1,
                    columns=kept)


def read_csv_bytes(data: bytes) -> RawTable:
    """Read a CSV file from bytes (encoding and delimiter detected)."""
    text, encoding, legacy = decode_lines(data)
    first = next((m.group() for m in _TEXT_LINE.finditer(text) if m.group().strip()), "")
    delimiter = detect_delimiter(first)
    if "\u00a0" in text or "\u202f" in text:  # no-break spaces become spaces in every cell
        text = text.replace("\u00a0", " ").replace("\u202f", " ")
    label = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}[delimiter]
    details = {"encodage": encoding, "separateur": label}
    table = _read_plain_csv(text, delimiter, details)
    if table is None:
        # Lines one at a time: a StringIO would hold the text in 4 bytes per character.
        reader = csv.reader((m.group() for m in _LINE.finditer(text)), delimiter=delimiter)
        try:
            table = _rows_to_table(reader, "csv", details, cleaned=False)
        except csv.Error as exc:
            raise ReadError(f"CSV mal formé (ligne {reader.line_num}) : {exc}") from exc
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
