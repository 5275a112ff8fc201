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
    columns = _balance_columns(prep, tables, indicateur, level, besoin, periode, source_suffix,
                               _LevelParts(prep, level), {})  # fmt: skip
    return pd.DataFrame(columns)[BALANCE_COLUMNS]


class _LevelParts:
    """What the balances of every indicator at one level share, each selected once: the
    territories in code order, and the realised values and objectives of the level (and of
    the département) grouped by indicator."""

    def __init__(self, prep: Prepared, level: str) -> None:
        names = prep.names[prep.names["territoire_type"] == level]
        codes = names["territoire_code"].to_numpy(dtype=object)
        order = np.argsort(codes, kind="stable")
        self.codes = codes[order]
        self.noms = names["territoire_nom"].to_numpy(dtype=object)[order]
        yearly = prep.yearly
        self.yearly = dict(tuple(yearly[yearly["territoire_type"] == level].groupby(
            "indicateur", sort=False, observed=True)))  # fmt: skip
        objectives = prep.objectives
        self.objectives = dict(tuple(objectives[objectives["territoire_type"] == level].groupby(
            "indicateur", sort=False, observed=True)))  # fmt: skip
        dep = prep.names[prep.names["territoire_type"] == "departement"].iloc[0]
        self.dep_code, self.dep_nom = dep["territoire_code"], dep["territoire_nom"]
        dep_rows = yearly[(yearly["territoire_type"] == "departement")
                          & (yearly["territoire_code"] == self.dep_code)]  # fmt: skip
        self.dep_yearly = dict(tuple(dep_rows.groupby("indicateur", sort=False, observed=True)))

    def on_codes(self, values: pd.Series) -> np.ndarray:
        """``values`` (indexed by territory code) in the order of :attr:`codes`, NaN where
        absent."""
        return values.reindex(self.codes).to_numpy(dtype=float, na_value=np.nan)


def _in_period(frame: pd.DataFrame | None, period: tuple[int, int] | None) -> pd.DataFrame | None:
    if frame is None or period is None:
        return frame
    return frame[(frame["annee"] >= period[0]) & (frame["annee"] <= period[1])]


def _share(values: np.ndarray) -> np.ndarray:
    """Each value over the total (NaN counting as absent); all NaN when the total is not
    positive."""
    if np.isnan(values).all():
        return np.full(len(values), np.nan)
    total = np.nansum(values)
    return values / total if total > 0 else np.full(len(values), np.nan)


def _ratio(part: np.ndarray, need: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(need > 0, part / need, np.nan)


def _balance_columns(
    prep: Prepared,
    tables: dict[str, pd.DataFrame] | None,
    indicateur: str,
    level: str,
    besoin: str,
    periode: tuple[int, int] | None,
    source_suffix: str,
    parts: _LevelParts,
    needs: dict,
) -> dict[str, list | np.ndarray]:
    """The columns of :func:`compute_balance` (its rows, then the département's), with the
    need of each (level, besoin, period) computed once in ``needs``."""
    period = periode or default_period(prep, indicateur)
    # Only the signals and the realised indicators depend on the period.
    key = (level, besoin, None if besoin == BESOIN_POPULATION else period)
    if key not in needs:
        needs[key] = _need(prep, tables, level, besoin, period)
    need_series, need_source = needs[key]
    n = len(parts.codes)
    need = np.nan_to_num(parts.on_codes(need_series), nan=0.0)

    yearly = _in_period(parts.yearly.get(indicateur), period)
    realise = (np.zeros(n) if yearly is None or yearly.empty
               else np.nan_to_num(parts.on_codes(yearly.groupby("territoire_code")["valeur"].sum()),
                                  nan=0.0))  # fmt: skip
    obj = parts.objectives.get(indicateur)
    if obj is not None and period is not None:
        obj = obj[(obj["annee_debut"] == period[0]) & (obj["annee_fin"] == period[1])]
    objectif = (np.full(n, np.nan) if obj is None or obj.empty
                else parts.on_codes(obj.groupby("territoire_code")["objectif"].sum()))  # fmt: skip

    part_besoin, part_objectif, part_realise = _share(need), _share(objectif), _share(realise)
    real_source = prep.sources.get(indicateur, "aucune réalisation importée")
    dep_yearly = _in_period(parts.dep_yearly.get(indicateur), period)
    dep_total = 0.0 if dep_yearly is None else float(dep_yearly["valeur"].sum())
    has_obj = bool(np.isfinite(objectif).any())

    def then_nan(values: np.ndarray) -> np.ndarray:  # the département's row: no share
        return np.append(values, np.nan)

    def nan_then(value: float) -> np.ndarray:  # département-wide: on its row only
        return np.append(np.full(n, np.nan), value)

    return {
        "indicateur": [indicateur] * (n + 1),
        "niveau": [level] * (n + 1),
        "territoire_type": [level] * n + ["departement"],
        "territoire_code": [*parts.codes, parts.dep_code],
        "territoire_nom": [*parts.noms, parts.dep_nom],
        "periode": [f"{period[0]}-{period[1]}" if period else ""] * (n + 1),
        "besoin": [besoin] * (n + 1),
        "valeur_besoin": np.append(need, need.sum()),
        "part_besoin": then_nan(part_besoin),
        "objectif": np.append(objectif, np.nansum(objectif) if has_obj else np.nan),
        "part_objectif": then_nan(part_objectif),
        "realise": np.append(realise, realise.sum()),
        "part_realise": then_nan(part_realise),
        "indice_equilibre": then_nan(_ratio(part_realise, part_besoin)),
        "indice_equilibre_objectif": then_nan(_ratio(part_objectif, part_besoin)),
        "dissimilarite_realise": nan_then(dissimilarity(realise, need)),
        "dissimilarite_objectif": nan_then(dissimilarity(objectif, need) if has_obj else np.nan),
        "couverture_realise": nan_then(realise.sum() / dep_total if dep_total > 0 else np.nan),
        "source": [f"besoin : {need_source} ; réalisé : {real_source}{source_suffix}"] * (n + 1),
    }


#: Text columns of a balance (the others are numbers).
_TEXT = frozenset(["indicateur", "niveau", "territoire_type", "territoire_code", "territoire_nom",
                   "periode", "besoin", "source", "instance_type"])


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
    blocks: list[dict] = []
    prep_periods: dict[str, tuple[int, int] | None] = {}  # the same at every level
    for level in levels:
        if not (prep.names["territoire_type"] == level).any():
            continue
        for itype in types if level == "instance" else [None]:
            level_prep = prep
            if itype is not None and len(types) > 1:
                mem = memberships[memberships["instance_type"].astype(str) == itype]
                level_prep = prepare(reference, mem, tables)
            parts, needs = _LevelParts(level_prep, level), {}
            if level_prep is prep:
                periods = prep_periods = prep_periods or {
                    code: default_period(prep, code) for code in codes}  # fmt: skip
            else:
                periods = {code: default_period(level_prep, code) for code in codes}
            for code in codes:
                block = _balance_columns(level_prep, tables, code, level, besoin,
                                         periods[code], source_suffix, parts, needs)  # fmt: skip
                rows = len(block["indicateur"])
                block["instance_type"] = [itype if level == "instance" else None] * rows
                blocks.append(block)
    if not blocks:
        return pd.DataFrame(columns=[*BALANCE_COLUMNS, "instance_type"])
    # One frame from the columns of every block: no frame per indicator to concatenate.
    columns = {name: np.concatenate([np.asarray(b[name], dtype=object if name in _TEXT
                                                else float) for b in blocks])
               for name in [*BALANCE_COLUMNS, "instance_type"]}  # fmt: skip
    frame = pd.DataFrame(columns).astype(dict.fromkeys(_TEXT - {"instance_type"}, "str"))
    frame["instance_type"] = pd.Series(columns["instance_type"], dtype=object)  # None kept
    return frame
