"""The frozen annual report: what it holds, that re-imports never change it, the editions
listed and compared, who may freeze (on a demo workspace of its own)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest

from dashboard.cli import common as cli
from dashboard.cli import main
from dashboard.exports.bilan import EditionError, freeze_edition
from dashboard.exports.bundle import load_bundle
from dashboard.intake.demo import DEMO_DIR
from dashboard.intake.imports import import_file
from dashboard.programme.editions import compare_editions, evaluation
from dashboard.store.editions import list_editions, read_edition
from dashboard.store.permissions import COMITE, DELEGUE_EPCI, Acteur, PermissionRefusee
from dashboard.store.workspace import WorkspaceError, open_workspace
from tests.conftest import build_demo

COMITE_MEMBRE = Acteur("comite@isere.gouv.fr", COMITE, "Camille Comité")


@pytest.fixture(scope="module")
def frozen(tmp_path_factory):
    """A demo workspace with the bilans 2023 and 2024 frozen, before any later import."""
    folder = build_demo(tmp_path_factory.mktemp("bilans") / "demo")
    e2023 = freeze_edition(2023, COMITE_MEMBRE, folder)
    e2024 = freeze_edition(2024, COMITE_MEMBRE, folder)
    return folder, e2023, e2024


def _dep_plai(edition, periode: str) -> dict:
    return next(r for r in edition.donnees["indicators"] if r["indicateur"] == "plai"
                and r["territoire_type"] == "departement" and r["periode"] == periode)


def test_edition_holds_figures_at_the_end_of_its_year(frozen):
    _, e2023, e2024 = frozen
    data = e2024.donnees
    assert (data["annee"], data["date_reference"]) == (2024, "2024-12-31")
    assert data["demonstration"] is True
    assert data["gele_par"] == "comite@isere.gouv.fr"
    assert {r["territoire_type"] for r in data["indicators"]} == {"departement", "instance",
                                                                  "epci"}  # fmt: skip
    # 2024's operations are not in 2023's edition
    assert _dep_plai(e2023, "2021-2026")["realise"] < _dep_plai(e2024, "2021-2026")["realise"]
    assert _dep_plai(e2023, "2024")["realise"] == 0
    assert len(data["actions"]) == 16
    assert {j["libelle"] for j in e2023.donnees["jalons_en_retard"]} >= {"CIA de la CAPI signée"}
    assert "Pension de famille de Bourgoin-Jallieu ouverte" not in {
        j["libelle"] for j in e2023.donnees["jalons_en_retard"]}  # due 30/06/2024
    assert data["gaps"]
    assert all(c["date"] <= "2025-12-31" for c in data["commentaires"])


def test_edition_records_the_data_versions(frozen):
    folder, _, e2024 = frozen
    versions = e2024.donnees["versions"]
    with open_workspace(folder) as ws:
        log = ws.history()
    ops = versions["operations"]
    assert ops["lignes"] == 317
    assert [i["sha256"] for i in ops["imports"]] == [
        hashlib.sha256((DEMO_DIR / "operations_sisal.csv").read_bytes()).hexdigest()]
    assert ops["imports"][0]["id"] in set(log["id"])
    assert set(versions) >= {"actions", "jalons", "commentaires", "realisations"}


def test_edition_files(frozen):
    from openpyxl import load_workbook
    from pptx import Presentation
    from pypdf import PdfReader

    _, _, e2024 = frozen
    files = e2024.files
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "Bilan annuel d’exécution 2024" in text
    assert "Programme d’actions" in text
    assert "Versions des données" in text
    assert "données de démonstration" in text
    deck = Presentation(io.BytesIO(files["pptx"]))
    assert deck.slides[0].shapes.title.text.startswith("Bilan annuel d’exécution 2024")
    assert "Programme d’actions" in load_workbook(io.BytesIO(files["xlsx"])).sheetnames
    for fmt, meta in e2024.donnees["fichiers"].items():
        assert meta["sha256"] == hashlib.sha256(files[fmt]).hexdigest()


def test_freeze_holds_after_reimport(frozen):
    """Re-import operations and milestones: the live figures move, the edition does not."""
    folder, _, e2024 = frozen
    before = e2024
    live_before = load_bundle("38", folder, today=dt.date(2024, 12, 31))
    with open_workspace(folder) as ws:
        from geo.reference import load_reference

        isere = load_reference("38")
        ops = (DEMO_DIR / "operations_sisal.csv").read_bytes().decode("cp1252").splitlines()
        half = "\r\n".join(ops[: len(ops) // 2]).encode("cp1252")
        assert import_file("operations", half, "operations_corrigees.csv", ws, isere).imported
        jalons = (b"action;libelle;date_prevue;date_realisee\n"
                  b"1.4;CIA de la CAPI signee;30/06/2023;01/10/2024\n")  # fmt: skip
        assert import_file("jalons", jalons, "jalons.csv", ws, isere).imported
        again = read_edition(ws, 2024)
        live_after = load_bundle("38", folder, today=dt.date(2024, 12, 31))
        for kind, name in (("operations", "operations_sisal.csv"),
                           ("jalons", "jalons_actions.csv")):  # back to the demo for the others
            assert import_file(kind, (DEMO_DIR / name).read_bytes(), name, ws, isere).imported
    assert live_after.operations.shape[0] < live_before.operations.shape[0]
    assert again is not None
    assert again.id == before.id
    assert again.sha256 == before.sha256
    assert again.donnees == before.donnees
    assert again.files == before.files


def test_second_freeze_is_refused_unless_asked(frozen):
    folder, _, e2024 = frozen
    with pytest.raises(WorkspaceError, match="déjà gelé"):
        freeze_edition(2024, COMITE_MEMBRE, folder)
    with open_workspace(folder) as ws:
        assert read_edition(ws, 2024).id == e2024.id


def test_only_the_comite_freezes_and_only_past_years(frozen):
    folder, _, _ = frozen
    delegue = Acteur("delegue@metro.fr", DELEGUE_EPCI, "Denis", "200040715")
    with pytest.raises(PermissionRefusee, match="geler le bilan 2022"):
        freeze_edition(2022, delegue, folder)
    with pytest.raises(EditionError, match="n'est pas terminée"):
        freeze_edition(2026, COMITE_MEMBRE, folder,
                       now=dt.datetime(2026, 12, 2, tzinfo=dt.UTC))  # fmt: skip


def test_compare_two_editions(frozen):
    _, e2023, e2024 = frozen
    cmp_ = compare_editions(e2024.donnees, e2023.donnees)  # order does not matter
    assert (cmp_.annee_a, cmp_.annee_b) == (2023, 2024)
    dep = cmp_.territories[(cmp_.territories["indicateur"] == "plai")
                           & (cmp_.territories["territoire_type"] == "departement")].iloc[0]
    assert dep["evolution"] == dep["realise_b"] - dep["realise_a"] > 0
    assert dep["realise_annee_b"] == dep["evolution"]  # what 2024 added
    assert dep["a_bouge"]
    pensions = cmp_.actions[cmp_.actions["code"] == "4.2"].iloc[0]
    assert (pensions["jalons_en_retard_a"], pensions["jalons_en_retard_b"]) == (0, 1)
    assert pensions["a_bouge"]
    charte = cmp_.actions[cmp_.actions["code"] == "2.2"].iloc[0]
    assert not charte["a_bouge"]


def test_end_of_plan_evaluation(frozen):
    folder, e2023, e2024 = frozen
    bundle = load_bundle("38", folder, today=dt.date(2024, 12, 31))
    objectives, actions = evaluation(bundle.indicators, bundle.programme, bundle.comments,
                                     [e2023.donnees, e2024.donnees])  # fmt: skip
    dalo = objectives[(objectives["indicateur"] == "menages_dalo_reloges")].iloc[0]
    assert not dalo["atteint"]
    assert dalo["ecart"] == dalo["realise"] - dalo["objectif"] < 0
    assert dalo["statuts_enregistres"].startswith("2023 : ")
    assert "2024 : " in dalo["statuts_enregistres"]
    metro = objectives[(objectives["territoire_code"] == "200040715")
                       & (objectives["indicateur"] == "plai")].iloc[0]
    assert "foncier" in metro["commentaires"]  # the délégué's validated comment says why
    pensions = actions[actions["code"] == "4.2"].iloc[0]
    assert not pensions["atteint"]
    assert "jalon(s) non réalisé(s)" in pensions["ecart"]
    assert pensions["statuts_enregistres"] == "2023 : en cours ; 2024 : en cours"
    assert "Bourgoin" in pensions["commentaires"]
    charte = actions[actions["code"] == "2.2"].iloc[0]
    assert charte["atteint"]
    assert (charte["ecart"], charte["commentaires"]) == ("", "")  # nothing to explain


def test_cli_bilans_and_bilan(frozen, capsys, tmp_path):
    folder, e2023, e2024 = frozen
    capsys.readouterr()
    assert main(["bilans", "--json", "--workspace", str(folder)]) == cli.EXIT_OK
    listed = json.loads(capsys.readouterr().out)["editions"]
    assert [(e["annee"], e["remplacee"]) for e in listed][:2] == [(2024, False), (2023, False)]
    assert listed[0]["sha256"] == e2024.sha256
    assert main(["bilan", "2024", "--workspace", str(folder)]) == cli.EXIT_INVALID
    assert "déjà gelé" in capsys.readouterr().err
    assert main(["bilan", "2023", "--workspace", str(folder), "--remplacer",
                 "--out", str(tmp_path)]) == cli.EXIT_OK  # fmt: skip
    out = capsys.readouterr().out
    assert "Bilan 2023 gelé" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bilan_2023.json", "bilan_2023.pdf", "bilan_2023.pptx", "bilan_2023.xlsx"]
    with open_workspace(folder) as ws:
        editions = list_editions(ws)
        old = read_edition(ws, edition_id=e2023.id)
    assert editions[editions["annee"] == 2023]["remplacee"].tolist() == [False, True]
    assert old.donnees == e2023.donnees  # the replaced edition stays readable
    assert main(["bilan", "2024", "--workspace", str(folder), "--out", "/nulle/part"]) == \
        cli.EXIT_USAGE
