"""The table loader: workspace first, else the Isère demo files; one membership path."""

from __future__ import annotations

import pytest

from dashboard.intake import demo
from dashboard.intake.imports import import_file
from dashboard.intake.loader import ALL_KINDS, instance_memberships_for, load_tables
from dashboard.store.workspace import open_workspace


def test_without_workspace_the_demo_files_are_read(tmp_path):
    loaded = load_tables(tmp_path / "vide")
    assert loaded.departement == "38"
    assert loaded.is_demo
    assert set(loaded.tables) == set(ALL_KINDS) - {"populations"}
    assert demo.DEMO_LABEL in loaded.source
    assert not (tmp_path / "vide").exists()  # reading never creates a workspace


def test_another_departement_without_workspace_has_no_table(tmp_path):
    loaded = load_tables(tmp_path / "vide", "73")
    assert loaded.tables == {}
    assert not loaded.is_demo
    assert "aucun espace de travail" in loaded.source


def test_a_workspace_wins_and_belongs_to_one_departement(tmp_path, isere):
    folder = tmp_path / "ws"
    data = b"id_operation;code_insee;annee;nb_plai\nOP1;38185;2022;4\n"
    with open_workspace(folder) as ws:
        assert import_file("operations", data, "ops.csv", ws, isere).imported
    loaded = load_tables(folder)
    assert list(loaded.tables) == ["operations"]
    assert loaded.tables["operations"]["nb_plai"].tolist() == [4]
    assert not loaded.is_demo
    with pytest.raises(ValueError, match="appartient au département 38, pas au 73"):
        load_tables(folder, "73")


def test_memberships_combine_rows_then_drawn_perimeters(tmp_path, isere):
    folder = tmp_path / "ws"
    rows = (b"instance_code;instance_nom;instance_type;code_insee;epci_siren\n"
            b"VOI;Voiron;clh;38563;\n")  # fmt: skip
    with open_workspace(folder) as ws:
        assert import_file("instances", rows, "inst.csv", ws, isere).imported
    loaded = load_tables(folder, kinds=("instances",))
    memberships = loaded.memberships(isere)
    assert memberships[["instance_code", "code_insee"]].values.tolist() == [["VOI", "38563"]]
    assert loaded.instances_source == "instances de l'espace de travail"


def test_instance_memberships_of_the_demo(monkeypatch, tmp_path):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(tmp_path / "aucun"))
    memberships, source = instance_memberships_for("38")
    assert memberships["instance_code"].nunique() == 13
    assert "38519" not in set(memberships["code_insee"])  # Valencin, forgotten on purpose
    assert demo.DEMO_LABEL in source
    empty, source = instance_memberships_for("2A")
    assert empty.empty
    assert source == "aucune instance définie pour ce département"
