"""French typography for exported text: ’ apostrophes, « guillemets », non-breaking spaces.

Rules (Lexique des règles typographiques en usage à l’Imprimerie nationale): a narrow
no-break space (U+202F) before ``; ! ?`` and inside « », a no-break space (U+00A0) before
``:`` and ``%``; numbers use :mod:`dashboard.formatting` (narrow no-break thousands
separator, decimal comma); year ranges take an en dash (2021–2026).
"""

from __future__ import annotations

import math
import re

from dashboard.formatting import NBSP, NNBSP, fr_int, fr_number, fr_percent

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
