"""Scalar parsers and header resolution of the import files.

Each parser returns the value or raises ValueError with a French reason; the callers
turn the reason into a message with the file, line and column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from dashboard.store.schemas import (
    KINDS,
    VALUE_ALIASES,
    ColumnSpec,
    KindSpec,
    is_personal_header,
    normalise_header,
)
from geo.reference import Reference

YEAR_MIN, YEAR_MAX = 1950, 2100
_DATE_FORMATS = (
    "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d",
    "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
)  # fmt: skip



#: Characters refused in every cell: C0 and C1 controls (tab, newline and carriage return
#: apart), and the bidirectional overrides that make a text display in another order.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Also refused outside free text (codes, numbers, dates, enumerations).
_LINE_CONTROLS = re.compile(r"[\t\n\r]")
_CONTROL_NAMES = {
    0x00: "NUL", 0x09: "tabulation", 0x0A: "saut de ligne", 0x0B: "tabulation verticale",
    0x0C: "saut de page", 0x0D: "retour chariot", 0x1B: "échappement", 0x7F: "suppression",
    0x85: "passage à la ligne (NEL)",
}


def control_problem(text: str, free_text: bool = False) -> str | None:
    """Why ``text`` may not be stored (a control character), in French; None if it may.

    Tab and newline are allowed in free text only (a label, a comment); NUL and every
    other control character nowhere: they break spreadsheets, PostgreSQL and displays.
    """
    found = _FORBIDDEN.search(text) or (None if free_text else _LINE_CONTROLS.search(text))
    if found is None:
        return None
    code = ord(found.group())
    if 0x202A <= code <= 0x2069:
        what = f"caractère d'inversion du sens d'écriture (U+{code:04X})"
    else:
        name = _CONTROL_NAMES.get(code)
        what = f"caractère de contrôle U+{code:04X}" + (f" ({name})" if name else "")
    return (f"{what} interdit, en position {found.start() + 1} : retirez-le du fichier "
            "(souvent collé depuis un autre logiciel)")


def printable(text: str) -> str:
    """``text`` without control characters (for file names and headers shown in messages)."""
    return _LINE_CONTROLS.sub(" ", _FORBIDDEN.sub("", text))


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
            ancienne = f"l'ancienne commune {ancien_nom}" if ancien_nom else "une ancienne commune"
            notes.append(
                f"code INSEE « {code} » de {ancienne}, fusionnée : "
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


def likely_kinds(headers: list[str]) -> list[str]:
    """Kinds of data whose required columns ``headers`` all name, the best match first
    (most headers recognised): what a file « looks like » when read as the wrong kind."""
    scores = []
    for kind, spec in KINDS.items():
        matched, _, _ = resolve_headers(kind, headers)
        names = set(matched.values())
        if spec.required and set(spec.required) <= names:
            scores.append((-len(names), list(KINDS).index(kind), kind))
    return [kind for _, _, kind in sorted(scores)]
