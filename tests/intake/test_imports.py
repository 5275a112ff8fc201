"""The messy-file corpus: each file accepted with its normalisation and warnings, or
rejected with the exact line and column (real Isère and Ain references, no mocks)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pytest

from dashboard.intake.imports import UnknownKindError, check_file
from dashboard.intake.readers import decode_text, detect_delimiter, sniff_format
from dashboard.store.schemas import normalise_header
from tests.paths import CORPUS


@pytest.fixture(scope="module")
def ain():
    """The real Ain reference (codes 01xxx lose their leading zero in spreadsheets)."""
    from geo.reference import load_reference

    return load_reference("01")


@dataclass(frozen=True)
class Case:
    """Expected outcome of one corpus file."""

    file: str
    kind: str
    errors: tuple[tuple[int | None, str | None], ...] = ()
    warnings: tuple[str, ...] = ()
    values: dict[str, list] = field(default_factory=dict)
    departement: str = "38"
    sheet: str | None = None
    mapping: dict[str, str] | None = None
    details: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.file


CASES = [
    # --- accepted, with normalisation -------------------------------------------------
    Case("ops_cp1252_semicolon.csv", "operations",
         warnings=("« Commune » : colonne non reconnue", "« Date de décision » : colonne non"),
         values={"statut": ["agreee", "programmee"], "latitude": [45.1885, 45.59],
                 "bailleur": ["Grenoble Habitat", "Alpes Isère Habitat"], "nb_pls": [0, 2]},
         details={"encodage": "cp1252", "separateur": "point-virgule"}),
    Case("ops_latin1_tab.txt", "operations",
         values={"statut": ["livree", "abandonnee"], "nb_plai": [5, 3], "annee": [2021, 2021]},
         details={"separateur": "tabulation"}),
    Case("ops_utf8_bom_comma.csv", "operations",
         values={"nb_plai": [4, 6], "nb_pls": [0, None],
                 "libelle": ["Résidence « Les Cèdres », tranche 2", "Le Clos"]},
         details={"encodage": "utf-8-sig", "separateur": "virgule"}),
    Case("ops_headers_case.csv", "operations", values={"nb_plus": [2], "annee": [2020]}),
    Case("ops_leading_zero_ain.csv", "operations", departement="01",
         warnings=("« 1001 » complété en « 01001 »", "« 1004 » complété en « 01004 » (zéro "
                   "initial perdu) (lignes 3, 4)"),
         values={"code_insee": ["01001", "01004", "01004"]}),
    Case("ops_ain_numbers.xlsx", "operations", departement="01",
         warnings=("« 1053 » complété en « 01053 »",), values={"code_insee": ["01053"]}),
    Case("ops_merged_commune.csv", "operations",
         warnings=("« 38021 » de l'ancienne commune Autrans, fusionnée : remplacé par « 38225 »",),
         values={"code_insee": ["38225", "38225"]}),
    Case("ops_sisal.xlsx", "operations",
         values={"code_insee": ["38185", "38053"], "annee": [2022, 2023], "nb_pls": [0, None],
                 "statut": ["agreee", "livree"]},
         details={"feuille": "Extraction Sisal"}),
    Case("ops_unmapped_header.csv", "operations", mapping={"Logements très sociaux": "nb_plai"},
         values={"nb_plai": [7]}),
    Case("sig_personal.xlsx", "signalements",
         warnings=("« Nom occupant » : colonne de données personnelles supprimée",
                   "« Prénom » : colonne de données personnelles",
                   "« Téléphone occupant » : colonne de données personnelles",
                   "« Courriel » : colonne de données personnelles",
                   "« Adresse du logement » : colonne de données personnelles"),
         values={"date_signalement": [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-03")],
                 "procedure": ["non_decence", "rsd"]}),
    # The Signal Logement export as downloaded (tests/intake/test_signal_logement.py).
    *(Case(f"signal_logement_export.{ext}", "signalements",
           warnings=("export Signal Logement reconnu",
                     "29 colonnes de données personnelles supprimées à l'import : "
                     "« Description », « Nom occupant »"),
           values={"statut": ["nouveau", "en_cours", "en_cours", "refuse"] + ["ferme"] * 21
                   + ["archive"]})
      for ext in ("csv", "xlsx")),
    Case("sig_iso_dates_procedures.csv", "signalements",
         values={"procedure": ["peril", "insalubrite", None],
                 "date_signalement": [pd.Timestamp("2023-05-02"), pd.Timestamp("2023-05-03"),
                                      pd.Timestamp("2023-05-03")],
                 "date_cloture": [pd.Timestamp("2023-09-30"), None, None]}),
    Case("obj_named_sheet.xlsx", "objectifs", sheet="Objectifs",
         values={"territoire_code": ["38", "200040715", "38185"],
                 "indicateur": ["plai", "plai", "contingent_attributions"],
                 "valeur": [4500.0, 2000.5, 900.0], "source": ["PDALHPD", "PDALHPD", None]}),
    Case("obj_unknown_indicator.csv", "objectifs",
         warnings=("indicateur « logements_adaptes » absent du catalogue, accepté",),
         values={"indicateur": ["logements_adaptes", "plai"]}),
    Case("real_decimal_comma.csv", "realisations",
         warnings=("« 38021 » de l'ancienne commune Autrans",),
         values={"valeur": [12.5, 1234.5, 3.0], "territoire_code": ["200040715", "38", "38225"]}),
    Case("plans_ok.csv", "plans",
         values={"statut": ["en_vigueur", "en_elaboration", "echu"],
                 "type_plan": ["PDALHPD", "PLH", "PLH"],
                 "date_debut": [pd.Timestamp("2021-01-01"), None, pd.Timestamp("2015-01-01")],
                 "objectif_plai_annuel": [750.0, None, 80.5],
                 "volet_defavorises": [True, None, False]}),
    Case("pop_ok.csv", "populations", values={"population": [158240, 29000]}),
    Case("perim_l93.geojson", "perimetres", warnings=("commune(s) hors de tout périmètre",)),
    Case("perim.gpkg", "perimetres", warnings=("commune(s) hors de tout périmètre",)),
    Case("perim_shp.zip", "perimetres", warnings=("commune(s) hors de tout périmètre",)),
    # --- rejected, with line and column --------------------------------------------------
    Case("ops_missing_required.csv", "operations", errors=((1, "nb_plai"),)),
    Case("ops_unmapped_header.csv", "operations", errors=((1, "nb_plai"),),
         warnings=("« Logements très sociaux » : colonne non reconnue",)),
    Case("ops_bad_statut.csv", "operations", errors=((3, "Statut"),)),
    Case("ops_duplicate_id.csv", "operations", errors=((4, "N° opération"),)),
    Case("ops_negative.csv", "operations", errors=((2, "Nb PLAI"),)),
    Case("ops_bad_year.csv", "operations",
         errors=((3, "Année de programmation"), (4, "Année de programmation"))),
    Case("ops_unknown_insee.csv", "operations",
         errors=((2, "Code INSEE commune"), (3, "Code INSEE commune"))),
    Case("ops_lambert_coords.csv", "operations", errors=((2, "latitude"), (2, "longitude"))),
    Case("ops_blank_lines.csv", "operations", errors=((5, "Nb PLAI"),)),
    Case("empty.csv", "operations", errors=((None, None),)),
    Case("legacy.xls", "operations", errors=((None, None),)),
    Case("obj_named_sheet.xlsx", "objectifs",  # first sheet is a note, not the table
         errors=tuple((1, c) for c in ("territoire_type", "territoire_code", "indicateur",
                                       "annee_debut", "annee_fin", "valeur"))),
    Case("obj_fin_avant_debut.csv", "objectifs", errors=((2, "annee_fin"),)),
    Case("obj_bad_territoire.csv", "objectifs",
         errors=((2, "territoire_type"), (3, "territoire_code"), (4, "territoire_code"))),
    Case("sig_bad_date.csv", "signalements", errors=((3, "Date de dépôt"),)),
    Case("sig_cloture_before.csv", "signalements", errors=((2, "date_cloture"),)),
    Case("plans_bad_statut.csv", "plans", errors=((2, "statut"),)),
    Case("plans_missing_dates.csv", "plans", errors=((2, "date_fin"),)),
    Case("pop_duplicate_after_merge.csv", "populations", errors=((3, "code_insee"),),
         warnings=("« 38021 » de l'ancienne commune Autrans",)),
    Case("inst_both_codes.csv", "instances", errors=((3, "code_insee"), (4, "code_insee"))),
    Case("inst_unknown_epci.csv", "instances", errors=((2, "epci_siren"), (3, "instance_type"))),
    Case("perim_no_code.geojson", "perimetres", errors=((None, "instance_code"),)),
    Case("perim_wrong_place.geojson", "perimetres", errors=((None, None),)),
]


def test_corpus_is_large_enough():
    files = {p.name for p in CORPUS.iterdir() if p.is_file() and p.suffix != ".py"}
    assert len(files) >= 30
    assert files == {c.file for c in CASES}, "every corpus file has an expected outcome"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_corpus_file(case: Case, isere, ain):
    reference = ain if case.departement == "01" else isere
    data = (CORPUS / case.file).read_bytes()
    report = check_file(case.kind, data, case.file, reference, case.mapping, case.sheet)

    assert [(m.line, m.column) for m in report.errors] == list(case.errors), [
        m.message for m in report.errors
    ]
    assert report.valid is (not case.errors)
    for m in report.errors:  # every message names the file, and the line when there is one
        assert m.message.startswith(case.file)
        if m.line is not None:
            assert f"ligne {m.line}" in m.message
    shown = [m.message for m in report.warnings]
    for expected in case.warnings:
        assert any(expected in w for w in shown), (expected, shown)
    if not case.warnings and not case.errors and case.kind != "perimetres":
        assert shown == []
    for key, value in case.details.items():
        assert report.details[key] == value
    for column, expected in case.values.items():
        got = [None if pd.isna(v) else v for v in report.frame[column]]
        assert got == expected, column


def test_dtypes_of_a_normalised_frame(isere):
    data = (CORPUS / "ops_sisal.xlsx").read_bytes()
    frame = check_file("operations", data, "ops_sisal.xlsx", isere).frame
    assert frame.columns.tolist()[:4] == ["id_operation", "code_insee", "annee", "nb_plai"]
    assert pd.api.types.is_string_dtype(frame["code_insee"])
    assert str(frame["annee"].dtype) == "Int64"
    assert frame["latitude"].isna().all()


def test_perimeter_drawing_becomes_memberships(isere):
    data = (CORPUS / "perim_l93.geojson").read_bytes()
    report = check_file("perimetres", data, "perim_l93.geojson", isere)
    members = report.frame
    gam = set(isere.communes.loc[isere.communes["epci_siren"] == "200040715", "code_insee"])
    assert set(members.loc[members["instance_code"] == "AGG", "code_insee"]) == gam
    assert len(members) == 49 + 43  # GAM and Le Grésivaudan, each commune once
    assert set(members["instance_type"]) == {"clh"}


def test_errors_are_capped_with_a_summary(isere):
    body = "".join(f"Z{i};99999;2022;1\n" for i in range(1500))
    data = ("id_operation;code_insee;annee;nb_plai\n" + body).encode()
    report = check_file("operations", data, "big.csv", isere)
    assert len(report.errors) == 1001
    assert report.errors[-1].line is None
    assert "500 autres erreurs" in report.errors[-1].message
    assert report.errors[0].line == 2


def test_unknown_kind_is_refused(isere):
    with pytest.raises(UnknownKindError):
        check_file("communes", b"a;b\n", "x.csv", isere)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("  Code INSEE ", "code_insee"), ("Année de début", "annee_de_debut"),
     ("N° opération", "num_operation"), ("Maître-d'ouvrage", "maitre_d_ouvrage"),
     ("ŒUVRE", "oeuvre")],
)
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [("é;à\n".encode("utf-8-sig"), "utf-8-sig"), ("é;à\n".encode(), "utf-8"),
     ("é;€\n".encode("cp1252"), "cp1252"), (b"\xe9;\x81\n", "latin-1")],
)
def test_decode_text(raw, encoding):
    assert decode_text(raw)[1] == encoding


def test_detect_delimiter_and_format():
    assert detect_delimiter("a;b;c") == ";"
    assert detect_delimiter("a\tb\tc") == "\t"
    assert detect_delimiter('"x;y",b,c') == ","
    assert sniff_format(b'{"type": "FeatureCollection", "features": []}') == "geojson"
    assert sniff_format(b"a;b\n1;2\n") == "csv"


def test_header_only_file_is_valid_but_warns(isere):
    report = check_file("populations", b"code_insee;population;millesime\r\n", "vide.csv", isere)
    assert report.valid
    assert report.rows == 0
    assert "viderait la table" in report.warnings[0].message


def test_csv_whose_header_starts_with_pk_is_read_as_csv(isere):
    data = b"PK;code_insee;population;millesime\r\n1;38185;100;2021\r\n"
    report = check_file("populations", data, "pk.csv", isere)
    assert report.valid
    assert report.details["format"] == "csv"
