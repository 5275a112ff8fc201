"""Outcome of a signalement as Signal Logement counts it: résolu, clos sans résolution or
en cours.

Signal Logement (MTES-MCT/histologe) counts a signalement as **résolu** when it is closed
(status « fermé » and a closing date) with a motif of resolution: works done or under way,
the household rehoused, or an insalubrité, péril or RSD procedure taken
(``MotifClotureStatisticsQuery::countSignalementResolu``, shown as « signalements
résolus » by ``GlobalAnalyticsProvider``). Since its second closure form it also counts
« Logement mis en conformité » and « Relogement occupant » only when the works are done or
under way — an answer its export does not carry: both are counted as resolved here.

* **résolu**: closed with a closing date and one of :data:`MOTIFS_RESOLUTION`;
* **clos sans résolution**: closed otherwise (any other motif, no motif, no date), refused
  or archived;
* **en cours**: new, in progress, injonction or médiation under way — or, without a
  status, no closing date.

Statuses and motifs are read in their stored codes (:data:`STATUTS_SIGNALEMENT`,
:data:`MOTIFS_CLOTURE`) or as any spelling the import knows, so that tables imported before
the codes existed are read the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.store.schemas import (
    MOTIFS_CLOTURE,
    STATUTS_SIGNALEMENT,
    VALUE_ALIASES,
    normalise_header,
)

RESOLU = "resolu"
CLOS_SANS_RESOLUTION = "clos_sans_resolution"
EN_COURS = "en_cours"
#: Outcomes in display order, with their French label.
ISSUES: dict[str, str] = {
    RESOLU: "résolu",
    CLOS_SANS_RESOLUTION: "clos sans résolution",
    EN_COURS: "en cours",
}
#: Closure motifs counted as resolved (Signal Logement's list, see the module docstring).
MOTIFS_RESOLUTION: tuple[str, ...] = (
    "travaux_faits_ou_en_cours",
    "logement_mis_en_conformite",
    "relogement_occupant",
    "insalubrite",
    "peril",
    "rsd",
)
#: Statuses of a closed signalement (closed by a motif), and of one set aside.
STATUTS_CLOS: tuple[str, ...] = ("ferme", "injonction_cloture")
STATUTS_ECARTES: tuple[str, ...] = ("refuse", "archive", "brouillon_archive")
STATUTS_OUVERTS: tuple[str, ...] = tuple(
    s for s in STATUTS_SIGNALEMENT if s not in (*STATUTS_CLOS, *STATUTS_ECARTES)
)

#: One-line definition, shown next to the figures.
DEFINITION_ISSUES = (
    "Résolu : clos par des travaux faits ou en cours, une mise en conformité, le relogement "
    "de l'occupant ou une procédure d'insalubrité, de péril ou de RSD (définition de Signal "
    "Logement) ; clos sans résolution : clos pour un autre motif, refusé ou archivé ; en "
    "cours : nouveau ou en cours de traitement."
)


def _code(value: object, known: dict[str, str], aliases: dict[str, str]) -> str | None:
    text = str(value).strip()
    if text in known:
        return text
    norm = normalise_header(text)
    return norm if norm in known else aliases.get(norm)


def _codes(values: pd.Series, known: dict[str, str], key: str) -> np.ndarray:
    # A column holds a handful of spellings: normalise each distinct value once.
    positions, distinct = pd.factorize(values, use_na_sentinel=True)
    aliases = VALUE_ALIASES[key]
    codes = [_code(value, known, aliases) for value in distinct]
    return np.array([*codes, None], dtype=object)[positions]  # -1 (missing) → None


def statut_codes(values: pd.Series) -> np.ndarray:
    """Stored status codes of any spelling (None when unknown or missing)."""
    return _codes(values, STATUTS_SIGNALEMENT, "statut_signalement")


def motif_codes(values: pd.Series) -> np.ndarray:
    """Stored closure-motif codes of any spelling (None when unknown or missing)."""
    return _codes(values, MOTIFS_CLOTURE, "motif_cloture")


def signal_outcomes(signalements: pd.DataFrame) -> np.ndarray:
    """Outcome of each signalement: :data:`RESOLU`, :data:`CLOS_SANS_RESOLUTION` or
    :data:`EN_COURS` (see the module docstring).

    Parameters
    ----------
    signalements : DataFrame
        Canonical ``signalements`` table; ``statut``, ``date_cloture`` and
        ``motif_cloture`` are optional.
    """
    n = len(signalements)

    def column(name: str) -> pd.Series:
        return signalements[name] if name in signalements else pd.Series([None] * n)

    statut = statut_codes(column("statut"))
    motif = motif_codes(column("motif_cloture"))
    dated = pd.to_datetime(column("date_cloture"), errors="coerce").notna().to_numpy()
    unknown = np.array([s is None for s in statut])
    closed = np.isin(statut, STATUTS_CLOS) | (unknown & dated)
    aside = np.isin(statut, STATUTS_ECARTES)
    resolved = closed & dated & np.isin(motif, MOTIFS_RESOLUTION)
    return np.select(
        [resolved, closed | aside], [RESOLU, CLOS_SANS_RESOLUTION], default=EN_COURS
    ).astype(object)
