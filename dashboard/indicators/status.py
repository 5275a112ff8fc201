"""Status of an indicator at a reference date: expected to date, thresholds, labels.

* **Expected to date** (:func:`part_attendue`): each year of the period weighs the same;
  years over at ``today`` count fully, the current year pro rata of its days elapsed
  (``today`` included), future years not at all. On 31/12/2023, 3 of the 6 years of
  2021-2026 are over: 50 %.
* **Status** (:func:`status`): achievement compared with what is expected to date, with
  the thresholds :data:`SEUIL_CONFORME` and :data:`SEUIL_TRES_EN_RETARD`.
* **Reference date** (:func:`reference_date`): the one date statuses and coverage are
  judged at, by the pages, ``territoires indicators``, ``territoires gaps`` and the
  exports alike — the end of the last year the imported data cover (operations,
  realisations), never after today; today when there is no such data. Every status is
  printed with it (:func:`au`, « au 31/12/2024 »).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

#: Achievement at or above 90 % of what is expected to date: on track (or ahead).
SEUIL_CONFORME = 0.90
#: Below 60 % of what is expected to date: far behind; between the two: behind.
SEUIL_TRES_EN_RETARD = 0.60

STATUT_CONFORME = "en avance / conforme"
STATUT_RETARD = "en retard"
STATUT_TRES_RETARD = "très en retard"
STATUT_A_VENIR = "à venir"
STATUT_SANS_OBJECTIF = "sans objectif"
#: Every status, in display order.
STATUTS: tuple[str, ...] = (
    STATUT_CONFORME,
    STATUT_RETARD,
    STATUT_TRES_RETARD,
    STATUT_A_VENIR,
    STATUT_SANS_OBJECTIF,
)

#: Definition of the rate and the status, to show next to them.
DEFINITION_TAUX = (
    "Taux de réalisation = réalisé / objectif de la période. Attendu à date = objectif × part "
    "de la période écoulée (chaque année pèse autant ; l'année en cours au prorata de ses jours). "
    f"Statut : « {STATUT_CONFORME} » si le réalisé atteint au moins "
    f"{SEUIL_CONFORME:.0%} de l'attendu à date, « {STATUT_RETARD} » entre "
    f"{SEUIL_TRES_EN_RETARD:.0%} et {SEUIL_CONFORME:.0%}, « {STATUT_TRES_RETARD} » en dessous."
).replace("%", "\u00a0%")

def part_attendue(annee_debut: int, annee_fin: int, today: dt.date) -> float:
    """Share of a period ``annee_debut..annee_fin`` elapsed at ``today`` (0 to 1).

    Each year weighs ``1 / n``; a year over at ``today`` counts fully, the current year pro
    rata of its days elapsed (``today`` included), a future year not at all.

    Examples
    --------
    >>> part_attendue(2021, 2026, dt.date(2023, 12, 31))
    0.5
    """
    years = range(int(annee_debut), int(annee_fin) + 1)
    total = 0.0
    for year in years:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if today >= end:
            total += 1.0
        elif today >= start:
            total += ((today - start).days + 1) / ((end - start).days + 1)
    return total / len(years)


def status(
    objectif: float | None, realise: float, attendu: float | None, started: bool = True
) -> str:
    """Status of one row (scalar version of the rule used by :func:`compute_indicators`).

    Parameters
    ----------
    objectif : float or None
        Objective of the period (None, NaN or ≤ 0: no objective).
    realise : float
        Realised so far.
    attendu : float or None
        Objective × share of the period elapsed.
    started : bool
        Whether the period has started at the reference date.
    """
    if objectif is None or pd.isna(objectif) or objectif <= 0:
        return STATUT_SANS_OBJECTIF
    if not started or attendu is None or pd.isna(attendu) or attendu <= 0:
        return STATUT_A_VENIR
    ratio = realise / attendu
    if ratio >= SEUIL_CONFORME:
        return STATUT_CONFORME
    if ratio >= SEUIL_TRES_EN_RETARD:
        return STATUT_RETARD
    return STATUT_TRES_RETARD


def statuses(objectif: pd.Series, realise: pd.Series, attendu: pd.Series) -> np.ndarray:
    """Vectorised :func:`status` over aligned series."""
    has_obj = objectif.notna() & (objectif > 0)
    started = attendu.notna() & (attendu > 0)
    ratio = realise / attendu.where(started)
    return np.select(
        [~has_obj, ~started, ratio >= SEUIL_CONFORME, ratio >= SEUIL_TRES_EN_RETARD],
        [STATUT_SANS_OBJECTIF, STATUT_A_VENIR, STATUT_CONFORME, STATUT_RETARD],
        default=STATUT_TRES_RETARD,
    )


#: Kinds whose last year sets the reference date.
DATE_KINDS: tuple[str, ...] = ("operations", "realisations")
#: The reference-date rule, in French, for the pages, the CLI and the exports.
REGLE_DATE_REFERENCE = (
    "date de référence : fin de la dernière année couverte par les opérations et les "
    "réalisations importées, sans dépasser aujourd'hui ; aujourd'hui sans ces données"
)


def reference_date(tables: dict[str, pd.DataFrame], today: dt.date | None = None) -> dt.date:
    """The one date statuses and coverage are judged at: the end of the last year of the
    :data:`DATE_KINDS` tables, never after ``today`` (default: today); ``today`` when they
    are empty.

    Extracts lag behind: judging 2026 objectives on operations that stop in 2024 would show
    every territory « très en retard ». Pages, ``territoires indicators``, ``territoires
    gaps`` and the exports all use this date by default and print it with every status;
    each lets the user choose another (``--date``, « Date de référence »).
    """
    today = today or dt.date.today()
    years = []
    for kind in DATE_KINDS:
        table = tables.get(kind)
        if table is not None and not table.empty:
            last = pd.to_numeric(table["annee"], errors="coerce").max()
            if pd.notna(last):
                years.append(int(last))
    if not years:
        return today
    return min(today, dt.date(max(years), 12, 31))


def au(day: dt.date | str) -> str:
    """« au 31/12/2024 »: the words printed with every status (a date, or its ISO text as
    in the JSON payload)."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return f"au {day:%d/%m/%Y}"
