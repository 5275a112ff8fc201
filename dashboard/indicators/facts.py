"""Facts: what was achieved, per territory and year, from the imported tables.

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
  :data:`STATUTS_REALISES`. **Signalements traités** (``signalements_traites``) are the
  signals *resolved* during the year (year of ``date_cloture``), as Signal Logement counts
  them (:mod:`dashboard.indicators.outcomes`): a closure for another motif — the occupant
  left, no answer, a duplicate — is not a case dealt with. The imported values are used
  when ``realisations`` holds that indicator. Every other indicator comes from
  ``realisations``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.indicators.outcomes import RESOLU, signal_outcomes
from dashboard.store.schemas import LABELS
from geo.reference import Reference

#: Territory levels, from the largest to the atom.
LEVELS: tuple[str, ...] = ("departement", "instance", "epci", "commune")
LEVEL_LABELS = LABELS["territoire_type"]

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

SOURCE_OPERATIONS = "opérations PLA-I importées (Sisal / Galion), statuts agréée et livrée"
SOURCE_SIGNALEMENTS_TRAITES = (
    "signalements résolus dans l'année (clos par travaux, mise en conformité, relogement ou "
    "procédure d'insalubrité, de péril ou de RSD, définition de Signal Logement)"
)

TYPE_ORDER = {t: i for i, t in enumerate(LEVELS)}
FACT_COLUMNS = ["territoire_type", "territoire_code", "indicateur", "annee", "valeur", "programme"]


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


def table_of(tables: dict[str, pd.DataFrame] | None, kind: str) -> pd.DataFrame:
    frame = (tables or {}).get(kind)
    return frame if frame is not None else pd.DataFrame()


def year_of(values: pd.Series) -> pd.Series:
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
        return pd.DataFrame(columns=FACT_COLUMNS)
    statut = operations.get("statut", pd.Series(None, index=operations.index))
    statut = statut.astype(object).where(statut.notna() & (statut.astype(str) != "None"), None)
    statut = statut.fillna(STATUT_PAR_DEFAUT).astype(str)
    nb = pd.to_numeric(operations["nb_plai"], errors="coerce").fillna(0)
    frame = pd.DataFrame(
        {
            "territoire_code": operations["code_insee"].astype(str).to_numpy(),
            "annee": year_of(operations["annee"]).to_numpy(),
            "valeur": nb.where(statut.isin(STATUTS_REALISES), 0).to_numpy(dtype=float),
            "programme": nb.where(statut == STATUT_PROGRAMME, 0).to_numpy(dtype=float),
        }
    )
    out = frame.groupby(["territoire_code", "annee"], as_index=False, sort=False)[
        ["valeur", "programme"]
    ].sum()
    return out.assign(territoire_type="commune", indicateur="plai")[FACT_COLUMNS]


def resolved_signals_facts(signalements: pd.DataFrame) -> pd.DataFrame:
    """``signalements_traites``: signals resolved (:data:`~dashboard.indicators.outcomes.RESOLU`)
    per commune and year of ``date_cloture``."""
    if signalements.empty or "date_cloture" not in signalements:
        return pd.DataFrame(columns=FACT_COLUMNS)
    closed = pd.to_datetime(signalements["date_cloture"], errors="coerce")
    resolved = signal_outcomes(signalements) == RESOLU
    frame = pd.DataFrame(
        {
            "territoire_code": signalements["code_insee"].astype(str).to_numpy(),
            "annee": closed.dt.year.astype("Int64").to_numpy(),
        }
    )[closed.notna().to_numpy() & resolved]
    out = frame.groupby(["territoire_code", "annee"], as_index=False, sort=False).size()
    out = out.rename(columns={"size": "valeur"}).assign(
        territoire_type="commune", indicateur="signalements_traites", programme=np.nan
    )
    out["valeur"] = out["valeur"].astype(float)
    return out[FACT_COLUMNS]


def realisations_facts(realisations: pd.DataFrame, departement: str | None = None) -> pd.DataFrame:
    """Imported realisations as facts (a département row keyed on the reference's code)."""
    if realisations.empty:
        return pd.DataFrame(columns=FACT_COLUMNS)
    out = pd.DataFrame(
        {
            "territoire_type": realisations["territoire_type"].astype(str).to_numpy(),
            "territoire_code": realisations["territoire_code"].astype(str).str.strip().to_numpy(),
            "indicateur": realisations["indicateur"].astype(str).to_numpy(),
            "annee": year_of(realisations["annee"]).to_numpy(),
            "valeur": pd.to_numeric(realisations["valeur"], errors="coerce").to_numpy(float),
            "programme": np.nan,
        }
    )
    if departement is not None:
        dep_rows = out["territoire_type"] == "departement"
        out.loc[dep_rows, "territoire_code"] = out.loc[dep_rows, "territoire_code"].map(
            lambda c: departement if same_departement(c, departement) else c
        )
    return out


def same_departement(code: str, departement: str) -> bool:
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
        return pd.DataFrame(columns=FACT_COLUMNS)
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
        order_sup = sup["sup_type"].map(TYPE_ORDER)
        order_src = sup["src_type"].map(TYPE_ORDER)
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
    return agg[FACT_COLUMNS]
