"""« Données »: a file with no row empties a table only after a confirmation naming the
table and its row count; the history tab puts a table back as it was before an import
(« Rétablir l'état précédent », confirmed), and that restore can be undone in turn."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.intake.demo import DEMO_FILES
from dashboard.store.workspace import open_workspace
from tests.paths import PAGES

DONNEES = PAGES / "donnees.py"
HEADER_ONLY = b"id_operation;code_insee;annee;nb_plai\r\n"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "pas-un-vrai-secret",
    "client_id": "territoires",
    "client_secret": "pas-un-vrai-secret",
    "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
}


#: Id of the wipe, the first import after those of `territoires demo`.
WIPE = len(DEMO_FILES) + 1

@pytest.fixture
def demo(own_demo_workspace, monkeypatch):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(own_demo_workspace))
    with open_workspace(own_demo_workspace) as ws:
        operations = ws.read("operations")
    assert len(operations) == 317
    return own_demo_workspace, operations


def _import_button(at):
    return next(b for b in at.button if b.label == "Importer dans l'espace de travail")


def _restore_choice(at):
    return next(s for s in at.selectbox if s.label == "Import à annuler")


def _operations(target) -> pd.DataFrame:
    with open_workspace(target) as ws:
        return ws.read("operations")


def test_header_only_file_needs_a_confirmation_then_restore_brings_every_row_back(demo):
    target, operations = demo
    at = AppTest.from_file(str(DONNEES), default_timeout=120).run()
    at.selectbox(key="donnees_kind").set_value("operations").run()
    at.file_uploader(key="donnees_upload").set_value(("vide.csv", HEADER_ONLY, "text/csv"))
    at.run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "viderait la table « operations », qui en compte 317" in warning
    (confirm,) = [c for c in at.checkbox if c.key.startswith("donnees_vider-")]
    assert confirm.label == "Je confirme vouloir vider la table « operations » (317 lignes)"
    assert _import_button(at).disabled  # nothing may be imported before the confirmation
    confirm.check().run()
    assert not _import_button(at).disabled
    _import_button(at).click().run()
    assert not at.exception
    assert any(f"Import réussi (n° {WIPE})" in s.value for s in at.success)
    assert _operations(target).empty

    # history tab: the import is listed in French and can be undone, after a confirmation
    history = at.dataframe[-1].value
    assert history["Opération"].iloc[0] == "remplacement"
    assert history["État d'avant"].iloc[0] == "317 lignes"
    assert "replace" not in set(history["Opération"])
    assert _restore_choice(at).value == WIPE  # the newest entry is chosen
    restore = at.button(key="donnees_restore")
    assert restore.label == "Rétablir l'état précédent"
    assert restore.disabled
    at.checkbox(key=f"donnees_restore_ok-{WIPE}").check().run()
    at.button(key="donnees_restore").click().run()
    assert not at.exception
    assert any(f"remis dans son état d'avant l'import n° {WIPE} : 317 lignes (au lieu de 0)"
               in s.value for s in at.success)
    pd.testing.assert_frame_equal(_operations(target), operations)

    # the restore is itself listed (with its id) and undone the same way
    history = at.dataframe[-1].value
    assert history[["N°", "Opération"]].iloc[0].tolist() == [WIPE + 1, "restauration"]
    assert _restore_choice(at).value == WIPE + 1
    _restore_choice(at).set_value(WIPE + 1).run()
    assert at.checkbox(key=f"donnees_restore_ok-{WIPE + 1}").label.endswith("(la table sera vidée)")
    at.checkbox(key=f"donnees_restore_ok-{WIPE + 1}").check().run()
    at.button(key="donnees_restore").click().run()
    assert not at.exception
    assert _operations(target).empty


def test_a_lecteur_is_not_offered_the_restore(demo):
    target, operations = demo
    at = AppTest.from_file(str(DONNEES), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "curieux@example.org", "name": "Curieux",
               "email_verified": True}
    at.run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    last_kind = DEMO_FILES[-1][0]  # the table shown first: the latest import's
    assert f"Votre rôle (lecteur) ne permet pas de modifier « {last_kind} »" in captions
    assert not [b for b in at.button if b.key == "donnees_restore"]
    pd.testing.assert_frame_equal(_operations(target), operations)
