"""The délégués' loop in the app (AppTest): a délégué lands on their EPCI's fiche and
declares there; the comité validates or sends back on « Suivi des déclarations »."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.store.permissions import COMITE, DELEGUE_EPCI, Acteur
from dashboard.store.workspace import open_workspace
from tests.app.test_login import AUTH
from tests.paths import APP, PAGES

METRO = "200040715"
DELEGUE = Acteur("delegue@metro.fr", DELEGUE_EPCI, "Denis Délégué", METRO)
COMITE_MEMBRE = Acteur("comite@isere.gouv.fr", COMITE, "Camille Comité")


@pytest.fixture
def workspace(monkeypatch, own_demo_workspace):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(own_demo_workspace))
    with open_workspace(own_demo_workspace) as ws:
        for user in (DELEGUE, COMITE_MEMBRE):
            ws.save_user(Acteur.local("admin"), user)
    return own_demo_workspace


def _as(path, email: str) -> AppTest:
    at = AppTest.from_file(str(path), default_timeout=180)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email, "name": email, "email_verified": True}
    return at


def test_delegue_lands_on_their_fiche_and_declares(workspace):
    at = _as(APP, DELEGUE.identifiant).run()
    assert not at.exception
    assert at.title[0].value == "Grenoble-Alpes-Métropole"
    assert [t.label for t in at.tabs][-1] == "Déclarer"
    at.selectbox(key="saisie-real-indicateur").set_value("menages_dalo_reloges")
    at.number_input(key="saisie-real-valeur").set_value(37)
    next(b for b in at.button if b.label == "Déclarer la réalisation").click().run()
    assert not at.exception
    assert any("reste « déclarée »" in s.value for s in at.success)
    at.text_area(key="saisie-com-texte").input("Trois relogements DALO de plus qu'en 2023.")
    at.selectbox(key="saisie-com-action").set_value("1.2")
    next(b for b in at.button if b.label == "Enregistrer le commentaire").click().run()
    assert not at.exception
    with open_workspace(workspace) as ws:
        real = ws.read("realisations")
        com = ws.read("commentaires")
        log = ws.history()
    row = real[real["valeur"] == 37].iloc[0]
    assert (row["territoire_code"], row["statut_validation"]) == (METRO, "declare")
    note = com[com["texte"].str.startswith("Trois relogements")].iloc[0]
    assert (note["action"], note["statut_validation"], note["auteur"]) == (
        "1.2", "declare", "Denis Délégué")
    assert log["utilisateur"].tolist()[:2] == [DELEGUE.identifiant] * 2
    assert log["fichier"].tolist()[0] == f"saisie en ligne — fiche epci:{METRO}"


@pytest.mark.usefixtures("workspace")
def test_delegue_cannot_declare_for_another_epci():
    at = _as(PAGES / "fiche.py", DELEGUE.identifiant)
    at.query_params["territoire"] = "epci:243800604"
    at.run()
    assert not at.exception
    assert "Déclarer" not in [t.label for t in at.tabs]


def test_comite_validates_and_sends_back(workspace):
    at = _as(PAGES / "declarations.py", COMITE_MEMBRE.identifiant).run()
    assert not at.exception
    assert at.title[0].value == "Suivi des déclarations"
    assert at.subheader[0].value == "À valider (5)"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["EPCI sans déclaration pour 2024"] == "13 / 18"
    with open_workspace(workspace) as ws:
        real = ws.read("realisations", ids=True)
        com = ws.read("commentaires", ids=True)
    capi = real[(real["territoire_code"] == "243800604")
                & (real["indicateur"] == "menages_dalo_reloges")]["id"].iloc[0]  # fmt: skip
    other = com[com["statut_validation"] == "declare"]["id"].iloc[0]
    at.multiselect(key="decl-choix").select(f"realisations:{capi}").run()
    at.radio(key="decl-decision").set_value("valide").run()
    at.button(key="decl-enregistrer").click().run()
    assert not at.exception
    assert any(s.value == "1 déclaration(s) validée(s)." for s in at.success)
    assert at.subheader[0].value == "À valider (4)"
    # back to the délégué, but only with a motif
    at.multiselect(key="decl-choix").select(f"commentaires:{other}").run()
    at.radio(key="decl-decision").set_value("a_revoir").run()
    at.button(key="decl-enregistrer").click().run()
    assert any("motif est obligatoire" in e.value for e in at.error)
    at.multiselect(key="decl-choix").select(f"commentaires:{other}").run()
    at.radio(key="decl-decision").set_value("a_revoir")
    at.text_input(key="decl-motif").input("Chiffre de 2023 ?").run()
    at.button(key="decl-enregistrer").click().run()
    assert any(s.value == "1 déclaration(s) renvoyée(s) à revoir." for s in at.success)
    with open_workspace(workspace) as ws:
        log = ws.history()
        real = ws.read("realisations")
        com = ws.read("commentaires")
    assert log["mode"].tolist()[:2] == ["revue", "revue"]
    assert set(log["role"].tolist()[:2]) == {COMITE}
    validated = real[(real["territoire_code"] == "243800604")
                     & (real["indicateur"] == "menages_dalo_reloges")]  # fmt: skip
    assert validated["statut_validation"].tolist() == ["valide"]
    sent_back = {*real["motif_revue"].dropna(), *com["motif_revue"].dropna()}
    assert "Chiffre de 2023 ?" in sent_back


@pytest.mark.usefixtures("workspace")
def test_a_delegue_sees_their_own_declarations_without_deciding():
    at = _as(PAGES / "declarations.py", "delegue@metro.fr").run()
    assert not at.exception
    assert at.subheader[0].value == "À valider (0)"  # Grenoble has nothing pending
    assert not [b for b in at.button if b.key == "decl-enregistrer"]
