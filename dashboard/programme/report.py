"""The programme read from the tables of the loader, for the CLI, the pages and the exports.

:func:`programme_of` builds the report from tables already loaded and the indicator
payload computed on them (the export bundle does so, reading the workspace once);
:func:`load_programme` does the whole read for ``territoires actions``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from dashboard.indicators.facts import territory_map
from dashboard.indicators.payload import INDICATOR_KINDS, compute_all, inputs_of
from dashboard.indicators.status import reference_date
from dashboard.intake.loader import LoadedTables, load_tables
from dashboard.programme.actions import ProgrammeReport, programme_report
from geo.reference import load_reference

#: Kinds the programme reads besides the indicators' ones.
PROGRAMME_KINDS = ("actions", "jalons", "commentaires")


def programme_of(
    loaded: LoadedTables, indicators: pd.DataFrame, memberships: pd.DataFrame | None,
    today: dt.date,
) -> ProgrammeReport:
    """The programme of loaded tables at ``today``, with the payload's indicator rows."""
    reference = load_reference(loaded.departement)
    tmap = territory_map(reference, memberships)
    return programme_report(loaded.tables, indicators, tmap, today, reference.departement,
                            loaded.source)  # fmt: skip


def load_programme(
    workspace: str | Path | None = None,
    departement: str | None = None,
    today: dt.date | None = None,
) -> tuple[ProgrammeReport, LoadedTables]:
    """Read the workspace (else the Isère demo files) and build the programme.

    ``today`` defaults to the reference date of the data
    (:func:`dashboard.indicators.status.reference_date`).

    Raises
    ------
    ValueError
        When ``departement`` contradicts the workspace's département.
    """
    loaded = load_tables(workspace, departement,
                         (*INDICATOR_KINDS, "instances", *PROGRAMME_KINDS))  # fmt: skip
    today = today or reference_date(loaded.tables)
    inputs = inputs_of(loaded)
    payload = compute_all(inputs, today, None)
    indicators = pd.DataFrame(payload["indicators"])
    return programme_of(loaded, indicators, inputs.memberships, today), loaded
