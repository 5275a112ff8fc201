"""``territoires utilisateurs`` and CLI imports under a registered user's role."""

from __future__ import annotations

import getpass
import json

from dashboard.cli import common as cli
from dashboard.cli import main
from dashboard.store.workspace import open_workspace

OTHER_EPCI = (b"territoire_type;territoire_code;indicateur;annee;valeur\n"
              b"epci;200040715;contingent_attributions;2024;3\n"
              b"epci;200018166;contingent_attributions;2024;9\n")


def test_users_add_list_remove_and_delegue_import(tmp_path, capsys):
    target = str(tmp_path / "ws")
    assert main(["utilisateurs", "add", "Delegue@Metro.fr", "delegue_epci", "--epci",
                 "200040715", "--nom", "Denis", "--workspace", target]) == cli.EXIT_OK
    assert main(["utilisateurs", "add", "x@y.fr", "delegue_epci", "--workspace", target]) == 2
    capsys.readouterr()
    assert main(["utilisateurs", "list", "--json", "--workspace", target]) == cli.EXIT_OK
    users = json.loads(capsys.readouterr().out)["utilisateurs"]
    assert users == [{"identifiant": "delegue@metro.fr", "nom": "Denis",
                      "role": "delegue_epci", "epci_siren": "200040715"}]

    data = tmp_path / "real.csv"
    data.write_bytes(OTHER_EPCI)
    code = main(["import", "realisations", str(data), "--workspace", target,
                 "--utilisateur", "delegue@metro.fr", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == cli.EXIT_INVALID
    assert payload["imported"] is False
    assert "ligne 3 (epci 200018166)" in payload["errors"][-1]["message"]
    # a délégué may not manage users
    assert main(["utilisateurs", "remove", "delegue@metro.fr", "--workspace", target,
                 "--utilisateur", "delegue@metro.fr"]) == cli.EXIT_INVALID
    # the local administrateur (no --utilisateur: the system user) may
    assert main(["import", "realisations", str(data), "--workspace", target]) == cli.EXIT_OK
    assert main(["utilisateurs", "remove", "delegue@metro.fr", "--workspace", target]) == 0
    assert main(["utilisateurs", "remove", "delegue@metro.fr", "--workspace", target]) == 1
    ws = open_workspace(target)
    log = ws.history()
    ws.close()
    assert log["kind"].tolist() == ["utilisateurs", "realisations", "utilisateurs"]
    assert log["role"].tolist() == ["administrateur"] * 3
    assert log["utilisateur"].tolist()[1] == getpass.getuser()
