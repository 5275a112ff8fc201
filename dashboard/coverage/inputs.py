"""Inputs of the coverage rules, normalised once: tables, plan period, memberships, populations.

The rules take plain data only (reference + pandas tables with the canonical columns of
docs/ARCHITECTURE.md, « Types d'import »), so they run the same from the CLI, the page,
the exports and the tests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.indicators.status import reference_date
from geo.perimeters import combine_memberships
from geo.reference import DECOUPAGE, Reference

#: Plan types that hold a PLH: the PLH itself and the PLUi tenant lieu de PLH (PLUi-H,
#: code de l'urbanisme art. L151-44).
PLH_TYPES = ("PLH", "PLUIH")
PDALHPD_TYPES = ("PDALHPD", "PDALPD")
#: Statuses under which a document is applicable: a PLH under revision stays in force
#: until the new one is adopted; a prorogued PLH is in force until its new end date.
STATUTS_EN_VIGUEUR = ("en_vigueur", "proroge", "en_revision")
#: Statuses whose dates count as covered years (an expired PLH covered its past years).
STATUTS_ADOPTES = (*STATUTS_EN_VIGUEUR, "echu")
#: Legal duration of a PLH (CCH L302-1) and maximum duration of a PDALHPD (décret 2017-1565).
DUREE_PLAN_ANNEES = 6

PLAN_COLUMNS = [
    "type_plan",
    "territoire_type",
    "territoire_code",
    "intitule",
    "statut",
    "date_debut",
    "date_fin",
    "objectif_plai_annuel",
    "volet_defavorises",
]
OBJECTIF_COLUMNS = [
    "territoire_type",
    "territoire_code",
    "indicateur",
    "annee_debut",
    "annee_fin",
    "valeur",
    "source",
]


@dataclass(frozen=True)
class Tolerances:
    """Tolerances of the rules, stated in every finding that uses them.

    Attributes
    ----------
    objectif_plai : float
        Relative shortfall of the PLH annual PLA-I objective below the PDALHPD one that
        is tolerated (0.10 = 10 %).
    topologie_m2 : float
        Area in m² under which an overlap or a gap between drawn perimeters is ignored
        (10 000 m² = 1 ha: digitising noise).
    """

    objectif_plai: float = 0.10
    topologie_m2: float = 10_000.0


def to_date(value: object) -> dt.date | None:
    """A date from a ``date``, ``Timestamp``, ISO string or ``JJ/MM/AAAA`` string; else None."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    stamp = pd.to_datetime(text, errors="coerce", dayfirst=True)
    return None if pd.isna(stamp) else stamp.date()


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus ``years`` years (29 February falls back to 28)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of Python values, like ``frame.to_dict("records")``.

    Built column by column: ``to_dict`` costs milliseconds per call on small frames of
    Arrow strings, and the rules call it per département.
    """
    columns = list(frame.columns)
    return [dict(zip(columns, values, strict=True))
            for values in zip(*(frame[c].tolist() for c in columns), strict=True)]  # fmt: skip


def _text(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip()


def normalise_plans(plans: pd.DataFrame | None) -> pd.DataFrame:
    """Plans with upper-case ``type_plan``, lower-case ``statut``/``territoire_type``,
    dates as :class:`datetime.date` and a float ``objectif_plai_annuel``.

    A missing ``date_fin`` is set to six years after ``date_debut`` (minus one day) and
    flagged in ``date_fin_estimee``.
    """
    df = pd.DataFrame(columns=PLAN_COLUMNS) if plans is None else plans.copy()
    for col in PLAN_COLUMNS:
        if col not in df:
            df[col] = None
    df["type_plan"] = _text(df["type_plan"]).str.upper().str.replace("-", "", regex=False)
    df["statut"] = _text(df["statut"]).str.lower()
    df["territoire_type"] = _text(df["territoire_type"]).str.lower()
    df["territoire_code"] = _text(df["territoire_code"])
    df["intitule"] = _text(df["intitule"])
    df["date_debut"] = [to_date(v) for v in df["date_debut"]]
    fins = [to_date(v) for v in df["date_fin"]]
    df["date_fin_estimee"] = [
        f is None and d is not None for f, d in zip(fins, df["date_debut"], strict=True)
    ]
    df["date_fin"] = [
        add_years(d, DUREE_PLAN_ANNEES) - dt.timedelta(days=1) if f is None and d is not None else f
        for f, d in zip(fins, df["date_debut"], strict=True)
    ]
    df["objectif_plai_annuel"] = pd.to_numeric(df["objectif_plai_annuel"], errors="coerce")
    return df.reset_index(drop=True)


def normalise_objectifs(objectifs: pd.DataFrame | None) -> pd.DataFrame:
    """Objectives with lower-case codes, integer years and a float ``valeur``."""
    df = pd.DataFrame(columns=OBJECTIF_COLUMNS) if objectifs is None else objectifs.copy()
    for col in OBJECTIF_COLUMNS:
        if col not in df:
            df[col] = None
    df["territoire_type"] = _text(df["territoire_type"]).str.lower()
    df["territoire_code"] = _text(df["territoire_code"])
    df["indicateur"] = _text(df["indicateur"]).str.lower()
    for col in ("annee_debut", "annee_fin", "valeur"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    return df.reset_index(drop=True)


def pdalhpd_period(plans: pd.DataFrame) -> tuple[tuple[dt.date, dt.date], str] | None:
    """Period of the PDALHPD found in a normalised plans table, and a label of it.

    Prefers a plan in force (``en_vigueur``, ``proroge``, ``en_revision``), then the most
    recent start. Returns None when the table has no dated PDALHPD row.
    """
    rows = [
        row for row in records(plans[plans["type_plan"].isin(PDALHPD_TYPES)])
        if row["date_debut"] is not None and row["date_fin"] is not None
    ]  # fmt: skip
    if not rows:
        return None
    best = max(rows, key=lambda row: (row["statut"] in STATUTS_EN_VIGUEUR, row["date_debut"]))
    label = best["intitule"] or f"PDALHPD {best['date_debut'].year}-{best['date_fin'].year}"
    return (best["date_debut"], best["date_fin"]), label


@dataclass(frozen=True)
class CoverageInputs:
    """Everything a rule reads, normalised.

    Attributes
    ----------
    reference : Reference
        The département's reference.
    plans, objectifs, instances : DataFrame
        Workspace tables (canonical columns); plans and objectifs normalised.
    populations : DataFrame or None
        Imported populations (``code_insee``, ``population``, ``millesime``) overriding the
        reference for the communes they cover.
    period : tuple of date, or None
        PDALHPD period (first and last day, inclusive).
    period_label : str
        Where the period comes from.
    as_of : date
        Reference date for "in force" (:func:`dashboard.indicators.status.reference_date`).
    memberships : DataFrame
        One row per (instance, commune): ``instance_code``, ``instance_nom``,
        ``instance_type``, ``code_insee``.
    drawings : GeoDataFrame or None
        Uploaded perimeter drawings (``instance_code`` …), any CRS.
    tolerances : Tolerances
    """

    reference: Reference
    plans: pd.DataFrame
    objectifs: pd.DataFrame
    instances: pd.DataFrame
    populations: pd.DataFrame | None
    period: tuple[dt.date, dt.date] | None
    period_label: str
    as_of: dt.date
    memberships: pd.DataFrame
    drawings: gpd.GeoDataFrame | None = None
    tolerances: Tolerances = field(default_factory=Tolerances)

    @cached_property
    def memo(self) -> dict[str, pd.DataFrame]:
        """Tables that several rules derive from these inputs, computed once (the EPCI
        obligation table of :func:`dashboard.coverage.plh.obligation_table`)."""
        return {}

    @cached_property
    def commune_populations(self) -> pd.DataFrame:
        """Communes of the département with the populations used: ``code_insee``, ``nom``,
        ``epci_siren``, ``population`` (municipale), ``population_totale``, ``millesime``,
        ``importee``.

        An imported population replaces both figures of its commune (the user's figure is
        the only one known for its millésime); elsewhere the reference's populations in
        force (:attr:`geo.reference.Reference.millesime`).
        """
        ref_com = self.reference.communes
        com = pd.DataFrame(
            {c: ref_com[c].to_numpy() for c in
             ("code_insee", "nom", "epci_siren", "population", "population_totale")}
        )  # fmt: skip
        com["population_totale"] = com["population_totale"].fillna(com["population"])
        com["millesime"] = self.reference.millesime
        com["importee"] = False
        pops = self.populations
        if pops is not None and not pops.empty and {"code_insee", "population"} <= set(pops):
            pops = pops.assign(
                code_insee=_text(pops["code_insee"]),
                population=pd.to_numeric(pops["population"], errors="coerce"),
            ).dropna(subset=["population"])
            if "millesime" not in pops:
                pops = pops.assign(millesime=None)
            pops = pops.drop_duplicates("code_insee", keep="last").set_index("code_insee")
            hit = com["code_insee"].isin(pops.index)
            imported = com.loc[hit, "code_insee"].map(pops["population"])
            com.loc[hit, "population"] = imported
            com.loc[hit, "population_totale"] = imported
            com.loc[hit, "millesime"] = com.loc[hit, "code_insee"].map(pops["millesime"])
            com.loc[hit, "importee"] = True
        com["population"] = com["population"].astype(int)
        com["population_totale"] = com["population_totale"].astype(int)
        return com

    @cached_property
    def epci_populations(self) -> pd.DataFrame:
        """Whole-EPCI populations and largest commune, both definitions, with the imported
        populations applied to the communes of the département.

        ``population_eff`` / ``max_commune_eff``: population totale (the legal definition,
        see :mod:`dashboard.coverage.plh`); ``population_municipale_eff`` /
        ``max_commune_municipale_eff``: population municipale. Communes outside the
        département keep the reference: their total is the whole EPCI's minus the part in
        the département, and their largest commune is known only when it is the EPCI's
        largest (above the in-département maximum); otherwise it is taken as 0, which never
        creates an obligation by itself.
        """
        ref_epci = self.reference.epci
        epci = pd.DataFrame({c: ref_epci[c].to_numpy() for c in ref_epci.columns
                             if c != "geometry"})  # fmt: skip
        com = self.commune_populations
        # Per EPCI, in numpy: a few hundred communes, where each pandas step costs more
        # than the sums themselves.
        codes, sirens = pd.factorize(com["epci_siren"].to_numpy(object))
        at = pd.Index(sirens).get_indexer(epci["siren"].to_numpy(object))
        n = len(sirens)

        def per_epci(values: np.ndarray, how: str) -> np.ndarray:
            out = np.zeros(n) if how == "sum" else np.full(n, -np.inf)
            mask = codes >= 0
            (np.add if how == "sum" else np.maximum).at(out, codes[mask], values[mask])
            found = np.where(at >= 0, out[np.maximum(at, 0)], np.nan)
            return np.where(np.isinf(found), np.nan, found)

        totale = com["population_totale"].to_numpy(float)
        municipale = com["population"].to_numpy(float)
        for eff, maxi, values, whole, dep, whole_max, dep_max in (
            ("population_eff", "max_commune_eff", totale, "population_totale_epci",
             "population_totale_dep", "population_totale_max_commune_epci",
             "population_totale_max_commune"),
            ("population_municipale_eff", "max_commune_municipale_eff", municipale,
             "population_epci", "population_dep", "population_max_commune_epci",
             "population_max_commune"),
        ):  # fmt: skip
            outside_pop = epci[whole].to_numpy(float) - epci[dep].to_numpy(float)
            whole_max_v = epci[whole_max].to_numpy(float)
            outside_max = np.where(whole_max_v > epci[dep_max].to_numpy(float), whole_max_v, 0)
            epci[eff] = (per_epci(values, "sum") + outside_pop).astype(int)
            epci[maxi] = np.fmax(per_epci(values, "max"), outside_max).astype(int)
            if eff == "population_eff":
                epci["population_outside"] = outside_pop.astype(int)
        epci["nb_importees"] = per_epci(com["importee"].to_numpy(float), "sum").astype(int)
        return epci

    @cached_property
    def _population_counts(self) -> dict[str, tuple[int, set[str], int, int]]:
        """Per EPCI: communes in the département, millésimes imported, communes imported,
        population outside the département (one pass, for :meth:`population_source`)."""
        com = self.commune_populations
        counts: dict[str, list] = {}
        for siren, importee, millesime in zip(
            com["epci_siren"].tolist(), com["importee"].tolist(), com["millesime"].tolist(),
            strict=True,
        ):  # fmt: skip
            entry = counts.setdefault(siren, [0, set(), 0])
            entry[0] += 1
            if importee:
                entry[2] += 1
                if pd.notna(millesime):
                    entry[1].add(str(millesime))
        epci = self.epci_populations
        outside = dict(zip(epci["siren"].tolist(), epci["population_outside"].tolist(),
                           strict=True))  # fmt: skip
        return {
            siren: (n, millesimes, imported, outside.get(siren, 0))
            for siren, (n, millesimes, imported) in counts.items()
        } | {siren: (0, set(), 0, pop) for siren, pop in outside.items() if siren not in counts}

    def population_source(self, siren: str) -> str:
        """French statement of the populations used for one EPCI (definitions, millésimes)."""
        ref = self.reference
        n_communes, millesimes, n_imported, outside = self._population_counts[siren]
        reference = (
            f"population totale {ref.millesime_totale} et population municipale "
            f"{ref.millesime} (INSEE, via {DECOUPAGE})"
        )
        if not n_imported:
            text = reference
        else:
            text = f"populations importées (millésime {', '.join(sorted(millesimes) or ['?'])})"
            if n_imported < n_communes:
                text += (
                    f" pour {n_imported} communes sur {n_communes}, {reference} pour les autres"
                )
        if outside > 0:
            text += f" ; communes hors département : {reference}"
        return text

    @cached_property
    def plh(self) -> pd.DataFrame:
        """Rows of ``plans`` holding a PLH (PLH or PLUi-H) of an EPCI of the reference."""
        rows = self.plans[
            self.plans["type_plan"].isin(PLH_TYPES) & (self.plans["territoire_type"] == "epci")
        ]
        return rows[rows["territoire_code"].isin(set(self.reference.epci["siren"]))]

    def epci_nom(self, siren: str) -> str:
        """Name of an EPCI of the reference (the SIREN when unknown)."""
        match = self.reference.epci.loc[self.reference.epci["siren"] == siren, "nom"]
        return str(match.iloc[0]) if len(match) else str(siren)


def prepare_inputs(
    reference: Reference,
    tables: dict[str, pd.DataFrame] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    memberships: pd.DataFrame | None = None,
    drawings: gpd.GeoDataFrame | None = None,
    as_of: dt.date | None = None,
    tolerances: Tolerances | None = None,
) -> CoverageInputs:
    """Normalise the inputs of :func:`dashboard.coverage.evaluate`.

    Parameters
    ----------
    reference : Reference
    tables : dict of DataFrame
        Keys ``plans``, ``objectifs``, ``instances``, ``populations`` (missing = empty).
    period : (date, date), optional
        PDALHPD period; by default that of the PDALHPD row of ``plans``.
    memberships : DataFrame, optional
        Instance memberships; by default expanded from ``tables["instances"]``, or
        converted from ``drawings`` when there are no instance rows.
    drawings : GeoDataFrame, optional
        Uploaded perimeter drawings, for PERIMETER_TOPOLOGY.
    as_of : date, optional
        Reference date; by default the one rule of
        :func:`dashboard.indicators.status.reference_date` on ``tables``.
    tolerances : Tolerances, optional
    """
    tables = tables or {}
    plans = normalise_plans(tables.get("plans"))
    objectifs = normalise_objectifs(tables.get("objectifs"))
    instances = tables.get("instances")
    if instances is None:
        instances = pd.DataFrame(columns=["instance_code", "instance_nom", "instance_type"])
    if period is not None:
        period_label = "période fournie"
        period = (to_date(period[0]), to_date(period[1]))
    else:
        found = pdalhpd_period(plans)
        period, period_label = found if found else (None, "période du PDALHPD inconnue")
    if as_of is None:
        as_of = reference_date(tables)
    if memberships is None or memberships.empty:
        memberships = combine_memberships(reference, instances, drawings=drawings)
    return CoverageInputs(
        reference=reference,
        plans=plans,
        objectifs=objectifs,
        instances=instances,
        populations=tables.get("populations"),
        period=period,
        period_label=period_label,
        as_of=as_of,
        memberships=memberships,
        drawings=drawings,
        tolerances=tolerances or Tolerances(),
    )
