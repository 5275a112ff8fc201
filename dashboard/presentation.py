"""Screens of the committee presentation mode (no Streamlit): one topic per screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.cli_indicators import LoadedInputs, compute_all, load_inputs
from dashboard.coverage.report import CoverageReport, coverage_report
from dashboard.fiche import default_reference_date


@dataclass(frozen=True)
class Screen:
    """One screen: a kind (``overview``, ``balance``, ``objectives``, ``gaps``, ``instance``),
    a title and, for an instance screen, its code."""

    kind: str
    title: str
    code: str = ""


@dataclass(frozen=True)
class Deck:
    """Data of every screen, computed once.

    Attributes
    ----------
    screens : list of Screen
    indicators, balance : DataFrame
        Same rows as ``territoires indicators --json`` at the instance level.
    report : CoverageReport
    as_of : date
    source : str
    is_demo : bool
    """

    departement: str
    screens: list[Screen]
    indicators: pd.DataFrame
    balance: pd.DataFrame
    explication_equilibre: str
    report: CoverageReport
    as_of: dt.date
    source: str
    is_demo: bool


def build_deck(
    departement: str, workspace: str | None = None, inputs: LoadedInputs | None = None
) -> Deck:
    """Screens for a committee meeting: overview, balance, objectives, gaps, one per instance."""
    inputs = inputs or load_inputs(workspace, departement)
    as_of = default_reference_date(inputs.tables)
    payload = compute_all(inputs, as_of, "instance")
    indicators = pd.DataFrame(payload["indicators"])
    balance = pd.DataFrame(payload["balance"])
    report = coverage_report(inputs.departement, workspace)
    screens = [
        Screen("overview", "Vue d'ensemble du département"),
        Screen("balance", "Équilibre territorial de la production PLA-I"),
        Screen("objectives", "Objectifs PLA-I par instance"),
        Screen("gaps", "Écarts de couverture entre PDALHPD, PLH et PDH"),
    ]
    if inputs.memberships is not None:
        inst = inputs.memberships.drop_duplicates("instance_code").sort_values("instance_nom")
        screens += [Screen("instance", r.instance_nom, r.instance_code) for r in inst.itertuples()]
    return Deck(
        departement=inputs.departement,
        screens=screens,
        indicators=indicators,
        balance=balance,
        explication_equilibre=payload["explication_equilibre"],
        report=report,
        as_of=as_of,
        source=inputs.source,
        is_demo=bool(inputs.source_suffix),
    )


def plai_by_instance(deck: Deck) -> pd.DataFrame:
    """PLA-I objective, realised and expected to date per instance, over the plan period."""
    ind = deck.indicators
    rows = ind[
        (ind["indicateur"] == "plai")
        & (ind["territoire_type"] == "instance")
        & ind["periode"].str.contains("-", regex=False)
        & ~ind["objectif_annualise"].astype(bool)
    ]
    return rows.sort_values("territoire_nom").reset_index(drop=True)


def plai_balance(deck: Deck) -> tuple[pd.DataFrame, float | None]:
    """Balance rows per instance for PLA-I and the département dissimilarity (in %)."""
    bal = deck.balance[deck.balance["indicateur"] == "plai"]
    rows = bal[bal["territoire_type"] == "instance"].sort_values("territoire_nom")
    dep = bal[bal["territoire_type"] == "departement"]
    index = float(dep["dissimilarite_realise"].iloc[0]) if len(dep) else None
    return rows.reset_index(drop=True), index
