"""The one payload of the indicators that the pages, the CLI and the exports all use.

:func:`load_inputs` reads the tables (workspace, else the Isère demo files) through the
table loader; :func:`compute_all` turns them into the JSON payload of
``territoires indicators --json``: every indicator with its status at a reference date,
and the territorial balance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.indicators.balance import EXPLICATION_DISSIMILARITE, balance_for_cli
from dashboard.indicators.compute import Prepared, compute_indicators, indicator_records, prepare
from dashboard.indicators.facts import containment, territory_map
from dashboard.indicators.fields import FIELDS, RECORD_KEYS, field_records, field_table
from dashboard.indicators.outcomes import DEFINITION_ISSUES
from dashboard.indicators.signals import signal_summary
from dashboard.indicators.status import DEFINITION_TAUX, REGLE_DATE_REFERENCE
from dashboard.intake.demo import DEMO_LABEL
from dashboard.intake.loader import LoadedTables, load_tables
from dashboard.store.schemas import FIELD_KINDS
from geo.reference import Reference, load_reference

#: Kinds the indicators read.
INDICATOR_KINDS = ("objectifs", "realisations", "operations", "signalements", "populations",
                   *FIELD_KINDS)
DEMO_SUFFIX = f" — {DEMO_LABEL}"


@dataclass
class LoadedInputs:
    """Tables, memberships and where they come from."""

    departement: str
    tables: dict[str, pd.DataFrame]
    memberships: pd.DataFrame | None
    source: str
    source_suffix: str = ""
    warnings: list[str] = field(default_factory=list)


def inputs_of(loaded: LoadedTables) -> LoadedInputs:
    """The indicators' inputs from tables already loaded (read once by an export)."""
    reference = load_reference(loaded.departement)
    return LoadedInputs(
        loaded.departement,
        {kind: loaded.tables[kind] for kind in INDICATOR_KINDS if kind in loaded.tables},
        loaded.memberships(reference),
        loaded.source,
        DEMO_SUFFIX if loaded.is_demo else "",
        list(loaded.warnings),
    )


def load_inputs(workspace_dir: str | Path | None, departement: str | None) -> LoadedInputs:
    """Inputs of the workspace (``workspace_dir`` or the default one), else the Isère demo
    files, read through the shared loader :func:`dashboard.intake.loader.load_tables`.

    Raises
    ------
    ValueError
        When ``departement`` contradicts the workspace's département.
    geo.reference.UnknownDepartementError
        For an unknown département.
    """
    return inputs_of(load_tables(workspace_dir, departement, (*INDICATOR_KINDS, "instances")))


def compute_all(
    inputs: LoadedInputs,
    today: dt.date,
    level: str | None,
    besoin: str = "population",
    prepared: Prepared | None = None,
    sections: tuple[str, ...] = ("signalements", "autres_champs"),
    with_balance: bool = True,
) -> dict:
    """The JSON payload of ``territoires indicators`` (also used by exports and pages).

    ``prepared`` is :func:`dashboard.indicators.compute.prepare` of these same inputs,
    when the caller already holds it (the pages cache it); otherwise it is computed here.
    ``sections``: the optional parts computed (the others are empty lists); the pages of
    objectives and maps read neither, and the other fields take half of the computation.
    ``with_balance=False``: no territorial balance (an empty list), for a caller that shows none.
    """
    reference = load_reference(inputs.departement)
    prep = prepared or prepare(reference, inputs.memberships, inputs.tables)
    indicators = compute_indicators(
        reference, inputs.memberships, inputs.tables, today, level,
        source_suffix=inputs.source_suffix, prepared=prep,
    )  # fmt: skip
    if level in ("instance", "epci", "commune"):
        levels: tuple[str, ...] = (level,)
    else:
        levels = ("instance", "epci")
    balance = balance_for_cli(
        reference, inputs.memberships, inputs.tables, levels if with_balance else (),
        besoin, prepared=prep, source_suffix=inputs.source_suffix,
    )  # fmt: skip
    if level == "departement":
        balance = balance[balance["territoire_type"] == "departement"]
    signals = _signals(reference, inputs, level) if "signalements" in sections else None
    fields = _fields(reference, inputs, level) if "autres_champs" in sections else None
    return {
        "departement": reference.departement,
        "date": today.isoformat(),
        "regle_date_reference": REGLE_DATE_REFERENCE,
        "source": inputs.source,
        "definition_taux": DEFINITION_TAUX,
        "explication_equilibre": EXPLICATION_DISSIMILARITE,
        "indicators": [
            {**r, "date_statut": today.isoformat()} for r in indicator_records(indicators)
        ],
        "balance": indicator_records(balance),
        "definition_signalements": DEFINITION_ISSUES,
        "signalements": [] if signals is None else indicator_records(signals),
        "definition_autres_champs": {k: f.definition for k, f in FIELDS.items()},
        "autres_champs": [] if fields is None else indicator_records(fields),
        "avertissements": inputs.warnings + indicators.attrs.get("avertissements", []),
    }


#: Keys of a signal row of the payload.
SIGNAL_KEYS = [
    "territoire_type", "territoire_code", "territoire_nom", "nb_signalements", "nb_resolus",
    "nb_clos_sans_resolution", "nb_en_cours", "taux_pour_10000", "source",
]  # fmt: skip


def _signals(reference: Reference, inputs: LoadedInputs, level: str | None) -> pd.DataFrame:
    """Signals of the département, then of each territory of ``level`` (default: instances),
    with the three outcomes of :mod:`dashboard.indicators.outcomes`."""
    table = inputs.tables.get("signalements")
    if table is None or table.empty:
        return pd.DataFrame(columns=SIGNAL_KEYS)
    levels = ["departement"] + ([level or "instance"] if level != "departement" else [])
    populations = inputs.tables.get("populations")
    parts = [
        signal_summary(
            reference, inputs.memberships, table, populations, lvl,
            source_suffix=inputs.source_suffix,
        )
        for lvl in levels
    ]
    return pd.concat(parts, ignore_index=True)[SIGNAL_KEYS]


def _fields(reference: Reference, inputs: LoadedInputs, level: str | None) -> pd.DataFrame:
    """The plan's other fields (evictions, DALO, priority allocations, SIAO, FSL): one row
    per field, indicator, territory and year, for the département and ``level`` (default:
    instances and EPCI)."""
    if level == "departement":
        levels: tuple[str, ...] = ("departement",)
    else:
        levels = ("departement", *((level,) if level else ("instance", "epci")))
    parts = []
    territories = None
    for kind in FIELDS:
        if inputs.tables.get(kind) is None or inputs.tables[kind].empty:
            continue
        if territories is None:
            tmap = territory_map(reference, inputs.memberships)
            territories = (tmap, containment(tmap))
        table = field_table(reference, inputs.memberships, inputs.tables, kind, levels,
                            source_suffix=inputs.source_suffix, territories=territories)
        parts.append(field_records(table, kind))
    if not parts:
        return pd.DataFrame(columns=RECORD_KEYS)
    return pd.concat(parts, ignore_index=True)
