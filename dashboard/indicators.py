"""Objectives against realisations, per territory, year and plan period (no Streamlit).

Everything here takes plain inputs — a :class:`~geo.reference.Reference`, the commune
memberships of the instances and the workspace tables as pandas DataFrames with the
canonical columns of DESIGN.md §3 — so the pages, the CLI, the exports and the tests
get the same numbers.

Rules, stated once
------------------
* **The commune is the atom.** A territory (département, instance, EPCI, commune) is a set
  of communes of the reference. A value given for a commune counts for every territory
  that holds the commune. A value given for a larger territory (an EPCI, an instance)
  counts for itself and for every territory that contains *all* its communes of the
  département (an EPCI value counts for the instances that hold the whole EPCI and for
  the département, never for its communes). EPCI values are assumed to concern the part
  of the EPCI inside the département.
* **Nothing is counted twice.** When a territory has a realisation declared for itself
  for an indicator and a year, that value is used as is; a value declared for a part of
  it counts only when no larger declared territory between the two holds that part
  (:func:`aggregate_facts`).
* **PLA-I** realisations come from the imported operations (Sisal / Galion): see
  :data:`STATUTS_REALISES`. **Signalements traités** are the signals closed during the
  year (year of ``date_cloture``), unless ``realisations`` holds that indicator, in which
  case the imported values are used. Every other indicator comes from ``realisations``.
* **Expected to date** (:func:`part_attendue`): each year of the period weighs the same;
  years over at ``today`` count fully, the current year pro rata of its days elapsed
  (``today`` included), future years not at all. On 31/12/2023, 3 of the 6 years of
  2021-2026 are over: 50 %.
* **Status** (:func:`statut`): achievement compared with what is expected to date, with
  the thresholds :data:`SEUIL_CONFORME` and :data:`SEUIL_TRES_EN_RETARD`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.reference import Reference

#: Territory levels, from the largest to the atom.
LEVELS: tuple[str, ...] = ("departement", "instance", "epci", "commune")
LEVEL_LABELS = {
    "departement": "département",
    "instance": "instance",
    "epci": "EPCI",
    "commune": "commune",
}

#: Indicators always reported for the département, even without objective or data.
CORE_INDICATORS: tuple[str, ...] = (
    "plai",
    "parc_prive_social",
    "contingent_attributions",
    "signalements_traites",
)

#: Operation statuses counted as realised PLA-I: a dwelling is *financed* once its
#: operation is agreed (``agreee``), and stays counted when delivered (``livree``).
STATUTS_REALISES: tuple[str, ...] = ("agreee", "livree")
#: Operations only programmed are shown apart, in the ``programme`` column.
STATUT_PROGRAMME = "programmee"
#: Abandoned operations count nowhere.
STATUTS_EXCLUS: tuple[str, ...] = ("abandonnee",)
#: An operation without status is taken as financed: Sisal extracts list agreed
#: operations unless they say otherwise.
STATUT_PAR_DEFAUT = "agreee"

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

#: Keys of an indicator row, in the order of the CLI JSON (DESIGN.md §4).
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

SOURCE_OPERATIONS = "opérations PLA-I importées (Sisal / Galion), statuts agréée et livrée"
SOURCE_SIGNALEMENTS_TRAITES = "signalements clôturés dans l'année (Signal Logement)"

_TYPE_ORDER = {t: i for i, t in enumerate(LEVELS)}
_FACT_COLUMNS = ["territoire_type", "territoire_code", "indicateur", "annee", "valeur", "programme"]


# --------------------------------------------------------------------------- territories


def territory_map(reference: Reference, memberships: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every territory of every level as the set of its communes.

    Parameters
    ----------
    reference : Reference
        The département's reference. When ``reference.communes`` has ``departement`` (and
        optionally ``departement_nom``) columns, several départements are handled, which
        the national benchmark uses.
    memberships : DataFrame, optional
        Commune memberships of the instances (``instance_code``, ``instance_nom``,
        ``code_insee``); communes unknown to the reference are ignored.

    Returns
    -------
    DataFrame
        ``territoire_type``, ``territoire_code``, ``territoire_nom``, ``code_insee``: one row
        per (territory, commune).
    """
    com = reference.communes
    codes = com["code_insee"].astype(str).to_numpy()
    if "departement" in com:
        dep_codes = com["departement"].astype(str).to_numpy()
        dep_noms = (
            com["departement_nom"].astype(str).to_numpy() if "departement_nom" in com else dep_codes
        )
    else:
        dep_codes = np.full(len(com), reference.departement, dtype=object)
        dep_noms = np.full(len(com), reference.departement_nom, dtype=object)
    parts = [
        pd.DataFrame(
            {
                "territoire_type": "departement",
                "territoire_code": dep_codes,
                "territoire_nom": dep_noms,
                "code_insee": codes,
            }
        )
    ]
    if memberships is not None and not memberships.empty:
        mem = memberships[memberships["code_insee"].astype(str).isin(set(codes))]
        parts.append(
            pd.DataFrame(
                {
                    "territoire_type": "instance",
                    "territoire_code": mem["instance_code"].astype(str).to_numpy(),
                    "territoire_nom": mem["instance_nom"].astype(str).to_numpy(),
                    "code_insee": mem["code_insee"].astype(str).to_numpy(),
                }
            ).drop_duplicates(["territoire_code", "code_insee"])
        )
    has_epci = com["epci_siren"].notna().to_numpy()
    parts.append(
        pd.DataFrame(
            {
                "territoire_type": "epci",
                "territoire_code": com["epci_siren"].to_numpy()[has_epci].astype(str),
                "territoire_nom": com["epci_nom"].to_numpy()[has_epci].astype(str),
                "code_insee": codes[has_epci],
            }
        )
    )
    parts.append(
        pd.DataFrame(
            {
                "territoire_type": "commune",
                "territoire_code": codes,
                "territoire_nom": com["nom"].astype(str).to_numpy(),
                "code_insee": codes,
            }
        )
    )
    return pd.concat(parts, ignore_index=True)


def territory_names(tmap: pd.DataFrame) -> pd.DataFrame:
    """One row per territory: ``territoire_type``, ``territoire_code``, ``territoire_nom``,
    ``nb_communes``."""
    return tmap.groupby(["territoire_type", "territoire_code"], as_index=False, sort=False).agg(
        territoire_nom=("territoire_nom", "first"), nb_communes=("code_insee", "size")
    )


def containment(tmap: pd.DataFrame) -> pd.DataFrame:
    """Which territory a value declared for another one counts for.

    A source territory S counts for a target territory T when every commune of S is in T
    (S ⊆ T, S itself included).

    Returns
    -------
    DataFrame
        ``src_type``, ``src_code``, ``territoire_type``, ``territoire_code``, ``n_src`` and
        ``n_tgt`` (their numbers of communes), ``direct`` (True when S is T).
    """
    src = tmap[["territoire_type", "territoire_code", "code_insee"]].rename(
        columns={"territoire_type": "src_type", "territoire_code": "src_code"}
    )
    sizes = tmap.groupby(["territoire_type", "territoire_code"], sort=False).size()
    pairs = src.merge(tmap[["territoire_type", "territoire_code", "code_insee"]], on="code_insee")
    out = (
        pairs.groupby(["src_type", "src_code", "territoire_type", "territoire_code"], sort=False)
        .size()
        .rename("n_shared")
        .reset_index()
    )
    out["n_src"] = sizes.reindex(pd.MultiIndex.from_frame(out[["src_type", "src_code"]])).to_numpy()
    out["n_tgt"] = sizes.reindex(
        pd.MultiIndex.from_frame(out[["territoire_type", "territoire_code"]])
    ).to_numpy()
    out = out[out["n_shared"] == out["n_src"]].drop(columns="n_shared")
    out["direct"] = (out["src_type"] == out["territoire_type"]) & (
        out["src_code"] == out["territoire_code"]
    )
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- facts


def _table(tables: dict[str, pd.DataFrame] | None, kind: str) -> pd.DataFrame:
    frame = (tables or {}).get(kind)
    return frame if frame is not None else pd.DataFrame()


def _year(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("Int64")


def operations_facts(operations: pd.DataFrame) -> pd.DataFrame:
    """PLA-I per commune and year: realised (:data:`STATUTS_REALISES`) and programmed.

    Returns
    -------
    DataFrame
        ``territoire_type`` (commune), ``territoire_code``, ``indicateur`` (plai), ``annee``,
        ``valeur`` (agreed + delivered dwellings), ``programme`` (programmed dwellings).
        Abandoned operations are left out.
    """
    if operations.empty:
        return pd.DataFrame(columns=_FACT_COLUMNS)
    statut = operations.get("statut", pd.Series(None, index=operations.index))
    statut = statut.astype(object).where(statut.notna() & (statut.astype(str) != "None"), None)
    statut = statut.fillna(STATUT_PAR_DEFAUT).astype(str)
    nb = pd.to_numeric(operations["nb_plai"], errors="coerce").fillna(0)
    frame = pd.DataFrame(
        {
            "territoire_code": operations["code_insee"].astype(str).to_numpy(),
            "annee": _year(operations["annee"]).to_numpy(),
            "valeur": nb.where(statut.isin(STATUTS_REALISES), 0).to_numpy(dtype=float),
            "programme": nb.where(statut == STATUT_PROGRAMME, 0).to_numpy(dtype=float),
        }
    )
    out = frame.groupby(["territoire_code", "annee"], as_index=False, sort=False)[
        ["valeur", "programme"]
    ].sum()
    return out.assign(territoire_type="commune", indicateur="plai")[_FACT_COLUMNS]


def closed_signals_facts(signalements: pd.DataFrame) -> pd.DataFrame:
    """``signalements_traites`` per commune and year of ``date_cloture``."""
    if signalements.empty or "date_cloture" not in signalements:
        return pd.DataFrame(columns=_FACT_COLUMNS)
    closed = pd.to_datetime(signalements["date_cloture"], errors="coerce")
    frame = pd.DataFrame(
        {
            "territoire_code": signalements["code_insee"].astype(str).to_numpy(),
            "annee": closed.dt.year.astype("Int64").to_numpy(),
        }
    )[closed.notna().to_numpy()]
    out = frame.groupby(["territoire_code", "annee"], as_index=False, sort=False).size()
    out = out.rename(columns={"size": "valeur"}).assign(
        territoire_type="commune", indicateur="signalements_traites", programme=np.nan
    )
    out["valeur"] = out["valeur"].astype(float)
    return out[_FACT_COLUMNS]


def realisations_facts(realisations: pd.DataFrame, departement: str | None = None) -> pd.DataFrame:
    """Imported realisations as facts (a département row keyed on the reference's code)."""
    if realisations.empty:
        return pd.DataFrame(columns=_FACT_COLUMNS)
    out = pd.DataFrame(
        {
            "territoire_type": realisations["territoire_type"].astype(str).to_numpy(),
            "territoire_code": realisations["territoire_code"].astype(str).str.strip().to_numpy(),
            "indicateur": realisations["indicateur"].astype(str).to_numpy(),
            "annee": _year(realisations["annee"]).to_numpy(),
            "valeur": pd.to_numeric(realisations["valeur"], errors="coerce").to_numpy(float),
            "programme": np.nan,
        }
    )
    if departement is not None:
        dep_rows = out["territoire_type"] == "departement"
        out.loc[dep_rows, "territoire_code"] = out.loc[dep_rows, "territoire_code"].map(
            lambda c: departement if _same_departement(c, departement) else c
        )
    return out


def _same_departement(code: str, departement: str) -> bool:
    text = str(code).strip().upper()
    return text == departement or (text.isdigit() and text.zfill(2) == departement)


def aggregate_facts(facts: pd.DataFrame, contain: pd.DataFrame) -> pd.DataFrame:
    """Sum facts declared at any level onto every territory that contains their source.

    Nothing is counted twice: for a target T, a value declared for S is left out when a
    value (same indicator and year) is declared for a larger territory S' with
    S ⊂ S' ⊆ T — in particular a value declared for T itself wins over its parts. Between
    two declared territories with the same communes, the larger level wins (instance over
    EPCI over commune). Facts on territories unknown to the reference are dropped.

    Returns
    -------
    DataFrame
        ``territoire_type``, ``territoire_code``, ``indicateur``, ``annee``, ``valeur``,
        ``programme``.
    """
    facts = facts.dropna(subset=["annee"])
    if facts.empty:
        return pd.DataFrame(columns=_FACT_COLUMNS)
    src = ["src_type", "src_code"]
    pre = facts.groupby(
        ["territoire_type", "territoire_code", "indicateur", "annee"], as_index=False, sort=False
    )[["valeur", "programme"]].sum(min_count=1)
    pre = pre.rename(columns={"territoire_type": "src_type", "territoire_code": "src_code"})
    joined = pre.merge(contain.drop(columns=["n_src", "n_tgt"]), on=src)

    # Declared sources S' above another declared source S: drop S -> T when S' ⊆ T.
    declared = pre.loc[pre["src_type"] != "commune", [*src, "indicateur", "annee"]]
    if not declared.empty:
        sup = contain[~contain["direct"]].rename(
            columns={"territoire_type": "sup_type", "territoire_code": "sup_code", "n_tgt": "n_sup"}
        )
        sup = sup.merge(
            declared.rename(columns={"src_type": "sup_type", "src_code": "sup_code"}),
            on=["sup_type", "sup_code"],
        ).merge(pre[[*src, "indicateur", "annee"]], on=[*src, "indicateur", "annee"])
        order_sup = sup["sup_type"].map(_TYPE_ORDER)
        order_src = sup["src_type"].map(_TYPE_ORDER)
        wins = (sup["n_sup"] > sup["n_src"]) | (
            (sup["n_sup"] == sup["n_src"]) & (order_sup < order_src)
        )
        sup = sup[wins]
        above = contain[["src_type", "src_code", "territoire_type", "territoire_code"]].rename(
            columns={"src_type": "sup_type", "src_code": "sup_code"}
        )
        drop = sup[[*src, "sup_type", "sup_code", "indicateur", "annee"]].merge(
            above, on=["sup_type", "sup_code"]
        )
        drop = drop[[*src, "territoire_type", "territoire_code", "indicateur", "annee"]]
        drop = drop.drop_duplicates().assign(_drop=True)
        joined = joined.merge(drop, how="left", on=list(drop.columns[:-1]))
        joined = joined[joined["_drop"].isna()]
    keys = ["territoire_type", "territoire_code", "indicateur", "annee"]
    agg = joined.groupby(keys, as_index=False, sort=False)[["valeur", "programme"]].sum(min_count=1)
    agg["valeur"] = agg["valeur"].fillna(0.0)
    return agg[_FACT_COLUMNS]


# --------------------------------------------------------------------------- expected / status


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


def statut(
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


def _statuts(objectif: pd.Series, realise: pd.Series, attendu: pd.Series) -> np.ndarray:
    has_obj = objectif.notna() & (objectif > 0)
    started = attendu.notna() & (attendu > 0)
    ratio = realise / attendu.where(started)
    return np.select(
        [~has_obj, ~started, ratio >= SEUIL_CONFORME, ratio >= SEUIL_TRES_EN_RETARD],
        [STATUT_SANS_OBJECTIF, STATUT_A_VENIR, STATUT_CONFORME, STATUT_RETARD],
        default=STATUT_TRES_RETARD,
    )


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
            "annee_debut": _year(objectifs["annee_debut"]).to_numpy(),
            "annee_fin": _year(objectifs["annee_fin"]).to_numpy(),
            "objectif": pd.to_numeric(objectifs["valeur"], errors="coerce").to_numpy(float),
            "source_objectif": src.fillna("objectifs importés").astype(str).to_numpy(),
        }
    )
    dep_rows = out["territoire_type"] == "departement"
    out.loc[dep_rows, "territoire_code"] = [
        departement if _same_departement(c, departement) else c
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
    from dashboard.schemas import INDICATORS

    tmap = territory_map(reference, memberships)
    contain = containment(tmap)
    operations = _table(tables, "operations")
    signalements = _table(tables, "signalements")
    realisations = _table(tables, "realisations")
    real = realisations_facts(realisations, reference.departement)
    sources = _realisation_sources(realisations)
    parts = [real]
    if not operations.empty:
        parts = [real[real["indicateur"] != "plai"], operations_facts(operations)]
        sources["plai"] = SOURCE_OPERATIONS
    if not signalements.empty and "signalements_traites" not in set(real["indicateur"]):
        parts.append(closed_signals_facts(signalements))
        sources["signalements_traites"] = SOURCE_SIGNALEMENTS_TRAITES
    parts = [p for p in parts if not p.empty]
    facts = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_FACT_COLUMNS)
    yearly = aggregate_facts(facts, contain)
    objectives = _objectives(_table(tables, "objectifs"), reference.departement)
    warnings = [
        f"Indicateur hors catalogue : « {code} »"
        for code in sorted(set(objectives["indicateur"]) | set(real["indicateur"]))
        if code not in INDICATORS
    ]
    known = territory_names(tmap)[["territoire_type", "territoire_code"]]
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
    return Prepared(reference, tmap, territory_names(tmap), yearly, objectives, sources, warnings)


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
        Workspace tables by kind, canonical columns (DESIGN.md §3); missing kinds are empty.
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
    from dashboard.schemas import INDICATORS

    if level is not None and level not in LEVELS:
        raise ValueError(f"Niveau inconnu : {level} ; niveaux possibles : {', '.join(LEVELS)}")
    prep = prepared or prepare(reference, memberships, tables)
    indicators = sorted(
        set(CORE_INDICATORS) | set(prep.objectives["indicateur"]) | set(prep.yearly["indicateur"])
    )
    specs = _row_specs(prep, indicators)
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
    specs["statut"] = _statuts(specs["objectif"], specs["realise"], specs["attendu_a_date"])
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
    specs["_order"] = specs["territoire_type"].map(_TYPE_ORDER)
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
