"""« Couverture des plans » page flow (AppTest) on the demo workspace."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.coverage import RULES_BY_ID
from geo.reference import load_reference
from tests.paths import PAGES

PAGE = PAGES / "couverture.py"


@pytest.fixture
def on_demo(monkeypatch, demo_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))


@pytest.mark.usefixtures("on_demo")
def test_page_renders_findings_grouped_by_rule():
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert any(label.startswith(RULES_BY_ID["PLH_OBLIGATION"].label) for label in labels)
    assert any(label.startswith(RULES_BY_ID["INSTANCE_SPLITS_EPCI"].label) for label in labels)
    text = " ".join(m.value for m in at.markdown)
    assert "Pays Voironnais" in text
    assert "Entre Bièvre et Rhône" in text
    captions = " ".join(c.value for c in at.caption)
    assert "CCH, art. L302-1" in captions
    assert "données de démonstration" in captions
    # The one reference date (the demo's data stop in 2024), not today's date.
    assert "Situation au 31/12/2024 (date de référence : fin de la dernière année" in captions
    assert "aucun PLH en vigueur au 31/12/2024" in text
    assert "Lyon-Saint-Exupéry en Dauphiné" in text
    assert "cas limite" in text


@pytest.mark.usefixtures("on_demo")
def test_clicking_a_finding_focuses_the_map_and_the_link():
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    button = next(b for b in at.button if "Pays Voironnais" in b.label)
    button.click().run()
    assert not at.exception
    assert at.query_params["focus"] in (["epci:243800984"], "epci:243800984")
    assert at.session_state["coverage_focus"] == ("epci", "243800984")


@pytest.mark.usefixtures("on_demo")
def test_filters_are_shareable_and_reduce_the_list():
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.query_params["gravite"] = "erreur"
    at.run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert labels
    wanted = (RULES_BY_ID["PLH_OBLIGATION"].label, RULES_BY_ID["PLH_PERIOD"].label)
    assert all(label.startswith(wanted) for label in labels)
    assert at.multiselect(key="cov-gravite").value == ["erreur"]


@pytest.mark.usefixtures("on_demo")
def test_findings_grouped_by_territory_from_the_link():
    """``?grouper=territoire``: one expander per territory, each finding with its rule."""
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.query_params["grouper"] = "territoire"
    at.run()
    assert not at.exception
    assert at.radio(key="cov-grouper").value == "territoire"
    labels = [e.label for e in at.expander]
    assert "Pays Voironnais" in labels[0]  # the only territory with errors comes first
    voironnais = labels[0]
    assert voironnais.endswith("(2)")  # no PLH in force, and plan years uncovered
    assert not any(label.startswith("PLH_") for label in labels)
    text = " ".join(m.value for m in at.markdown)
    # Each finding names its rule by its French label, never by its identifier.
    assert f"**{RULES_BY_ID['PLH_OBLIGATION'].label}**" in text
    assert f"**{RULES_BY_ID['PLH_PERIOD'].label}**" in text
    shown = text.replace("\\_", "_")  # plain() escapes markdown
    assert "PLH_OBLIGATION" not in shown
    assert "PLH_PERIOD" not in shown
    at.radio(key="cov-grouper").set_value("regle").run()
    assert not at.exception
    assert "grouper" not in at.query_params
    expanders = [e.label for e in at.expander]
    assert any(e.startswith(RULES_BY_ID["PLH_OBLIGATION"].label) for e in expanders)
    assert not any(rule in e for e in expanders for rule in RULES_BY_ID)
    chips = at.multiselect(key="cov-regle")
    assert list(chips.options) == [rule.label for rule in RULES_BY_ID.values()]


@pytest.mark.parametrize("page", [
    "couverture.py", "fiche.py", "presentation.py", "exports.py", "carte.py", "objectifs.py",
    "programmation.py", "habitat_indigne.py", "autres_champs.py", "acces_logement.py",
    "prevention_expulsions.py", "programme.py",
    "declarations.py", "bilans.py",
])  # fmt: skip
def test_other_departement_than_the_workspace_is_explained(monkeypatch, demo_workspace, page):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))
    at = AppTest.from_file(str(PAGE.parent / page), default_timeout=120)
    at.query_params["dep"] = "59"
    at.session_state["_territoires_page_title"] = "Titre de la page"  # set by run_page
    at.run()
    assert not at.exception
    assert [t.value for t in at.title][:1] == ["Titre de la page"]
    assert any("appartient au département Isère (38), pas au 59" in w.value
               for w in at.warning)  # fmt: skip
    assert not any(str(demo_workspace) in w.value for w in at.warning)  # no server path
    # A way forward, not a dead end.
    text = " ".join(m.value for m in at.markdown)
    assert "créez-lui un espace de travail" in text
    assert "Carte du département" in text
    assert [b.proto.url for b in at.get("link_button")] == ["./?dep=59", "./couverture?dep=59"]


def test_other_departement_coverage_shows_the_plh_obligation_of_its_reference(
    monkeypatch, demo_workspace
):
    """Without a workspace for the Nord, the page still says which EPCI must have a PLH,
    on the Nord's reference and its legal populations."""
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(demo_workspace))
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.query_params["dep"] = "59"
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == load_reference("59").communes["epci_siren"].nunique()
    mel = table[table["EPCI"].str.startswith("Métropole Européenne de Lille")]
    assert mel["Nature"].tolist() == ["Métropole"]
    assert mel["PLH obligatoire"].tolist() == ["oui"]
    assert set(table["PLH obligatoire"]) <= {"oui", "non", "oui (cas limite)", "non (cas limite)"}
    assert "non" in set(table["PLH obligatoire"])
    assert any("L302-1" in c.value and "population totale" in c.value for c in at.caption)


def test_the_report_follows_the_plans_and_the_reference_date(own_demo_workspace, monkeypatch,
                                                              isere):  # fmt: skip
    """The report is cached on the plans' revision and the reference date: an import of
    operations with a later year moves the date; an import of plans changes the findings."""
    from dashboard.intake.imports import import_file
    from dashboard.store.workspace import open_workspace

    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(own_demo_workspace))
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    captions = " ".join(c.value for c in at.caption)
    assert "Situation au 31/12/2024" in captions
    obligation = RULES_BY_ID["PLH_OBLIGATION"].label

    def obliged() -> str:
        return next(e.label for e in at.expander if e.label.startswith(obligation))

    before = obliged()
    operations = (
        "N° opération;Code INSEE commune;Année de programmation;Nb PLAI;Statut\r\n"
        "OP-2025-1;38185;2025;4;Agréée\r\n"
    ).encode("cp1252")
    with open_workspace(own_demo_workspace) as ws:
        assert import_file("operations", operations, "ops_2025.csv", ws, isere).imported
    at.run()
    assert not at.exception
    assert "Situation au 31/12/2025" in " ".join(c.value for c in at.caption)
    plans = (PAGES.parent / "data" / "demo" / "plans.csv").read_text(encoding="cp1252")
    only_plan = "\n".join(line for line in plans.splitlines() if not line.startswith("PLH"))
    with open_workspace(own_demo_workspace) as ws:
        assert import_file("plans", only_plan.encode("cp1252"), "plans.csv", ws, isere).imported
    at.run()
    assert not at.exception
    assert obliged() != before  # more EPCI without a PLH in force
