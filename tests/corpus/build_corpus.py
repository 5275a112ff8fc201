"""Write the messy-file corpus used by ``tests/test_imports.py``.

Every file imitates something met in real life: Excel exports in cp1252, latin-1 or
UTF-8 with BOM, ``;``/``,``/tab, decimal commas, JJ/MM/AAAA dates, accented headers,
codes INSEE that lost their leading zero, codes of merged communes, drawings in
Lambert-93. Text files are written byte by byte so their encoding is exact; binary
ones (XLSX, GeoJSON, GeoPackage, zipped shapefile) are built from the real reference.

Run from the repository root: ``.venv/bin/python tests/corpus/build_corpus.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
from openpyxl import Workbook

from geo.reference import dissolve_by, load_reference

HERE = Path(__file__).resolve().parent


def text(name: str, content: str, encoding: str = "utf-8") -> None:
    """Write a text file with CRLF line ends, as Excel does."""
    (HERE / name).write_bytes(content.replace("\n", "\r\n").encode(encoding))


def xlsx(name: str, sheets: dict[str, list[list[object]]]) -> None:
    """Write a workbook whose sheets are given as rows."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.properties.created = wb.properties.modified = dt.datetime(2025, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    (HERE / name).write_bytes(buf.getvalue())


OPS_HEADER = "N° opération;Code INSEE commune;Année de programmation;Nb PLAI;Nb PLUS;Statut\n"


def tabular() -> None:
    """CSV and XLSX files of every tabular kind."""
    text("ops_cp1252_semicolon.csv",
         "N° opération;Code INSEE commune;Commune;Année de programmation;Date de décision;"
         "Nb PLAI;Nb PLUS;Nb PLS;Statut;Maître d'ouvrage;Latitude;Longitude\n"
         "SISAL-1;38185;Grenoble;2022;15/06/2022;12;20;0;Agréée;Grenoble Habitat;45,1885;5,7245\n"
         "SISAL-2;38053;Bourgoin-Jallieu;2023;01/12/2023;8;10;2;Programmée;Alpes Isère Habitat;"
         "45,59;5,27\n", "cp1252")
    text("ops_latin1_tab.txt",
         "Identifiant opération\tCode commune\tAnnée\tNombre de PLAI\tÉtat\tBailleur\n"
         "A-1\t38563\t2021\t5\tlivrée\tSDH\n"
         "A-2\t38421\t2021\t3\tabandonnée\tPluralis\n", "latin-1")
    text("ops_utf8_bom_comma.csv",
         "\ufeffid_operation,code_insee,annee,nb_plai,nb_plus,nb_pls,libelle\n"
         'X1,38185,2024,"4,0",0,0,"Résidence « Les Cèdres », tranche 2"\n'
         "X2,38151,2024,6,12,,Le Clos\n")
    text("ops_headers_case.csv",
         "ID_OPERATION;Code-Insee;ANNÉE;nb plai;NB  PLUS\n"
         "H1;38185;2020;1;2\n")
    text("ops_leading_zero_ain.csv", OPS_HEADER +
         "AIN-1;1001;2022;4;6;agreee\n"
         "AIN-2;1004;2022;10;0;livree\n"
         "AIN-3;1004;2023;2;0;livree\n", "cp1252")
    text("ops_merged_commune.csv", OPS_HEADER +
         "M-1;38021;2022;4;6;agreee\n"
         "M-2;38225;2022;1;0;agreee\n", "cp1252")
    text("ops_missing_required.csv",
         "N° opération;Code INSEE commune;Année de programmation;Nb PLUS\n"
         "R-1;38185;2022;6\n", "cp1252")
    text("ops_bad_statut.csv", OPS_HEADER +
         "S-1;38185;2022;4;6;agreee\n"
         "S-2;38185;2022;4;6;en cours\n", "cp1252")
    text("ops_duplicate_id.csv", OPS_HEADER +
         "D-1;38185;2022;4;6;agreee\n"
         "D-2;38185;2022;4;6;agreee\n"
         "D-1;38053;2023;1;1;livree\n", "cp1252")
    text("ops_negative.csv", OPS_HEADER +
         "N-1;38185;2022;-2;6;agreee\n", "cp1252")
    text("ops_bad_year.csv", OPS_HEADER +
         "Y-1;38185;2022;1;1;agreee\n"
         "Y-2;38185;2O22;1;1;agreee\n"
         "Y-3;38185;1899;1;1;agreee\n", "cp1252")
    text("ops_unknown_insee.csv", OPS_HEADER +
         "U-1;38999;2022;1;1;agreee\n"
         "U-2;69123;2022;1;1;agreee\n", "cp1252")
    text("ops_lambert_coords.csv",
         "id_operation;code_insee;annee;nb_plai;latitude;longitude\n"
         "L-1;38185;2022;3;6457000;913000\n")
    text("ops_blank_lines.csv", OPS_HEADER +
         "B-1;38185;2022;1;1;agreee\n"
         "\n"
         ";;;;;\n"
         "B-2;38185;2022;;1;agreee\n", "cp1252")
    text("ops_unmapped_header.csv",
         "id_operation;code_insee;annee;Logements très sociaux\n"
         "T-1;38185;2022;7\n")
    text("empty.csv", "")
    (HERE / "legacy.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    xlsx("ops_ain_numbers.xlsx", {"Feuil1": [
        ["id_operation", "code_insee", "annee", "nb_plai"],
        ["AX-1", 1053, 2024, 9],  # Bourg-en-Bresse typed as a number: 01053 → 1053
    ]})
    xlsx("ops_sisal.xlsx", {"Extraction Sisal": [
        ["N° opération", "Code INSEE", "Année", "PLAI", "PLUS", "PLS", "Statut"],
        ["XL-1", 38185, 2022, 12, 30, 0, "Agréée"],
        ["XL-2", 38053.0, 2023.0, 4.0, 8, None, "Livrée"],
    ]})

    text("sig_bad_date.csv",
         "Référence;Code INSEE;Date de dépôt;Procédure\n"
         "SL-1;38185;15/03/2024;Non-décence\n"
         "SL-2;38185;31/02/2024;RSD\n", "cp1252")
    text("sig_cloture_before.csv",
         "id_signalement,code_insee,date_signalement,date_cloture\n"
         "C-1,38185,2024-03-15,2024-01-10\n")
    text("sig_iso_dates_procedures.csv",
         "id_signalement\tcode_insee\tdate_signalement\tprocedure\tdate_cloture\tstatut\n"
         "I-1\t38185\t2023-05-02\tMise en sécurité\t2023-09-30\tFermé\n"
         "I-2\t38053\t2023-05-03 14:22:00\tInsalubrité\t\tEn cours\n"
         "I-3\t38563\t03/05/2023\t\t\tNouveau\n", "utf-8")
    xlsx("sig_personal.xlsx", {"Export": [
        ["Référence", "Date de dépôt", "Code INSEE", "Nom occupant", "Prénom",
         "Téléphone occupant", "Courriel", "Adresse du logement", "Statut", "Procédure"],
        ["P-1", dt.datetime(2024, 2, 1, 9, 30), "38185", "Dupont", "Jean", "06 00 00 00 00",
         "jean@example.org", "3 rue des Alpes", "En cours", "Non-décence"],
        ["P-2", dt.datetime(2024, 2, 3), "38053", "Martin", "Paul", "", "", "8 route de Lyon",
         "Nouveau", "RSD"],
    ]})

    obj_header = ["Type de territoire", "Code territoire", "Indicateur", "Année début",
                  "Année fin", "Valeur", "Source"]
    xlsx("obj_named_sheet.xlsx", {
        "Lisez-moi": [["Objectifs du plan — voir la feuille Objectifs"]],
        "Objectifs": [
            obj_header,
            ["departement", 38, "PLAI", 2021, 2026, 4500, "PDALHPD"],
            ["epci", "200040715", "plai", 2021, 2026, 2000.5, "PDALHPD"],
            ["commune", "38185", "contingent_attributions", 2021, 2026, 900, None],
        ],
    })
    text("obj_fin_avant_debut.csv",
         "territoire_type;territoire_code;indicateur;annee_debut;annee_fin;valeur\n"
         "departement;38;plai;2026;2021;4500\n")
    text("obj_unknown_indicator.csv",
         "territoire_type;territoire_code;indicateur;annee_debut;annee_fin;valeur\n"
         "departement;38;logements_adaptes;2021;2026;120\n"
         "departement;38;PLA-I;2021;2026;4500\n")
    text("obj_bad_territoire.csv",
         "territoire_type;territoire_code;indicateur;annee_debut;annee_fin;valeur\n"
         "region;84;plai;2021;2026;10\n"
         "epci;200046977;plai;2021;2026;10\n"
         "departement;73;plai;2021;2026;10\n")
    text("real_decimal_comma.csv",
         "territoire_type;territoire_code;indicateur;annee;valeur;source\n"
         "epci;200040715;parc_prive_social;2023;12,5;Anah\n"
         "departement;38;contingent_attributions;2023;1 234,5;SYPLO\n"
         "commune;38021;parc_prive_social;2023;3;Anah\n", "cp1252")
    text("plans_ok.csv",
         "type_plan,territoire_type,territoire_code,intitule,statut,date_debut,date_fin,"
         "objectif_plai_annuel,volet_defavorises\n"
         "PDALHPD,departement,38,PDALHPD 2021-2026,en vigueur,01/01/2021,31/12/2026,750,oui\n"
         "PLH,epci,200059392,PLH Bièvre Isère,En élaboration,,,,\n"
         "plh,epci,243800984,PLH Pays Voironnais 2015-2022,échu,2015-01-01,2022-12-31,\"80,5\","
         "non\n")
    text("plans_bad_statut.csv",
         "type_plan,territoire_type,territoire_code,intitule,statut,date_debut,date_fin\n"
         "PLH,epci,200040715,PLH GAM,signé,01/01/2025,31/12/2030\n")
    text("plans_missing_dates.csv",
         "type_plan,territoire_type,territoire_code,intitule,statut,date_debut,date_fin\n"
         "PLH,epci,200040715,PLH GAM,en_vigueur,01/01/2025,\n")
    text("pop_ok.csv", "code_insee;population;millesime\n38185;158 240;2021\n38053;29 000;2021\n")
    text("pop_duplicate_after_merge.csv",
         "code_insee;population;millesime\n38225;3000;2021\n38021;1800;2021\n")
    text("inst_both_codes.csv",
         "instance_code;instance_nom;instance_type;code_insee;epci_siren\n"
         "GRE;Grésivaudan;clh;;200018166\n"
         "GRE;Grésivaudan;clh;38185;200018166\n"
         "GRE;Grésivaudan;clh;;\n", "cp1252")
    text("inst_unknown_epci.csv",
         "instance_code;instance_nom;instance_type;code_insee;epci_siren\n"
         "X;Ailleurs;CLH;;200046977\n"
         "X;Ailleurs;comité;38185;\n", "cp1252")


def geographic() -> None:
    """Drawn perimeters built from real Isère communes, in Lambert-93."""
    ref = load_reference("38")
    communes = ref.communes.to_crs("EPSG:2154")
    chosen = communes[communes["epci_siren"].isin(["200040715", "200018166"])]
    drawing = dissolve_by(chosen, "epci_siren").rename(columns={"epci_siren": "siren"})
    drawing["Code"] = drawing["siren"].map({"200040715": "AGG", "200018166": "GRE"})
    drawing["Nom"] = drawing["siren"].map(
        {"200040715": "Agglomération grenobloise", "200018166": "Grésivaudan"}
    )
    drawing = drawing[["Code", "Nom", "geometry"]]
    drawing.to_file(HERE / "perim_l93.geojson", driver="GeoJSON")
    gpkg = HERE / "perim.gpkg"
    gpkg.unlink(missing_ok=True)
    drawing.to_file(gpkg, driver="GPKG", layer="clh")
    with tempfile.TemporaryDirectory() as tmp:
        drawing.to_file(Path(tmp) / "clh.shp")
        with zipfile.ZipFile(HERE / "perim_shp.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(Path(tmp).iterdir()):
                archive.write(part, f"export_clh/{part.name}")
    gpd.GeoDataFrame({"Nom": ["Sans code"]}, geometry=list(drawing.geometry[:1]),
                     crs="EPSG:2154").to_file(HERE / "perim_no_code.geojson", driver="GeoJSON")
    far = drawing.copy()
    far["geometry"] = far.translate(xoff=-500_000)  # drawn in the wrong place (the Atlantic)
    far.to_file(HERE / "perim_wrong_place.geojson", driver="GeoJSON")


if __name__ == "__main__":
    tabular()
    geographic()
