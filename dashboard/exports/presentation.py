"""Screens of the committee presentation mode (no Streamlit): one topic per screen.

Built on the export bundle, so the screens show the numbers of the PPTX deck and of
``territoires indicators --json``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.exports.bundle import ExportBundle
from dashboard.indicators.fields import FIELDS, HEADLINES


@dataclass(frozen=True)
class Screen:
    """One screen: a kind (``overview``, ``balance``, ``objectives``, ``signals``, ``gaps``,
    ``axe``, ``late``, ``comments``, ``field``, ``instance``), a title and, for an axe, a
    field or an instance screen, its name or code."""

    kind: str
    title: str
    code: str = ""


#: Comments shown on the comments screen (most recent first).
MAX_COMMENTS = 8


def screens(bundle: ExportBundle) -> list[Screen]:
    """Overview, balance, objectives, signals, gaps, one screen per axe of the programme and
    one of the late actions, the comments, one screen per other field of the plan with data
    (evictions, DALO, priority allocations, SIAO, FSL), then one screen per instance (by
    name)."""
    out = [
        Screen("overview", "Vue d'ensemble du département"),
        Screen("balance", "Équilibre territorial de la production PLA-I"),
        Screen("objectives", "Objectifs PLA-I par instance"),
        Screen("signals", "Habitat indigne : issue des signalements"),
        Screen("gaps", "Écarts de couverture entre PDALHPD, PLH et PDH"),
    ]
    report = bundle.programme
    if report is not None and not report.actions.empty:
        out += [Screen("axe", f"Axe – {axe}", axe) for axe in report.axes]
        out.append(Screen("late", "Actions en retard"))
    if not bundle.comments.empty:
        out.append(Screen("comments", "Paroles des territoires"))
    out += field_screens(bundle)
    return out + [Screen("instance", r.nom, r.code) for r in bundle.instance_refs()]


def field_screens(bundle: ExportBundle) -> list[Screen]:
    """One screen (and one slide) per other field of the plan with data."""
    present = set(bundle.fields["champ"])
    return [Screen("field", f.label, kind) for kind, f in FIELDS.items() if kind in present]


def recent_comments(bundle: ExportBundle) -> pd.DataFrame:
    """The latest official or validated comments, for the deck and the presentation."""
    return bundle.comments.head(MAX_COMMENTS).reset_index(drop=True)


def commented_epci(bundle: ExportBundle, comments: pd.DataFrame) -> set[str]:
    """SIREN of the EPCI that a comment concerns (sharing a commune with its territory)."""
    keys = comments[comments["territoire_type"] != "departement"]
    tmap = bundle.tmap.merge(keys[["territoire_type", "territoire_code"]].drop_duplicates(),
                             on=["territoire_type", "territoire_code"])  # fmt: skip
    com = bundle.territory.reference.communes
    return set(com.loc[com["code_insee"].isin(set(tmap["code_insee"])), "epci_siren"].astype(str))


def plai_by_instance(bundle: ExportBundle) -> pd.DataFrame:
    """PLA-I objective, realised and expected to date per instance, over the plan period."""
    ind = bundle.indicators
    annual = ind["objectif_annualise"].fillna(False).astype(bool)
    rows = ind[
        (ind["indicateur"] == "plai")
        & (ind["territoire_type"] == "instance")
        & (ind["periode"] == bundle.plan_period("plai"))
        & ~annual
    ]
    return rows.sort_values("territoire_nom").reset_index(drop=True)


def plai_balance(bundle: ExportBundle) -> tuple[pd.DataFrame, float | None]:
    """Balance rows per instance for PLA-I and the département dissimilarity (in %)."""
    bal = bundle.balance[bundle.balance["indicateur"] == "plai"]
    inst = bal[bal["niveau"] == "instance"] if "niveau" in bal else bal
    rows = inst[inst["territoire_type"] == "instance"].sort_values("territoire_nom")
    dep = inst[inst["territoire_type"] == "departement"]
    index = float(dep["dissimilarite_realise"].iloc[0]) if len(dep) else None
    return rows.reset_index(drop=True), index


def signals_by_instance(bundle: ExportBundle) -> pd.DataFrame:
    """Signals per instance and for the département (last row): received, résolus, clos
    sans résolution, en cours, rate per 10 000 inhabitants, source."""
    sig = bundle.signals
    if sig.empty or not sig["nb_signalements"].sum():
        return sig.iloc[0:0]
    rows = sig[sig["territoire_type"] == "instance"].sort_values("territoire_nom")
    dep = sig[sig["territoire_type"] == "departement"]
    return pd.concat([rows, dep], ignore_index=True)


def field_by_instance(bundle: ExportBundle, kind: str) -> tuple[pd.DataFrame, int | None]:
    """Key figures (:data:`~dashboard.indicators.fields.HEADLINES`) of a field in its last
    year, one row per instance (by name) then the département: ``territoire_nom``,
    ``couverture`` and one column per key figure (raw values); and that year."""
    records = bundle.fields
    records = records[records["champ"] == kind]
    codes = [code for code, _short in HEADLINES[kind]]
    if records.empty:
        columns = ["territoire_type", "territoire_nom", "couverture", *codes]
        return pd.DataFrame(columns=columns), None
    year = int(records["annee"].max())
    last = records[(records["annee"] == year)
                   & records["territoire_type"].isin(["instance", "departement"])]  # fmt: skip
    wide = last.pivot_table(index=["territoire_type", "territoire_code", "territoire_nom"],
                            columns="indicateur", values="valeur", aggfunc="first")
    wide = wide.reset_index()
    cover = last.groupby(["territoire_type", "territoire_code"], as_index=False)["couverture"].max()
    wide = wide.merge(cover, on=["territoire_type", "territoire_code"])
    for code in codes:
        if code not in wide:
            wide[code] = float("nan")
    wide["_dep"] = wide["territoire_type"] == "departement"
    wide = wide.sort_values(["_dep", "territoire_nom"]).drop(columns="_dep")
    return wide[["territoire_type", "territoire_nom", "couverture", *codes]].reset_index(
        drop=True), year
