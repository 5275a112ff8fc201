"""Validate a table read from a user file against the spec of its kind.

Errors make the file invalid; warnings describe what was repaired or ignored (leading
zeros restored, old codes of merged communes mapped, personal-data columns dropped,
unknown columns). Messages come from :mod:`dashboard.intake.messages`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.intake.layouts import (
    Layout,
    complete,
    detect_layout,
    layout_mapping,
    unpivot_stages,
)
from dashboard.intake.limits import Deadline
from dashboard.intake.messages import Collector, ValidationResult, column_letter, lines_text
from dashboard.intake.parsers import (
    CommuneCodes,
    control_problem,
    enum_parser,
    parse_bool,
    parse_date,
    parse_float,
    parse_int,
    parse_siren,
    parse_year,
    resolve_headers,
)
from dashboard.intake.readers import RawTable
from dashboard.store.schemas import (
    FIELD_KINDS,
    INDICATORS,
    KINDS,
    LIST_SEPARATOR,
    ColumnSpec,
    KindSpec,
    coerce_frame,
    normalise_header,
)
from geo.reference import Reference, normalise_departement

_INDICATOR_ALIASES = {"pla_i": "plai", "plai_finances": "plai", "logements_plai": "plai"}



def validate_table(
    kind: str,
    raw: RawTable,
    reference: Reference,
    filename: str = "",
    mapping: dict[str, str] | None = None,
    instance_codes: set[str] | None = None,
    deadline: Deadline | None = None,
    action_codes: set[str] | None = None,
    release: bool = False,
) -> ValidationResult:
    """Validate and normalise a table of ``kind``.

    Parameters
    ----------
    kind : str
        One of the tabular kinds of :data:`dashboard.store.schemas.KINDS`.
    raw : RawTable
        Cells read by :mod:`dashboard.intake.readers`.
    reference : Reference
        Reference of the workspace's département (codes are checked against it).
    filename : str
        Name shown in messages.
    mapping : dict, optional
        User mapping of headers onto canonical names.
    instance_codes : set of str, optional
        Instance codes known in the workspace; other codes are accepted with a warning.
    deadline : Deadline, optional
        Time bound, checked column by column and every few thousand rows.
    action_codes : set of str, optional
        Action codes of the workspace's programme; a milestone or comment naming another
        action is accepted with a warning.
    release : bool
        Drop the cells of ``raw`` once every column is parsed (the caller reads them only
        once): a 300 000-row file then peaks lower by the size of its cells.

    Returns
    -------
    ValidationResult
        With ``frame`` holding the normalised rows (meaningful when ``valid``).

    Raises
    ------
    ValidationTimeoutError
        When ``deadline`` passes.
    """
    spec = KINDS[kind]
    raw = unpivot_stages(kind, raw, mapping)
    result = ValidationResult(kind=kind, rows=len(raw))
    layout = detect_layout(kind, raw.headers)
    if layout is not None:  # the user's own choices win over the layout's
        mapping = {**layout_mapping(layout, raw.headers), **(mapping or {})}
    matched, unknown, personal = resolve_headers(kind, raw.headers, mapping)
    letters = {raw.headers[i]: column_letter(i) for i in range(len(raw.headers)) if raw.headers[i]}
    out = Collector(filename, result, letters)
    if layout is not None:
        _layout_notes(layout, raw.headers, matched, out)
    result.unknown_headers = unknown
    for line, note in raw.notes:
        out.warning(line, None, note)
    for header in raw.headers:
        problem = control_problem(header)
        if problem:
            out.error(1, header, f"en-tête : {problem}")
    for header in unknown:
        out.warning(1, header, "colonne non reconnue, ignorée (vous pouvez l'associer à une "
                    "colonne attendue)")
    for i in personal:
        out.warning(1, raw.headers[i], "colonne de données personnelles supprimée à l'import")
    for i, header in enumerate(raw.headers):
        if not header and raw.column(i).null_count < len(raw):
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
            if layout is not None:
                header = next((h for h, c in layout.columns.items() if c == name), name)
                out.error(1, name, f"colonne « {header} » absente de l'{layout.name} "
                          f"({col.label}) : {layout.advice}")
                continue
            out.error(1, name, f"colonne obligatoire « {name} » absente ({col.label} ; "
                      f"en-têtes acceptés : {accepted}…)")
    if result.errors:
        out.finish()
        return result

    if not len(raw):
        out.warning(None, None, "aucune ligne de données : en remplacement, ce fichier viderait "
                    "la table ; l'import le refuse sauf demande explicite (--vider, ou la "
                    "confirmation de la page « Données »)")
    lines = raw.lines.tolist()
    values: dict[str, np.ndarray] = {}
    for name, i in seen.items():
        if deadline is not None:
            deadline.check()
        values[name] = _parse_column(spec.column(name), raw.headers[i], raw.column(i),
                                     raw.lines, reference, out)
        if release and i < len(raw.columns):  # parsed: its strings can go before the next
            raw.columns[i] = pa.nulls(0, pa.string())
    if release:
        raw.columns = []
    frame = pd.DataFrame(  # one block per column: no copy of 300 000 × n pointers
        {k: pd.Series(v, dtype=object, copy=False) for k, v in values.items()},
        index=pd.RangeIndex(len(lines)), copy=False,
    )  # fmt: skip
    del values  # the frame holds them now: each column can go once converted
    if layout is not None:
        frame = complete(layout, frame)
    _row_rules(kind, frame, lines, result.columns, reference, out, instance_codes)
    if kind == "actions":
        _action_rules(frame, lines, result.columns, reference, out, instance_codes)
    if "action" in frame and action_codes is not None:
        _known_actions(frame, lines, result.columns["action"], action_codes, out)
    _duplicates(spec, frame, lines, result.columns, out)
    out.finish()
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("_")])
    result.frame = coerce_frame(kind, frame, consume=True)
    result.lines = lines
    return result


def _quoted(headers: list[str]) -> str:
    return ", ".join(f"« {h} »" for h in headers)


def _layout_notes(layout: Layout, headers: list[str], matched: dict[int, str],
                  out: Collector) -> None:
    """What a recognised layout did: columns kept, personal columns dropped (each named),
    columns ignored, and the closure columns a user may have left unticked."""
    kept = [f"« {headers[i]} » → {name}" for i, name in sorted(matched.items())]
    out.warning(1, None, f"{layout.name} reconnu, aucune colonne à associer : "
                f"{', '.join(kept)}")  # fmt: skip
    personal = [h for h in headers if h and layout.role(h) == "personal"]
    if personal:
        out.warning(1, None, f"{len(personal)} colonnes de données personnelles supprimées à "
                    f"l'import : {_quoted(personal)}")  # fmt: skip
    unused = [h for h in headers if h and layout.role(h) == "unused"]
    if unused:
        out.warning(1, None, f"{len(unused)} colonnes de l'{layout.name} non utilisées par le "
                    f"tableau de bord : {_quoted(unused)}")  # fmt: skip
    names = set(matched.values())
    missing = [h for h, c in layout.columns.items()
               if c in ("date_cloture", "motif_cloture") and c not in names
               and h != "Clôturé le"]  # fmt: skip
    if missing:
        out.warning(1, None, f"colonnes {_quoted(missing)} absentes : les signalements clos ne "
                    f"peuvent pas être distingués des résolus ({layout.advice})")  # fmt: skip


def _parse_column(
    col: ColumnSpec,
    header: str,
    cells: pa.Array,
    lines: np.ndarray,
    reference: Reference,
    out: Collector,
) -> np.ndarray:
    """Parse one column; errors per cell, repairs grouped per distinct value.

    Each distinct value is checked and parsed once; the outcome is then spread over the
    cells by array indexing. Messages are those of a cell-by-cell reading, in line order.
    """
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
    nullable = col.nullable or not col.required
    free = _free_text(col)
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    if (parser is str and len(cells) >= 1000 and col.name != "indicateur"
            and not _any_slow_text(cells, free)):  # fmt: skip
        # Plain text is its own value: no table of distinct values (an identifier column
        # has as many as rows), only the missing cells to name.
        if not nullable:
            missing = np.flatnonzero(cells.is_null().to_numpy(zero_copy_only=False))
            message = f"valeur obligatoire manquante ({col.label})"
            out.errors(lines[missing].tolist(), header, [message] * len(missing))
        if not col.name.startswith("id_"):  # an identifier repeats nothing
            encoded = cells.dictionary_encode()
            if 2 * len(encoded.dictionary) <= len(cells):
                # Repeated labels (a bailleur): one string object per distinct label,
                # shared by its cells, not one per cell (20 MB for 300 000 cells).
                shared = np.array([*encoded.dictionary.to_pylist(), None], dtype=object)
                return shared[encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)]
        return cells.to_numpy(zero_copy_only=False)
    encoded = cells.dictionary_encode()  # codes in the order of first appearance
    index = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    uniques = encoded.dictionary
    distinct = len(uniques)
    values = np.full(distinct + 1, None, dtype=object)  # the last slot: empty cells
    problems = np.full(distinct + 1, None, dtype=object)
    kept_notes: dict[int, list[str]] = {}  # distinct value → repair notes
    plain = _plain_values(parser, free, uniques)
    for k, text in enumerate(uniques.to_pylist()):
        if plain is not None and plain[k] is not None:  # settled by Arrow, all at once
            value = text if parser is str else plain[k]
            if col.nonnegative and value < 0:
                problems[k] = f"valeur négative interdite : « {text} »"
            values[k] = value
            continue
        problem = control_problem(text, free)
        if problem is None:
            if free and "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            try:
                value = parser(text)
            except ValueError as exc:
                problem = str(exc)
        if problem and col.open_values:
            # A value of a list that other tools extend: kept as written, said once.
            values[k] = text
            kept_notes[k] = [f"valeur « {text} » non reconnue, conservée telle quelle"]
            continue
        if problem:
            problems[k] = problem
            continue
        if codes is not None:
            value, repairs = value
            if repairs:
                kept_notes[k] = repairs
        if col.nonnegative and value is not None and value < 0:
            problems[k] = f"valeur négative interdite : « {text} »"
        values[k] = value
    if not nullable:
        problems[distinct] = f"valeur obligatoire manquante ({col.label})"
    parsed = values[index]
    messages = problems[index]
    wrong = np.flatnonzero(np.not_equal(messages, None))
    out.errors(lines[wrong].tolist(), header, messages[wrong].tolist())
    if kept_notes:  # codes follow first appearance: notes come in the order of the lines
        order = np.argsort(index, kind="stable")
        ranked = index[order]
        where: dict[str, list[np.ndarray]] = {}
        for k, notes in kept_notes.items():
            at = order[np.searchsorted(ranked, k) : np.searchsorted(ranked, k, "right")]
            for note in notes:
                where.setdefault(note, []).append(at)
        for note, positions in where.items():
            at_lines = lines[np.sort(np.concatenate(positions))].tolist()
            out.warning(at_lines[0], header, f"{note} ({lines_text(at_lines)})")
    if col.name == "indicateur":
        parsed = _objects(_indicators(parsed.tolist(), lines.tolist(), header, out))
    if col.name in ("latitude", "longitude"):
        limit = 90 if col.name == "latitude" else 180
        outside = np.flatnonzero(np.abs(parsed.astype(float)) > limit)
        out.errors(lines[outside].tolist(), header, [
            f"{col.name} hors plage (±{limit}) : {parsed[i]} ; coordonnées WGS84 en degrés "
            "attendues (pas de Lambert-93)" for i in outside])  # fmt: skip
    return parsed


def _objects(values: list) -> np.ndarray:
    """A 1-D object array of ``values``."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


#: Texts that the Python path must see: a control character (``control_problem``) or a
#: carriage return (turned into a newline in free text). RE2 syntax, code points.
_SLOW_FREE_TEXT = r"[\x{0}-\x{8}\x{b}-\x{1f}\x{7f}-\x{9f}\x{202a}-\x{202e}\x{2066}-\x{2069}]"
_SLOW_CODE = r"[\x{0}-\x{1f}\x{7f}-\x{9f}\x{202a}-\x{202e}\x{2066}-\x{2069}]"
#: Decimals that ``parse_float`` reads as ``float`` reads them once the comma is a point.
_PLAIN_DECIMAL = r"^-?[0-9]+(?:[.,][0-9]+)?$"


def _plain_values(parser: Callable[[str], Any], free: bool, uniques: pa.Array) -> list | None:
    """The values of the distinct texts that need no Python, None for the others.

    Texts without any control character or carriage return, in a column of plain text, are
    their own value (``True`` here); plain decimals (``-12,5``) are cast by Arrow.
    Everything else, and every other type, goes through the parsers, for the very same
    values and messages.
    """
    if len(uniques) < 1000:
        return None  # not worth it
    if parser is str:
        slow = pc.match_substring_regex(uniques, _SLOW_FREE_TEXT if free else _SLOW_CODE)
        return [None if s else True for s in slow.to_pylist()]
    if parser is parse_float:
        plain = pc.match_substring_regex(uniques, _PLAIN_DECIMAL)
        numbers = iter(pc.replace_substring(uniques.filter(plain), ",", ".")
                       .cast(pa.float64()).to_pylist())  # fmt: skip
        return [next(numbers) if p else None for p in plain.to_pylist()]
    return None


def _any_slow_text(cells: pa.Array, free: bool) -> bool:
    """Whether some cell of a text column needs the Python checks (:func:`_plain_values`)."""
    slow = pc.match_substring_regex(cells, _SLOW_FREE_TEXT if free else _SLOW_CODE)
    return bool(pc.any(slow).as_py())


def _free_text(col: ColumnSpec) -> bool:
    """Whether a column holds free text (a label, a comment), where tab and newline are
    allowed; identifiers and codes are not free text."""
    return col.type == "str" and not (col.name.startswith("id_") or col.name.endswith("_code"))


def _indicators(parsed: list[Any], lines: list[int], header: str, out: Collector) -> list[Any]:
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
                    f"({lines_text(where)})")
    return codes


def _row_rules(
    kind: str,
    frame: pd.DataFrame,
    lines: list[int],
    headers: dict[str, str],
    reference: Reference,
    out: Collector,
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
    if kind in FIELD_KINDS and "territoire_code" in frame:
        _infer_territory_types(frame, lines, headers, out)
    if "territoire_code" in frame:
        _territory_codes(frame, lines, headers, reference, out, instance_codes)
    if kind in FIELD_KINDS:
        _field_rules(kind, frame, lines, headers, out)
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
    frame: pd.DataFrame, lines: list[int], headers: dict[str, str], out: Collector
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
    out: Collector,
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
        out.warning(where[0], header, f"{note} ({lines_text(where)})")


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
    out: Collector,
) -> None:
    """Flag rows whose unique key repeats an earlier row."""
    keys = [k for k in spec.unique if k in frame]
    if not keys or frame.empty:
        return
    keyed = frame[keys]
    present = keyed.notna().to_numpy().any(axis=1)
    repeated = np.zeros(len(frame), dtype=bool)
    repeated[present] = keyed[present].duplicated(keep=False).to_numpy()
    if not repeated.any():
        return
    at = np.flatnonzero(repeated)  # only the rows whose key occurs twice or more
    first: dict[tuple, int] = {}
    column = next((headers[k] for k in keys if k in headers), keys[0])
    for line, key in zip(np.asarray(lines)[at].tolist(),
                         keyed.iloc[at].itertuples(index=False, name=None), strict=True):
        if all(v is None for v in key):
            continue
        if key in first:
            shown = " / ".join("" if v is None else str(v) for v in key if v is not None)
            out.error(line, column, f"doublon de la ligne {first[key]} ({shown})")
        else:
            first[key] = line


_LIST_SPLIT = re.compile(r"[,;|/\n]+")
_TERRITORY_TYPE = enum_parser(KINDS["objectifs"].column("territoire_type"))
_WHOLE_DEPARTEMENT = {"departement", "dep", "tout_le_departement", "ensemble_du_departement"}


def _action_rules(
    frame: pd.DataFrame,
    lines: list[int],
    headers: dict[str, str],
    reference: Reference,
    out: Collector,
    instance_codes: set[str] | None,
) -> None:
    """Dates in order; indicator and territory lists parsed into their stored form."""
    if "date_debut" in frame and "date_fin" in frame:
        for line, a, b in zip(lines, frame["date_debut"], frame["date_fin"], strict=True):
            if a is not None and b is not None and b < a:
                out.error(line, headers["date_fin"], f"échéance {b:%d/%m/%Y} antérieure au "
                          f"début {a:%d/%m/%Y}")
    if "indicateurs" in frame:
        header = headers["indicateurs"]
        parsed = []
        for line, text in zip(lines, frame["indicateurs"], strict=True):
            items = [t for t in _LIST_SPLIT.split(text or "") if t.strip()]
            codes = _indicators(items, [line] * len(items), header, out)
            parsed.append(LIST_SEPARATOR.join(dict.fromkeys(codes)) or None)
        frame["indicateurs"] = parsed
    if "territoires" in frame:
        header = headers["territoires"]
        communes = CommuneCodes(reference)
        sirens = set(reference.epci["siren"])
        notes: dict[str, list[int]] = {}
        parsed = []
        for line, text in zip(lines, frame["territoires"], strict=True):
            items = []
            for item in (t.strip() for t in _LIST_SPLIT.split(text or "")):
                if not item:
                    continue
                try:
                    typ, code = _territory_item(item, reference, instance_codes)
                    code = _territory_code(typ, code, reference, communes, sirens, notes, line)
                except ValueError as exc:
                    out.error(line, header, str(exc))
                    continue
                if typ == "instance" and instance_codes and code not in instance_codes:
                    notes.setdefault(f"instance « {code} » inconnue de l'espace de travail",
                                     []).append(line)  # fmt: skip
                items.append(f"{typ}:{code}")
            parsed.append(LIST_SEPARATOR.join(dict.fromkeys(items)) or None)
        frame["territoires"] = parsed
        for note, where in notes.items():
            out.warning(where[0], header, f"{note} ({lines_text(where)})")


def _territory_item(
    item: str, reference: Reference, instance_codes: set[str] | None
) -> tuple[str, str]:
    """``epci:200040715`` → (epci, 200040715); a bare SIREN, INSEE code, instance code or
    « département » is recognised too."""
    typ, sep, code = item.partition(":")
    if sep:
        return _TERRITORY_TYPE(typ.strip()), code.strip()
    key = normalise_header(item)
    if key in _WHOLE_DEPARTEMENT or item.strip() == reference.departement:
        return "departement", reference.departement
    bare = re.sub(r"\s", "", item)
    if re.fullmatch(r"\d{9}", bare):
        return "epci", bare
    if instance_codes and item.strip() in instance_codes:
        return "instance", item.strip()
    if re.fullmatch(r"\d{4,5}|2[AB]\d{3}", bare.upper()):
        return "commune", bare
    raise ValueError(f"territoire « {item} » non reconnu : écrire epci:SIREN, instance:CODE "
                     "ou commune:INSEE (vide : tout le département)")


def _known_actions(
    frame: pd.DataFrame, lines: list[int], header: str, action_codes: set[str], out: Collector
) -> None:
    unknown: dict[str, list[int]] = {}
    for line, code in zip(lines, frame["action"], strict=True):
        if code is not None and str(code).strip() not in action_codes:
            unknown.setdefault(str(code).strip(), []).append(line)
    for code, where in unknown.items():
        out.warning(where[0], header, f"action « {code} » absente du programme de l'espace de "
                    f"travail, acceptée ({lines_text(where)})")


#: Parts that cannot exceed their whole, per field kind: (part, whole, French relation).
_PARTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "expulsions": (("issues_favorables_ccapex", "saisines_ccapex",
                    "issues favorables de la CCAPEX supérieures à ses saisines"),),
    "dalo": (("decisions_favorables", "recours_deposes", ""),
             ("menages_reloges", "decisions_favorables", "")),
    "attributions_prioritaires": (
        ("dont_dalo", "realise", "« dont DALO » supérieur aux attributions réalisées"),
        ("dont_sortants_hebergement", "realise",
         "« dont sortants d'hébergement » supérieur aux attributions réalisées"),
    ),
    "siao": (("orientations", "demandes", ""),),
}


def _infer_territory_types(
    frame: pd.DataFrame, lines: list[int], headers: dict[str, str], out: Collector
) -> None:
    """An empty ``territoire_type`` of a field's row is read from its code: five characters
    (``38185``, ``2A004``) a commune, nine digits an EPCI, two or three a département."""
    types = list(frame["territoire_type"]) if "territoire_type" in frame else [None] * len(frame)
    inferred: list[int] = []
    for i, (line, code) in enumerate(zip(lines, frame["territoire_code"], strict=True)):
        if types[i] is not None or code is None:
            continue
        bare = re.sub(r"\s", "", str(code)).upper()
        if re.fullmatch(r"\d{9}", bare):
            types[i] = "epci"
        elif re.fullmatch(r"\d{4,5}|2[AB]\d{3}", bare):
            types[i] = "commune"
        elif re.fullmatch(r"\d{1,3}|2[AB]", bare):
            types[i] = "departement"
        else:
            out.error(line, headers["territoire_code"], f"territoire « {code} » non reconnu : "
                      "code INSEE de commune (5 caractères), SIREN d'EPCI (9 chiffres) ou "
                      "code de département attendu, ou renseigner territoire_type")
            continue
        inferred.append(line)
    frame["territoire_type"] = types
    if inferred and "territoire_type" in headers:
        out.warning(inferred[0], headers["territoire_type"], "type de territoire vide, déduit "
                    f"du code ({lines_text(inferred)})")


def _field_rules(
    kind: str, frame: pd.DataFrame, lines: list[int], headers: dict[str, str], out: Collector
) -> None:
    """A part above its whole: an error within a row (« dont » columns, CCAPEX outcomes),
    a warning between two counts of a chain (a decision may follow a recourse of the year
    before)."""
    for part, whole, relation in _PARTS.get(kind, ()):
        if part not in frame or whole not in frame:
            continue
        for line, a, b in zip(lines, frame[part], frame[whole], strict=True):
            if a is None or b is None or a <= b:
                continue
            if relation:
                out.error(line, headers[part], f"{relation} ({a} > {b})")
            else:
                out.warning(line, headers[part], f"{part} ({a}) supérieur à {whole} ({b}) : "
                            "possible si des dossiers de l'année précédente sont comptés, à "
                            "vérifier")
