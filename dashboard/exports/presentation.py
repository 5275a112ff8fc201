"""Screens of the committee presentation mode (no Streamlit): one topic per screen.

Built on the export bundle, so the screens show the numbers of the PPTX deck and of
``territoires indicators --json``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.exports.bundle import ExportBundle


@dataclass(frozen=True)
class Screen:
    """One screen: a kind (``overview``, ``balance``, ``objectives``, ``signals``, ``gaps``,
    ``instance``), a title and, for an instance screen, its code."""

    kind: str
    title: str
    code: str = ""


def screens(bundle: ExportBundle) -> list[Screen]:
    """Overview, balance, objectives, signals, gaps, then one screen per instance (by
    name)."""
    out = [
        Screen("overview", "Vue d'ensemble du département"),
        Screen("balance", "Équilibre territorial de la production PLA-I"),
        Screen("objectives", "Objectifs PLA-I par instance"),
        Screen("signals", "Habitat indigne : issue des signalements"),
        Screen("gaps", "Écarts de couverture entre PDALHPD, PLH et PDH"),
    ]
    return out + [Screen("instance", r.nom, r.code) for r in bundle.instance_refs()]


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
