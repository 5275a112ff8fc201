"""User text is plain text on every page (issue 12): markdown and HTML in instance names,
operation labels, plan titles, sources and comments never become markup.

The pages run (AppTest) on the demo whose user strings are replaced by the payloads of
``tests/hostile.py``. Every string that Streamlit renders as markdown — bodies of
markdown, captions, titles, alerts; labels and help of metrics, expanders, tabs, buttons
and widgets — is read from the element tree: none may hold an image, a link, HTML, a
directive or a payload as written.
"""

from __future__ import annotations

import re

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from dashboard.app.text import plain
from tests.hostile import HTML, INSTANCE_NAMES, MARKDOWN, MARKDOWN_IMAGE, PAYLOADS
from tests.paths import APP, PAGES

#: Markup that would fetch, link, colour or run something, when not backslash-escaped.
LIVE_MARKUP = re.compile(
    r"(?<!\\)!\[|(?<!\\)<(?:img|script|a |iframe|svg|style)|(?<!\\)\[[^\]\\]*(?<!\\)\]\(|"
    r"(?<!\\):red\[|(?<!\\):material/|(?<!\\)://|(?<!\\)\*\*gras",
    re.IGNORECASE,
)
_MARKDOWN_KEYS = {"body", "label", "help", "placeholder"}
#: Page → query strings to run it with.
RUNS = {
    "accueil.py": [{}],
    "carte.py": [{}, {"niveau": "epci"}],
    "objectifs.py": [{}],
    "programmation.py": [{}],
    "habitat_indigne.py": [{}],
    "autres_champs.py": [{}, {"champ": "siao", "niveau": "instance"}],
    "couverture.py": [{}, {"grouper": "territoire"}],
    "fiche.py": [{"territoire": f"instance:{code}"} for code in INSTANCE_NAMES]
    + [{"territoire": "epci:200040715"}],
    "presentation.py": [{"ecran": str(i)} for i in range(1, 18)],
    "exports.py": [{}],
    "donnees.py": [{}],
}


@pytest.fixture
def on_hostile(monkeypatch, hostile_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(hostile_workspace))


def _strings(value, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in ("componentInstance", "arrowData")
                for s in _strings(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v, key)]
    return [value] if isinstance(value, str) and key in _MARKDOWN_KEYS else []


def markdown_strings(at: AppTest, html: bool = False) -> list[str]:
    """Every string of the run that Streamlit renders as markdown (with ``html``: the
    bodies rendered as HTML, our own style sheets)."""
    found: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            fields = MessageToDict(proto)
            is_html = bool(fields.get("allowHtml")) or getattr(node, "type", "") == "html"
            if is_html == html:
                found.extend(_strings(fields))
                if getattr(node, "type", "") == "radio" and not html:  # options are markdown
                    found.extend(str(o) for o in fields.get("options", []))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def _unescape(text: str) -> str:
    """What a reader sees: escapes read, invisible word joiners gone."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def _run(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=180)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_plain_escapes_markup_and_keeps_the_text():
    for payload in PAYLOADS:
        escaped = plain(payload)
        assert not LIVE_MARKUP.search(escaped), escaped
        assert payload not in escaped
        assert _unescape(escaped) == payload
    assert plain("Saint-Égrève\n(38), CCH art. L302-1") == "Saint-Égrève (38), CCH art. L302-1"
    assert plain("- 12. :smile: www.x.fr") == "\\- 12. \\:smile\\: www\u2060.x.fr"
    assert plain("http://x.fr a@b.fr") == "http\\:\u2060//x.fr a\u2060\\@b.fr"
    assert plain("Source : plans") == "Source : plans"
    assert plain("1. PLH") == r"1\. PLH"
    assert plain(None) == ""


def test_live_markup_is_detected():
    """The check of the pages can fail: each payload, unescaped, is caught."""
    for payload in (MARKDOWN_IMAGE, HTML, MARKDOWN):
        assert LIVE_MARKUP.search(payload), payload


@pytest.mark.usefixtures("on_hostile")
@pytest.mark.parametrize(("page", "params"), [(p, q) for p, runs in RUNS.items() for q in runs],
                         ids=lambda v: v if isinstance(v, str) else ",".join(v.values()) or "-")
def test_user_text_is_plain_on_every_page(page, params):
    at = _run(page, params)
    strings = markdown_strings(at)
    assert strings, "aucun texte lu : le test ne verrait rien"
    live = [s for s in strings if LIVE_MARKUP.search(s)]
    raw = [s for s in strings for p in PAYLOADS if p in s]
    assert live == [], live
    assert raw == [], raw
    for body in markdown_strings(at, html=True):  # our style sheets, and nothing else
        assert body.lstrip().startswith("<style>"), body
        assert "<img" not in body
        assert not any(p in body for p in PAYLOADS)


@pytest.mark.usefixtures("on_hostile")
def test_fiche_title_shows_the_name_as_written():
    at = _run("fiche.py", {"territoire": "instance:MAT"})
    title = at.title[0].value
    assert "![" not in title
    assert _unescape(title) == MARKDOWN_IMAGE


@pytest.mark.usefixtures("on_hostile")
def test_entry_point_and_sidebar():
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    assert [s for s in markdown_strings(at) if LIVE_MARKUP.search(s)] == []


@pytest.mark.parametrize(
    ("name", "kind"),
    [("xlsx_bombe_entites.xlsx", "operations"), ("perim_anneau_ouvert.geojson", "perimetres"),
     ("ops_octet_nul.csv", "operations"), ("xlsx_zip_bombe.xlsx", "operations")],
)
def test_the_data_page_reports_a_hostile_upload_in_french(name, kind, tmp_path, monkeypatch):
    from tests.paths import CORPUS

    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(tmp_path / "espace"))
    at = AppTest.from_file(str(PAGES / "donnees.py"), default_timeout=180).run()
    at.selectbox(key="donnees_kind").set_value(kind).run()
    data = (CORPUS / "hostile" / name).read_bytes()
    at.get("file_uploader")[0].upload(name, data, "application/octet-stream").run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("Fichier invalide")
    messages = at.dataframe[0].value["message"].tolist()
    assert all(m.startswith(name) for m in messages), messages


def test_the_data_page_shows_markdown_headers_as_text(tmp_path, monkeypatch):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(tmp_path / "espace"))
    at = AppTest.from_file(str(PAGES / "donnees.py"), default_timeout=180).run()
    at.selectbox(key="donnees_kind").set_value("operations").run()
    data = ("id_operation;code_insee;annee;nb_plai;![p](http://exemple.invalid/h.png)\n"
            "A-1;38185;2023;4;x\n").encode()
    at.get("file_uploader")[0].upload("entetes.csv", data, "text/csv").run()
    assert not at.exception, at.exception
    strings = markdown_strings(at)
    assert any("exemple" in s for s in strings)  # the header is offered for mapping…
    assert [s for s in strings if LIVE_MARKUP.search(s)] == []  # … as text
