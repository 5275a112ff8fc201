"""The Isère demo with hostile user text (issue 12): formulas, markdown and HTML.

:func:`build_hostile_workspace` builds the demo, then re-imports, through the ordinary
import path, the demo's instances, operations, plans and réalisations with some names,
labels, titles and sources replaced by the strings of :data:`PAYLOADS`, and a
``commentaires`` file made of them. Exports must write them as text, and pages must show
them as text: no formula cell, no ``<img>``, no request off the machine.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
#: A link that a spreadsheet would follow (formula injection).
FORMULA = '=HYPERLINK("http://exemple.invalid/x","clic")'
#: A markdown image: every viewer's browser would fetch it (tracking, offline promise).
MARKDOWN_IMAGE = "Matheysine ![p](http://exemple.invalid/pixel.png)"
#: HTML: an image and a script.
HTML = '<img src="http://exemple.invalid/i.png" onerror="alert(1)"> Trièves<script>x()</script>'
#: Other spreadsheet triggers and markdown constructs.
PLUS = "+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
MARKDOWN = ("**gras** :red[rouge] [lien](http://exemple.invalid/l) $x^2$ :material/home: "
            "www.exemple.invalid contact@exemple.invalid")
#: Math for matplotlib (legends of the static maps), malformed: it would raise.
MATH = r"Sud-Grésivaudan $\frac$ 50 %"
PAYLOADS = (FORMULA, MARKDOWN_IMAGE, HTML, PLUS, AT, MINUS, MARKDOWN, MATH)
#: Instance code → hostile name.
INSTANCE_NAMES = {"AGG": FORMULA, "MAT": MARKDOWN_IMAGE, "TRI": HTML, "VCH": PLUS,
                  "GRE": AT, "OIS": MINUS, "VER": MARKDOWN, "SGR": MATH}
#: Strings a rendered page or an export must never contain (outside a text cell).
FORBIDDEN_MARKUP = ("<img", "<script", "![p](", "![s](")


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(sep=";", index=False).encode("utf-8")


def hostile_files() -> list[tuple[str, str, bytes]]:
    """``(kind, file name, bytes)`` to import on top of the demo, in order."""
    instances = pd.read_csv(DEMO / "instances_clh.csv", sep=";", encoding="cp1252", dtype=str,
                            keep_default_na=False)
    instances["instance_nom"] = [INSTANCE_NAMES.get(c, n) for c, n in
                                 zip(instances["instance_code"], instances["instance_nom"],
                                     strict=True)]
    operations = pd.read_csv(DEMO / "operations_sisal.csv", sep=";", encoding="cp1252",
                             dtype=str, keep_default_na=False)
    label = next(c for c in operations.columns if c.startswith("Libell"))
    owner = next(c for c in operations.columns if c.startswith("Ma"))
    operations.loc[0, label] = FORMULA
    operations.loc[1, label] = MARKDOWN_IMAGE
    operations.loc[2, label] = HTML
    operations.loc[0, owner] = MINUS
    operations.loc[1, owner] = AT
    plans = pd.read_csv(DEMO / "plans.csv", dtype=str, keep_default_na=False)
    plans.loc[0, "intitule"] = FORMULA  # the PDALHPD
    plans.loc[3, "intitule"] = MARKDOWN_IMAGE  # a PLH of Grenoble-Alpes-Métropole
    plans.loc[4, "intitule"] = HTML
    realisations = pd.read_csv(DEMO / "realisations.csv", sep=";", encoding="utf-8-sig",
                               dtype=str, keep_default_na=False)
    realisations["source"] = "![s](http://exemple.invalid/s.png) " + realisations["source"]
    commentaires = pd.DataFrame({
        "territoire_type": ["instance"] * 4 + ["epci"],
        "territoire_code": ["AGG", "MAT", "TRI", "VER", "200040715"],
        "date": ["15/01/2025"] * 5,
        "texte": [FORMULA, MARKDOWN_IMAGE, HTML, MARKDOWN, PLUS],
        "auteur": [AT, MINUS, "Comité", HTML, FORMULA],
    })
    siao = pd.read_csv(DEMO / "siao_activite.csv", sep=";", encoding="utf-8", dtype=str,
                       keep_default_na=False)
    siao["Source"] = FORMULA  # the source of the fields' figures, shown under every one
    siao.loc[1::4, "Source"] = "![s](http://exemple.invalid/s.png) SI-SIAO"
    siao.loc[2::4, "Source"] = HTML
    return [
        ("instances", "instances_hostiles.csv", _csv(instances)),
        ("operations", "operations_hostiles.csv", _csv(operations)),
        ("plans", "plans_hostiles.csv", _csv(plans)),
        ("realisations", "realisations_hostiles.csv", _csv(realisations)),
        ("commentaires", "commentaires_hostiles.csv", _csv(commentaires)),
        ("siao", "siao_hostile.csv", _csv(siao)),
    ]


def build_hostile_workspace(folder: Path) -> Path:
    """The demo in ``folder``, then the hostile files imported over it (CLI and data layer)."""
    from dashboard.intake.imports import import_file
    from dashboard.store.workspace import open_workspace
    from geo.reference import load_reference

    proc = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "demo", "--workspace", str(folder)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    reference = load_reference("38")
    with open_workspace(folder) as ws:
        for kind, name, data in hostile_files():
            report = import_file(kind, data, name, ws, reference, user="test")
            assert report.imported, [m.message for m in report.errors]
    return folder


def xlsx_formula_cells(data: bytes) -> list[str]:
    """Every cell of a workbook that a spreadsheet would compute: ``Feuille!A1``."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    return [f"{ws.title}!{cell.coordinate}" for ws in wb.worksheets for row in ws.iter_rows()
            for cell in row if cell.data_type == "f"]


def xlsx_texts(data: bytes) -> list[str]:
    """Every text cell of a workbook."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    return [cell.value for ws in wb.worksheets for row in ws.iter_rows() for cell in row
            if isinstance(cell.value, str)]
