"""``territoires import --vider``, ``historique``, ``restaurer``, a strict ``--utilisateur``
and a clean ``utilisateurs list``: exit codes, French output, nothing written on refusal."""

from __future__ import annotations

import getpass
import hashlib
import json
import re

import pandas as pd
import pytest

from dashboard.cli import common as cli
from dashboard.intake.demo import DEMO_FILES
from dashboard.store.workspace import open_workspace
from tests.cli.test_workspace import run
from tests.paths import CORPUS

HEADER_ONLY = "id_operation;code_insee;annee;nb_plai\r\n"


#: Imports made by `territoires demo` (one per demo file).
DEMO_IMPORTS = len(DEMO_FILES)



def state(target) -> str:
    """SQLite: SHA-256 of the file; PostgreSQL: of every table, the log and the users."""
    ws = open_workspace(target)
    try:
        if ws.database_path is not None:
            return hashlib.sha256(ws.database_path.read_bytes()).hexdigest()
        from dashboard.store.schemas import KINDS

        text = "".join(ws.read(k).to_csv() for k in KINDS) + ws.history().to_csv()
        return hashlib.sha256((text + ws.users().to_csv()).encode()).hexdigest()
    finally:
        ws.close()


def read(target, kind: str) -> pd.DataFrame:
    with open_workspace(target) as ws:
        return ws.read(kind)


@pytest.fixture
def demo(own_demo_workspace, tmp_path):
    """A fresh demo workspace (317 operations) and a header-only operations file."""
    empty = tmp_path / "vide.csv"
    empty.write_text(HEADER_ONLY, encoding="utf-8")
    return own_demo_workspace, empty


def test_header_only_file_needs_vider_then_restaurer_brings_every_row_back(capsys, demo):
    target, empty = demo
    operations = read(target, "operations")
    assert len(operations) == 317
    before = state(target)
    code, out, _ = run(capsys, "import", "operations", str(empty), "--workspace", str(target))
    assert code == cli.EXIT_INVALID
    assert "viderait la table (317 lignes)" in out
    assert "relancez avec --vider" in out
    assert state(target) == before

    code, out, _ = run(capsys, "import", "operations", str(empty), "--workspace", str(target),
                       "--vider", "--json")
    assert code == cli.EXIT_OK
    payload = json.loads(out)
    assert payload["imported"] is True
    import_id = payload["import_id"]
    assert read(target, "operations").empty

    code, out, _ = run(capsys, "restaurer", str(import_id), "--workspace", str(target))
    assert code == cli.EXIT_OK
    assert f"« operations » remis dans son état d'avant l'import n° {import_id} : 317 lignes" \
        in out
    pd.testing.assert_frame_equal(read(target, "operations"), operations)


def test_historique_lists_ids_in_french(capsys, demo):
    target, empty = demo
    run(capsys, "import", "operations", str(empty), "--workspace", str(target), "--vider")
    code, out, _ = run(capsys, "historique", "--workspace", str(target), "--json")
    assert code == cli.EXIT_OK
    imports = json.loads(out)["imports"]
    assert [i["id"] for i in imports] == list(range(DEMO_IMPORTS + 1, 0, -1))
    last = imports[0]
    assert (last["kind"], last["mode"], last["lignes"], last["lignes_avant"]) == (
        "operations", "remplacement", 0, 317)
    assert last["restaurable"] is True
    assert re.fullmatch(r"\d\d/\d\d/20\d\d \d\d:\d\d", last["date"])
    assert {i["mode"] for i in imports} == {"remplacement", "ajout"}  # demo declarations
    assert {i["role"] for i in imports} == {"administrateur"}

    code, out, _ = run(capsys, "historique", "--workspace", str(target), "--type", "signalements")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["N°", "Date", "(heure"]
    count = "2\u202f220"  # French thousands separator
    assert "remplacement" in lines[1]
    assert count in lines[1]
    assert "replace" not in out
    # numbers are aligned right under their title
    assert lines[0].index("Lignes") + len("Lignes") == lines[1].index(count) + len(count)


def test_restore_of_a_restore_and_refusals(capsys, demo):
    target, empty = demo
    operations = read(target, "operations")
    run(capsys, "import", "operations", str(empty), "--workspace", str(target), "--vider")
    wipe, restore_id = DEMO_IMPORTS + 1, DEMO_IMPORTS + 2
    restore = json.loads(run(capsys, "restaurer", str(wipe), "--workspace", str(target),
                             "--json")[1])
    assert restore == {"import_id": restore_id, "restaure": wipe, "kind": "operations",
                       "lignes_avant": 0, "lignes_apres": 317}
    before = state(target)
    code, _, err = run(capsys, "restaurer", str(restore_id), "--workspace", str(target))
    assert code == cli.EXIT_INVALID  # undoing the restore would empty the table again
    assert "--vider" in err
    code, _, err = run(capsys, "restaurer", "99", "--workspace", str(target))
    assert code == cli.EXIT_USAGE
    assert "aucun import n° 99" in err
    assert state(target) == before
    assert run(capsys, "restaurer", str(restore_id), "--workspace", str(target),
               "--vider")[0] == cli.EXIT_OK
    assert read(target, "operations").empty
    assert run(capsys, "restaurer", str(restore_id + 1), "--workspace",
               str(target))[0] == cli.EXIT_OK
    pd.testing.assert_frame_equal(read(target, "operations"), operations)


def test_mistyped_utilisateur_exits_2_and_writes_nothing(capsys, demo):
    target, _ = demo
    assert run(capsys, "utilisateurs", "add", "ddt38@isere.gouv.fr", "administrateur",
               "--workspace", str(target))[0] == cli.EXIT_OK
    before = state(target)
    for argv in (
        ["import", "operations", str(CORPUS / "ops_sisal.xlsx"), "--utilisateur",
         "ddt39@isere.gouv.fr"],
        ["restaurer", "4", "--utilisateur", "ddt39@isere.gouv.fr"],
        ["utilisateurs", "add", "pirate@x.fr", "administrateur", "--utilisateur", "ddt39"],
    ):
        code, _, err = run(capsys, *argv, "--workspace", str(target))
        assert code == cli.EXIT_USAGE, argv
        assert "n'est pas un utilisateur enregistré" in err
        assert f"l'administrateur local « {getpass.getuser()} »" in err
    assert state(target) == before
    with open_workspace(target) as ws:
        assert ws.users()["identifiant"].tolist() == ["ddt38@isere.gouv.fr"]
        assert ws.count("operations") == 317


def test_delegue_with_unknown_epci_is_refused_and_list_is_clean(capsys, demo):
    target, _ = demo
    before = state(target)
    code, _, err = run(capsys, "utilisateurs", "add", "x@y.fr", "delegue_epci", "--epci",
                       "200099999", "--workspace", str(target))
    assert code == cli.EXIT_USAGE
    assert "l'EPCI 200099999 n'existe pas dans le référentiel du département 38" in err
    assert state(target) == before
    run(capsys, "utilisateurs", "add", "delegue@metro.fr", "delegue_epci", "--epci",
        "200040715", "--nom", "Denis", "--workspace", str(target))
    run(capsys, "utilisateurs", "add", "marie.durand@isere.gouv.fr", "comite",
        "--workspace", str(target))
    code, out, _ = run(capsys, "utilisateurs", "list", "--workspace", str(target))
    assert code == cli.EXIT_OK
    assert "nan" not in out.lower()
    header, *rows = out.splitlines()
    assert header.split() == ["Identifiant", "Rôle", "EPCI", "Nom"]
    assert rows[0].split()[:4] == ["delegue@metro.fr", "délégué", "EPCI", "200040715"]
    assert "Grenoble-Alpes-Métropole" in rows[0]
    assert rows[1].split() == ["marie.durand@isere.gouv.fr", "comité", "–",
                               "marie.durand@isere.gouv.fr"]
    columns = [header.index(t) for t in ("Rôle", "EPCI", "Nom")]
    for row in rows:  # every column starts where its title does
        assert all(row[c - 2 : c] == "  " and row[c] != " " for c in columns), row
