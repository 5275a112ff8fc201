"""``territoires actions``: the JSON contract and the text, on the Isère demo."""

from __future__ import annotations

import json

from dashboard.cli import common as cli
from dashboard.cli import main
from dashboard.programme.actions import ACTION_KEYS


def _json(capsys, argv: list[str]) -> dict:
    capsys.readouterr()
    assert main(argv) == cli.EXIT_OK
    return json.loads(capsys.readouterr().out)


def test_actions_json_contract(demo_workspace, capsys):
    payload = _json(capsys, ["actions", "--json", "--workspace", str(demo_workspace)])
    assert list(payload)[:2] == ["departement", "date_reference"]
    assert payload["date_reference"] == "2024-12-31"
    assert "données de démonstration" in payload["source"]
    actions = payload["actions"]
    assert len(actions) == 16
    for action in actions:
        assert list(action)[: len(ACTION_KEYS)] == ACTION_KEYS
        assert action["avancement"] is None or 0 <= action["avancement"] <= 1
        for link in action["indicateurs"]:
            assert {"indicateur", "territoire_type", "territoire_code", "objectif", "realise",
                    "taux", "statut"} <= set(link)  # fmt: skip
    fsl = next(a for a in actions if a["code"] == "5.3")
    assert [j["libelle"] for j in fsl["jalons_en_retard"]] == [
        "Règlement intérieur du FSL révisé", "Volet énergie du FSL en vigueur"]
    assert fsl["en_retard"]
    assert fsl["echeance_depassee"]
    plai = next(a for a in actions if a["code"] == "1.1")["indicateurs"][0]
    indicators = _json(capsys, ["indicators", "--json", "--workspace", str(demo_workspace),
                                "--date", "2024-12-31", "--level", "departement"])
    want = next(r for r in indicators["indicators"]
                if r["indicateur"] == "plai" and r["periode"] == "2021-2026")  # fmt: skip
    assert (plai["objectif"], plai["realise"], plai["statut"]) == (
        want["objectif"], want["realise"], want["statut"])


def test_actions_at_another_date(demo_workspace, capsys):
    payload = _json(capsys, ["actions", "--json", "--workspace", str(demo_workspace),
                             "--date", "2022-12-31"])  # fmt: skip
    assert payload["date_reference"] == "2022-12-31"
    late = {a["code"] for a in payload["actions"] if a["jalons_en_retard"]}
    assert late == {"2.3"}


def test_actions_text_by_axe(demo_workspace, capsys):
    capsys.readouterr()
    assert main(["actions", "--workspace", str(demo_workspace)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "Programme d'actions au 31/12/2024" in out
    assert "Prévention des expulsions" in out
    assert "jalon en retard : CIA de la CAPI signée (prévu le 30/06/2023, 550 jours)" in out


def test_actions_usage_errors(demo_workspace, capsys):
    assert main(["actions", "--workspace", str(demo_workspace), "--date", "hier"]) == \
        cli.EXIT_USAGE
    assert main(["actions", "--workspace", str(demo_workspace), "--departement", "73"]) == \
        cli.EXIT_USAGE
    assert "appartient au département 38" in capsys.readouterr().err
