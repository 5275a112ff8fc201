"""XLSX workbook: one sheet per table, formatted for French Excel (openpyxl).

Every data sheet has a title line (row 1, with « données de démonstration » when
relevant), its source (row 2), then the header (row :data:`HEADER_ROW`) with frozen panes
and an autofilter. Values are stored unrounded — the numbers of ``territoires indicators
--json`` — and only displayed rounded. Number format codes are stored the OOXML way
(``#,##0``, ``0.0%``, ``dd/mm/yyyy``): French Excel shows them with its own separators
(« 1 234 », « 12,5 % »).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dashboard.coverage.model import SEVERITY_LABELS
from dashboard.exports.bundle import ExportBundle
from dashboard.spreadsheets import cell_value, set_cell
from dashboard.store.schemas import is_blank, label

HEADER_ROW = 3
INT = "#,##0"
DEC1 = "#,##0.0"
DEC2 = "0.00"
PCT = "0.0%"
PCT_UNITS = '0.0" %"'  # values already in percent (dissimilarity)
DATE = "dd/mm/yyyy"
COORD = "0.00000"
HEADER_FILL = PatternFill("solid", fgColor="000091")
HEADER_FONT = Font(bold=True, color="FFFFFF")


@dataclass(frozen=True)
class Col:
    """One column: key in the frame, French header, number format (None: text) and, for a
    column of stored codes, the field of :data:`dashboard.store.schemas.LABELS` whose French
    labels are written instead."""

    key: str
    header: str
    fmt: str | None = None
    width: int = 14
    labels: str | None = None


#: Sheet names.
SHEET_INDICATEURS = "Indicateurs"
SHEET_EQUILIBRE = "Équilibre"
SHEET_ECARTS = "Écarts"
SHEET_OPERATIONS = "Opérations"
SHEET_SIGNALEMENTS = "Signalements"
SHEET_PLH = "Calendrier PLH"
SHEET_ACTIONS = "Programme d’actions"
SHEET_JALONS = "Jalons"
SHEET_SOURCES = "Sources"
SHEET_CHAMPS = "Autres champs"

INDICATOR_COLUMNS = [
    Col("indicateur", "Indicateur", None, 22),
    Col("territoire_type", "Type de territoire", None, 12, "territoire_type"),
    Col("territoire_code", "Code", None, 11),
    Col("territoire_nom", "Territoire", None, 34),
    Col("periode", "Période", None, 11),
    Col("objectif", "Objectif", INT),
    Col("realise", "Réalisé", INT),
    Col("taux", "Taux de réalisation", PCT),
    Col("attendu_a_date", "Attendu à date", DEC1),
    Col("statut", "Statut", None, 20),
    Col("date_statut", "Statut au", DATE, 11),
    Col("annee_debut", "Année de début", "0", 9),
    Col("annee_fin", "Année de fin", "0", 9),
    Col("part_attendue", "Part de la période écoulée", PCT),
    Col("programme", "Programmé", INT),
    Col("objectif_annualise", "Objectif annualisé", None, 10),
    Col("annee_donnees", "Dernière année de données", "0", 10),
    Col("libelle", "Libellé", None, 34),
    Col("unite", "Unité", None, 14),
    Col("source", "Source", None, 60),
]
BALANCE_COLUMNS = [
    Col("indicateur", "Indicateur", None, 22),
    Col("niveau", "Niveau", None, 10),
    Col("instance_type", "Type d’instance", None, 10),
    Col("territoire_type", "Type de territoire", None, 12, "territoire_type"),
    Col("territoire_code", "Code", None, 11),
    Col("territoire_nom", "Territoire", None, 34),
    Col("periode", "Période", None, 11),
    Col("besoin", "Besoin", None, 12),
    Col("valeur_besoin", "Valeur du besoin", INT),
    Col("part_besoin", "Part du besoin", PCT),
    Col("objectif", "Objectif", INT),
    Col("part_objectif", "Part de l’objectif", PCT),
    Col("realise", "Réalisé", INT),
    Col("part_realise", "Part du réalisé", PCT),
    Col("indice_equilibre", "Indice d’équilibre (réalisé)", DEC2),
    Col("indice_equilibre_objectif", "Indice d’équilibre (objectif)", DEC2),
    Col("dissimilarite_realise", "Dissimilarité du réalisé", PCT_UNITS),
    Col("dissimilarite_objectif", "Dissimilarité de l’objectif", PCT_UNITS),
    Col("couverture_realise", "Couverture du réalisé", PCT),
    Col("source", "Source", None, 60),
]
FINDING_COLUMNS = [
    Col("rule", "Règle", None, 24),
    Col("rule_label", "Intitulé de la règle", None, 40),
    Col("severity", "Gravité", None, 11),
    Col("territoire_type", "Type de territoire", None, 12, "territoire_type"),
    Col("territoire_code", "Code", None, 11),
    Col("territoire_nom", "Territoire", None, 34),
    Col("message", "Constat", None, 80),
    Col("article", "Fondement", None, 24),
    Col("details", "Détails (JSON)", None, 40),
]
OPERATION_COLUMNS = [
    Col("id_operation", "Identifiant", None, 14),
    Col("code_insee", "Code INSEE", None, 10),
    Col("commune", "Commune", None, 26),
    Col("epci_nom", "EPCI", None, 34),
    Col("instance_code", "Code instance", None, 10),
    Col("instance_nom", "Instance", None, 26),
    Col("annee", "Année", "0", 8),
    Col("nb_plai", "Logements PLA-I", INT),
    Col("nb_plus", "Logements PLUS", INT),
    Col("nb_pls", "Logements PLS", INT),
    Col("statut", "Statut", None, 12, "statut_operation"),
    Col("bailleur", "Bailleur", None, 24),
    Col("libelle", "Libellé", None, 34),
    Col("latitude", "Latitude", COORD, 11),
    Col("longitude", "Longitude", COORD, 11),
]
SIGNAL_COLUMNS = [
    Col("territoire_type", "Type de territoire", None, 12, "territoire_type"),
    Col("territoire_code", "Code", None, 11),
    Col("territoire_nom", "Territoire", None, 34),
    Col("nb_signalements", "Signalements déposés", INT),
    Col("nb_resolus", "Résolus", INT),
    Col("nb_clos_sans_resolution", "Clos sans résolution", INT),
    Col("nb_en_cours", "En cours", INT),
    Col("nb_clotures", "Clôturés (résolus ou non)", INT),
    Col("population", "Population", INT),
    Col("taux_pour_10000", "Pour 10 000 habitants", DEC1),
    Col("delai_median_cloture_jours", "Délai médian de clôture (jours)", INT),
    Col("source", "Source", None, 60),
]
PLH_COLUMNS = [
    Col("siren", "SIREN", None, 11),
    Col("nom", "EPCI", None, 34),
    Col("nature", "Nature", None, 8),
    Col("oblige", "Tenu d’avoir un PLH", None, 10),
    Col("cas_limite", "Cas limite (à vérifier)", None, 10),
    Col("type_plan", "Plan", None, 8, "type_plan"),
    Col("intitule", "Intitulé", None, 34),
    Col("statut", "Statut", None, 14, "statut_plan"),
    Col("date_debut", "Début", DATE, 11),
    Col("date_fin", "Fin", DATE, 11),
    Col("date_fin_estimee", "Fin estimée", None, 10),
    Col("objectif_plai_annuel", "Objectif PLA-I annuel", INT),
]


ACTION_COLUMNS = [
    Col("code", "Action", None, 8),
    Col("axe", "Axe", None, 28),
    Col("intitule", "Intitulé", None, 50),
    Col("pilote", "Pilote", None, 24),
    Col("partenaires", "Partenaires", None, 30),
    Col("budget", "Budget (€)", INT),
    Col("etp", "ETP", DEC1, 8),
    Col("date_debut", "Début", DATE, 11),
    Col("date_fin", "Échéance", DATE, 11),
    Col("statut_libelle", "Statut", None, 12),
    Col("avancement", "Avancement (jalons)", PCT),
    Col("nb_jalons", "Jalons", "0", 8),
    Col("jalons_realises", "Jalons réalisés", "0", 9),
    Col("jalons_en_retard", "Jalons en retard", "0", 9),
    Col("en_retard", "En retard", None, 9),
    Col("indicateurs", "Indicateurs liés", None, 30),
    Col("territoires_libelle", "Territoires", None, 40),
]
JALON_COLUMNS = [
    Col("action", "Action", None, 8),
    Col("libelle", "Jalon", None, 50),
    Col("date_prevue", "Prévu le", DATE, 11),
    Col("date_realisee", "Réalisé le", DATE, 11),
    Col("etat", "État", None, 16),
    Col("jours_de_retard", "Retard (jours)", INT),
]


#: The plan's other fields (``autres_champs`` of the payload): a count and its rate per
#: 1 000 inhabitants, or a chain rate, per field, territory and year.
FIELD_COLUMNS = [
    Col("champ_libelle", "Champ", None, 24),
    Col("libelle", "Indicateur", None, 40),
    Col("territoire_type", "Type", None, 10),
    Col("territoire_code", "Code", None, 11),
    Col("territoire_nom", "Territoire", None, 28),
    Col("annee", "Année", "0", 7),
    Col("nombre", "Valeur", INT),
    Col("taux", "Taux", PCT),
    Col("pour_1000_habitants", "Pour 1 000 habitants", DEC2),
    Col("couverture", "Population couverte", PCT),
    Col("unite", "Unité", None, 10),
    Col("source", "Source", None, 40),
    Col("definition", "Définition", None, 60),
]


def field_sheet_frame(records: pd.DataFrame) -> pd.DataFrame:
    """The payload's field records with the count and the rate in their own columns."""
    from dashboard.indicators.fields import FIELDS

    rate = records["unite"] == "taux"
    return records.assign(
        champ_libelle=records["champ"].map(lambda k: FIELDS[k].label if k in FIELDS else k),
        nombre=records["valeur"].where(~rate), taux=records["valeur"].where(rate),
    )


def _cell_value(value: object, fmt: str | None) -> object:
    """A frame value for a sheet cell: lists and dicts as JSON, numeric text as a number
    in a numeric column; missing values (None, NaN, NA, NaT) as empty cells."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    value = cell_value(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if fmt and fmt != DATE and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def write_sheet(
    wb: Workbook, name: str, frame: pd.DataFrame, columns: list[Col], title: str, source: str
) -> Worksheet:
    """Add one formatted sheet: title, source, header, rows, filters, frozen panes."""
    ws = wb.create_sheet(name)
    cols = [c for c in columns if c.key in frame.columns]
    set_cell(ws, 1, 1, title).font = Font(bold=True, size=13, color="000091")
    set_cell(ws, 2, 1, source).font = Font(italic=True, size=9, color="555555")
    for j, col in enumerate(cols, start=1):
        cell = set_cell(ws, HEADER_ROW, j, col.header)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = col.width
    ws.row_dimensions[HEADER_ROW].height = 32
    for i, row in enumerate(frame[[c.key for c in cols]].itertuples(index=False), HEADER_ROW + 1):
        for j, (col, value) in enumerate(zip(cols, row, strict=True), start=1):
            if col.labels and not is_blank(value):
                value = label(col.labels, value)
            set_cell(ws, i, j, _cell_value(value, col.fmt), col.fmt)
    last = get_column_letter(max(len(cols), 1))
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(frame), 1)}"
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.oddFooter.center.text = cell_value(source[:200]).replace("&", "&&")
    return ws


def _sources_sheet(wb: Workbook, bundle: ExportBundle, title: str) -> None:
    from dashboard.indicators.balance import DEFINITION_INDICE_EQUILIBRE, EXPLICATION_DISSIMILARITE
    from dashboard.indicators.outcomes import DEFINITION_ISSUES
    from dashboard.indicators.signals import definition_taux
    from dashboard.indicators.status import DEFINITION_TAUX

    ws = wb.create_sheet(SHEET_SOURCES)
    set_cell(ws, 1, 1, title).font = Font(bold=True, size=13, color="000091")
    set_cell(ws, 2, 1, "Date de référence")
    set_cell(ws, 2, 2, bundle.today, DATE)
    set_cell(ws, 3, 1, "Exporté le")
    set_cell(ws, 3, 2, dt.date.today(), DATE)
    rows = [
        *bundle.sources(),
        ("Taux de réalisation", DEFINITION_TAUX),
        ("Indice d’équilibre", DEFINITION_INDICE_EQUILIBRE),
        ("Dissimilarité", EXPLICATION_DISSIMILARITE),
        ("Signalements pour 10 000 habitants",
         definition_taux(bundle.territory.reference.millesime)),
        ("Signalements résolus, clos sans résolution, en cours", DEFINITION_ISSUES),
    ]
    for i, (what, text) in enumerate(rows, start=5):
        set_cell(ws, i, 1, what).font = Font(bold=True)
        set_cell(ws, i, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 110


def tables_xlsx(bundle: ExportBundle) -> bytes:
    """The workbook of a bundle as XLSX bytes.

    Sheets: Indicateurs, Équilibre, Écarts, Opérations, Signalements, Calendrier PLH,
    Programme d’actions and Jalons (when there is a programme), Autres champs (when the
    plan's other fields have data), Sources. The Indicateurs
    and Équilibre sheets hold every row of ``territoires indicators --json`` for the
    bundle's date.
    """
    wb = Workbook()
    wb.remove(wb.active)
    place = f"{bundle.departement_nom} ({bundle.departement})"
    note = f" – {bundle.demo_note}" if bundle.is_demo else ""
    findings = bundle.coverage.frame.copy()
    findings["severity"] = findings["severity"].map(SEVERITY_LABELS).fillna(findings["severity"])
    sheets = [
        (SHEET_INDICATEURS, bundle.indicators, INDICATOR_COLUMNS, "Objectifs et réalisations",
         bundle.source),
        (SHEET_EQUILIBRE, bundle.balance, BALANCE_COLUMNS, "Équilibre territorial", bundle.source),
        (SHEET_ECARTS, findings, FINDING_COLUMNS, "Écarts de couverture des plans",
         bundle.coverage.source),
        (SHEET_OPERATIONS, bundle.operations, OPERATION_COLUMNS, "Opérations financées",
         f"opérations importées (Sisal / Galion) – {bundle.source}"),
        (SHEET_SIGNALEMENTS, bundle.signals, SIGNAL_COLUMNS, "Signalements par territoire",
         str(bundle.signals["source"].iloc[0]) if not bundle.signals.empty else bundle.source),
        (SHEET_PLH, bundle.coverage.timeline, PLH_COLUMNS, "PLH et PLUi-H par EPCI",
         bundle.coverage.source),
    ]  # fmt: skip
    if bundle.programme is not None and not bundle.programme.actions.empty:
        report = bundle.programme
        actions = report.actions.assign(indicateurs=[", ".join(v) for v in
                                                     report.actions["indicateurs"]])  # fmt: skip
        when = f"situation au {report.today:%d/%m/%Y}"
        sheets += [
            (SHEET_ACTIONS, actions, ACTION_COLUMNS, f"Programme d’actions ({when})",
             report.source),
            (SHEET_JALONS, report.jalons, JALON_COLUMNS, f"Jalons des actions ({when})",
             report.source),
        ]  # fmt: skip
    fields = bundle.fields
    if not fields.empty:
        sheets.append((SHEET_CHAMPS, field_sheet_frame(fields), FIELD_COLUMNS,
                       "Autres champs du plan (expulsions, DALO, attributions prioritaires, "
                       "SIAO, FSL)", "tables importées des autres champs, populations "
                       f"municipales en vigueur – {bundle.source}"))  # fmt: skip
    for name, frame, cols, title, source in sheets:
        write_sheet(wb, name, frame, cols, f"{title} – {place}{note}", f"Source : {source}")
    _sources_sheet(wb, bundle, f"Sources et définitions – {place}{note}")
    wb.properties.title = cell_value(f"Territoires du Plan – {place}{note}")
    wb.properties.creator = "Territoires du Plan"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
