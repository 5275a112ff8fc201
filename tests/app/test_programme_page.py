"""« Programme d'actions » (AppTest) on the demo: actions by axe, filters, the fiche action
opened by a click or by its shareable link ?action=CODE."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.paths import PAGES

PAGE = PAGES / "programme.py"


@pytest.fixture
def app(monkeypatch, demo_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))
    return AppTest.from_file(str(PAGE), default_timeout=120)


def _action_buttons(at) -> list[str]:
    return [b.label for b in at.button if b.key and b.key.startswith("ouvrir-")]


def test_actions_by_axe_with_counts(app):
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Programme d'actions"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Actions": "16", "En cours": "13", "Réalisées": "1",
                       "Actions en retard": "7", "Jalons en retard": "9"}  # fmt: skip
    assert [s.value for s in at.subheader][:2] == ["Accès au logement",
                                                   "Prévention des expulsions"]  # fmt: skip
    assert len(_action_buttons(at)) == 16
    captions = " ".join(c.value for c in at.caption)
    assert "Situation au 31/12/2024" in captions
    assert "données de démonstration" in captions
    assert [t.label for t in at.tabs] == ["Actions par axe", "Jalons en retard",
                                          "Indicateurs liés"]  # fmt: skip


def test_filters_by_axe_pilote_and_territoire(app):
    at = app.run()
    at.selectbox(key="prog-axe").set_value("Hébergement et logement accompagné").run()
    assert _action_buttons(at) == ["4.1", "4.2", "4.3"]
    at.selectbox(key="prog-axe").set_value("(tous)").run()
    at.selectbox(key="prog-pilote").set_value("Département").run()
    assert _action_buttons(at) == ["2.2", "2.3", "3.3", "5.1", "5.3"]
    at.selectbox(key="prog-pilote").set_value("(tous)").run()
    at.selectbox(key="prog-territoire").set_value("epci:200030658").run()  # Trièves
    at.checkbox(key="prog-dep").uncheck().run()
    assert not at.exception
    assert _action_buttons(at) == ["3.3"]


def test_click_opens_the_fiche_action(app):
    at = app.run()
    at.button(key="ouvrir-1.4").click().run()
    assert not at.exception
    assert at.query_params["action"] in (["1.4"], "1.4")
    assert at.title[0].value.startswith("Fiche action 1.4 — Conclure les conventions")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Jalons en retard"] == "1"
    assert metrics["Avancement"] == "50\u00a0%"
    assert [h.value for h in at.header] == ["Calendrier d'exécution", "Indicateurs de résultat",
                                            "Commentaires"]  # fmt: skip
    at.button(key="retour-programme").click().run()
    assert at.title[0].value == "Programme d'actions"


def test_fiche_action_from_its_link_shows_comments(app):
    app.query_params["action"] = "4.2"
    at = app.run()
    assert not at.exception
    assert at.title[0].value.startswith("Fiche action 4.2")
    texts = " ".join(m.value for m in at.markdown)
    assert "Bourgoin" in texts  # the CAPI délégué's comment, validated
    assert any("Pension de famille de Bourgoin-Jallieu ouverte" in str(df.value)
               for df in at.dataframe)  # fmt: skip
    assert any(w.value.startswith("1 jalon(s) en retard") for w in at.warning)


def test_unknown_action_is_said(app):
    app.query_params["action"] = "99"
    at = app.run()
    assert not at.exception
    assert "Action « 99 » inconnue" in at.warning[0].value
