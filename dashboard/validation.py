"""Validate a table read from a user file against the spec of its kind.

Every message is in French and names the file, the line as the user sees it in their
spreadsheet (header = line 1) and the column as they wrote it. Errors make the file
invalid; warnings describe what was repaired or ignored (leading zeros restored, old
codes of merged communes mapped, personal-data columns dropped, unknown columns).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dashboard.readers import RawTable
from dashboard.schemas import (
    INDICATORS,
    KINDS,
    VALUE_ALIASES,
    ColumnSpec,
    KindSpec,
    coerce_frame,
    is_personal_header,
    normalise_header,
)
from geo.reference import Reference, normalise_departement

#: Error messages kept per file; beyond, one summary message says how many were left out.
MAX_ERRORS = 1000
YEAR_MIN, YEAR_MAX = 1950, 2100
_DATE_FORMATS = (
    "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d",
    "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
)
_INDICATOR_ALIASES = {"pla_i": "plai", "plai_finances": "plai", "logements_plai": "plai"}


@dataclass(frozen=True)
class Message:
    """An error or a warning about a file.

    Attributes
    ----------
    line : int or None
        Line in the user's spreadsheet (header = 1); None for the whole file.
    column : str or None
        Column header as written in the file (canonical name for a missing column).
    message : str
        Full French sentence naming file, line and column.
    """

    line: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """``{"line", "column", "message"}`` as in the CLI JSON."""
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class ValidationResult:
    """Outcome of the validation of one file.

    Attributes
    ----------
    kind : str
        Kind of data.
    rows : int
        Data rows (or features) read from the file.
    frame : DataFrame
        Normalised rows with canonical columns and dtypes (memberships for drawings).
    errors, warnings : list of Message
        What makes the file invalid, and what was repaired or ignored.
    columns : dict
        Canonical name → header as written in the file.
    unknown_headers : list of str
        Headers matched to no canonical column (offered for mapping in the page).
    """

    kind: str
    rows: int = 0
    frame: pd.DataFrame | None = None
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    unknown_headers: list[str] = field(default_factory=list)
    #: Line of each row of ``frame`` as the user sees it (tables only; empty for drawings).
    lines: list[int] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when the file has no error."""
        return not self.errors


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class _Collector:
    """Accumulates messages with the file name and the column letters."""

    def __init__(self, filename: str, result: ValidationResult, letters: dict[str, str]) -> None:
        self.filename = filename or "fichier"
        self.result = result
        self.letters = letters
        self.omitted = 0

    def _where(self, line: int | None, column: str | None) -> str:
        parts = [self.filename]
        if line is not None:
            parts.append(f"ligne {line}")
        if column is not None:
            letter = self.letters.get(column)
            parts.append(f"colonne {letter} « {column} »" if letter else f"colonne « {column} »")
        return ", ".join(parts)

    def error(self, line: int | None, column: str | None, text: str) -> None:
        if len(self.result.errors) >= MAX_ERRORS:
            self.omitted += 1
            return
        self.result.errors.append(Message(line, column, f"{self._where(line, column)} : {text}"))

    def warning(self, line: int | None, column: str | None, text: str) -> None:
        self.result.warnings.append(Message(line, column, f"{self._where(line, column)} : {text}"))

    def finish(self) -> None:
        order = {h: (len(letter), letter) for h, letter in self.letters.items()}
        self.result.errors.sort(
            key=lambda m: (m.line or 0, order.get(m.column or "", (0, "")))
        )
        if self.omitted:
            self.result.errors.append(
                Message(
                    None, None, f"{self.filename} : {self.omitted} autres erreurs non détaillées."
                )
            )


def _lines_text(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:5])
    more = f" et {len(lines) - 5} autres" if len(lines) > 5 else ""
    return f"ligne{'s' if len(lines) > 1 else ''} {shown}{more}"


# --- scalar parsers: return the value or raise ValueError with a French reason ---------


def _number_text(text: str) -> str:
    t = re.sub(r"[\s\u00a0\u202f']", "", text)
    if "," in t and "." in t:
        if t.rfind(",") > t.rfind("."):  # 1.234,5
            t = t.replace(".", "").replace(",", ".")
        else:  # 1,234.5
            t = t.replace(",", "")
    elif t.count(",") == 1:
        t = t.replace(",", ".")
    return t


def parse_float(text: str) -> float:
    """A decimal number; accepts a decimal comma and thousands spaces (``1 234,5``)."""
    try:
        value = float(_number_text(text))
    except ValueError:
        raise ValueError(f"nombre attendu, « {text} » trouvé") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"nombre attendu, « {text} » trouvé")
    return value


def parse_int(text: str) -> int:
    """A whole number (``12``, ``12,0``, ``1 200``)."""
    value = parse_float(text) if text else None
    if value is None or not value.is_integer():
        raise ValueError(f"nombre entier attendu, « {text} » trouvé")
    return int(value)


def parse_year(text: str) -> int:
    """A year with four digits between 1950 and 2100."""
    try:
        value = parse_int(text)
    except ValueError:
        raise ValueError(f"année attendue (AAAA), « {text} » trouvé") from None
    if not YEAR_MIN <= value <= YEAR_MAX:
        raise ValueError(f"année hors de la plage {YEAR_MIN}–{YEAR_MAX} : « {text} »")
    return value


def parse_date(text: str) -> dt.date:
    """A date written ``JJ/MM/AAAA`` or ISO ``AAAA-MM-JJ`` (time of day ignored)."""
    for fmt in _DATE_FORMATS:
        try:
            value = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not YEAR_MIN <= value.year <= YEAR_MAX:
            raise ValueError(f"date hors de la plage {YEAR_MIN}–{YEAR_MAX} : « {text} »")
        return value
    raise ValueError(f"date invalide « {text} » : format attendu JJ/MM/AAAA ou AAAA-MM-JJ")


_TRUE = {"oui", "o", "vrai", "true", "1", "x", "yes", "y"}
_FALSE = {"non", "n", "faux", "false", "0", "no"}


def parse_bool(text: str) -> bool:
    """``oui``/``non`` (also vrai/faux, 1/0, x)."""
    key = normalise_header(text)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"oui ou non attendu, « {text} » trouvé")


def enum_parser(col: ColumnSpec) -> Callable[[str], str]:
    """Parser of an enumeration column: folds case, accents and spacing, maps aliases."""
    allowed = {normalise_header(v): v for v in col.allowed}
    aliases = VALUE_ALIASES.get(col.value_key or col.name, {})

    def parse(text: str) -> str:
        key = normalise_header(text)
        if key in allowed:
            return allowed[key]
        if key in aliases:
            return aliases[key]
        permitted = ", ".join(col.allowed)
        raise ValueError(f"valeur « {text} » non autorisée ; valeurs permises : {permitted}")

    return parse


def parse_siren(text: str) -> str:
    """A 9-digit SIREN (spaces removed)."""
    value = re.sub(r"\s", "", text)
    if not re.fullmatch(r"\d{9}", value):
        raise ValueError(f"SIREN à 9 chiffres attendu, « {text} » trouvé")
    return value


class CommuneCodes:
    """Check INSEE codes against a reference, repairing lost leading zeros and old codes."""

    def __init__(self, reference: Reference) -> None:
        self.departement = reference.departement
        communes = reference.communes
        self.names = dict(zip(communes["code_insee"], communes["nom"], strict=True))
        anciens = reference.anciens_codes
        self.anciens = {
            a: (n, c)
            for a, n, c in zip(
                anciens["ancien_code"], anciens["ancien_nom"], anciens["code_insee"], strict=True
            )
        }

    def resolve(self, text: str) -> tuple[str, list[str]]:
        """The current code for ``text`` and the French notes on what was repaired.

        Raises
        ------
        ValueError
            For a code that is not a commune of the département.
        """
        notes = []
        code = re.sub(r"\s", "", text).upper()
        if re.fullmatch(r"\d+\.0", code):
            code = code[:-2]
        if re.fullmatch(r"\d{4}", code):
            notes.append(f"code INSEE « {text} » complété en « 0{code} » (zéro initial perdu)")
            code = "0" + code
        if code in self.names:
            return code, notes
        if code in self.anciens:
            ancien_nom, current = self.anciens[code]
            notes.append(
                f"code INSEE « {code} » de l'ancienne commune {ancien_nom}, fusionnée : "
                f"remplacé par « {current} » ({self.names[current]})"
            )
            return current, notes
        if not re.fullmatch(r"\d{5}|2[AB]\d{3}|97\d{3}", code):
            raise ValueError(f"code INSEE à 5 caractères attendu, « {text} » trouvé")
        raise ValueError(
            f"code INSEE « {text} » inconnu dans le référentiel du département {self.departement}"
        )


# --- headers ------------------------------------------------------------------------


def _alias_table(spec: KindSpec) -> dict[str, str]:
    table: dict[str, str] = {}
    for col in spec.columns:
        for alias in col.aliases:
            table.setdefault(alias, col.name)
    for col in spec.columns:  # canonical names win over aliases of other columns
        table[col.name] = col.name
    return table


def resolve_headers(
    kind: str, headers: list[str], mapping: dict[str, str] | None = None
) -> tuple[dict[int, str], list[str], list[int]]:
    """Match file headers to canonical columns.

    Parameters
    ----------
    kind : str
        Kind of data.
    headers : list of str
        Headers as written in the file.
    mapping : dict, optional
        User choices: header as written → canonical name (empty string: ignore it).

    Returns
    -------
    (dict, list, list)
        Column index → canonical name; headers matched to nothing; indexes of headers that
        name personal data (signal files only).
    """
    spec = KINDS[kind]
    aliases = _alias_table(spec)
    mapping = mapping or {}
    matched: dict[int, str] = {}
    unknown: list[str] = []
    personal: list[int] = []
    for i, header in enumerate(headers):
        if header in mapping:
            if mapping[header] in spec.names:
                matched[i] = mapping[header]
            continue
        norm = normalise_header(header)
        if not norm:
            continue
        if norm in aliases:
            matched[i] = aliases[norm]
        elif kind == "signalements" and is_personal_header(norm):
            personal.append(i)
        else:
            unknown.append(header)
    return matched, unknown, personal


# --- the validation -------------------------------------------------------------------


def validate_table(
    kind: str,
    raw: RawTable,
    reference: Reference,
    filename: str = "",
    mapping: dict[str, str] | None = None,
    instance_codes: set[str] | None = None,
) -> ValidationResult:
    """Validate and normalise a table of ``kind``.

    Parameters
    ----------
    kind : str
        One of the tabular kinds of :data:`dashboard.schemas.KINDS`.
    raw : RawTable
        Cells read by :mod:`dashboard.readers`.
    reference : Reference
        Reference of the workspace's département (codes are checked against it).
    filename : str
        Name shown in messages.
    mapping : dict, optional
        User mapping of headers onto canonical names.
    instance_codes : set of str, optional
        Instance codes known in the workspace; other codes are accepted with a warning.

    Returns
    -------
    ValidationResult
        With ``frame`` holding the normalised rows (meaningful when ``valid``).
    """
    spec = KINDS[kind]
    result = ValidationResult(kind=kind, rows=len(raw.rows))
    matched, unknown, personal = resolve_headers(kind, raw.headers, mapping)
    letters = {raw.headers[i]: column_letter(i) for i in range(len(raw.headers)) if raw.headers[i]}
    out = _Collector(filename, result, letters)
    result.unknown_headers = unknown
    for header in unknown:
        out.warning(1, header, "colonne non reconnue, ignorée (vous pouvez l'associer à une "
                    "colonne attendue)")
    for i in personal:
        out.warning(1, raw.headers[i], "colonne de données personnelles supprimée à l'import")
    for i, header in enumerate(raw.headers):
        if not header and any(cells[i] for _, cells in raw.rows if i < len(cells)):
            out.warning(1, column_letter(i), "colonne sans en-tête ignorée")

    seen: dict[str, int] = {}
    for i, name in matched.items():
        if name in seen:
            out.error(1, raw.headers[i], f"colonne en double : « {raw.headers[seen[name]]} » "
                      f"correspond déjà à « {name} »")
        else:
            seen[name] = i
    result.columns = {name: raw.headers[i] for name, i in seen.items()}
    for name in spec.required:
        if name not in seen:
            col = spec.column(name)
            accepted = ", ".join([name, *col.aliases[:4]])
            out.error(1, name, f"colonne obligatoire « {name} » absente ({col.label} ; "
                      f"en-têtes acceptés : {accepted}…)")
    if result.errors:
        out.finish()
        return result

    if not raw.rows:
        out.warning(None, None, "aucune ligne de données : importer ce fichier viderait la table")
    lines = [line for line, _ in raw.rows]
    values: dict[str, list[Any]] = {}
    for name, i in seen.items():
        col = spec.column(name)
        header = raw.headers[i]
        cells = [cells[i] if i < len(cells) else None for _, cells in raw.rows]
        values[name] = _parse_column(col, header, cells, lines, reference, out)
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in values.items()})
    _row_rules(kind, frame, lines, result.columns, reference, out, instance_codes)
    _duplicates(spec, frame, lines, result.columns, out)
    out.finish()
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("_")])
    result.frame = coerce_frame(kind, frame)
    result.lines = lines
    return result


def _parse_column(
    col: ColumnSpec,
    header: str,
    cells: list[str | None],
    lines: list[int],
    reference: Reference,
    out: _Collector,
) -> list[Any]:
    """Parse one column; errors per cell, repairs grouped per distinct value."""
    parser: Callable[[str], Any]
    codes = CommuneCodes(reference) if col.type == "insee" else None
    if codes is not None:
        parser = codes.resolve
    elif col.type == "enum":
        parser = enum_parser(col)
    else:
        parser = {
            "int": parse_int, "float": parse_float, "year": parse_year, "date": parse_date,
            "bool": parse_bool, "siren": parse_siren,
        }.get(col.type, str)
    cache: dict[str, tuple[Any, str | None]] = {}
    notes: dict[str, list[int]] = {}
    parsed: list[Any] = []
    nullable = col.nullable or not col.required
    for line, text in zip(lines, cells, strict=True):
        if text is None:
            if not nullable:
                out.error(line, header, f"valeur obligatoire manquante ({col.label})")
            parsed.append(None)
            continue
        if text not in cache:
            try:
                value = parser(text)
                cache[text] = (value, None)
            except ValueError as exc:
                cache[text] = (None, str(exc))
        value, problem = cache[text]
        if problem:
            out.error(line, header, problem)
            parsed.append(None)
            continue
        if codes is not None:
            value, repairs = value
            for note in repairs:
                notes.setdefault(note, []).append(line)
        if col.nonnegative and value is not None and value < 0:
            out.error(line, header, f"valeur négative interdite : « {text} »")
        parsed.append(value)
    for note, where in notes.items():
        out.warning(where[0], header, f"{note} ({_lines_text(where)})")
    if col.name == "indicateur":
        parsed = _indicators(parsed, lines, header, out)
    if col.name in ("latitude", "longitude"):
        limit = 90 if col.name == "latitude" else 180
        for line, value in zip(lines, parsed, strict=True):
            if value is not None and abs(value) > limit:
                out.error(line, header, f"{col.name} hors plage (±{limit}) : {value} ; "
                          "coordonnées WGS84 en degrés attendues (pas de Lambert-93)")
    return parsed


def _indicators(parsed: list[Any], lines: list[int], header: str, out: _Collector) -> list[Any]:
    codes = []
    unknown: dict[str, list[int]] = {}
    for line, value in zip(lines, parsed, strict=True):
        if value is None:
            codes.append(None)
            continue
        code = normalise_header(value)
        code = _INDICATOR_ALIASES.get(code, code)
        if code not in INDICATORS:
            unknown.setdefault(code, []).append(line)
        codes.append(code)
    for code, where in unknown.items():
        out.warning(where[0], header, f"indicateur « {code} » absent du catalogue, accepté "
                    f"({_lines_text(where)})")
    return codes


def _row_rules(
    kind: str,
    frame: pd.DataFrame,
    lines: list[int],
    headers: dict[str, str],
    reference: Reference,
    out: _Collector,
    instance_codes: set[str] | None,
) -> None:
    """Rules that involve several columns of a row."""
    if kind == "instances":
        for line, code, siren in zip(
            lines, frame.get("code_insee", [None] * len(lines)),
            frame.get("epci_siren", [None] * len(lines)), strict=True,
        ):
            if (code is None) == (siren is None):
                which = (
                    "ni code_insee ni epci_siren" if code is None else "code_insee et epci_siren"
                )
                out.error(line, headers.get("code_insee", "code_insee"),
                          f"renseigner soit code_insee soit epci_siren ({which} trouvés)")
        if "epci_siren" in frame:
            known = set(reference.epci["siren"])
            for line, siren in zip(lines, frame["epci_siren"], strict=True):
                if siren is not None and siren not in known:
                    out.error(line, headers["epci_siren"], f"EPCI « {siren} » sans commune dans "
                              f"le département {reference.departement}")
    if "territoire_code" in frame:
        _territory_codes(frame, lines, headers, reference, out, instance_codes)
    if kind == "objectifs":
        for line, a, b in zip(lines, frame["annee_debut"], frame["annee_fin"], strict=True):
            if a is not None and b is not None and b < a:
                out.error(line, headers["annee_fin"], f"année de fin {b} antérieure à l'année "
                          f"de début {a}")
    if kind == "signalements" and "date_cloture" in frame:
        for line, a, b in zip(lines, frame["date_signalement"], frame["date_cloture"], strict=True):
            if a is not None and b is not None and b < a:
                out.error(line, headers["date_cloture"], f"date de clôture {b:%d/%m/%Y} antérieure "
                          f"au signalement du {a:%d/%m/%Y}")
    if kind == "plans":
        _plan_rules(frame, lines, headers, out)


def _plan_rules(
    frame: pd.DataFrame, lines: list[int], headers: dict[str, str], out: _Collector
) -> None:
    for line, typ, statut, debut, fin in zip(
        lines, frame["type_plan"], frame["statut"], frame["date_debut"], frame["date_fin"],
        strict=True,
    ):
        if statut != "en_elaboration":
            for name, value in (("date_debut", debut), ("date_fin", fin)):
                if value is None and statut is not None:
                    out.error(line, headers[name], f"{name} obligatoire sauf pour un plan "
                              "en élaboration")
        if debut is not None and fin is not None:
            if fin < debut:
                out.error(line, headers["date_fin"], f"date de fin {fin:%d/%m/%Y} antérieure au "
                          f"début {debut:%d/%m/%Y}")
            elif typ == "PDALHPD" and (fin - debut).days > 6 * 366:
                out.warning(line, headers["date_fin"], "un PDALHPD dure au plus 6 ans "
                            "(décret 2017-1565)")


def _territory_codes(
    frame: pd.DataFrame,
    lines: list[int],
    headers: dict[str, str],
    reference: Reference,
    out: _Collector,
    instance_codes: set[str] | None,
) -> None:
    """Check and normalise ``territoire_code`` according to ``territoire_type``."""
    header = headers["territoire_code"]
    communes = CommuneCodes(reference)
    sirens = set(reference.epci["siren"])
    notes: dict[str, list[int]] = {}
    new_codes = []
    for line, typ, code in zip(lines, frame["territoire_type"], frame["territoire_code"],
                               strict=True):
        value = code
        if code is not None and typ is not None:
            try:
                value = _territory_code(typ, code, reference, communes, sirens, notes, line)
            except ValueError as exc:
                out.error(line, header, str(exc))
            if typ == "instance" and instance_codes and code not in instance_codes:
                note = f"instance « {code} » inconnue de l'espace de travail"
                notes.setdefault(note, []).append(line)
        new_codes.append(value)
    frame["territoire_code"] = new_codes
    for note, where in notes.items():
        out.warning(where[0], header, f"{note} ({_lines_text(where)})")


def _territory_code(
    typ: str,
    code: str,
    reference: Reference,
    communes: CommuneCodes,
    sirens: set[str],
    notes: dict[str, list[int]],
    line: int,
) -> str:
    if typ == "commune":
        value, repairs = communes.resolve(code)
        for note in repairs:
            notes.setdefault(note, []).append(line)
        return value
    if typ == "epci":
        value = parse_siren(code)
        if value not in sirens:
            raise ValueError(f"EPCI « {value} » sans commune dans le département "
                             f"{reference.departement}")
        return value
    if typ == "departement":
        value = normalise_departement(code)
        if value != reference.departement:
            raise ValueError(f"département « {code} » différent de celui de l'espace de travail "
                             f"({reference.departement})")
        return value
    return code


def _duplicates(
    spec: KindSpec, frame: pd.DataFrame, lines: list[int], headers: dict[str, str],
    out: _Collector,
) -> None:
    """Flag rows whose unique key repeats an earlier row."""
    keys = [k for k in spec.unique if k in frame]
    if not keys or frame.empty:
        return
    first: dict[tuple, int] = {}
    column = headers[keys[0]]
    for line, key in zip(lines, frame[keys].itertuples(index=False, name=None), strict=True):
        if all(v is None for v in key):
            continue
        if key in first:
            shown = " / ".join("" if v is None else str(v) for v in key if v is not None)
            out.error(line, column, f"doublon de la ligne {first[key]} ({shown})")
        else:
            first[key] = line


# --- perimeter drawings ---------------------------------------------------------------


def validate_drawing(
    drawing: Any,
    reference: Reference,
    filename: str = "",
    mapping: dict[str, str] | None = None,
) -> ValidationResult:
    """Validate a perimeter drawing and convert it into commune memberships.

    Parameters
    ----------
    drawing : GeoDataFrame
        Features read from a GeoJSON, GeoPackage or zipped shapefile, in any CRS. Without
        a CRS, coordinates within ±180/±90 are taken as WGS84 (with a warning).
    reference : Reference
        Reference of the département.
    filename : str
        Name shown in messages.
    mapping : dict, optional
        User mapping of attribute names onto canonical names.

    Returns
    -------
    ValidationResult
        ``frame`` holds the memberships (``instance_code``, ``instance_nom``,
        ``instance_type``, ``code_insee``); features are numbered from 1 in messages.
    """
    import geopandas as gpd

    from geo.perimeters import drawing_to_memberships

    result = ValidationResult(kind="perimetres", rows=len(drawing))
    out = _Collector(filename, result, {})
    attrs = [c for c in drawing.columns if c != drawing.geometry.name]
    matched, unknown, _ = resolve_headers("perimetres", attrs, mapping)
    result.unknown_headers = unknown
    for header in unknown:
        out.warning(None, header, "attribut non reconnu, ignoré")
    names = {name: attrs[i] for i, name in matched.items()}
    result.columns = names
    for name in KINDS["perimetres"].required:
        if name not in names:
            out.error(None, name, f"attribut obligatoire « {name} » absent")
    if drawing.crs is None:
        minx, miny, maxx, maxy = drawing.total_bounds if len(drawing) else (0, 0, 0, 0)
        if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90:
            out.warning(None, None, "système de coordonnées absent : coordonnées lues en WGS84 "
                        "(EPSG:4326)")
            drawing = drawing.set_crs("EPSG:4326")
        else:
            out.error(None, None, "système de coordonnées absent (fichier .prj manquant ?) : "
                      "impossible de situer le dessin")
    if len(drawing) == 0:
        out.error(None, None, "aucune entité dans le fichier")
    if result.errors:
        out.finish()
        return result

    rows = []
    type_parser = enum_parser(KINDS["perimetres"].column("instance_type"))
    for number, (_, feature) in enumerate(drawing.iterrows(), start=1):
        code = _attr(feature, names.get("instance_code"))
        nom = _attr(feature, names.get("instance_nom"))
        typ = _attr(feature, names.get("instance_type")) or "clh"
        geom = feature.geometry
        where = f"entité n° {number}"
        if not code:
            out.error(number, names["instance_code"], f"{where} : code d'instance manquant")
        if not nom:
            out.error(number, names["instance_nom"], f"{where} : nom d'instance manquant")
        try:
            typ = type_parser(typ)
        except ValueError as exc:
            out.error(number, names.get("instance_type"), f"{where} : {exc}")
        if geom is None or geom.is_empty:
            out.error(number, None, f"{where} : géométrie vide")
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            out.error(number, None, f"{where} : polygone attendu, {geom.geom_type} trouvé")
        rows.append({"instance_code": code, "instance_nom": nom, "instance_type": typ})
    if result.errors:
        out.finish()
        return result
    clean = gpd.GeoDataFrame(rows, geometry=list(drawing.geometry), crs=drawing.crs)
    conversion = drawing_to_memberships(clean, reference)
    if conversion.memberships.empty:
        out.error(None, None, "aucune commune du département n'est couverte en majorité par le "
                  "dessin : vérifiez le département et le système de coordonnées")
        out.finish()
        return result
    for row in conversion.communes_partagees.itertuples(index=False):
        out.warning(None, "instance_code", f"commune {row.nom} ({row.code_insee}) partagée entre "
                    f"plusieurs périmètres : rattachée à {row.instance_code} "
                    f"({row.part_retenue:.0%} de sa surface)")
    hors = conversion.communes_hors_dessin
    if len(hors):
        sample = ", ".join(f"{n} ({c})" for c, n in zip(hors["code_insee"][:10], hors["nom"][:10],
                                                        strict=True))
        more = f" et {len(hors) - 10} autres" if len(hors) > 10 else ""
        out.warning(None, None, f"{len(hors)} commune(s) hors de tout périmètre dessiné : "
                    f"{sample}{more}")
    result.frame = conversion.memberships.astype("str").reset_index(drop=True)
    out.finish()
    return result


def _attr(feature: Any, name: str | None) -> str | None:
    if name is None:
        return None
    value = feature[name]
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None
