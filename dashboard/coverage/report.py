"""Everything the « Couverture des plans » page and the exports show, computed once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.coverage.engine import findings_to_frame, run_rules
from dashboard.coverage.inputs import CoverageInputs, prepare_inputs
from dashboard.coverage.model import Finding
from dashboard.coverage.views import commune_coverage, plh_timeline
from dashboard.indicators.status import DATE_KINDS, reference_date
from dashboard.intake.loader import LoadedTables, load_tables
from geo.reference import Reference, load_reference

#: Kinds the coverage rules read, and those that set the reference date.
COVERAGE_KINDS = ("plans", "objectifs", "instances", "populations")
REPORT_KINDS = (*COVERAGE_KINDS, *DATE_KINDS)


@dataclass(frozen=True)
class CoverageReport:
    """Findings and the tables drawn from them, for one département.

    Attributes
    ----------
    inputs : CoverageInputs
    findings : list of Finding
    frame : DataFrame
        :func:`findings_to_frame` of the findings.
    communes : DataFrame
        :func:`commune_coverage`: one row per commune.
    timeline : DataFrame
        :func:`plh_timeline`: PLH of every EPCI.
    source : str
        Where the plans and instances come from.
    """

    inputs: CoverageInputs
    findings: list[Finding]
    frame: pd.DataFrame
    communes: pd.DataFrame
    timeline: pd.DataFrame
    source: str


def coverage_report(
    departement: str,
    workspace: str | Path | None = None,
    as_of: dt.date | None = None,
) -> CoverageReport:
    """Run every coverage rule on the workspace (or the Isère demo) of a département, at
    ``as_of`` (default: the reference date, :func:`dashboard.indicators.status.reference_date`)."""
    loaded = load_tables(workspace, departement, REPORT_KINDS)
    return coverage_report_of(loaded, load_reference(loaded.departement), as_of)


def coverage_report_of(
    loaded: LoadedTables, reference: Reference, as_of: dt.date | None = None
) -> CoverageReport:
    """Run every coverage rule on tables already loaded (an export reads them once), at
    ``as_of`` (default: the reference date of these tables)."""
    as_of = as_of or reference_date(loaded.tables)
    inputs = prepare_inputs(
        reference, loaded.tables, None, loaded.memberships(reference), None, as_of=as_of
    )
    findings = run_rules(inputs)
    return CoverageReport(
        inputs=inputs,
        findings=findings,
        frame=findings_to_frame(findings),
        communes=commune_coverage(inputs),
        timeline=plh_timeline(inputs),
        source=loaded.source,
    )
