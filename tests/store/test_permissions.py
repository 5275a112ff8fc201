"""Roles and scopes are enforced by the data layer, whatever the interface shows.

Every test writes through :func:`dashboard.intake.imports.import_file` or directly through
:meth:`Workspace.write`, on the backend of the run (SQLite or PostgreSQL).
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.intake.imports import import_file
from dashboard.store.permissions import (
    ADMINISTRATEUR,
    COMITE,
    DELEGUE_EPCI,
    LECTEUR,
    Acteur,
    PermissionRefusee,
    can_write_kind,
)
from dashboard.store.schemas import KINDS, coerce_frame
from dashboard.store.workspace import ImportRecord, open_workspace

METRO = "200040715"  # Grenoble-Alpes Métropole
GRESIVAUDAN = "200018166"  # CC Le Grésivaudan
GRENOBLE = "38185"  # commune of the Métropole
CROLLES = "38140"  # commune of the Grésivaudan

ADMIN = Acteur("admin@isere.fr", ADMINISTRATEUR, "Admin")
COMITE_MEMBRE = Acteur("comite@isere.fr", COMITE, "Claire Comité")
DELEGUE_METRO = Acteur("delegue@metro.fr", DELEGUE_EPCI, "Denis Délégué", METRO)
LECTRICE = Acteur("lectrice@isere.fr", LECTEUR, "Léa Lectrice")


def _csv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def realisations(*rows: tuple[str, str, int, float]) -> bytes:
    return _csv("territoire_type;territoire_code;indicateur;annee;valeur",
                [f"{t};{c};contingent_attributions;{a};{v}" for t, c, a, v in rows])


def plans(*rows: tuple[str, str, str]) -> bytes:
    return _csv(
        "type_plan;territoire_type;territoire_code;intitule;statut;date_debut;date_fin",
        [f"PLH;{t};{c};PLH {c};{s};01/01/2020;31/12/2025" for t, c, s in rows],
    )


@pytest.fixture
def ws(tmp_path, isere):
    """A workspace with realisations of two EPCI and of their communes, by the admin."""
    workspace = open_workspace(tmp_path / "ws")
    data = realisations(("epci", METRO, 2023, 10), ("commune", GRENOBLE, 2023, 4),
                        ("epci", GRESIVAUDAN, 2023, 7), ("commune", CROLLES, 2023, 2))
    assert import_file("realisations", data, "base.csv", workspace, isere, acteur=ADMIN).imported
    assert import_file("plans", plans(("epci", METRO, "en_vigueur"),
                                      ("epci", GRESIVAUDAN, "en_vigueur")),
                       "plans.csv", workspace, isere, acteur=ADMIN).imported
    yield workspace
    workspace.close()


def _table(ws, kind: str) -> list[tuple]:
    frame = ws.read(kind)
    return sorted(map(tuple, frame.astype(str).to_numpy().tolist()))


def test_role_matrix():
    assert all(can_write_kind(ADMIN, k) for k in KINDS)
    fields = {"expulsions", "dalo", "attributions_prioritaires", "siao", "fsl"}
    assert {k for k in KINDS if can_write_kind(COMITE_MEMBRE, k)} == {
        "objectifs", "plans", "instances", "perimetres", "commentaires", "actions", "jalons",
        *fields}
    assert {k for k in KINDS if can_write_kind(DELEGUE_METRO, k)} == {
        "realisations", "commentaires", "plans", *fields}
    assert not any(can_write_kind(LECTRICE, k) for k in KINDS)
    with pytest.raises(ValueError, match="epci_siren"):
        Acteur("x@y.fr", DELEGUE_EPCI)
    with pytest.raises(ValueError, match="rôle inconnu"):
        Acteur("x@y.fr", "chef")


def test_delegue_file_with_another_epci_is_refused_whole(ws, isere):
    before = _table(ws, "realisations")
    log_before = len(ws.history())
    data = realisations(("epci", METRO, 2024, 11), ("epci", GRESIVAUDAN, 2024, 99),
                        ("commune", CROLLES, 2024, 1))
    report = import_file("realisations", data, "metro.csv", ws, isere, acteur=DELEGUE_METRO)
    assert not report.imported
    message = report.errors[-1].message
    assert "ligne 3 (epci 200018166)" in message
    assert "ligne 4 (commune 38140)" in message
    assert "ligne 2" not in message
    assert "Rien n'a été écrit" in message
    assert _table(ws, "realisations") == before
    assert len(ws.history()) == log_before


def test_data_layer_refuses_whatever_the_caller(ws):
    """Workspace.write itself refuses, even for a frame that skipped the import checks."""
    frame = coerce_frame("realisations", pd.DataFrame([{
        "territoire_type": "epci", "territoire_code": GRESIVAUDAN,
        "indicateur": "contingent_attributions", "annee": 2024, "valeur": 1.0}]))
    before = _table(ws, "realisations")
    record = ImportRecord("realisations", "direct", "", 1, mode="replace")
    for acteur in (DELEGUE_METRO, LECTRICE, COMITE_MEMBRE):
        with pytest.raises(PermissionRefusee):
            ws.write("realisations", frame, record, acteur=acteur)
    assert _table(ws, "realisations") == before


def test_delegue_replace_keeps_other_epci_rows(ws, isere):
    data = realisations(("epci", METRO, 2024, 12), ("commune", GRENOBLE, 2024, 5))
    report = import_file("realisations", data, "metro.csv", ws, isere, acteur=DELEGUE_METRO)
    assert report.imported, [m.message for m in report.errors]
    frame = ws.read("realisations")
    rows = set(zip(frame["territoire_code"], frame["annee"], frame["statut_validation"],
                   strict=False))  # fmt: skip
    # the administrator's official figures of the métropole stay: a délégué declares
    assert {(c, a) for c, a, _ in rows} == {
        (METRO, 2023), (GRENOBLE, 2023), (METRO, 2024), (GRENOBLE, 2024), (GRESIVAUDAN, 2023),
        (CROLLES, 2023)}
    assert frame.loc[frame["annee"] == 2024, "statut_validation"].tolist() == ["declare"] * 2
    last = ws.history().iloc[0]
    assert (last["utilisateur"], last["role"], last["kind"]) == (
        "delegue@metro.fr", DELEGUE_EPCI, "realisations")
    # a second replace replaces their declarations, and only them
    again = realisations(("epci", METRO, 2024, 13))
    assert import_file("realisations", again, "metro.csv", ws, isere,
                       acteur=DELEGUE_METRO).imported  # fmt: skip
    frame = ws.read("realisations")
    assert sorted(frame.loc[frame["annee"] == 2024, "valeur"]) == [13.0]
    assert len(frame) == 5


def test_delegue_plan_status_of_own_epci_only(ws, isere):
    ok = plans(("epci", METRO, "en_revision"))
    assert import_file("plans", ok, "plh.csv", ws, isere, acteur=DELEGUE_METRO).imported
    statuses = dict(zip(ws.read("plans")["territoire_code"], ws.read("plans")["statut"],
                        strict=True))
    assert statuses == {METRO: "en_revision", GRESIVAUDAN: "en_vigueur"}
    other = plans(("epci", GRESIVAUDAN, "echu"))
    assert not import_file("plans", other, "plh.csv", ws, isere, acteur=DELEGUE_METRO).imported
    commune = plans(("commune", GRENOBLE, "echu"))  # plans: the EPCI only, not its communes
    assert not import_file("plans", commune, "plh.csv", ws, isere, acteur=DELEGUE_METRO).imported
    assert dict(zip(ws.read("plans")["territoire_code"], ws.read("plans")["statut"],
                    strict=True)) == statuses


def test_delegue_cannot_touch_objectives_or_operations(ws, isere):
    objectifs = _csv("territoire_type;territoire_code;indicateur;annee_debut;annee_fin;valeur",
                     [f"epci;{METRO};plai;2021;2026;1"])
    report = import_file("objectifs", objectifs, "obj.csv", ws, isere, acteur=DELEGUE_METRO)
    assert not report.imported
    assert "ne peut pas modifier « objectifs »" in report.errors[-1].message
    assert ws.read("objectifs").empty


def test_comments_author_and_scope(ws, isere):
    data = _csv("territoire_type;territoire_code;date;texte",
                [f"commune;{GRENOBLE};01/03/2025;Retard de livraison"])
    assert import_file("commentaires", data, "c.csv", ws, isere, acteur=DELEGUE_METRO).imported
    assert ws.read("commentaires")["auteur"].tolist() == ["delegue@metro.fr"]
    other = _csv("territoire_type;territoire_code;date;texte",
                 ["departement;38;01/03/2025;Hors périmètre"])
    assert not import_file("commentaires", other, "c.csv", ws, isere,
                           acteur=DELEGUE_METRO).imported


def test_lecteur_and_comite(ws, isere):
    data = realisations(("epci", METRO, 2024, 1))
    report = import_file("realisations", data, "r.csv", ws, isere, acteur=LECTRICE)
    assert not report.imported
    assert "lecteur" in report.errors[-1].message
    objectifs = _csv("territoire_type;territoire_code;indicateur;annee_debut;annee_fin;valeur",
                     ["departement;38;plai;2021;2026;4500"])
    assert import_file("objectifs", objectifs, "o.csv", ws, isere, acteur=COMITE_MEMBRE).imported
    assert ws.history().iloc[0]["role"] == COMITE


def test_users_table_admin_only_and_audited(ws):
    ws.save_user(ADMIN, DELEGUE_METRO)
    ws.save_user(ADMIN, COMITE_MEMBRE)
    assert ws.user("DELEGUE@metro.fr ") == DELEGUE_METRO
    assert ws.user("comite@isere.fr") == COMITE_MEMBRE  # no SIREN: None, not NaN
    with pytest.raises(PermissionRefusee):
        ws.save_user(DELEGUE_METRO, Acteur("delegue@metro.fr", ADMINISTRATEUR))
    assert ws.user("delegue@metro.fr").role == DELEGUE_EPCI
    assert ws.remove_user(ADMIN, "delegue@metro.fr")
    assert not ws.remove_user(ADMIN, "delegue@metro.fr")
    assert ws.user("delegue@metro.fr") is None
    log = ws.history()
    assert log["kind"].tolist()[:3] == ["utilisateurs"] * 3
    assert log["mode"].tolist()[:3] == ["suppression", "ajout", "ajout"]
    assert set(log["utilisateur"].tolist()[:3]) == {"admin@isere.fr"}
