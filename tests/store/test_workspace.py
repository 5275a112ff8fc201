"""Workspace store: round trips per kind, all-or-nothing imports, audit trail, crash safety,
and the « Données » page rendering from the workspace."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import shapely
from openpyxl import load_workbook

from dashboard import settings
from dashboard.intake.imports import import_file
from dashboard.intake.templates import template_csv, template_geojson, template_xlsx
from dashboard.store.schemas import KINDS, coerce_frame
from dashboard.store.workspace import (
    DATABASE_FILE,
    LOCATIONS_KEPT,
    Workspace,
    WorkspaceError,
    open_workspace,
)
from tests.paths import CORPUS, ROOT

#: Rows typed as a user means them; written into the templates in each format.
ROWS: dict[str, list[dict]] = {
    "instances": [
        {"instance_code": "GRE", "instance_nom": "Grésivaudan", "instance_type": "clh",
         "code_insee": None, "epci_siren": "200018166"},
        {"instance_code": "S1", "instance_nom": "Secteur Nord", "instance_type": "secteur_pdh",
         "code_insee": "38053", "epci_siren": None},
    ],
    "objectifs": [
        {"territoire_type": "departement", "territoire_code": "38", "indicateur": "plai",
         "annee_debut": 2021, "annee_fin": 2026, "valeur": 4500.0, "source": "PDALHPD"},
        {"territoire_type": "epci", "territoire_code": "200040715", "indicateur": "plai",
         "annee_debut": 2021, "annee_fin": 2026, "valeur": 2010.5, "source": None},
    ],
    "realisations": [
        {"territoire_type": "commune", "territoire_code": "38185",
         "indicateur": "contingent_attributions", "annee": 2023, "valeur": 412.0,
         "source": "SYPLO", "auteur": "DDETS", "statut_validation": None, "motif_revue": None},
        {"territoire_type": "epci", "territoire_code": "200040715",
         "indicateur": "menages_dalo_reloges", "annee": 2024, "valeur": 120.0,
         "source": None, "auteur": "delegue@metro.fr", "statut_validation": "a_revoir",
         "motif_revue": "Doublon avec SYPLO ?"},
    ],
    "operations": [
        {"id_operation": "OP-1", "code_insee": "38185", "annee": 2023, "nb_plai": 12,
         "nb_plus": 20, "nb_pls": None, "statut": "agreee", "bailleur": "Grenoble Habitat",
         "libelle": "Les Jardins", "latitude": 45.1885, "longitude": 5.7245},
        {"id_operation": "OP-2", "code_insee": "38053", "annee": 2024, "nb_plai": 0,
         "nb_plus": None, "nb_pls": 3, "statut": None, "bailleur": None, "libelle": None,
         "latitude": None, "longitude": None},
    ],
    "signalements": [
        {"id_signalement": "SL-1", "code_insee": "38185", "date_signalement": dt.date(2024, 3, 15),
         "statut": "ferme", "procedure": "non_decence", "date_cloture": dt.date(2024, 9, 1),
         "motif_cloture": "travaux_faits_ou_en_cours", "latitude": 45.19, "longitude": 5.72},
        {"id_signalement": "SL-2", "code_insee": "38563", "date_signalement": dt.date(2025, 1, 2),
         "statut": None, "procedure": None, "date_cloture": None, "motif_cloture": None,
         "latitude": None, "longitude": None},
    ],
    "plans": [
        {"type_plan": "PDALHPD", "territoire_type": "departement", "territoire_code": "38",
         "intitule": "PDALHPD 2021-2026", "statut": "en_vigueur",
         "date_debut": dt.date(2021, 1, 1), "date_fin": dt.date(2026, 12, 31),
         "objectif_plai_annuel": 750.0, "volet_defavorises": True},
        {"type_plan": "PLH", "territoire_type": "epci", "territoire_code": "200059392",
         "intitule": "PLH Bièvre Isère", "statut": "en_elaboration", "date_debut": None,
         "date_fin": None, "objectif_plai_annuel": None, "volet_defavorises": False},
    ],
    "commentaires": [
        {"territoire_type": "epci", "territoire_code": "200040715", "date": dt.date(2025, 3, 15),
         "texte": "Deux opérations décalées, foncier « rare »", "auteur": "Marie Durand",
         "action": "1.1", "statut_validation": "declare", "motif_revue": None},
        {"territoire_type": "commune", "territoire_code": "38185", "date": dt.date(2025, 4, 1),
         "texte": "RAS", "auteur": "comite@isere.fr", "action": None,
         "statut_validation": None, "motif_revue": None},
    ],
    "actions": [
        {"code": "2.1", "axe": "Prévention des expulsions",
         "intitule": "Renforcer les CCAPEX locales", "pilote": "DDETS",
         "partenaires": "Département, CAF", "budget": 120000.0, "etp": 1.5,
         "date_debut": dt.date(2021, 1, 1), "date_fin": dt.date(2026, 12, 31),
         "statut": "en_cours", "indicateurs": "accompagnements_avdl,plai",
         "territoires": "epci:200040715,commune:38185"},
        {"code": "10", "axe": "Accès au logement", "intitule": "Cotation de la demande",
         "pilote": "EPCI", "partenaires": None, "budget": None, "etp": None,
         "date_debut": None, "date_fin": None, "statut": "a_engager", "indicateurs": None,
         "territoires": None},
    ],
    "jalons": [
        {"action": "2.1", "libelle": "Charte signée", "date_prevue": dt.date(2022, 6, 30),
         "date_realisee": dt.date(2022, 9, 15)},
        {"action": "2.1", "libelle": "Évaluation", "date_prevue": dt.date(2025, 6, 30),
         "date_realisee": None},
    ],
    "populations": [
        {"code_insee": "38185", "population": 158240, "millesime": 2021},
        {"code_insee": "38001", "population": 6102, "millesime": 2021},
    ],
    "expulsions": [
        {"territoire_type": "epci", "territoire_code": "200040715", "annee": 2024,
         "etape": "assignation", "nombre": 640, "saisines_ccapex": 410,
         "issues_favorables_ccapex": 150, "source": "DDETS"},
        {"territoire_type": "commune", "territoire_code": "38185", "annee": 2024,
         "etape": "expulsion_effective", "nombre": 61, "saisines_ccapex": None,
         "issues_favorables_ccapex": None, "source": None},
    ],
    "dalo": [
        {"territoire_type": "epci", "territoire_code": "200040715", "annee": 2024,
         "recours_deposes": 520, "decisions_favorables": 210, "menages_reloges": 150,
         "delai_median_mois": 7.5, "source": "InfoDALo"},
    ],
    "attributions_prioritaires": [
        {"territoire_type": "epci", "territoire_code": "200040715", "annee": 2024,
         "dispositif": "accord_collectif", "bailleur": None, "objectif": 700, "realise": 610,
         "dont_dalo": 140, "dont_sortants_hebergement": 95, "source": "SYPLO"},
        {"territoire_type": "departement", "territoire_code": "38", "annee": 2024,
         "dispositif": "contingent_prefectoral", "bailleur": "SDH", "objectif": None,
         "realise": 400, "dont_dalo": None, "dont_sortants_hebergement": None,
         "source": None},
    ],
    "siao": [
        {"territoire_type": "epci", "territoire_code": "200040715", "annee": 2024,
         "demandes": 4200, "orientations": 1900, "places": 2300, "source": "SI-SIAO"},
    ],
    "fsl": [
        {"territoire_type": "epci", "territoire_code": "200040715", "annee": 2024,
         "volet": "acces", "nb_aides": 1450, "montant": 812000.5, "source": "FSL"},
        {"territoire_type": "commune", "territoire_code": "38185", "annee": 2023,
         "volet": "energie", "nb_aides": 900, "montant": 230000.0, "source": None},
    ],
}
TABULAR = [k for k in KINDS if not KINDS[k].geo]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value)


def fill_csv(kind: str) -> bytes:
    """The CSV template with rows appended as a French Excel user would type them."""
    lines = [";".join(_csv_cell(row[c]) for c in KINDS[kind].names) for row in ROWS[kind]]
    return template_csv(kind) + ("\r\n".join(lines) + "\r\n").encode("utf-8")


def fill_xlsx(kind: str) -> bytes:
    """The XLSX template with typed cells written from line 2 of its first sheet."""
    wb = load_workbook(io.BytesIO(template_xlsx(kind)))
    ws = wb.worksheets[0]
    names = KINDS[kind].names
    for r, row in enumerate(ROWS[kind], start=2):
        for c, name in enumerate(names, start=1):
            value = row[name]
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(ws: Workspace) -> str:
    """SQLite: SHA-256 of the file. PostgreSQL: of every table and the log, as text."""
    if ws.database_path is not None:
        return sha(ws.database_path)
    tables = [ws.read(kind).to_csv() for kind in KINDS]
    return hashlib.sha256("".join([*tables, ws.history().to_csv()]).encode()).hexdigest()


@pytest.fixture
def ws(tmp_path) -> Workspace:
    workspace = open_workspace(tmp_path / "ws")
    yield workspace
    workspace.close()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", TABULAR)
def test_round_trip_template_to_workspace(kind, fmt, ws, isere):
    data = fill_xlsx(kind) if fmt == "xlsx" else fill_csv(kind)
    name = f"modele_{kind}.{fmt}"
    report = import_file(kind, data, name, ws, isere)
    assert report.valid, [m.message for m in report.errors]
    assert report.warnings == []
    assert report.imported
    expected = coerce_frame(kind, pd.DataFrame(ROWS[kind]))
    back = ws.read(kind)
    pd.testing.assert_frame_equal(report.frame, expected)
    pd.testing.assert_frame_equal(back, expected)
    assert back.columns.tolist() == KINDS[kind].names


def test_round_trip_perimeters(ws, isere):
    """GeoJSON template filled with two whole EPCI drawn in WGS84 → their communes."""
    from geo.reference import dissolve_by

    payload = json.loads(template_geojson("perimetres"))
    chosen = isere.communes[isere.communes["epci_siren"].isin(["200030658", "243800745"])]
    shapes = dissolve_by(chosen, "epci_siren")
    codes = {"200030658": ("TRI", "Trièves"), "243800745": ("OIS", "Oisans")}
    for siren, geom in zip(shapes["epci_siren"], shapes.geometry, strict=True):
        payload["features"].append({
            "type": "Feature",
            "properties": {"instance_code": codes[siren][0], "instance_nom": codes[siren][1],
                           "instance_type": "territoire"},
            "geometry": json.loads(shapely.to_geojson(geom)),
        })
    data = json.dumps(payload).encode()
    report = import_file("perimetres", data, "modele_perimetres.geojson", ws, isere)
    assert report.valid, [m.message for m in report.errors]
    back = ws.read("perimetres")
    pd.testing.assert_frame_equal(back, report.frame)
    expected = {(codes[s][0], c) for s, c in zip(chosen["epci_siren"], chosen["code_insee"],
                                                  strict=True)}
    assert set(zip(back["instance_code"], back["code_insee"], strict=True)) == expected
    assert set(back["instance_type"]) == {"territoire"}


def test_rejected_import_leaves_database_byte_identical(ws, isere):
    good = (CORPUS / "ops_cp1252_semicolon.csv").read_bytes()
    assert import_file("operations", good, "ops.csv", ws, isere).imported
    db = ws.database_path
    ws.close()
    before = fingerprint(ws)
    for bad in ("ops_duplicate_id.csv", "ops_bad_year.csv", "legacy.xls", "empty.csv"):
        report = import_file("operations", (CORPUS / bad).read_bytes(), bad, ws, isere)
        assert not report.imported
        assert report.errors
    ws.close()
    assert fingerprint(ws) == before
    if db is not None:  # SQLite: no journal or temporary file left either
        assert sorted(p.name for p in db.parent.iterdir()) == [DATABASE_FILE]


def test_rejected_import_does_not_create_the_workspace(tmp_path, isere):
    target = open_workspace(tmp_path / "nouveau")
    bad = (CORPUS / "ops_negative.csv").read_bytes()
    assert not import_file("operations", bad, "ops_negative.csv", target, isere).imported
    assert not (tmp_path / "nouveau").exists()
    assert target.read("operations").empty


def test_replace_append_and_import_log(ws, isere):
    first = (CORPUS / "ops_cp1252_semicolon.csv").read_bytes()
    second = (CORPUS / "ops_sisal.xlsx").read_bytes()
    import_file("operations", first, "a.csv", ws, isere, user="alice")
    import_file("operations", second, "b.xlsx", ws, isere, user="bob")
    assert ws.read("operations")["id_operation"].tolist() == ["XL-1", "XL-2"]
    import_file("operations", first, "a.csv", ws, isere, mode="append", user="carole")
    assert ws.read("operations")["id_operation"].tolist() == ["XL-1", "XL-2", "SISAL-1", "SISAL-2"]
    log = ws.history()
    assert log["utilisateur"].tolist() == ["carole", "bob", "alice"]
    assert log["mode"].tolist() == ["append", "replace", "replace"]
    assert log["fichier"].tolist() == ["a.csv", "b.xlsx", "a.csv"]
    assert log["sha256"].iloc[1] == hashlib.sha256(second).hexdigest()
    assert log["lignes"].tolist() == [2, 2, 2]
    assert log["avertissements"].tolist() == [2, 0, 2]
    assert log["kind"].unique().tolist() == ["operations"]
    assert log["departement"].unique().tolist() == ["38"]
    assert log["horodatage"].notna().all()


def test_revision_changes_with_every_write_and_only_then(ws, isere, tmp_path):
    """The app's cache key: same key without a write, a new one after each write, seen by
    a second handle on the same store (another replica), and distinct per workspace."""
    data = (CORPUS / "ops_cp1252_semicolon.csv").read_bytes()
    empty = ws.revision()
    import_file("operations", data, "a.csv", ws, isere, user="alice")
    first = ws.revision()
    assert first != empty
    other_handle = open_workspace(ws.directory)
    assert other_handle.revision() == first
    import_file("operations", data, "a.csv", other_handle, isere, mode="append", user="bob")
    assert ws.revision() not in (empty, first)
    other_handle.close()
    assert not import_file("operations", b"id_operation;code_insee\n", "x.csv", ws, isere).imported
    assert open_workspace(ws.directory).revision() == ws.revision()
    elsewhere = open_workspace(tmp_path / "autre")
    import_file("operations", data, "a.csv", elsewhere, isere, user="alice")
    assert elsewhere.revision() != ws.revision()
    elsewhere.close()


def test_default_user_is_the_login(ws, isere):
    import getpass

    import_file("populations", (CORPUS / "pop_ok.csv").read_bytes(), "pop.csv", ws, isere)
    assert ws.history()["utilisateur"].iloc[0] == getpass.getuser()


def test_workspace_belongs_to_one_departement(ws, isere):
    from geo.reference import load_reference

    import_file("populations", (CORPUS / "pop_ok.csv").read_bytes(), "pop.csv", ws, isere)
    ws.close()
    before = fingerprint(ws)
    ain = load_reference("01")
    data = (CORPUS / "ops_leading_zero_ain.csv").read_bytes()
    with pytest.raises(WorkspaceError, match="appartient au département 38"):
        import_file("operations", data, "ain.csv", ws, ain)
    ws.close()
    assert fingerprint(ws) == before
    assert ws.departement == "38"


def test_workspace_dir_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(tmp_path / "ici"))
    assert settings.workspace_dir() == tmp_path / "ici"
    monkeypatch.delenv("TERRITOIRES_WORKSPACE")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert settings.workspace_dir() == tmp_path / ".local/share/territoires/workspace"


def test_database_url_overrides_the_file(monkeypatch, tmp_path, isere):
    url = f"sqlite:///{tmp_path / 'autre.db'}"
    monkeypatch.setenv("TERRITOIRES_DATABASE_URL", url)
    target = open_workspace(tmp_path / "dossier")
    assert target.database_path is None
    import_file("populations", (CORPUS / "pop_ok.csv").read_bytes(), "pop.csv", target, isere)
    target.close()
    assert (tmp_path / "autre.db").exists()
    assert not (tmp_path / "dossier").exists()


def test_context_reads_instances_from_the_workspace(monkeypatch, tmp_path, isere):
    from dashboard.intake.loader import instance_memberships_for

    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(tmp_path / "ws"))
    memberships, source = instance_memberships_for("38")
    assert "démonstration" in source  # no workspace yet: the demo CLH
    assert memberships["instance_code"].nunique() == 13
    fixed = (
        "instance_code;instance_nom;instance_type;code_insee;epci_siren\r\n"
        "GRE;Grésivaudan;clh;;200018166\r\nVOI;Voiron;clh;38563;\r\n"
    )
    with open_workspace() as ws:
        report = import_file("instances", fixed.encode(), "inst.csv", ws, isere)
    assert report.imported
    memberships, source = instance_memberships_for("38")
    assert "espace de travail" in source
    assert sorted(memberships["instance_code"].unique()) == ["GRE", "VOI"]
    gresivaudan = isere.communes.loc[isere.communes["epci_siren"] == "200018166", "code_insee"]
    assert set(memberships.loc[memberships["instance_code"] == "GRE", "code_insee"]) == set(
        gresivaudan
    )
    assert memberships.loc[memberships["instance_code"] == "VOI", "code_insee"].tolist() == [
        "38563"
    ]
    assert instance_memberships_for("73")[0].empty  # the workspace belongs to Isère only


_CHILD = """
import sys, time
from pathlib import Path
from dashboard.intake.imports import import_file
from dashboard.store.workspace import open_workspace
from geo.reference import load_reference

def progress(done, total):
    print(f"progress {done} {total}", flush=True)
    time.sleep(0.3)

ws = open_workspace(sys.argv[1])
report = import_file("operations", Path(sys.argv[2]).read_bytes(), "gros.csv", ws,
                     load_reference("38"), progress=progress)
print("fini", report.imported, flush=True)
"""


def test_killed_import_leaves_previous_data_intact(ws, isere, tmp_path):
    previous = (CORPUS / "ops_cp1252_semicolon.csv").read_bytes()
    import_file("operations", previous, "ops.csv", ws, isere)
    before = ws.read("operations")
    ws.close()
    big = tmp_path / "gros.csv"
    body = "".join(f"G-{i};38185;2022;{i % 40};{i % 7};agreee\r\n" for i in range(40_000))
    big.write_text("id_operation;code_insee;annee;nb_plai;nb_plus;statut\r\n" + body)
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(ws.directory), str(big)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    first = proc.stdout.readline()
    assert first.startswith("progress "), first  # inside the write transaction
    written, total = map(int, first.split()[1:])
    assert 0 < written < total == 40_000
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    after = ws.read("operations")
    pd.testing.assert_frame_equal(after, before)
    assert len(ws.history()) == 1
    if ws.database_path is not None:
        with sqlite3.connect(ws.database_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ws.close()
    # and the workspace still takes the next import
    report = import_file("operations", big.read_bytes(), "gros.csv", ws, isere)
    assert report.imported
    assert ws.count("operations") == 40_000


def test_donnees_page_renders_with_workspace(monkeypatch, tmp_path, isere):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(tmp_path / "ws"))
    target = open_workspace()
    import_file("plans", (CORPUS / "plans_ok.csv").read_bytes(), "plans_ok.csv", target, isere)
    target.close()
    at = AppTest.from_file(str(ROOT / "pages" / "donnees.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Données"
    assert [t.label for t in at.tabs] == [
        "Importer un fichier", "Tables", "Historique des imports", "Modèles"
    ]
    captions = " ".join(c.value for c in at.caption)
    assert "Taille maximale d'un fichier : " in captions
    assert "Espace de travail du département 38" in captions
    history = at.dataframe[-1].value
    assert history["Fichier"].tolist() == ["plans_ok.csv"]
    at.selectbox(key="donnees_table").set_value("plans").run()
    assert not at.exception
    assert "3 lignes." in " ".join(c.value for c in at.caption)


def test_donnees_page_without_workspace(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(tmp_path / "vide"))
    at = AppTest.from_file(str(ROOT / "pages" / "donnees.py"), default_timeout=60).run()
    assert not at.exception
    assert "pas encore créé" in at.info[0].value
    assert not (tmp_path / "vide").exists()


def test_donnees_page_upload_map_and_import(monkeypatch, tmp_path):
    """The whole page flow: upload, report with line/column, header mapping, import."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TERRITOIRES_WORKSPACE", str(tmp_path / "ws"))
    at = AppTest.from_file(str(ROOT / "pages" / "donnees.py"), default_timeout=60).run()
    at.selectbox(key="donnees_kind").set_value("operations").run()
    bad = (CORPUS / "ops_duplicate_id.csv").read_bytes()
    at.file_uploader(key="donnees_upload").set_value(("ops_duplicate_id.csv", bad, "text/csv"))
    at.run()
    assert not at.exception
    assert "Fichier invalide" in at.error[0].value
    errors = at.dataframe[0].value
    assert errors[["ligne", "colonne"]].values.tolist() == [[4, "N° opération"]]
    assert at.button[0].disabled

    data = (CORPUS / "ops_unmapped_header.csv").read_bytes()
    at.file_uploader(key="donnees_upload").set_value(("ops_unmapped_header.csv", data, "text/csv"))
    at.run()
    assert "Fichier invalide" in at.error[0].value
    mapping_box = at.selectbox[1]
    assert mapping_box.label == "« Logements très sociaux »"
    mapping_box.set_value("nb_plai").run()
    assert not at.exception
    assert "Fichier valide" in at.success[0].value
    at.button[0].click().run()
    assert not at.exception
    assert any("Import réussi (n° 1) : 1 lignes" in s.value for s in at.success)
    target = open_workspace()
    assert target.read("operations")["nb_plai"].tolist() == [7]
    assert target.history()["fichier"].tolist() == ["ops_unmapped_header.csv"]
    target.close()


def test_revision_of_some_kinds_ignores_the_others(ws, isere):
    """The map layers' key moves with instances only, not with operations."""
    ops = (CORPUS / "ops_cp1252_semicolon.csv").read_bytes()
    instances = fill_csv("instances")
    import_file("operations", ops, "a.csv", ws, isere, user="alice")
    layers = ws.revision(("instances", "perimetres"))
    whole = ws.revision()
    import_file("operations", ops, "a.csv", ws, isere, mode="append", user="bob")
    assert ws.revision(("instances", "perimetres")) == layers
    assert ws.revision() != whole
    assert import_file("instances", instances, "i.csv", ws, isere, user="carole").imported
    assert ws.revision(("instances", "perimetres")) != layers


def test_read_many_reads_again_only_the_kinds_written(ws, isere, monkeypatch, tmp_path):
    """The loader's tables: equal to a fresh reading; after an import of operations by
    another handle (another replica), operations are read again and the other kinds are
    not; a caller changing its frame leaves the next caller's intact."""
    ops = (CORPUS / "ops_cp1252_semicolon.csv").read_bytes()
    import_file("operations", ops, "a.csv", ws, isere, user="alice")
    assert import_file("instances", fill_csv("instances"), "i.csv", ws, isere).imported
    kinds = ("operations", "instances", "populations")
    first = ws.read_many(kinds)
    for kind in kinds:
        pd.testing.assert_frame_equal(first[kind], ws.read(kind))
    read: list[str] = []
    real_read = Workspace.read

    def counted(self: Workspace, kind: str, ids: bool = False) -> pd.DataFrame:
        read.append(kind)
        return real_read(self, kind, ids)

    monkeypatch.setattr(Workspace, "read", counted)
    again = ws.read_many(kinds)
    assert read == []
    again["instances"]["instance_nom"] = "changé"  # the caller's own copy
    assert (ws.read_many(kinds)["instances"]["instance_nom"] != "changé").all()
    other = open_workspace(ws.directory)
    import_file("operations", ops, "b.csv", other, isere, mode="append", user="bob")
    other.close()
    read.clear()
    after = ws.read_many(kinds)
    assert read == ["operations"]
    assert len(after["operations"]) == 2 * len(first["operations"])
    pd.testing.assert_frame_equal(after["instances"], first["instances"])
    # Only the latest workspaces are kept: after LOCATIONS_KEPT others, this one is read again.
    for n in range(LOCATIONS_KEPT):
        elsewhere = open_workspace(tmp_path / f"autre-{n}")
        import_file("operations", ops, "a.csv", elsewhere, isere, user="alice")
        elsewhere.read_many(kinds)
        elsewhere.close()
    read.clear()
    ws.read_many(kinds)
    assert read == list(kinds)


def test_server_engines_are_shared_sqlite_engines_are_not(tmp_path, isere, backend):
    """On PostgreSQL two handles on one workspace share the pool, and disposing one handle
    leaves the other working; on SQLite each handle has its own engine (the file may be
    replaced)."""
    first, second = open_workspace(tmp_path / "ws"), open_workspace(tmp_path / "ws")
    data = (CORPUS / "ops_cp1252_semicolon.csv").read_bytes()
    assert import_file("operations", data, "a.csv", first, isere, user="alice").imported
    assert (first.engine is second.engine) == (backend == "postgresql")
    first.close()
    assert len(second.read("operations")) == 2
    assert open_workspace(tmp_path / "ws").revision() == second.revision()
    second.close()
