"""« Exports » page: each file is built on demand and read back by its own library."""

from __future__ import annotations

import io

import pytest
from streamlit.testing.v1 import AppTest

from tests.paths import PAGES

PAGE = PAGES / "exports.py"


@pytest.mark.parametrize("kind", ["tables", "deck"])
def test_export_is_built_on_demand(monkeypatch, demo_workspace, kind):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))
    at = AppTest.from_file(str(PAGE), default_timeout=180)
    at.run()
    assert not at.exception
    assert f"export-{kind}" not in at.session_state
    at.button(key=f"make-export-{kind}").click().run()
    assert not at.exception
    data = at.session_state[f"export-{kind}"]
    if kind == "tables":
        from openpyxl import load_workbook

        assert "Indicateurs" in load_workbook(io.BytesIO(data)).sheetnames
    else:
        from pptx import Presentation

        assert len(Presentation(io.BytesIO(data)).slides) >= 5 + 13
