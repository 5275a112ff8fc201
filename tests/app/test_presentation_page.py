"""Presentation mode: screens built from the demo, walked with AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.exports.bundle import load_bundle
from dashboard.exports.presentation import (
    plai_balance,
    plai_by_instance,
    screens,
    signals_by_instance,
)
from tests.paths import PAGES

PAGE = PAGES / "presentation.py"


def test_deck_screens_on_demo(demo_workspace):
    bundle = load_bundle("38", demo_workspace)
    kinds = [s.kind for s in screens(bundle)]
    assert kinds[:5] == ["overview", "balance", "objectives", "signals", "gaps"]
    signals = signals_by_instance(bundle)
    assert len(signals) == 14  # 13 instances, then the département
    assert signals["territoire_type"].iloc[-1] == "departement"
    assert kinds[5:12] == ["axe"] * 5 + ["late", "comments"]
    assert kinds.count("instance") == 13
    rows = plai_by_instance(bundle)
    assert len(rows) == 13
    assert (rows["objectif"] > 0).all()
    balance, index = plai_balance(bundle)
    assert len(balance) == 13
    assert balance["part_besoin"].sum() == pytest.approx(1.0, abs=1e-6)
    assert index is not None
    assert 0 <= index <= 100


def test_walk_the_presentation(monkeypatch, demo_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception
    titles = [at.title[0].value]
    assert at.button(key="prev").disabled
    for _ in range(5):
        at.button(key="next").click().run()
        assert not at.exception
        titles.append(at.title[0].value)
        if titles[-1].startswith("Habitat indigne"):
            labels = [m.label for m in at.metric]
            assert labels == ["Signalements reçus", "Résolus", "Clos sans résolution", "En cours"]
    assert titles[1].startswith("Équilibre territorial")
    assert titles[3] == "Habitat indigne : issue des signalements"
    assert titles[4].startswith("Écarts de couverture")
    assert titles[5] == "Axe – Accès au logement"
    assert at.query_params["ecran"] in (["6"], "6")
    at.button(key="prev").click().run()
    assert at.title[0].value.startswith("Écarts de couverture")


def test_screen_from_link_is_clamped(monkeypatch, demo_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.query_params["ecran"] = "999"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Voironnais-Chartreuse"  # last instance, alphabetically
    assert at.button(key="next").disabled
