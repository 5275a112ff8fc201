"""Coverage gaps between the PDALHPD, the PLH and the PDH, computed from documented rules.

No Streamlit here: the CLI (``territoires gaps``), the page and the exports share it.

>>> from dashboard.coverage import evaluate, findings_to_frame
>>> findings = evaluate(load_reference("38"), {"plans": plans, "instances": rows})
"""

from dashboard.coverage.engine import (
    RULES,
    RULES_BY_ID,
    evaluate,
    findings_to_frame,
    rules_table,
    run_rules,
)
from dashboard.coverage.inputs import CoverageInputs, Tolerances, prepare_inputs
from dashboard.coverage.model import (
    ALERTE,
    ERREUR,
    INFO,
    SEVERITIES,
    SEVERITY_LABELS,
    Finding,
    Rule,
)
from dashboard.coverage.plh import is_obliged, obligation_table, plh_in_force
from dashboard.coverage.report import (
    COVERAGE_KINDS,
    CoverageReport,
    coverage_report,
    coverage_report_of,
)
from dashboard.coverage.views import commune_coverage, plh_timeline

__all__ = [
    "ALERTE",
    "COVERAGE_KINDS",
    "ERREUR",
    "INFO",
    "RULES",
    "RULES_BY_ID",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "CoverageInputs",
    "CoverageReport",
    "Finding",
    "Rule",
    "Tolerances",
    "commune_coverage",
    "coverage_report",
    "coverage_report_of",
    "evaluate",
    "findings_to_frame",
    "is_obliged",
    "obligation_table",
    "plh_in_force",
    "plh_timeline",
    "prepare_inputs",
    "rules_table",
    "run_rules",
]
