"""Objectives against realisations, per territory, year and plan period (no Streamlit).

Everything here takes plain inputs — a :class:`~geo.reference.Reference`, the commune
memberships of the instances and the workspace tables as pandas DataFrames with the
canonical columns (docs/ARCHITECTURE.md, « Types d'import ») — so the pages, the CLI, the
exports and the tests get the same numbers. Facts come from
:mod:`dashboard.indicators.facts`, statuses from :mod:`dashboard.indicators.status`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.indicators.facts import (
    FACT_COLUMNS,
    LEVELS,
    SOURCE_OPERATIONS,
    SOURCE_SIGNALEMENTS_TRAITES,
    STATUT_PAR_DEFAUT,
    TYPE_ORDER,
    aggregate_facts,
    containment,
    operations_facts,
    realisations_facts,
    resolved_signals_facts,
    same_departement,
    table_of,
    territory_map,
    territory_names,
    year_of,
)
from dashboard.indicators.fields import FIELD_KINDS, FIELD_OF, all_field_facts
from dashboard.indicators.memo import memoised
from dashboard.indicators.status import (
    part_attendue,
    statuses,
)
from geo.reference import Reference

#: Indicators always reported for the département, even without objective or data.
CORE_INDICATORS: tuple[str, ...] = (
    "plai",
    "parc_prive_social",
    "contingent_attributions",
    "signalements_traites",
)

#: Keys of an indicator row, in the order of the CLI JSON (docs/ARCHITECTURE.md, « Ligne de
#: commande »).
INDICATOR_KEYS: list[str] = [
    "indicateur",
    "territoire_type",
    "territoire_code",
    "territoire_nom",
    "periode",
    "objectif",
    "realise",
    "taux",
    "attendu_a_date",
    "statut",
]
#: Extra keys that follow them.
EXTRA_KEYS: list[str] = [
    "annee_debut",
    "annee_fin",
    "part_attendue",
    "programme",
    "objectif_annualise",
    "annee_donnees",
    "libelle",
    "unite",
    "source",
]
OUTPUT_COLUMNS = INDICATOR_KEYS + EXTRA_KEYS


# --------------------------------------------------------------------------- preparation


@dataclass
class Prepared:
    """Inputs normalised once, shared by the indicators, the balance and the signals.

    Attributes
    ----------
    reference : Reference
        The reference.
    tmap : DataFrame
        :func:`territory_map`.
    names : DataFrame
        :func:`territory_names`.
    yearly : DataFrame
        Realised values per territory (every level), indicator and year
        (:func:`aggregate_facts`).
    objectives : DataFrame
        Objectives keyed like the territories: ``territoire_type``, ``territoire_code``,
        ``indicateur``, ``annee_debut``, ``annee_fin``, ``objectif``, ``source_objectif``.
    sources : dict
        Indicator → label of where its realised values come from.
    warnings : list of str
        Unknown indicator codes, objectives on unknown territories.
    """

    reference: Reference
    tmap: pd.DataFrame
    names: pd.DataFrame
    yearly: pd.DataFrame
    objectives: pd.DataFrame
    sources: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    #: What every level and date computes alike from these inputs (:func:`_row_specs`).
    derived: dict = field(default_factory=dict, repr=False, compare=False)


def _objectives(objectifs: pd.DataFrame, departement: str) -> pd.DataFrame:
    cols = [
        "territoire_type",
        "territoire_code",
        "indicateur",
        "annee_debut",
        "annee_fin",
        "objectif",
        "source_objectif",
    ]
    if objectifs.empty:
        return pd.DataFrame(columns=cols)
    src = objectifs.get("source", pd.Series(None, index=objectifs.index)).astype(object)
    src = src.where(src.notna() & (src.astype(str).str.strip() != "") & (src != "None"))
    out = pd.DataFrame(
        {
            "territoire_type": objectifs["territoire_type"].astype(str).to_numpy(),
            "territoire_code": objectifs["territoire_code"].astype(str).str.strip().to_numpy(),
            "indicateur": objectifs["indicateur"].astype(str).to_numpy(),
            "annee_debut": year_of(objectifs["annee_debut"]).to_numpy(),
            "annee_fin": year_of(objectifs["annee_fin"]).to_numpy(),
            "objectif": pd.to_numeric(objectifs["valeur"], errors="coerce").to_numpy(float),
            "source_objectif": src.fillna("objectifs importés").astype(str).to_numpy(),
        }
    )
    dep_rows = out["territoire_type"] == "departement"
    out.loc[dep_rows, "territoire_code"] = [
        departement if same_departement(c, departement) else c
        for c in out.loc[dep_rows, "territoire_code"]
    ]
    out = out.dropna(subset=["annee_debut", "annee_fin"])
    return out.drop_duplicates(
        ["territoire_type", "territoire_code", "indicateur", "annee_debut", "annee_fin"]
    ).reset_index(drop=True)


def _realisation_sources(realisations: pd.DataFrame) -> dict[str, str]:
    if realisations.empty:
        return {}
    src = realisations.get("source", pd.Series(None, index=realisations.index)).astype(object)
    frame = pd.DataFrame({"indicateur": realisations["indicateur"].astype(str), "source": src})
    frame = frame[frame["source"].notna() & ~frame["source"].astype(str).isin(["", "None"])]
    out = dict.fromkeys(realisations["indicateur"].astype(str), "réalisations importées")
    for code, group in frame.groupby("indicateur"):
        labels = ", ".join(sorted(group["source"].astype(str).unique()))
        out[str(code)] = f"réalisations importées ({labels})"
    return out


def prepare(
    reference: Reference,
    memberships: pd.DataFrame | None,
    tables: dict[str, pd.DataFrame] | None,
) -> Prepared:
    """Normalise the inputs once (territories, realised values per year, objectives).

    Parameters
    ----------
    reference : Reference
        The département's reference.
    memberships : DataFrame or None
        Commune memberships of the instances (:func:`geo.perimeters.expand_memberships`).
    tables : dict of DataFrame
        Workspace tables by kind (``objectifs``, ``realisations``, ``operations``,
        ``signalements``, ``populations``); a missing kind is an empty table.
    """
    from dashboard.store.schemas import INDICATORS

    def territories() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        tmap = territory_map(reference, memberships)
        return tmap, containment(tmap), territory_names(tmap)

    # An import of operations or signals leaves the territories and the fields as they were.
    tmap, contain, names = memoised(
        "territoires", (reference.departement, reference.millesime, len(reference.communes)),
        (memberships,), territories,
    )  # fmt: skip
    operations = table_of(tables, "operations")
    signalements = table_of(tables, "signalements")
    realisations = table_of(tables, "realisations")
    real = realisations_facts(realisations, reference.departement)
    sources = _realisation_sources(realisations)
    parts = [real]
    if not operations.empty:
        parts = [real[real["indicateur"] != "plai"], operations_facts(operations)]
        sources["plai"] = SOURCE_OPERATIONS
    if not signalements.empty and "signalements_traites" not in set(real["indicateur"]):
        parts.append(resolved_signals_facts(signalements))
        sources["signalements_traites"] = SOURCE_SIGNALEMENTS_TRAITES
    objectives = _objectives(table_of(tables, "objectifs"), reference.departement)
    # The fields' tables (DALO, evictions, FSL…) meet the objectives set on their
    # indicators; imported réalisations of the same indicator win, as for signals.
    fields = memoised("champs", reference.departement,
                      [(tables or {}).get(kind) for kind in FIELD_KINDS],
                      lambda: all_field_facts(tables, reference.departement))  # fmt: skip
    fields = fields[fields["indicateur"].isin(set(objectives["indicateur"]))
                    & ~fields["indicateur"].isin(set(real["indicateur"]))]  # fmt: skip
    if not fields.empty:
        parts.append(fields)
        for code in set(fields["indicateur"]):
            sources[code] = f"table « {FIELD_OF[code]} » importée"
    parts = [p for p in parts if not p.empty]
    facts = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FACT_COLUMNS)
    yearly = aggregate_facts(facts, contain)
    warnings = [
        f"Indicateur hors catalogue : « {code} »"
        for code in sorted(set(objectives["indicateur"]) | set(real["indicateur"]))
        if code not in INDICATORS
    ]
    known = names[["territoire_type", "territoire_code"]]
    for label, frame in (("Objectif ignoré", objectives), ("Réalisation ignorée", real)):
        matched = frame[["territoire_type", "territoire_code", "indicateur"]].merge(
            known, on=["territoire_type", "territoire_code"], how="left", indicator=True
        )
        unknown = matched[matched["_merge"] == "left_only"].drop_duplicates()
        warnings.extend(
            f"{label}, territoire inconnu : {t} {c} ({i})"
            for t, c, i in unknown[["territoire_type", "territoire_code", "indicateur"]].itertuples(
                index=False
            )
        )
    return Prepared(reference, tmap, names, yearly, objectives, sources, warnings)


# --------------------------------------------------------------------------- indicators


def _reference_periods(objectives: pd.DataFrame) -> pd.DataFrame:
    """Plan periods (multi-year objectives) per indicator, with a fallback for all."""
    multi = objectives[objectives["annee_fin"] > objectives["annee_debut"]]
    return multi[["indicateur", "annee_debut", "annee_fin"]].drop_duplicates()


def _row_specs(prep: Prepared, indicators: list[str]) -> pd.DataFrame:
    """Rows to report: one per (territory, indicator, period or year)."""
    obj = prep.objectives.assign(objectif_annualise=False)
    keys = ["territoire_type", "territoire_code", "indicateur"]
    periods = _reference_periods(obj)
    all_periods = periods[["annee_debut", "annee_fin"]].drop_duplicates()
    # Reference periods of each indicator: its own multi-year periods, else every plan period.
    ref_periods = pd.concat(
        [periods]
        + [
            all_periods.assign(indicateur=code)
            for code in indicators
            if code not in set(periods["indicateur"])
        ],
        ignore_index=True,
    )

    # Territories with realised values but no objective for the indicator: "sans objectif".
    has_value = prep.yearly[(prep.yearly["valeur"] > 0) | (prep.yearly["programme"] > 0)]
    present = has_value[keys].drop_duplicates()
    dep_core = prep.names[prep.names["territoire_type"] == "departement"][
        ["territoire_type", "territoire_code"]
    ].merge(pd.DataFrame({"indicateur": list(CORE_INDICATORS)}), how="cross")
    present = pd.concat([present, dep_core], ignore_index=True).drop_duplicates()
    with_obj = obj[keys].drop_duplicates()
    without = present.merge(with_obj, on=keys, how="left", indicator=True)
    without = without[without["_merge"] == "left_only"].drop(columns="_merge")
    orphan = without.merge(ref_periods, on="indicateur").assign(
        objectif=np.nan, source_objectif="", objectif_annualise=False
    )
    # Indicators with no plan period at all: per-year rows for the years with values.
    no_period = without[~without["indicateur"].isin(set(ref_periods["indicateur"]))]
    orphan_years = no_period.merge(has_value[[*keys, "annee"]], on=keys)
    orphan_years = orphan_years.assign(
        annee_debut=orphan_years["annee"],
        annee_fin=orphan_years["annee"],
        objectif=np.nan,
        source_objectif="",
        objectif_annualise=False,
    ).drop(columns="annee")

    base = pd.concat([obj, orphan], ignore_index=True)
    # Per-year rows of the multi-year periods: the annual share of the objective, unless a
    # yearly objective was given for that year.
    multi = base[base["annee_fin"] > base["annee_debut"]].copy()
    multi["n"] = (multi["annee_fin"] - multi["annee_debut"] + 1).astype(int)
    rep = multi.loc[multi.index.repeat(multi["n"])].copy()
    rep["annee_debut"] = rep["annee_debut"] + rep.groupby(level=0).cumcount()
    rep["annee_fin"] = rep["annee_debut"]
    rep["objectif"] = rep["objectif"] / rep["n"]
    rep["objectif_annualise"] = rep["objectif"].notna()
    rep = rep.drop(columns="n").reset_index(drop=True)
    yearly_given = base[base["annee_fin"] == base["annee_debut"]]
    rep = rep.merge(
        yearly_given[[*keys, "annee_debut"]].assign(_given=True),
        on=[*keys, "annee_debut"],
        how="left",
    )
    rep = rep[rep["_given"].isna()].drop(columns="_given")
    specs = pd.concat([base, rep, orphan_years], ignore_index=True)
    return specs.drop_duplicates([*keys, "annee_debut", "annee_fin"], ignore_index=True)


def compute_indicators(
    reference: Reference,
    memberships: pd.DataFrame | None,
    tables: dict[str, pd.DataFrame] | None,
    today: dt.date,
    level: str | None = None,
    source_suffix: str = "",
    prepared: Prepared | None = None,
) -> pd.DataFrame:
    """Objective, realisation, rate, expected to date and status per territory and period.

    Parameters
    ----------
    reference : Reference
        The département's reference.
    memberships : DataFrame or None
        Commune memberships of the instances.
    tables : dict of DataFrame
        Workspace tables by kind, canonical columns (docs/ARCHITECTURE.md, « Types
        d'import »); missing kinds are empty.
    today : date
        Reference date of the expected-to-date trajectory.
    level : str, optional
        Keep one level (``departement``, ``instance``, ``epci``, ``commune``); default all.
    source_suffix : str
        Appended to every ``source`` label (e.g. " — données de démonstration").
    prepared : Prepared, optional
        Result of :func:`prepare` to reuse.

    Returns
    -------
    DataFrame
        Columns :data:`OUTPUT_COLUMNS`. One row per objective (``periode`` "2021-2026" or
        "2023"), one per year of each multi-year objective (``objectif`` = annual share,
        ``objectif_annualise`` True), ``annee_donnees`` the last year with realised values
        of the indicator anywhere (a later year at 0 may just not be imported yet), and
        "sans objectif" rows for territories with realised values but no objective, over
        the indicator's plan periods. ``taux`` and
        ``part_attendue`` are ratios (0.5 = 50 %); ``attendu_a_date`` is in the unit of the
        objective; ``programme`` is the PLA-I only programmed (NaN for other indicators).
        ``df.attrs["avertissements"]`` lists unknown indicators and territories.
    """
    from dashboard.store.schemas import INDICATORS

    if level is not None and level not in LEVELS:
        raise ValueError(f"Niveau inconnu : {level} ; niveaux possibles : {', '.join(LEVELS)}")
    prep = prepared or prepare(reference, memberships, tables)
    indicators = sorted(
        set(CORE_INDICATORS) | set(prep.objectives["indicateur"]) | set(prep.yearly["indicateur"])
    )
    key = ("lignes", tuple(indicators))
    if key not in prep.derived:  # the same for every level and date of these inputs
        prep.derived[key] = _row_specs(prep, indicators)
    specs = prep.derived[key].copy(deep=False)
    if level is not None:
        specs = specs[specs["territoire_type"] == level]
    specs = specs.merge(
        prep.names[["territoire_type", "territoire_code", "territoire_nom"]],
        on=["territoire_type", "territoire_code"],
    ).reset_index(drop=True)
    specs["annee_debut"] = specs["annee_debut"].astype(int)
    specs["annee_fin"] = specs["annee_fin"].astype(int)

    # Realised over each row's years: join the yearly values and keep the years in range.
    keys = ["territoire_type", "territoire_code", "indicateur"]
    yearly = prep.yearly
    if level is not None:
        yearly = yearly[yearly["territoire_type"] == level]
    joined = specs[[*keys, "annee_debut", "annee_fin"]].reset_index().merge(yearly, on=keys)
    annee = joined["annee"].astype(int)
    joined = joined[(annee >= joined["annee_debut"]) & (annee <= joined["annee_fin"])]
    sums = joined.groupby("index")[["valeur", "programme"]].sum(min_count=1)
    specs["realise"] = sums["valeur"].reindex(specs.index).fillna(0.0)
    specs["programme"] = sums["programme"].reindex(specs.index)
    specs.loc[specs["indicateur"] == "plai", "programme"] = specs["programme"].fillna(0.0)

    pairs = specs[["annee_debut", "annee_fin"]].drop_duplicates()
    pairs["part_attendue"] = [
        part_attendue(a, b, today)
        for a, b in zip(pairs["annee_debut"], pairs["annee_fin"], strict=True)
    ]
    specs = specs.merge(pairs, on=["annee_debut", "annee_fin"], how="left")
    has_obj = specs["objectif"].notna() & (specs["objectif"] > 0)
    specs["taux"] = (specs["realise"] / specs["objectif"]).where(has_obj)
    specs["attendu_a_date"] = (specs["objectif"] * specs["part_attendue"]).where(has_obj)
    specs["statut"] = statuses(specs["objectif"], specs["realise"], specs["attendu_a_date"])
    specs["periode"] = np.where(
        specs["annee_debut"] == specs["annee_fin"],
        specs["annee_debut"].astype(str),
        specs["annee_debut"].astype(str) + "-" + specs["annee_fin"].astype(str),
    )
    last_year = prep.yearly.dropna(subset=["annee"]).groupby("indicateur")["annee"].max()
    specs["annee_donnees"] = specs["indicateur"].map(last_year).astype("Int64")
    specs["libelle"] = [INDICATORS[c].label if c in INDICATORS else c for c in specs["indicateur"]]
    specs["unite"] = [INDICATORS[c].unit if c in INDICATORS else "" for c in specs["indicateur"]]
    real_src = specs["indicateur"].map(
        lambda code: prep.sources.get(code, "aucune réalisation importée")
    )
    obj_src = specs["source_objectif"].where(
        specs["source_objectif"].astype(bool), "aucun objectif"
    )
    specs["source"] = "objectif : " + obj_src + " ; réalisé : " + real_src + source_suffix
    specs["_order"] = specs["territoire_type"].map(TYPE_ORDER)
    specs["_span"] = specs["annee_fin"] == specs["annee_debut"]
    specs = specs.sort_values(
        ["indicateur", "_order", "territoire_code", "_span", "annee_debut", "annee_fin"]
    )
    out = specs[OUTPUT_COLUMNS].reset_index(drop=True)
    out["objectif_annualise"] = out["objectif_annualise"].astype(bool)
    out.attrs["avertissements"] = list(prep.warnings)
    return out


def indicator_records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready rows (NaN → None, numpy scalars → Python) with the CLI keys first."""
    clean = frame.astype(object).where(frame.notna(), None)
    records = []
    for row in clean.itertuples(index=False):
        record = {}
        for key, value in zip(clean.columns, row, strict=True):
            record[key] = value.item() if hasattr(value, "item") else value
        records.append(record)
    return records


def plai_programming(
    reference: Reference,
    memberships: pd.DataFrame | None,
    operations: pd.DataFrame,
    level: str = "departement",
    by: tuple[str, ...] = ("annee", "statut"),
) -> pd.DataFrame:
    """Operations and dwellings per territory of a level and any operation columns.

    Every status is kept (abandoned included) so that the page can show the programming
    pipeline; a missing status reads :data:`STATUT_PAR_DEFAUT`, a missing ``bailleur``
    "non renseigné".

    Parameters
    ----------
    by : tuple of str
        Operation columns to break down by (``annee``, ``statut``, ``bailleur``…).

    Returns
    -------
    DataFrame
        ``territoire_type``, ``territoire_code``, ``territoire_nom``, the ``by`` columns,
        ``nb_operations``, ``nb_plai``, ``nb_plus``, ``nb_pls``.
    """
    tmap = territory_map(reference, memberships)
    tmap = tmap[tmap["territoire_type"] == level]
    keys = ["territoire_type", "territoire_code", "territoire_nom"]
    counts = ["nb_plai", "nb_plus", "nb_pls"]
    if operations.empty:
        return pd.DataFrame(columns=[*keys, *by, "nb_operations", *counts])
    ops = pd.DataFrame({"code_insee": operations["code_insee"].astype(str).to_numpy()})
    for col in by:
        values = operations.get(col, pd.Series(None, index=operations.index)).astype(object)
        missing = values.isna() | values.astype(str).isin(["", "None", "nan", "<NA>"])
        default = STATUT_PAR_DEFAUT if col == "statut" else "non renseigné"
        ops[col] = values.where(~missing, default).to_numpy()
    for col in counts:
        values = operations.get(col, pd.Series(0, index=operations.index))
        ops[col] = pd.to_numeric(values, errors="coerce").fillna(0).to_numpy(float)
    joined = ops.merge(tmap, on="code_insee")
    out = joined.groupby([*keys, *by], as_index=False, sort=True).agg(
        nb_operations=("code_insee", "size"), **{c: (c, "sum") for c in counts}
    )
    return out[[*keys, *by, "nb_operations", *counts]]
