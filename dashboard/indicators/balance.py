"""Territorial balance: does each territory get its share of the effort? (no Streamlit)

For the territories of one level (instances, EPCI or communes), each territory's share of
the objective and of the achievement is compared with its share of the *need*: the
population by default, or the signals received, or any indicator imported in
``realisations`` (PPPI, demandeurs…). Shares are taken over the territories of the level
only: a commune in no instance counts in no instance share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.indicators.compute import Prepared, prepare
from dashboard.indicators.signals import commune_populations, signal_records
from geo.reference import Reference

BESOIN_POPULATION = "population"
BESOIN_SIGNALEMENTS = "signalements"

#: Definition of the per-territory index, to show next to it.
DEFINITION_INDICE_EQUILIBRE = (
    "Indice d'équilibre = part du territoire dans le réalisé / sa part dans le besoin : "
    "1 = effort proportionné au besoin, moins de 1 = en deçà, plus de 1 = au-delà."
)
#: One-sentence explanation of the département-wide index, for the screen.
EXPLICATION_DISSIMILARITE = (
    "L'indice de dissimilarité est la part du réalisé qu'il faudrait déplacer d'un territoire "
    "à l'autre pour que chacun reçoive exactement sa part du besoin : 0\u00a0% pour une "
    "répartition parfaitement proportionnée, 100\u00a0% si tout est allé là où il n'y a aucun "
    "besoin."
)

BALANCE_COLUMNS = [
    "indicateur",
    "niveau",
    "territoire_type",
    "territoire_code",
    "territoire_nom",
    "periode",
    "besoin",
    "valeur_besoin",
    "part_besoin",
    "objectif",
    "part_objectif",
    "realise",
    "part_realise",
    "indice_equilibre",
    "indice_equilibre_objectif",
    "dissimilarite_realise",
    "dissimilarite_objectif",
    "couverture_realise",
    "source",
]


def dissimilarity(shares_a: pd.Series | np.ndarray, shares_b: pd.Series | np.ndarray) -> float:
    """Duncan dissimilarity index ``0.5 × Σ |a − b|`` between two distributions, in %.

    Both are normalised to sum 1 first; NaN counts as 0. Returns NaN when one is all zero.

    Examples
    --------
    >>> dissimilarity([60, 40], [50, 50])
    10.0
    """
    a = np.nan_to_num(np.asarray(shares_a, dtype=float))
    b = np.nan_to_num(np.asarray(shares_b, dtype=float))
    if a.sum() <= 0 or b.sum() <= 0:
        return float("nan")
    return float(round(50.0 * np.abs(a / a.sum() - b / b.sum()).sum(), 10))


def default_period(prep: Prepared, indicateur: str) -> tuple[int, int] | None:
    """The plan period of an indicator: its most frequent multi-year objective period,
    else the most frequent one of all objectives, else the years with realised values."""
    obj = prep.objectives
    multi = obj[obj["annee_fin"] > obj["annee_debut"]]
    for subset in (multi[multi["indicateur"] == indicateur], multi):
        if not subset.empty:
            top = subset.groupby(["annee_debut", "annee_fin"]).size().idxmax()
            return int(top[0]), int(top[1])
    years = prep.yearly.loc[prep.yearly["indicateur"] == indicateur, "annee"].dropna()
    return (int(years.min()), int(years.max())) if not years.empty else None


def _need(
    prep: Prepared,
    tables: dict[str, pd.DataFrame] | None,
    level: str,
    besoin: str,
    period: tuple[int, int] | None,
) -> tuple[pd.Series, str]:
    """Need per territory of the level (indexed by code) and its source label."""
    tmap = prep.tmap[prep.tmap["territoire_type"] == level]
    tables = tables or {}
    if besoin == BESOIN_POPULATION:
        pops, source = commune_populations(prep.reference, tables.get("populations"))
        need = tmap.merge(pops, on="code_insee").groupby("territoire_code")["population"].sum()
        return need, source
    if besoin == BESOIN_SIGNALEMENTS:
        sig_table = tables.get("signalements")
        sig = signal_records(sig_table if sig_table is not None else pd.DataFrame(), period)
        need = sig.merge(tmap, on="code_insee").groupby("territoire_code").size().astype(float)
        span = f", déposés en {period[0]}-{period[1]}" if period else ""
        return need, f"signalements importés{span}"
    values = prep.yearly[
        (prep.yearly["indicateur"] == besoin) & (prep.yearly["territoire_type"] == level)
    ]
    if period is not None:
        values = values[values["annee"] <= period[1]]
    if values.empty:
        return pd.Series(dtype=float), f"{besoin} : aucune valeur importée"
    last = int(values["annee"].max())
    need = values[values["annee"] == last].groupby("territoire_code")["valeur"].sum()
    source = prep.sources.get(besoin, "réalisations importées")
    return need, f"{besoin} {last}, {source}"


def compute_balance(
    reference: Reference,
    memberships: pd.DataFrame | None,
    tables: dict[str, pd.DataFrame] | None,
    indicateur: str = "plai",
    level: str = "epci",
    besoin: str = BESOIN_POPULATION,
    periode: tuple[int, int] | None = None,
    prepared: Prepared | None = None,
    source_suffix: str = "",
) -> pd.DataFrame:
    """Share of the objective and of the achievement of each territory against its share of
    the need, with the département-wide dissimilarity index.

    Parameters
    ----------
    reference, memberships, tables
        As for :func:`dashboard.indicators.compute.compute_indicators`. With several instance types,
        pass the memberships of one type so that instances do not overlap.
    indicateur : str
        Indicator whose objective and achievement are shared out.
    level : str
        ``instance``, ``epci`` or ``commune``.
    besoin : str
        ``population`` (default), ``signalements`` (received over the period) or an
        indicator code of ``realisations`` (its last year up to the end of the period).
    periode : (int, int), optional
        Years summed; default :func:`default_period`.

    Returns
    -------
    DataFrame
        :data:`BALANCE_COLUMNS`, one row per territory of the level (shares are ratios,
        ``indice_equilibre`` = ``part_realise / part_besoin``), then one row for the
        département (``territoire_type`` "departement") holding ``dissimilarite_realise``
        and ``dissimilarite_objectif`` in % (see :data:`EXPLICATION_DISSIMILARITE`) and
        ``couverture_realise``: the share of the département's realised total that the
        territories of the level hold (below 1 when communes are in no instance, or when
        values were declared for territories that the level does not contain).
    """
    if level not in ("instance", "epci", "commune"):
        raise ValueError(f"Niveau d'équilibre inconnu : {level} (instance, epci ou commune)")
    prep = prepared or prepare(reference, memberships, tables)
    period = periode or default_period(prep, indicateur)
    names = prep.names[prep.names["territoire_type"] == level].set_index("territoire_code")
    out = pd.DataFrame(
        {"territoire_code": names.index, "territoire_nom": names["territoire_nom"].to_numpy()}
    ).sort_values("territoire_code", ignore_index=True)
    need, need_source = _need(prep, tables, level, besoin, period)
    out["valeur_besoin"] = out["territoire_code"].map(need).fillna(0.0).astype(float)

    yearly = prep.yearly[
        (prep.yearly["indicateur"] == indicateur) & (prep.yearly["territoire_type"] == level)
    ]
    if period is not None:
        yearly = yearly[(yearly["annee"] >= period[0]) & (yearly["annee"] <= period[1])]
    out["realise"] = out["territoire_code"].map(yearly.groupby("territoire_code")["valeur"].sum())
    out["realise"] = out["realise"].fillna(0.0)
    obj = prep.objectives[
        (prep.objectives["indicateur"] == indicateur)
        & (prep.objectives["territoire_type"] == level)
    ]
    if period is not None:
        obj = obj[(obj["annee_debut"] == period[0]) & (obj["annee_fin"] == period[1])]
    out["objectif"] = out["territoire_code"].map(obj.groupby("territoire_code")["objectif"].sum())

    def _share(col: str) -> pd.Series:
        total = out[col].sum(min_count=1)
        return out[col] / total if total and total > 0 else pd.Series(np.nan, index=out.index)

    out["part_besoin"] = _share("valeur_besoin")
    out["part_objectif"] = _share("objectif")
    out["part_realise"] = _share("realise")
    positive = out["part_besoin"] > 0
    out["indice_equilibre"] = (out["part_realise"] / out["part_besoin"]).where(positive)
    out["indice_equilibre_objectif"] = (out["part_objectif"] / out["part_besoin"]).where(positive)
    out["dissimilarite_realise"] = np.nan
    out["dissimilarite_objectif"] = np.nan
    out["couverture_realise"] = np.nan
    periode_txt = f"{period[0]}-{period[1]}" if period else ""
    real_source = prep.sources.get(indicateur, "aucune réalisation importée")
    source = f"besoin : {need_source} ; réalisé : {real_source}{source_suffix}"

    dep = prep.names[prep.names["territoire_type"] == "departement"].iloc[0]
    dep_yearly = prep.yearly[
        (prep.yearly["indicateur"] == indicateur)
        & (prep.yearly["territoire_type"] == "departement")
        & (prep.yearly["territoire_code"] == dep["territoire_code"])
    ]
    if period is not None:
        dep_yearly = dep_yearly[
            (dep_yearly["annee"] >= period[0]) & (dep_yearly["annee"] <= period[1])
        ]
    dep_total = float(dep_yearly["valeur"].sum())
    has_obj = out["objectif"].notna().any()
    summary = {
        "territoire_code": dep["territoire_code"],
        "territoire_nom": dep["territoire_nom"],
        "valeur_besoin": out["valeur_besoin"].sum(),
        "realise": out["realise"].sum(),
        "objectif": out["objectif"].sum() if has_obj else np.nan,
        "dissimilarite_realise": dissimilarity(out["realise"], out["valeur_besoin"]),
        "dissimilarite_objectif": dissimilarity(out["objectif"], out["valeur_besoin"])
        if has_obj
        else np.nan,
        "couverture_realise": out["realise"].sum() / dep_total if dep_total > 0 else np.nan,
    }
    out = pd.concat(
        [
            out.assign(territoire_type=level),
            pd.DataFrame([summary]).assign(territoire_type="departement"),
        ],
        ignore_index=True,
    )
    out["indicateur"] = indicateur
    out["niveau"] = level
    out["periode"] = periode_txt
    out["besoin"] = besoin
    out["source"] = source
    return out[BALANCE_COLUMNS]


def balance_for_cli(
    reference: Reference,
    memberships: pd.DataFrame | None,
    tables: dict[str, pd.DataFrame] | None,
    levels: tuple[str, ...] = ("instance", "epci"),
    besoin: str = BESOIN_POPULATION,
    prepared: Prepared | None = None,
    source_suffix: str = "",
) -> pd.DataFrame:
    """Balance of every indicator that has an objective or a realised value, for each level.

    Levels without territories (no instance defined) are skipped. When the memberships hold
    several instance types (CLH and PDH sectors…), instances are balanced within each type
    (``instance_type`` column), so that overlapping instances are never summed together.
    """
    prep = prepared or prepare(reference, memberships, tables)
    codes = sorted(set(prep.objectives["indicateur"]) | set(prep.yearly["indicateur"]))
    types: list[str | None] = [None]
    if memberships is not None and not memberships.empty:
        found = sorted(memberships["instance_type"].astype(str).unique())
        types = list(found) if len(found) > 1 else [found[0]]
    frames = []
    for level in levels:
        if not (prep.names["territoire_type"] == level).any():
            continue
        for itype in types if level == "instance" else [None]:
            mem, level_prep = memberships, prep
            if itype is not None and len(types) > 1:
                mem = memberships[memberships["instance_type"].astype(str) == itype]
                level_prep = prepare(reference, mem, tables)
            for code in codes:
                frame = compute_balance(
                    reference, mem, tables, code, level, besoin,
                    prepared=level_prep, source_suffix=source_suffix,
                )  # fmt: skip
                frames.append(frame.assign(instance_type=itype if level == "instance" else None))
    if not frames:
        return pd.DataFrame(columns=[*BALANCE_COLUMNS, "instance_type"])
    return pd.concat(frames, ignore_index=True)
