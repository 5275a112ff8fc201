"""Registry of the coverage rules and the :func:`evaluate` entry point."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import asdict

import geopandas as gpd
import pandas as pd

from dashboard.coverage.inputs import CoverageInputs, Tolerances, prepare_inputs
from dashboard.coverage.instances import (
    COMMUNE_OUTSIDE_INSTANCES,
    INSTANCE_SPLITS_EPCI,
    PDH_SECTORS,
)
from dashboard.coverage.model import FRAME_COLUMNS, Finding, Rule, severity_rank
from dashboard.coverage.objectives import PLH_PDALHPD_OBJECTIVE
from dashboard.coverage.plh import PLH_OBLIGATION, PLH_PERIOD
from dashboard.coverage.topology import PERIMETER_TOPOLOGY
from geo.reference import Reference

#: Every rule, in display order (docs/ARCHITECTURE.md, « Règles de couverture »).
RULES: tuple[Rule, ...] = (
    PLH_OBLIGATION,
    PLH_PERIOD,
    INSTANCE_SPLITS_EPCI,
    COMMUNE_OUTSIDE_INSTANCES,
    PLH_PDALHPD_OBJECTIVE,
    PDH_SECTORS,
    PERIMETER_TOPOLOGY,
)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def rules_table() -> pd.DataFrame:
    """The rules as a table: ``rule``, ``label``, ``article``, ``basis``, ``severity``."""
    return pd.DataFrame(
        [
            {"rule": r.id, "label": r.label, "article": r.article, "basis": r.basis,
             "severity": r.severity}
            for r in RULES
        ]
    )  # fmt: skip


def run_rules(inputs: CoverageInputs, rules: list[str] | None = None) -> list[Finding]:
    """Run rules (all by default, or the given ids) on prepared inputs, sorted by
    severity, rule order and territory code."""
    selected = [RULES_BY_ID[r] for r in rules] if rules else list(RULES)
    order = {rule.id: i for i, rule in enumerate(RULES)}
    findings = [f for rule in selected for f in rule.check(inputs)]
    return sorted(
        findings,
        key=lambda f: (severity_rank(f.severity), order[f.rule], f.territoire_type,
                       f.territoire_code),
    )  # fmt: skip


def evaluate(
    reference: Reference,
    tables: dict[str, pd.DataFrame] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    memberships: pd.DataFrame | None = None,
    drawings: gpd.GeoDataFrame | None = None,
    *,
    as_of: dt.date | None = None,
    tolerances: Tolerances | None = None,
    rules: list[str] | None = None,
) -> list[Finding]:
    """Evaluate the coverage rules for one département (docs/ARCHITECTURE.md, « Règles de
    couverture »).

    Parameters
    ----------
    reference : Reference
        The département's reference (``geo.reference.load_reference``).
    tables : dict of DataFrame, optional
        Workspace tables with canonical columns: ``plans``, ``objectifs``, ``instances``
        and optionally ``populations``; a missing key is an empty table.
    period : (date, date), optional
        PDALHPD period, inclusive; by default the PDALHPD row of ``plans``.
    memberships : DataFrame, optional
        Instance memberships (one row per instance and commune); by default expanded from
        ``tables["instances"]``.
    drawings : GeoDataFrame, optional
        Uploaded perimeter drawings with ``instance_code`` (PERIMETER_TOPOLOGY).
    as_of : date, optional
        Reference date of "in force"; default today clamped into the period.
    tolerances : Tolerances, optional
        Objective tolerance (10 %) and topology tolerance (10 000 m²).
    rules : list of str, optional
        Rule ids to run; all by default.

    Returns
    -------
    list of Finding
        Sorted by severity (erreur, alerte, info), rule and territory.
    """
    inputs = prepare_inputs(
        reference, tables, period, memberships, drawings, as_of=as_of, tolerances=tolerances
    )
    return run_rules(inputs, rules)


def findings_to_frame(
    findings: Iterable[Finding],
    rule_labels: dict[str, str] | None = None,
    details_as_json: bool = True,
) -> pd.DataFrame:
    """Findings as a DataFrame, for the page and the CSV/XLSX export.

    Parameters
    ----------
    findings : iterable of Finding
    rule_labels : dict, optional
        ``rule id → label``; by default the labels of the registered rules.
    details_as_json : bool
        Serialise ``details`` as a JSON string (spreadsheets cannot hold dicts).

    Returns
    -------
    DataFrame
        Columns :data:`FRAME_COLUMNS`, one row per finding, in the given order.
    """
    if rule_labels is None:
        rule_labels = {rule.id: rule.label for rule in RULES}
    rows = []
    for f in findings:
        row = asdict(f)
        row["rule_label"] = rule_labels.get(f.rule, f.rule)
        if details_as_json:
            row["details"] = json.dumps(f.details, ensure_ascii=False, default=str)
        rows.append(row)
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)
