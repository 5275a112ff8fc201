"""The délégués' loop on a demo workspace: a délégué declares through the import path, the
entry waits for the comité, counts once validated, a correction replaces it; the comité sees
what is pending and who has not reported; everything is in the import log."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.exports.bundle import load_bundle
from dashboard.intake.entries import DECLARABLE_INDICATORS, declare, entry_csv
from dashboard.intake.imports import import_file
from dashboard.programme.loop import awaiting, reporting
from dashboard.store.permissions import (
    COMITE,
    DELEGUE_EPCI,
    LECTEUR,
    Acteur,
    PermissionRefusee,
)
from dashboard.store.reviews import review_entries
from dashboard.store.workspace import WorkspaceError, open_workspace

METRO, CAPI = "200040715", "243800604"
DELEGUE = Acteur("delegue@metro.fr", DELEGUE_EPCI, "Denis Délégué", METRO)
COMITE_MEMBRE = Acteur("comite@isere.gouv.fr", COMITE, "Camille Comité")
DATE = dt.date(2024, 12, 31)


def _dalo(folder, code: str = METRO, level: str = "epci") -> float:
    ind = load_bundle("38", folder, today=DATE).indicators
    row = ind[(ind["indicateur"] == "menages_dalo_reloges") & (ind["territoire_type"] == level)
              & (ind["territoire_code"] == code) & (ind["periode"] == "2024")]  # fmt: skip
    return float(row["realise"].iloc[0]) if len(row) else 0.0


def _row(valeur: float) -> dict:
    return {"territoire_type": "epci", "territoire_code": METRO,
            "indicateur": "menages_dalo_reloges", "annee": 2024, "valeur": valeur,
            "source": "déclaration du délégué", "auteur": "Denis"}  # fmt: skip


def test_declare_wait_validate_correct(own_demo_workspace, isere):
    folder = own_demo_workspace
    assert _dalo(folder) == 0.0
    with open_workspace(folder) as ws:
        report = declare("realisations", [_row(40)], ws, isere, DELEGUE)
        assert report.imported, [m.message for m in report.errors]
        stored = ws.read("realisations", ids=True)
        mine = stored[stored["auteur"] == "Denis"]
        assert mine["statut_validation"].tolist() == ["declare"]
        log = ws.history().iloc[0]
        assert (log["kind"], log["mode"], log["role"], log["utilisateur"]) == (
            "realisations", "append", DELEGUE_EPCI, "delegue@metro.fr")
        assert log["fichier"] == "saisie dans l'application"
    assert _dalo(folder) == 0.0  # declared: not counted yet
    decl = load_bundle("38", folder, today=DATE).declarations
    pending = awaiting(decl)
    assert "Grenoble-Alpes-Métropole (EPCI) — Ménages reconnus DALO relogés 2024 : 40" in set(
        pending["objet"])
    with open_workspace(folder) as ws:
        assert review_entries(ws, COMITE_MEMBRE, "realisations", mine["id"], "valide") == 1
        log = ws.history().iloc[0]
        assert (log["mode"], log["role"]) == ("revue", COMITE)
        assert "1 déclaration(s) validée(s)" in log["fichier"]
    assert _dalo(folder) == 40.0
    # a correction: declared again, it waits while the validated 40 still counts…
    with open_workspace(folder) as ws:
        assert declare("realisations", [_row(42)], ws, isere, DELEGUE).imported
        stored = ws.read("realisations", ids=True)
    assert _dalo(folder) == 40.0
    decl = load_bundle("38", folder, today=DATE).declarations
    mine = decl[decl["auteur"] == "Denis"]
    assert mine["remplacee"].tolist() == [True, False]
    # …and once validated it replaces it, never adds to it
    with open_workspace(folder) as ws:
        new_id = stored[(stored["auteur"] == "Denis")]["id"].max()
        review_entries(ws, COMITE_MEMBRE, "realisations", [new_id], "valide")
    assert _dalo(folder) == 42.0
    assert _dalo(folder, level="departement", code="38") > 42.0  # the DDETS figure wins there


def test_refusals_write_nothing(own_demo_workspace, isere):
    with open_workspace(own_demo_workspace) as ws:
        before = len(ws.history())
        other = declare("realisations", [{**_row(5), "territoire_code": CAPI}], ws, isere,
                        DELEGUE)  # fmt: skip
        assert not other.imported
        assert "ligne 2 (epci 243800604)" in other.refusal
        # a délégué never validates their own figures, even through a file
        data = entry_csv("realisations", [{**_row(5), "statut_validation": "valide"}])
        own = import_file("realisations", data, "auto.csv", ws, isere, mode="append",
                          acteur=DELEGUE)  # fmt: skip
        assert not own.imported
        assert "seul le comité les valide" in own.refusal
        decl = ws.read("realisations", ids=True)
        some = decl.loc[decl["statut_validation"] == "declare", "id"].tolist()
        with pytest.raises(PermissionRefusee, match="valider les déclarations"):
            review_entries(ws, DELEGUE, "realisations", some, "valide")
        with pytest.raises(PermissionRefusee):
            review_entries(ws, Acteur("x@y.fr", LECTEUR), "realisations", some, "valide")
        with pytest.raises(WorkspaceError, match="motif est obligatoire"):
            review_entries(ws, COMITE_MEMBRE, "realisations", some, "a_revoir", "  ")
        official = decl.loc[decl["statut_validation"].isna(), "id"].tolist()[:3]
        with pytest.raises(WorkspaceError, match="n'est une déclaration"):
            review_entries(ws, COMITE_MEMBRE, "realisations", official, "valide")
        assert len(ws.history()) == before


def test_back_to_review_with_a_motif(own_demo_workspace, isere):
    with open_workspace(own_demo_workspace) as ws:
        comment = {"territoire_type": "commune", "territoire_code": "38185",
                   "date": "15/01/2025", "texte": "Deux opérations décalées", "action": "1.1"}
        assert declare("commentaires", [comment], ws, isere, DELEGUE).imported
        stored = ws.read("commentaires", ids=True)
        row = stored[stored["texte"] == "Deux opérations décalées"].iloc[0]
        assert row["statut_validation"] == "declare"
        assert row["auteur"] == "delegue@metro.fr"  # the author defaults to who typed
        review_entries(ws, COMITE_MEMBRE, "commentaires", [row["id"]], "a_revoir",
                       "Préciser les opérations")  # fmt: skip
        again = ws.read("commentaires", ids=True).set_index("id").loc[row["id"]]
    assert (again["statut_validation"], again["motif_revue"]) == (
        "a_revoir", "Préciser les opérations")
    bundle = load_bundle("38", own_demo_workspace, today=DATE)
    assert "Deux opérations décalées" not in set(bundle.comments["texte"])  # not official
    fiche = bundle.territoire(f"epci:{METRO}")
    from dashboard.exports.fiche import fiche_content

    pending = fiche_content(bundle, fiche).pending_comments
    shown = pending[pending["texte"] == "Deux opérations décalées"].iloc[0]
    assert shown["motif_revue"] == "Préciser les opérations"


def test_demo_loop_state(demo_workspace, isere):
    bundle = load_bundle("38", demo_workspace, today=DATE)
    decl = bundle.declarations
    assert len(awaiting(decl)) == 5  # 3 réalisations, 2 comments
    assert len(awaiting(decl, "a_revoir")) == 2
    rep = reporting(decl, isere, 2024)
    assert len(rep) == 18
    assert set(rep.loc[rep["a_declare"], "epci_siren"]) == {
        METRO, CAPI, "200077014", "200018166", "200040657"}
    assert not rep["a_declare"].iloc[0]  # those who did not report come first
    # validated declarations count, the others do not
    ind = bundle.indicators
    avdl = ind[(ind["indicateur"] == "accompagnements_avdl") & (ind["territoire_type"] == "epci")
               & (ind["periode"] == "2024")].set_index("territoire_code")["realise"]
    assert avdl[METRO] == 512
    assert CAPI not in avdl.index or avdl[CAPI] == 0


def test_declarable_indicators_are_not_computed_ones():
    assert "plai" not in DECLARABLE_INDICATORS
    assert "signalements_traites" not in DECLARABLE_INDICATORS
    assert {"contingent_attributions", "accompagnements_avdl", "menages_dalo_reloges"} <= set(
        DECLARABLE_INDICATORS)
    assert isinstance(pd.DataFrame(), pd.DataFrame)


def test_demo_programme_files(demo_workspace):
    """The demo: 16 fiches action in five axes, 37 milestones, comments and declarations,
    imported by ``territoires demo`` as « données de démonstration »."""
    from dashboard.intake.demo import DEMO_APPEND, DEMO_FILES, DEMO_USER

    assert ("realisations", "declarations_delegues.csv") in DEMO_FILES
    assert set(DEMO_APPEND) == {"declarations_delegues.csv"}
    with open_workspace(demo_workspace) as ws:
        counts = {k: ws.count(k) for k in ("actions", "jalons", "commentaires")}
        real = ws.read("realisations")
        log = ws.history()
    assert counts == {"actions": 16, "jalons": 37, "commentaires": 9}
    declared = real[real["statut_validation"].notna()]
    assert declared["statut_validation"].value_counts().to_dict() == {
        "valide": 4, "declare": 3, "a_revoir": 1}
    assert set(log["utilisateur"]) == {DEMO_USER}
    appended = log[log["fichier"] == "declarations_delegues.csv"]
    assert appended["mode"].tolist() == ["append"]
    bundle = load_bundle("38", demo_workspace)
    assert "données de démonstration" in bundle.programme.source
