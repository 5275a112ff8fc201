"""Templates to fill in (XLSX and CSV per kind) and exports of the current tables.

The XLSX template has a « Données » sheet with the canonical headers (code columns
formatted as text so that Excel keeps their leading zeros, drop-down lists for
enumerations) and an « Aide » sheet describing every column. Drawn perimeters get a
GeoJSON template instead.
"""

from __future__ import annotations

import io
import json

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from dashboard.spreadsheets import append_row, frame_csv, frame_xlsx
from dashboard.store.schemas import INDICATORS, KINDS

_TEXT_TYPES = ("str", "insee", "siren", "code")
_TYPE_LABELS = {
    "str": "texte", "insee": "code INSEE (5 caractères)", "siren": "SIREN (9 chiffres)",
    "code": "code", "enum": "liste de valeurs", "int": "nombre entier", "float": "nombre",
    "year": "année (AAAA)", "date": "date (JJ/MM/AAAA)", "bool": "oui / non",
}
#: Rows of the template that receive formats and drop-down lists.
TEMPLATE_ROWS = 5000


def template_formats(kind: str) -> tuple[str, ...]:
    """File formats offered as a template for ``kind``."""
    return ("geojson",) if KINDS[kind].geo else ("xlsx", "csv")


def template_csv(kind: str) -> bytes:
    """CSV template: the canonical header, UTF-8 with BOM, ``;`` (opens cleanly in Excel)."""
    return frame_csv(pd.DataFrame(columns=KINDS[kind].names))


def template_geojson(kind: str = "perimetres") -> bytes:
    """GeoJSON template of drawn perimeters: an empty FeatureCollection with its attributes."""
    spec = KINDS[kind]
    payload = {
        "type": "FeatureCollection",
        "name": spec.kind,
        "description": f"{spec.label}. Attributs : {', '.join(spec.names)}. {spec.description}",
        "features": [],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    """XLSX template of ``kind`` with a data sheet and a help sheet."""
    spec = KINDS[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = "Données"
    append_row(ws, spec.names)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="000091")
    for i, col in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = bold
        cell.fill = fill
        letter = cell.column_letter
        ws.column_dimensions[letter].width = max(14, len(col.name) + 4)
        if col.type in _TEXT_TYPES:
            for row in range(2, TEMPLATE_ROWS + 1):
                ws.cell(row=row, column=i).number_format = "@"
        # Excel caps a list validation at 255 characters; open lists accept other values.
        if col.type == "enum" and not col.open_values and len(",".join(col.allowed)) < 255:
            dv = DataValidation(type="list", formula1=f'"{",".join(col.allowed)}"',
                                allow_blank=True, showErrorMessage=False)
            dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"

    help_ws = wb.create_sheet("Aide")
    append_row(help_ws, ["colonne", "obligatoire", "type", "description", "valeurs permises",
                         "exemple"])
    example = spec.example[0] if spec.example else {}
    for col in spec.columns:
        append_row(help_ws, [
            col.name, "oui" if col.required else "non", _TYPE_LABELS[col.type], col.label,
            ", ".join(col.allowed), example.get(col.name, ""),
        ])
    for cell in help_ws[1]:
        cell.font = Font(bold=True)
    help_ws.append([])
    append_row(help_ws, [spec.label])
    if spec.description:
        append_row(help_ws, [spec.description])
    append_row(help_ws, ["Ligne 1 : en-têtes ; une ligne par enregistrement à partir de la "
                         "ligne 2. Dates JJ/MM/AAAA, virgule décimale acceptée."])
    if {"indicateur", "indicateurs"} & set(spec.names):
        help_ws.append([])
        append_row(help_ws, ["indicateur", "libellé", "unité"])
        for ind in INDICATORS.values():
            append_row(help_ws, [ind.code, ind.label, ind.unit])
    for letter, width in zip("ABCDEF", (24, 12, 22, 60, 40, 24), strict=True):
        help_ws.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template(kind: str, fmt: str) -> tuple[bytes, str, str]:
    """Template bytes, file name and MIME type for ``kind`` in ``fmt``."""
    if fmt == "xlsx":
        return (template_xlsx(kind), f"modele_{kind}.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if fmt == "csv":
        return template_csv(kind), f"modele_{kind}.csv", "text/csv"
    if fmt == "geojson":
        return template_geojson(kind), f"modele_{kind}.geojson", "application/geo+json"
    raise ValueError(f"format de modèle inconnu : {fmt}")


def _display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%d/%m/%Y")
    return out


def table_csv(frame: pd.DataFrame) -> bytes:
    """A table as CSV for Excel users: UTF-8 with BOM, ``;``, decimal comma, JJ/MM/AAAA.

    Text that a spreadsheet would read as a formula is neutralised
    (:mod:`dashboard.spreadsheets`).
    """
    return frame_csv(_display_frame(frame))


def table_xlsx(frame: pd.DataFrame, sheet: str = "Données") -> bytes:
    """A table as an XLSX workbook (codes and every user text kept as text)."""
    return frame_xlsx(frame, sheet)
