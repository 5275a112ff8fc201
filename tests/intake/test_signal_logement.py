"""The Signal Logement export imports as a user downloads it (CSV and XLSX built from the
real layout by tests/corpus/build_signal_logement.py), on the real Isère reference."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.intake.imports import check_file, import_file
from dashboard.intake.layouts import SIGNAL_LOGEMENT, detect_layout
from dashboard.store.schemas import MOTIFS_CLOTURE, STATUTS_SIGNALEMENT
from dashboard.store.workspace import open_workspace
from tests.corpus.build_signal_logement import CASES, HEADERS
from tests.paths import CORPUS

FILES = ("signal_logement_export.csv", "signal_logement_export.xlsx")


def _check(name: str, isere, data: bytes | None = None):
    data = (CORPUS / name).read_bytes() if data is None else data
    return check_file("signalements", data, name, isere)


@pytest.mark.parametrize("name", FILES)
def test_the_export_imports_with_no_column_to_map(isere, name):
    report = _check(name, isere)
    assert report.valid, report.errors
    assert report.rows == len(CASES) == 26
    assert report.columns == {
        "id_signalement": "Référence", "date_signalement": "Déposé le", "statut": "Statut",
        "code_insee": "Code INSEE", "date_cloture": "Fermé le",
        "motif_cloture": "Motif de clôture", "longitude": "Longitude", "latitude": "Latitude",
    }  # fmt: skip
    assert report.unknown_headers == []
    frame = report.frame
    assert frame["id_signalement"].tolist()[:2] == ["2024-101", "2024-102"]
    assert frame["date_signalement"].iloc[0] == pd.Timestamp("2024-01-03")
    assert frame["date_cloture"].iloc[4] == pd.Timestamp("2024-07-14")
    assert frame["code_insee"].iloc[5] == "38085"
    assert frame["latitude"].iloc[0] == pytest.approx(45.1885)
    recognised = report.warnings[0].message
    assert "export Signal Logement reconnu, aucune colonne à associer" in recognised
    assert "« Référence » → id_signalement" in recognised


@pytest.mark.parametrize("name", FILES)
def test_every_personal_column_is_dropped_and_named(isere, name):
    report = _check(name, isere)
    personal = next(m.message for m in report.warnings if "données personnelles" in m.message)
    for header in ("Description", "Nom occupant", "Prénom occupant", "Tél. occupant",
                   "Téléphone sec.", "E-mail occupant", "Adresse", "Complément",
                   "Nom bailleur", "E-mail bailleur", "Numéro allocataire", "Nom tiers",
                   "Commentaire de clôture", "Comm. de la dernière visite"):  # fmt: skip
        assert f"« {header} »" in personal
    assert "29 colonnes de données personnelles supprimées à l'import" in personal
    unused = next(m.message for m in report.warnings if "non utilisées" in m.message)
    assert "« Criticité au dépôt »" in unused
    assert "« Désordres »" in unused
    # Every column of the export has a role: kept, dropped as personal, or unused.
    assert all(SIGNAL_LOGEMENT.role(h) for h in HEADERS)
    stored = " ".join(map(str, report.frame.to_numpy().ravel()))
    assert "Exemple" not in stored
    assert "example.org" not in stored


@pytest.mark.parametrize("name", FILES)
def test_statuses_and_motifs_become_stored_codes(isere, name):
    frame = _check(name, isere).frame
    assert set(frame["statut"]) == {"nouveau", "en_cours", "refuse", "ferme", "archive"}
    assert set(frame["statut"]) <= set(STATUTS_SIGNALEMENT)
    motifs = set(frame["motif_cloture"].dropna())
    assert motifs == set(MOTIFS_CLOTURE)  # the 21 motifs of Signal Logement, every one
    by_motif = frame.dropna(subset=["motif_cloture"]).set_index("motif_cloture")["procedure"]
    assert by_motif["insalubrite"] == "insalubrite"
    assert by_motif["peril"] == "peril"
    assert by_motif["rsd"] == "rsd"
    assert by_motif["non_decence"] == "non_decence"
    assert pd.isna(by_motif["travaux_faits_ou_en_cours"])


def test_both_formats_give_the_same_rows(isere):
    csv, xlsx = (_check(n, isere).frame for n in FILES)
    pd.testing.assert_frame_equal(csv, xlsx)


def test_an_export_without_the_insee_column_says_what_to_tick(isere):
    """Signal Logement does not tick « Code INSEE » by default: the error says so."""
    text = (CORPUS / FILES[0]).read_bytes().decode("utf-8-sig")
    lines = text.split("\n")
    lines[0] = lines[0].replace('"Code INSEE"', '"Code INSEE (ancien)"')
    report = _check("sans_insee.csv", isere, "\n".join(lines).encode("utf-8-sig"))
    assert not report.valid
    message = report.errors[0].message
    assert message.startswith("sans_insee.csv, ligne 1, colonne « code_insee »")
    assert "« Code INSEE » absente de l'export Signal Logement" in message
    assert "cochez les colonnes « Code INSEE », « Fermé le » et « Motif de clôture »" in message


def test_an_export_without_closure_columns_warns(isere):
    head = ";".join(["Référence", "Déposé le", "Statut", "Code INSEE", "Nom occupant"])
    data = f"\ufeff{head}\n2024-1;03/01/2024;en cours;38185;Exemple\n".encode()
    report = _check("court.csv", isere, data)
    assert report.valid
    assert any("« Fermé le », « Motif de clôture » absentes" in m.message
               for m in report.warnings)  # fmt: skip
    assert any("« Nom occupant »" in m.message for m in report.warnings)


def test_an_unknown_motif_is_kept_and_said(isere):
    head = "Référence;Déposé le;Statut;Code INSEE;Fermé le;Motif de clôture"
    data = (f"{head}\n2024-1;03/01/2024;fermé;38185;10/02/2024;Sinistre\n"
            f"2024-2;03/01/2024;fermé;38185;10/02/2024;Travaux faits ou en cours\n").encode()
    report = _check("motif.csv", isere, data)
    assert report.valid
    assert report.frame["motif_cloture"].tolist() == ["Sinistre", "travaux_faits_ou_en_cours"]
    note = next(m for m in report.warnings if "Sinistre" in m.message)
    assert note.line == 2
    assert "valeur « Sinistre » non reconnue, conservée telle quelle" in note.message


def test_layout_detection_needs_the_signature():
    assert detect_layout("signalements", HEADERS) is SIGNAL_LOGEMENT
    assert detect_layout("signalements", ["Référence", "Date de dépôt"]) is None
    assert detect_layout("operations", HEADERS) is None


def test_a_later_export_updates_the_same_references(isere, tmp_path):
    """« Référence » is the key: appending a newer export replaces, never duplicates."""
    with open_workspace(tmp_path / "ws") as ws:
        first = import_file("signalements", (CORPUS / FILES[1]).read_bytes(), FILES[1], ws,
                            isere, user="test")  # fmt: skip
        assert first.imported
        head = "Référence;Déposé le;Statut;Code INSEE;Fermé le;Motif de clôture"
        newer = (f"\ufeff{head}\n2024-101;03/01/2024;fermé;38185;02/03/2024;Relogement occupant\n"
                 f"2024-999;05/03/2024;nouveau;38563;;\n").encode()  # fmt: skip
        second = import_file("signalements", newer, "plus_recent.csv", ws, isere,
                             mode="append", user="test")  # fmt: skip
        assert second.imported
        table = ws.read("signalements")
    assert len(table) == 27  # 26 + one new reference
    assert table["id_signalement"].is_unique
    row = table.set_index("id_signalement").loc["2024-101"]
    assert (row["statut"], row["motif_cloture"]) == ("ferme", "relogement_occupant")
