"""Spreadsheet files that store user text as text: no formula ever comes from a cell.

Every XLSX and CSV file the project writes (exports, page downloads, templates) goes
through this module. A text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (also after spaces, or as its full-width form) is what Excel and
LibreOffice read as a formula (« CSV injection », OWASP):

- in XLSX, every text is written as a string cell (``data_type`` ``s``), and a text that
  looks like a formula also gets the « quote prefix » style, so that editing the cell in
  Excel keeps it as text;
- in CSV, such a text gets a leading apostrophe (``'=HYPERLINK(…)``), as OWASP advises;
  a number written as text (``-12``, ``+33 4 76 00 00 00``) is left as it is.

Numbers, dates and booleans stay what they are. Characters that the XLSX format cannot
hold (C0 control characters other than tab, newline and carriage return) are dropped
rather than making the whole file fail.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

#: First characters that make a spreadsheet read a cell as a formula (full-width forms too).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_LEADING_SPACES = " \u00a0\u202f"
#: A number written as text (sign, digits, separators, exponent, percent): no formula.
_NUMBER = re.compile(r"[+\-\u2212]?\d[\d \u00a0\u202f.,]*(?:[eE][+\-]?\d+)?[ \u00a0]?%?")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula (numbers excepted)."""
    stripped = text.lstrip(_LEADING_SPACES)
    return stripped.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(stripped)


def csv_text(value: Any) -> Any:
    """A CSV cell: a formula-like text gets a leading apostrophe; anything else unchanged."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell_value(value: Any) -> Any:
    """A value openpyxl can store: missing → None, numpy → Python, text cleaned.

    Timestamps become dates (or datetimes with a time of day, in UTC when they carry a time
    zone), booleans « oui » / « non ».
    """
    if _is_missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalar
        if _is_missing(value):
            return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:  # XLSX has no time zone
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0) and value.tzinfo is None:
        return value.date()
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def set_cell(ws: Worksheet, row: int, column: int, value: Any,
             number_format: str | None = None) -> Cell:
    """Write one cell; a text is always a string cell, never a formula.

    Parameters
    ----------
    ws : Worksheet
        Target sheet.
    row, column : int
        1-based position.
    value : object
        Any scalar (see :func:`cell_value`).
    number_format : str, optional
        Number format of the cell (``#,##0``, ``dd/mm/yyyy``…).
    """
    value = cell_value(value)
    cell = ws.cell(row, column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if formula_like(value):
            cell.quotePrefix = True
    elif isinstance(value, dt.date) and number_format is None:
        number_format = DATETIME_FORMAT if isinstance(value, dt.datetime) else DATE_FORMAT
    if number_format:
        cell.number_format = number_format
    return cell


def append_row(ws: Worksheet, values: list[Any]) -> None:
    """``ws.append(values)`` with every text kept as text."""
    ws.append([cell_value(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if formula_like(cell.value):
                cell.quotePrefix = True


def frame_xlsx(frame: pd.DataFrame, sheet: str = "Données") -> bytes:
    """A table as an XLSX workbook: bold header, text as text, dates JJ/MM/AAAA."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    for j, name in enumerate(frame.columns, start=1):
        set_cell(ws, 1, j, str(name)).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(j)].width = max(12, min(40, len(str(name)) + 4))
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        for j, value in enumerate(row, start=1):
            set_cell(ws, i, j, value)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and headers) carry the CSV apostrophe when formula-like."""
    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])
                or pd.api.types.is_datetime64_any_dtype(out[col])):
            out[col] = out[col].astype(object).map(csv_text)
    out.columns = [csv_text(str(c)) for c in out.columns]
    return out


def frame_csv(frame: pd.DataFrame, decimal: str = ",") -> bytes:
    """A table as CSV for French Excel: UTF-8 with BOM, ``;``, CRLF, formulas neutralised."""
    buf = io.StringIO(newline="")
    neutralised(frame).to_csv(buf, sep=";", decimal=decimal, index=False, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8-sig")


def transport_csv(names: list[str], rows: list[list[str]]) -> bytes:
    """A CSV handed to the import path from a form of the app, never to a user: every cell
    quoted, ``;``, UTF-8, values kept exactly as typed (the validation refuses what it must,
    and a download of the table neutralises formulas on the way out)."""
    import csv
    import io

    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(names)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")
