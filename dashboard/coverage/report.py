"""Everything the « Couverture des plans » page and the exports show, computed once."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

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
    findings : list of Finding
    frame : DataFrame
        :func:`findings_to_frame` of the findings.
    communes : DataFrame
        :func:`commune_coverage`: one row per commune.
    timeline : DataFrame
        :func:`plh_timeline`: PLH of every EPCI.
    source : str
        Where the plans and instances come from.
    as_of : date
        Reference date of « in force ».
    period : (date, date) or None
        PDALHPD period.
    period_label : str
        Where the period comes from.
    inputs : CoverageInputs or None
        The normalised inputs, when computed in this process (None when read back from a
        snapshot, see :func:`report_from_parts`).
    """

    findings: list[Finding]
    frame: pd.DataFrame
    communes: pd.DataFrame
    timeline: pd.DataFrame
    source: str
    as_of: dt.date
    period: tuple[dt.date, dt.date] | None
    period_label: str
    inputs: CoverageInputs | None = None


def report_parts(report: CoverageReport) -> dict[str, Any]:
    """The report as a dict of frames and JSON values (:func:`dashboard.store.snapshots.pack`)."""
    return {
        "findings": [asdict(f) for f in report.findings],
        "frame": report.frame,
        "communes": report.communes,
        "timeline": report.timeline,
        "source": report.source,
        "as_of": report.as_of.isoformat(),
        "period": [d.isoformat() for d in report.period] if report.period else None,
        "period_label": report.period_label,
    }


def report_from_parts(parts: dict[str, Any]) -> CoverageReport:
    """The report packed by :func:`report_parts`."""
    period = parts["period"]
    return CoverageReport(
        findings=[Finding(**f) for f in parts["findings"]],
        frame=parts["frame"],
        communes=parts["communes"],
        timeline=parts["timeline"],
        source=parts["source"],
        as_of=dt.date.fromisoformat(parts["as_of"]),
        period=(dt.date.fromisoformat(period[0]), dt.date.fromisoformat(period[1]))
        if period else None,
        period_label=parts["period_label"],
    )  # fmt: skip


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
        findings=findings,
        frame=findings_to_frame(findings),
        communes=commune_coverage(inputs),
        timeline=plh_timeline(inputs),
        source=loaded.source,
        as_of=inputs.as_of,
        period=inputs.period,
        period_label=inputs.period_label,
        inputs=inputs,
    )
