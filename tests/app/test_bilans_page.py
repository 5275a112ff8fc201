"""« Bilans annuels » (AppTest): freeze a year with the button, download its files, compare
two editions, read the end-of-plan evaluation; a lecteur cannot freeze."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.exports.bilan import freeze_edition
from dashboard.store.editions import list_editions
from dashboard.store.permissions import COMITE, Acteur
from dashboard.store.workspace import open_workspace
from tests.app.test_login import AUTH
from tests.paths import PAGES

PAGE = PAGES / "bilans.py"


def test_freeze_download_compare_and_evaluate(monkeypatch, own_demo_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(own_demo_workspace))
    freeze_edition(2023, Acteur("comite@isere.gouv.fr", COMITE), own_demo_workspace)
    at = AppTest.from_file(str(PAGE), default_timeout=300).run()
    assert not at.exception
    assert at.title[0].value == "Bilans annuels d'exécution"
    assert [t.label for t in at.tabs] == ["Éditions", "Comparer deux éditions",
                                          "Évaluation de fin de plan"]  # fmt: skip
    assert "Il faut deux bilans gelés pour les comparer." in [i.value for i in at.info]
    # the local administrateur freezes 2024 with the form
    at.selectbox(key="bilan-annee").set_value(2024)
    next(b for b in at.button if b.label == "Geler le bilan").click().run()
    assert not at.exception
    assert any(s.value.startswith("Bilan 2024 gelé") for s in at.success)
    with open_workspace(own_demo_workspace) as ws:
        assert list(list_editions(ws)["annee"]) == [2024, 2023]
    at.run()
    labels = [b.label for b in at.get("download_button")]
    assert labels[:4] == ["PDF", "PPTX", "XLSX", "JSON"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Actions dont le statut, l'avancement ou les retards ont changé"] != "0"
    assert int(metrics["Lignes territoire × indicateur qui ont bougé (Instances)"]) > 0
    assert metrics["Objectifs atteints"].endswith("/ 65")
    assert [s.value for s in at.subheader][:2] == [
        "Par territoire : réalisé et statut, 2023 → 2024", "Par action, 2023 → 2024"]


@pytest.mark.parametrize("email", ["curieux@example.org"])
def test_a_lecteur_cannot_freeze(monkeypatch, demo_workspace, email):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))
    at = AppTest.from_file(str(PAGE), default_timeout=300)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email, "name": "Curieux", "email_verified": True}
    at.run()
    assert not at.exception
    assert not [b for b in at.button if b.label == "Geler le bilan"]
    assert any("réservé au comité" in c.value for c in at.caption)
