"""Habitat-indigne signals per territory: counts, rate per 10 000 inhabitants, outcomes
(résolu, clos sans résolution, en cours), procedures, statuses, closure motifs, time to
closure and trend (no Streamlit).

Signals are counted by the commune of the dwelling and summed over the communes of each
territory (:func:`dashboard.indicators.compute.territory_map`). A signal is *received* in the year
of ``date_signalement`` and *closed* in the year of ``date_cloture``; its outcome is the one
Signal Logement counts (:mod:`dashboard.indicators.outcomes`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.indicators.facts import LEVELS, territory_map, territory_names
from dashboard.indicators.outcomes import (
    CLOS_SANS_RESOLUTION,
    EN_COURS,
    ISSUES,
    RESOLU,
    motif_codes,
    signal_outcomes,
    statut_codes,
)
from dashboard.store.schemas import LABELS, MOTIFS_CLOTURE, STATUTS_SIGNALEMENT
from geo.reference import POPULATION_MILLESIME, Reference

#: Rates are given per this many inhabitants.
TAUX_POUR = 10_000
SOURCE_SIGNALEMENTS = "signalements importés (Signal Logement / SI-LHI)"
NON_RENSEIGNE = "non renseigné"


def definition_taux(millesime: int | str = POPULATION_MILLESIME) -> str:
    """French one-line definition of the signal rate, to show next to it."""
    return (
        f"Taux = signalements déposés sur la période pour {TAUX_POUR:_} habitants "
        f"(population municipale {millesime})."
    ).replace("_", "\u202f")


def commune_populations(
    reference: Reference, populations: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, str]:
    """Population of every commune: the imported table where it has the commune, else the
    reference (populations municipales in force, :attr:`Reference.source_population`).

    Returns
    -------
    (DataFrame, str)
        ``code_insee``, ``population``, ``millesime`` — and a source label naming the
        millésime(s) used.
    """
    base = pd.DataFrame(
        {
            "code_insee": reference.communes["code_insee"].astype(str).to_numpy(),
            "population": reference.communes["population"].astype(float).to_numpy(),
            "millesime": reference.millesime,
        }
    )
    if populations is None or populations.empty:
        return base, reference.source_population
    imported = pd.DataFrame(
        {
            "code_insee": populations["code_insee"].astype(str).to_numpy(),
            "population_imp": pd.to_numeric(populations["population"], errors="coerce").to_numpy(
                float
            ),
            "millesime_imp": pd.to_numeric(populations["millesime"], errors="coerce").to_numpy(),
        }
    ).drop_duplicates("code_insee", keep="last")
    out = base.merge(imported, on="code_insee", how="left")
    found = out["population_imp"].notna()
    out.loc[found, "population"] = out.loc[found, "population_imp"]
    out.loc[found, "millesime"] = out.loc[found, "millesime_imp"]
    out["millesime"] = out["millesime"].astype(int)
    years = sorted(out.loc[found, "millesime"].unique())
    label = f"population municipale {', '.join(str(y) for y in years)} importée"
    if found.all():
        source = label
    else:
        source = (
            f"{label} ({int(found.sum())} communes) ; {reference.source_population} pour les "
            "autres"
        )
    return out[["code_insee", "population", "millesime"]], source


#: Breakdowns of :func:`signal_breakdown`: column → French labels of its stored codes.
BREAKDOWNS: dict[str, dict[str, str]] = {
    "issue": ISSUES,
    "procedure": LABELS["procedure"],
    "statut": STATUTS_SIGNALEMENT,
    "motif_cloture": MOTIFS_CLOTURE,
}
_RECORD_COLUMNS = ["code_insee", "annee", "annee_cloture", "delai_jours", "procedure",
                   "statut", "motif_cloture", "issue"]  # fmt: skip


def signal_records(signalements: pd.DataFrame, annees: tuple[int, int] | None) -> pd.DataFrame:
    """Signals with ``code_insee``, ``annee``, ``annee_cloture``, ``delai_jours``,
    ``procedure``, ``statut``, ``motif_cloture`` (French labels; « non renseigné » when
    missing) and ``issue`` (:data:`~dashboard.indicators.outcomes.ISSUES` code), filtered on
    the year received."""
    if signalements.empty:
        return pd.DataFrame(columns=_RECORD_COLUMNS)
    depot = pd.to_datetime(signalements["date_signalement"], errors="coerce")
    cloture = pd.to_datetime(
        signalements.get("date_cloture", pd.Series(pd.NaT, index=signalements.index)),
        errors="coerce",
    )

    def _text(name: str, codes: np.ndarray | None = None) -> np.ndarray:
        # Each distinct value is labelled once, then spread to its rows.
        labels = BREAKDOWNS[name]
        col = signalements.get(name, pd.Series(None, index=signalements.index))
        positions, distinct = pd.factorize(col, use_na_sentinel=True)
        shown = [str(v) for v in distinct]
        shown = [NON_RENSEIGNE if t.strip() in ("", "None", "nan") else t for t in shown]
        if codes is None:
            shown = [labels.get(t, t) for t in [*shown, NON_RENSEIGNE]]
            return np.array(shown, dtype=object)[positions]
        text = np.array([*shown, NON_RENSEIGNE], dtype=object)[positions]
        # a stored code is shown by its label, other text as written
        code_positions, distinct_codes = pd.factorize(pd.Series(codes, dtype=object))
        label = np.array([*(labels.get(c) if c else None for c in distinct_codes), None],
                         dtype=object)[code_positions]  # fmt: skip
        return np.where(pd.isna(label), text, label)

    def _column(name: str) -> pd.Series:
        return signalements.get(name, pd.Series(None, index=signalements.index))

    out = pd.DataFrame(
        {
            "code_insee": signalements["code_insee"].astype(str).to_numpy(),
            "annee": depot.dt.year.to_numpy(),
            "annee_cloture": cloture.dt.year.to_numpy(),
            "delai_jours": (cloture - depot).dt.days.to_numpy(),
            "procedure": _text("procedure"),
            "statut": _text("statut", statut_codes(_column("statut"))),
            "motif_cloture": _text("motif_cloture", motif_codes(_column("motif_cloture"))),
            "issue": signal_outcomes(signalements),
        }
    )
    if annees is not None:
        out = out[(out["annee"] >= annees[0]) & (out["annee"] <= annees[1])]
    return out


def _with_territories(signals: pd.DataFrame, tmap: pd.DataFrame, level: str | None) -> pd.DataFrame:
    if level is not None:
        tmap = tmap[tmap["territoire_type"] == level]
    return signals.merge(
        tmap[["territoire_type", "territoire_code", "code_insee"]], on="code_insee"
    )


#: Columns of :func:`signal_summary`.
SUMMARY_COLUMNS = [
    "territoire_type", "territoire_code", "territoire_nom", "nb_signalements", "nb_resolus",
    "nb_clos_sans_resolution", "nb_en_cours", "nb_clotures", "population", "taux_pour_10000",
    "delai_median_cloture_jours", "source",
]


def signal_summary(
    reference: Reference,
    memberships: pd.DataFrame | None,
    signalements: pd.DataFrame,
    populations: pd.DataFrame | None = None,
    level: str | None = None,
    annees: tuple[int, int] | None = None,
    source_suffix: str = "",
) -> pd.DataFrame:
    """Signals per territory, with every territory of the level (zero included).

    Parameters
    ----------
    reference, memberships
        Territories (see :func:`dashboard.indicators.compute.territory_map`).
    signalements : DataFrame
        Canonical ``signalements`` table.
    populations : DataFrame, optional
        Imported ``populations`` (override the reference populations).
    level : str, optional
        One level, default all.
    annees : (int, int), optional
        Keep signals received in these years (inclusive).

    Returns
    -------
    DataFrame
        ``territoire_type``, ``territoire_code``, ``territoire_nom``, ``nb_signalements``,
        ``nb_resolus``, ``nb_clos_sans_resolution``, ``nb_en_cours`` (the three outcomes of
        :mod:`dashboard.indicators.outcomes`, summing to ``nb_signalements``),
        ``nb_clotures`` (résolus + clos sans résolution), ``population``,
        ``taux_pour_10000`` (signals per 10 000 inhabitants), ``delai_median_cloture_jours``
        (median days from receipt to closure of those with a closing date), ``source``.
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"Niveau inconnu : {level}")
    tmap = territory_map(reference, memberships)
    pops, pop_source = commune_populations(reference, populations)
    scope = tmap if level is None else tmap[tmap["territoire_type"] == level]
    keys = ["territoire_type", "territoire_code"]
    pop = scope.merge(pops, on="code_insee").groupby(keys, sort=False)["population"].sum()
    sig = _with_territories(signal_records(signalements, annees), tmap, level)
    sig["resolu"] = sig["issue"] == RESOLU
    sig["clos_sans"] = sig["issue"] == CLOS_SANS_RESOLUTION
    counts = sig.groupby(keys, sort=False).agg(
        nb_signalements=("code_insee", "size"),
        nb_resolus=("resolu", "sum"),
        nb_clos_sans_resolution=("clos_sans", "sum"),
        delai_median_cloture_jours=("delai_jours", "median"),
    )
    names = territory_names(scope)[[*keys, "territoire_nom"]]
    if names.empty:  # no territory of that level (no instance defined): an empty table
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    out = names.merge(counts, left_on=keys, right_index=True, how="left").merge(
        pop.rename("population"), left_on=keys, right_index=True, how="left"
    )
    for col in ("nb_signalements", "nb_resolus", "nb_clos_sans_resolution"):
        out[col] = out[col].fillna(0).astype(int)
    out["nb_clotures"] = out["nb_resolus"] + out["nb_clos_sans_resolution"]
    out["nb_en_cours"] = out["nb_signalements"] - out["nb_clotures"]
    out["taux_pour_10000"] = (out["nb_signalements"] / out["population"] * TAUX_POUR).where(
        out["population"] > 0
    )
    period = f"déposés en {annees[0]}-{annees[1]}" if annees else "tous les signalements importés"
    out["source"] = f"{SOURCE_SIGNALEMENTS}, {period} ; {pop_source}{source_suffix}"
    return out[SUMMARY_COLUMNS].reset_index(drop=True)


def signal_breakdown(
    reference: Reference,
    memberships: pd.DataFrame | None,
    signalements: pd.DataFrame,
    by: str,
    level: str | None = None,
    annees: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Signals per territory and ``issue`` (outcome), ``procedure``, ``statut`` or
    ``motif_cloture`` (closed signals only), as French labels (missing: "non renseigné").

    Returns
    -------
    DataFrame
        ``territoire_type``, ``territoire_code``, ``territoire_nom``, ``<by>``,
        ``nb_signalements``.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"Ventilation inconnue : {by} ({', '.join(BREAKDOWNS)})")
    tmap = territory_map(reference, memberships)
    sig = _with_territories(signal_records(signalements, annees), tmap, level)
    if by == "motif_cloture":  # an open signal has no motif yet
        sig = sig[sig["issue"] != EN_COURS]
    if by == "issue":
        sig["issue"] = sig["issue"].map(ISSUES)
    keys = ["territoire_type", "territoire_code"]
    out = sig.groupby([*keys, by], as_index=False, sort=False).size()
    out = out.rename(columns={"size": "nb_signalements"})
    names = territory_names(tmap)[[*keys, "territoire_nom"]]
    out = out.merge(names, on=keys)
    return out[[*keys, "territoire_nom", by, "nb_signalements"]].sort_values(
        [*keys, by], ignore_index=True
    )


def signal_trend(
    reference: Reference,
    memberships: pd.DataFrame | None,
    signalements: pd.DataFrame,
    level: str | None = None,
) -> pd.DataFrame:
    """Signals per territory and year: received that year, closed that year (and among
    them resolved, or closed without resolution), and the median time to closure of those
    closed that year.

    Returns
    -------
    DataFrame
        ``territoire_type``, ``territoire_code``, ``territoire_nom``, ``annee``,
        ``nb_signalements``, ``nb_clotures``, ``nb_resolus``, ``nb_clos_sans_resolution``,
        ``delai_median_cloture_jours``.
    """
    tmap = territory_map(reference, memberships)
    sig = _with_territories(signal_records(signalements, None), tmap, level)
    keys = ["territoire_type", "territoire_code"]
    received = sig.groupby([*keys, "annee"], sort=False).size().rename("nb_signalements")
    closed = sig.dropna(subset=["annee_cloture"])
    closed = closed.assign(
        annee=closed["annee_cloture"],
        resolu=closed["issue"] == RESOLU,
        clos_sans=closed["issue"] == CLOS_SANS_RESOLUTION,
    )
    closures = closed.groupby([*keys, "annee"], sort=False).agg(
        nb_clotures=("code_insee", "size"),
        nb_resolus=("resolu", "sum"),
        nb_clos_sans_resolution=("clos_sans", "sum"),
        delai_median_cloture_jours=("delai_jours", "median"),
    )
    out = pd.concat([received, closures], axis=1).reset_index()
    out = out.dropna(subset=["annee"])
    out["annee"] = out["annee"].astype(int)
    for col in ("nb_signalements", "nb_clotures", "nb_resolus", "nb_clos_sans_resolution"):
        out[col] = out[col].fillna(0).astype(int)
    names = territory_names(tmap)[[*keys, "territoire_nom"]]
    out = out.merge(names, on=keys)
    cols = [
        *keys,
        "territoire_nom",
        "annee",
        "nb_signalements",
        "nb_clotures",
        "nb_resolus",
        "nb_clos_sans_resolution",
        "delai_median_cloture_jours",
    ]
    return out[cols].sort_values([*keys, "annee"], ignore_index=True)
