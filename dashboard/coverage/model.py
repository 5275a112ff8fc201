"""Data model of the coverage rules: severities, findings, rules.

Severities (from most to least serious):

``erreur``
    A legal obligation appears unmet (an obliged EPCI without a PLH in force, years of
    the PDALHPD period without a PLH where one is compulsory).
``alerte``
    An inconsistency to examine with the partners (an EPCI cut between instances, a
    commune outside every instance, a PLH objective below the plan's, a drawing with
    overlaps or gaps, a voluntary PLH that lapses).
``info``
    A rule could not be checked fully, or a datum is missing (no PDH sector defined,
    unknown PDALHPD period, PLH without PLA-I objective).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dashboard.coverage.inputs import CoverageInputs

ERREUR = "erreur"
ALERTE = "alerte"
INFO = "info"
#: Severities in decreasing order of seriousness.
SEVERITIES = (ERREUR, ALERTE, INFO)
SEVERITY_LABELS = {ERREUR: "Erreur", ALERTE: "Alerte", INFO: "Information"}

#: Territory levels a finding can point to.
TERRITOIRE_TYPES = ("departement", "instance", "epci", "commune")

#: Columns of the public JSON record (docs/ARCHITECTURE.md, « Ligne de commande »), in order.
JSON_FIELDS = ("rule", "territoire_type", "territoire_code", "severity", "message", "article")
#: Columns of :func:`findings_to_frame`.
FRAME_COLUMNS = [
    "rule",
    "rule_label",
    "severity",
    "territoire_type",
    "territoire_code",
    "territoire_nom",
    "message",
    "article",
    "details",
]


@dataclass(frozen=True)
class Finding:
    """One gap found by a rule, about one territory.

    Attributes
    ----------
    rule : str
        Rule id (``PLH_OBLIGATION`` …).
    territoire_type : str
        ``departement``, ``instance``, ``epci`` or ``commune``.
    territoire_code : str
        Département code, instance code, EPCI SIREN or INSEE code.
    territoire_nom : str
        Name of the territory, for display.
    severity : str
        ``erreur``, ``alerte`` or ``info``.
    message : str
        Plain French explanation naming the territory, the facts and the threshold.
    article : str
        Legal or methodological basis (``CCH, art. L302-1``).
    details : dict
        Machine-readable facts (years uncovered, populations, areas…), JSON-serialisable.
    """

    rule: str
    territoire_type: str
    territoire_code: str
    territoire_nom: str
    severity: str
    message: str
    article: str
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self, with_details: bool = False) -> dict[str, Any]:
        """The record of ``territoires gaps --json`` (plus ``territoire_nom``/``details``)."""
        record = {key: getattr(self, key) for key in JSON_FIELDS}
        record["territoire_nom"] = self.territoire_nom
        if with_details:
            record["details"] = self.details
        return record


@dataclass(frozen=True)
class Rule:
    """A coverage rule: a small documented unit.

    Attributes
    ----------
    id : str
        Stable identifier (``PLH_OBLIGATION``).
    label : str
        French label shown on the page.
    article : str
        Short citation of the basis, copied into every finding.
    basis : str
        One or two French sentences explaining the basis and the assumptions.
    severity : str
        Default severity of its findings (a rule may lower it case by case).
    check : callable
        ``check(inputs) -> list[Finding]``.
    """

    id: str
    label: str
    article: str
    basis: str
    severity: str
    check: Callable[[CoverageInputs], list[Finding]]

    def finding(
        self,
        territoire_type: str,
        territoire_code: str,
        territoire_nom: str,
        message: str,
        details: dict[str, Any] | None = None,
        severity: str | None = None,
    ) -> Finding:
        """Build a finding of this rule, with its article and default severity."""
        return Finding(
            rule=self.id,
            territoire_type=territoire_type,
            territoire_code=str(territoire_code),
            territoire_nom=str(territoire_nom),
            severity=severity or self.severity,
            message=message,
            article=self.article,
            details=details or {},
        )


def severity_rank(severity: str) -> int:
    """0 for ``erreur``, 1 for ``alerte``, 2 for ``info``, 3 for anything else."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)
