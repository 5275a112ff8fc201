"""Write the Signal Logement exports of the corpus: the layout a user downloads.

The layout is Signal Logement's own (MTES-MCT/histologe, ``SignalementExportHeader`` and
``SignalementExportSelectableColumns``, every column ticked, « Géolocalisation » written as
« Longitude » and « Latitude »), with the values its ``SignalementExportFactory`` writes:
dates ``JJ/MM/AAAA``, statuses and closure motifs as their French labels, « Non
renseigné », « Oui »/« Non », phones between quotes. The CSV is what its OpenSpout writer
produces (UTF-8 with BOM, ``;``, fields with a space, a quote or a line break quoted, as
PHP's ``fputcsv`` does); the XLSX has real date cells (format ``DD/MM/YYYY``).

Rows: real Isère communes, every status and every closure motif Signal Logement uses,
multi-line descriptions. The people are invented (« Exemple »).

Run from the repository root: ``.venv/bin/python tests/corpus/build_signal_logement.py``.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

#: Every column of the export, in Signal Logement's order.
HEADERS = [
    "Référence", "Déposé le", "Statut", "Description", "Type déclarant", "Nom occupant",
    "Prénom occupant", "Tél. occupant", "Téléphone sec.", "E-mail occupant", "Adresse",
    "Code postal", "Commune", "Code INSEE", "EPCI", "Étage", "Escalier", "Appartement",
    "Complément", "Type occupant", "Situations", "Désordres", "Criticité au dépôt",
    "Début des désordres", "Étiquettes", "Photos", "Documents", "Nom bailleur",
    "Prénom bailleur", "Dénomination bailleur", "Adresse bailleur", "Code postal bailleur",
    "Ville bailleur", "Tél. bailleur", "Tél. sec. bailleur", "E-mail bailleur",
    "Propriétaire averti", "Date d'information du propriétaire",
    "Moyen d'information du propriétaire", "Nb personnes", "Nb enfants", "Enfants -6 ans",
    "Autre situation de vulnérabilité", "Allocataire", "Numéro allocataire",
    "Nature du logement", "Autres occupants désordres", "Superficie", "Logement social",
    "Préavis de départ", "Demande de relogement", "Déclarant tiers", "Nom tiers",
    "Matricule tiers", "E-mail tiers", "Structure tiers", "Lien tiers occupant",
    "Nombre de visites", "Date de la dernière visite", "Occupant présent dernière visite",
    "Statut de la dernière visite", "Ccl. de la dernière visite",
    "Comm. de la dernière visite", "Dernière MAJ le", "Fermé le", "Motif de clôture",
    "Commentaire de clôture", "Longitude", "Latitude",
]  # fmt: skip
DATE_HEADERS = ("Déposé le", "Date de la dernière visite", "Dernière MAJ le", "Fermé le",
                "Date d'information du propriétaire")  # fmt: skip

#: (code INSEE, commune, code postal, EPCI, longitude, latitude) of real Isère communes.
COMMUNES = {
    "38185": ("Grenoble", "38000", "Grenoble-Alpes-Métropole", 5.7245, 45.1885),
    "38563": ("Voiron", "38500", "CA du Pays Voironnais", 5.5917, 45.3643),
    "38053": ("Bourgoin-Jallieu", "38300", "CA Porte de l'Isère (CAPI)", 5.2740, 45.5862),
    "38151": ("Échirolles", "38130", "Grenoble-Alpes-Métropole", 5.7190, 45.1436),
    "38544": ("Vienne", "38200", "CA Vienne Condrieu", 4.8740, 45.5255),
    "38085": ("Charvieu-Chavagneux", "38230", "CC Lyon-Saint-Exupéry en Dauphiné", 5.1553,
              45.7464),
}

#: (statut, motif de clôture): every status and every motif, open ones first.
CASES = [
    ("nouveau", None), ("en cours", None), ("en cours", None), ("refusé", None),
    ("fermé", "Travaux faits ou en cours"), ("fermé", "Logement mis en conformité"),
    ("fermé", "Relogement occupant"), ("fermé", "Insalubrité"),
    ("fermé", "Mise en sécurité / Péril"), ("fermé", "RSD"), ("fermé", "Non décence"),
    ("fermé", "Pas d'infraction dans le logement"), ("fermé", "Départ occupant"),
    ("fermé", "Logement vendu"), ("fermé", "Abandon de procédure / absence de réponse"),
    ("fermé", "Demande fermeture / abandon occupant"),
    ("fermé", "Absence de réponse occupant"), ("fermé", "Refus de visite"),
    ("fermé", "Refus de travaux"), ("fermé", "Responsabilité de l'occupant / assurantiel"),
    ("fermé", "Gestion du dossier externe"), ("fermé", "Hors périmètre LHI"),
    ("fermé", "Hors compétence"), ("fermé", "Doublon"), ("fermé", "Autre"),
    ("archivé", None),
]  # fmt: skip


def rows() -> list[dict[str, object]]:
    """One dict per signalement, keyed by header, dates as :class:`datetime.date`."""
    out = []
    codes = list(COMMUNES)
    for i, (statut, motif) in enumerate(CASES):
        code = codes[i % len(codes)]
        commune, cp, epci, lon, lat = COMMUNES[code]
        depot = dt.date(2024, 1 + i % 12, 3 + i)
        closed = depot + dt.timedelta(days=40 + 7 * i) if motif else None
        visite = depot + dt.timedelta(days=21)
        row: dict[str, object] = dict.fromkeys(HEADERS, "Non renseigné")
        row.update({
            "Référence": f"2024-{101 + i}",
            "Déposé le": depot,
            "Statut": statut,
            "Description": (
                f"Bonjour,\nl'appartement du {1 + i % 5}e étage est très humide ; les murs "
                f"noircissent.\nLe propriétaire ne répond pas aux « courriers ».\n\"Merci\""
            ),
            "Type déclarant": "Locataire" if i % 3 else "Tiers particulier",
            "Nom occupant": f"Exemple{i}",
            "Prénom occupant": "Camille",
            "Tél. occupant": f"'06{i:08d}'",
            "E-mail occupant": f"camille.exemple{i}@example.org",
            "Adresse": f"{3 + i} rue de l'Exemple",
            "Code postal": cp,
            "Commune": commune,
            "Code INSEE": code,
            "EPCI": epci,
            "Type occupant": "Locataire",
            "Situations": "Insalubrité, Sécurité des occupants",
            "Désordres": "- Humidité et moisissures\n- Installation électrique dangereuse",
            "Criticité au dépôt": round(20.5 + 2.5 * i, 1),
            "Étiquettes": "",
            "Photos": "-",
            "Documents": "-",
            "Nom bailleur": "Bailleur Exemple",
            "Propriétaire averti": "Oui" if i % 2 else "Non",
            "Nb personnes": 1 + i % 5,
            "Nb enfants": i % 3,
            "Enfants -6 ans": "oui" if i % 3 else "non",
            "Allocataire": "Oui",
            "Nature du logement": "appartement",
            "Superficie": 30 + i,
            "Logement social": "Non",
            "Préavis de départ": "Non",
            "Demande de relogement": "Oui" if motif == "Relogement occupant" else "Non",
            "Déclarant tiers": "Non" if i % 3 else "Oui",
            "Nom tiers": "-" if i % 3 else "Exemple Tiers",
            "E-mail tiers": "-",
            "Structure tiers": "-",
            "Lien tiers occupant": "-" if i % 3 else "voisin",
            "Nombre de visites": 1,
            "Date de la dernière visite": visite,
            "Occupant présent dernière visite": "Oui",
            "Statut de la dernière visite": "Terminée",
            "Ccl. de la dernière visite": "INSALUBRITE" if i % 2 else "NON_DECENCE",
            "Comm. de la dernière visite": "Visite faite avec l'occupant.\nMoisissures.",
            "Dernière MAJ le": closed or visite,
            "Fermé le": closed,
            "Motif de clôture": motif,
            "Commentaire de clôture": "Dossier clos ; voir le rapport." if motif else None,
            "Longitude": lon,
            "Latitude": lat,
        })  # fmt: skip
        out.append(row)
    return out


def _fputcsv(values: list[str]) -> str:
    """One line as PHP's ``fputcsv`` writes it with ``;`` (OpenSpout's CSV writer)."""
    cells = []
    for value in values:
        if any(c in value for c in ';"\\\n\r\t '):
            value = '"' + value.replace('"', '""') + '"'
        cells.append(value)
    return ";".join(cells) + "\n"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def write_csv(path: Path) -> None:
    """The CSV export: UTF-8 with BOM, ``;``, LF line ends, multi-line quoted cells."""
    lines = [_fputcsv(HEADERS)]
    lines += [_fputcsv([_text(r[h]) for h in HEADERS]) for r in rows()]
    path.write_bytes(b"\xef\xbb\xbf" + "".join(lines).encode("utf-8"))


def write_xlsx(path: Path) -> None:
    """The XLSX export: one sheet, date cells formatted ``DD/MM/YYYY``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(HEADERS)
    for r in rows():
        ws.append([r[h] for h in HEADERS])
    for col, header in enumerate(HEADERS, start=1):
        if header in DATE_HEADERS:
            for cell in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                cell[0].number_format = "DD/MM/YYYY"
    wb.properties.created = wb.properties.modified = dt.datetime(2025, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())


def main() -> None:
    """Write both exports next to this script."""
    write_csv(HERE / "signal_logement_export.csv")
    write_xlsx(HERE / "signal_logement_export.xlsx")


if __name__ == "__main__":
    main()
