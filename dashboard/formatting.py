"""French number and date formatting (1 258 722 ; 12,5 % ; 29/11/2026)."""

from __future__ import annotations

import datetime as dt
import math

NBSP = "\u00a0"
#: Narrow no-break space, the thousands separator of French typography.
NNBSP = "\u202f"


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


def fr_date(value: dt.date | None) -> str:
    """Format a date as ``JJ/MM/AAAA``."""
    return "–" if value is None else value.strftime("%d/%m/%Y")
