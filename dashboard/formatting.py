"""French formatting, in one place for the pages, the CLI and the exports.

Numbers: narrow no-break thousands separator and decimal comma (« 1 258 722 »,
« 12,5 % »); dates ``JJ/MM/AAAA``; years as years (« 2021 », never « 2 021 »).
Sentences (:func:`typo`), after the *Lexique des règles typographiques en usage à
l’Imprimerie nationale*: a narrow no-break space (U+202F) before ``; ! ?`` and inside
« », a no-break space (U+00A0) before ``:`` and ``%``; ’ apostrophes; year ranges take
an en dash (2021–2026).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from zoneinfo import ZoneInfo

NBSP = "\u00a0"
#: Narrow no-break space, the thousands separator of French typography.
NNBSP = "\u202f"
#: Time zone of the dates shown to users (stored times are UTC).
PARIS = ZoneInfo("Europe/Paris")


def fr_int(value: float | int | None, sep: str = NNBSP) -> str:
    """Format an integer the French way: ``1258722`` → ``"1 258 722"`` (narrow no-break spaces)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{round(value):,}".replace(",", sep)


def fr_number(value: float | int | None, decimals: int = 1, sep: str = NNBSP) -> str:
    """Format a decimal number with a decimal comma: ``1234.56`` → ``"1 234,6"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", sep)


def fr_percent(ratio: float | None, decimals: int = 1) -> str:
    """Format a ratio as a French percentage: ``0.125`` → ``"12,5 %"`` (no-break space)."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "–"
    return f"{fr_number(ratio * 100, decimals)}{NBSP}%"


def fr_euros(value: float | int | None) -> str:
    """Format an amount in whole euros: ``812000.5`` → ``"812 001 €"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{fr_int(value)}{NBSP}€"


def fr_date(value: dt.date | None) -> str:
    """Format a date as ``JJ/MM/AAAA``."""
    return "–" if value is None else value.strftime("%d/%m/%Y")


def fr_datetime(value: dt.datetime | None) -> str:
    """Format a time as ``JJ/MM/AAAA HH:MM``, Paris time; a naive value is taken as UTC.

    Examples
    --------
    >>> fr_datetime(dt.datetime(2025, 3, 15, 13, 2, tzinfo=dt.UTC))
    '15/03/2025 14:02'
    """
    if value is None or value != value:  # None, NaT
        return "–"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


_SPACE_BEFORE_TIGHT = re.compile(r"[ \u00a0\u202f]*([;!?])")
_SPACE_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]*(:)(?=\s|$)")
_SPACE_BEFORE_PERCENT = re.compile(r"(?<=\d)[ \u00a0\u202f]*%")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]*»")
_STRAIGHT_QUOTES = re.compile(r'"([^"]*)"')
#: Words written with « œ » that files often spell « oe » (cœur, œuvre, vœu, manœuvre…).
_OE = re.compile(r"\b(c|C|s|S|v|V|man|Man|)(oe|OE)(?=ur|uvre|u\b|ux\b|il)")
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)-((?:19|20)\d\d)\b")


def typo(text: object) -> str:
    """Apply French typography to a plain-text sentence (not HTML, not a URL).

    Examples
    --------
    >>> typo("l'EPCI : 12 % ; voir \\"PLH\\" 2021-2026 !") == (
    ...     "l’EPCI\\u00a0: 12\\u00a0%\\u202f; voir «\\u202fPLH\\u202f» 2021–2026\\u202f!")
    True
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return "–"
    out = _OE.sub(lambda m: m.group(1) + ("Œ" if m.group(2) == "OE" else "œ"), str(text))
    out = out.replace("'", "’")
    out = _STRAIGHT_QUOTES.sub(r"« \1 »", out)
    out = _OPEN_QUOTE.sub("«" + NNBSP, out)
    out = _CLOSE_QUOTE.sub(NNBSP + "»", out)
    out = _SPACE_BEFORE_TIGHT.sub(NNBSP + r"\1", out)
    out = _SPACE_BEFORE_COLON.sub(NBSP + r"\1", out)
    out = _SPACE_BEFORE_PERCENT.sub(NBSP + "%", out)
    return _YEAR_RANGE.sub("\\1–\\2", out)


def period(value: object) -> str:
    """``2021-2026`` → ``2021–2026`` (en dash); a single year unchanged."""
    return typo(value)


def num(value: object, decimals: int = 0) -> str:
    """A French number, ``–`` when missing; integers without decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    value = float(value)  # type: ignore[arg-type]
    if decimals == 0 or value.is_integer():
        return fr_int(value)
    return fr_number(value, decimals)


def pct(value: object, decimals: int = 0) -> str:
    """A ratio as a French percentage (``0.5`` → ``50 %``), ``–`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return fr_percent(float(value), decimals)  # type: ignore[arg-type]
