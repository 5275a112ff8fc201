"""``territoires indicators``: objectives against realisations, and territorial balance.

Reads the workspace when it exists; otherwise, for the Isère demonstration, the demo
files of ``data/demo`` (validated by the import code, nothing written) and the demo CLH,
both through :func:`dashboard.sources.load_tables`, as the pages do.
Exit 0; 2 for a usage error (unknown département or level, workspace of another
département, bad date).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from dashboard import cli

if TYPE_CHECKING:
    from dashboard.indicators import Prepared

#: Kinds the indicators read.
INDICATOR_KINDS = ("objectifs", "realisations", "operations", "signalements", "populations")
DEMO_SUFFIX = " — données de démonstration"
LEVEL_PLURALS = {"instance": "instances", "epci": "EPCI", "commune": "communes"}


@dataclass
class LoadedInputs:
    """Tables, memberships and where they come from."""

    departement: str
    tables: dict[str, pd.DataFrame]
    memberships: pd.DataFrame | None
    source: str
    source_suffix: str = ""
    warnings: list[str] = field(default_factory=list)


def _memberships(instances: pd.DataFrame | None, perimetres: pd.DataFrame | None, reference):
    from geo.perimeters import MEMBERSHIP_COLUMNS, expand_memberships

    parts = []
    if instances is not None and not instances.empty:
        parts.append(expand_memberships(instances, reference))
    if perimetres is not None and not perimetres.empty:
        parts.append(perimetres[MEMBERSHIP_COLUMNS])
    if not parts:
        return None
    both = pd.concat(parts, ignore_index=True)
    return both.drop_duplicates(["instance_code", "code_insee"], ignore_index=True)


def load_inputs(workspace_dir: str | None, departement: str | None) -> LoadedInputs:
    """Inputs of the workspace (``workspace_dir`` or the default one), else the Isère demo
    files, read through the shared loader :func:`dashboard.sources.load_tables`.

    Raises
    ------
    ValueError
        When ``departement`` contradicts the workspace's département.
    geo.reference.UnknownDepartementError
        For an unknown département.
    """
    from dashboard.sources import load_tables, memberships_of
    from geo.reference import load_reference

    loaded = load_tables(workspace_dir, departement, kinds=(*INDICATOR_KINDS, "instances"))
    reference = load_reference(loaded.departement)
    memberships = memberships_of(loaded, reference)
    if memberships is None:
        memberships = _memberships(loaded.tables.get("instances"), None, reference)
    return LoadedInputs(
        loaded.departement,
        {kind: loaded.tables[kind] for kind in INDICATOR_KINDS if kind in loaded.tables},
        memberships,
        loaded.source,
        DEMO_SUFFIX if loaded.is_demo else "",
        list(loaded.warnings),
    )


def compute_all(
    inputs: LoadedInputs,
    today: dt.date,
    level: str | None,
    besoin: str = "population",
    prepared: Prepared | None = None,
) -> dict:
    """The JSON payload of ``territoires indicators`` (also used by exports and pages).

    ``prepared`` is :func:`dashboard.indicators.prepare` of these same inputs, when the
    caller already holds it (the pages cache it); otherwise it is computed here.
    """
    from dashboard.balance import EXPLICATION_DISSIMILARITE, balance_for_cli
    from dashboard.indicators import DEFINITION_TAUX, compute_indicators, indicator_records, prepare
    from geo.reference import load_reference

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
        reference, inputs.memberships, inputs.tables, levels, besoin, prepared=prep,
        source_suffix=inputs.source_suffix,
    )  # fmt: skip
    if level == "departement":
        balance = balance[balance["territoire_type"] == "departement"]
    return {
        "departement": reference.departement,
        "date": today.isoformat(),
        "source": inputs.source,
        "definition_taux": DEFINITION_TAUX,
        "explication_equilibre": EXPLICATION_DISSIMILARITE,
        "indicators": indicator_records(indicators),
        "balance": indicator_records(balance),
        "avertissements": inputs.warnings + indicators.attrs.get("avertissements", []),
    }


def _num(value: float | None) -> str:
    from dashboard.formatting import fr_int, fr_number

    if value is None:
        return "–"
    return fr_int(value) if float(value).is_integer() else fr_number(value, 1)


def _pct(value: float | None) -> str:
    from dashboard.formatting import fr_percent

    return fr_percent(value, 1)


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def _line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [_line(headers), _line(["-" * w for w in widths]), *(_line(r) for r in rows)]


def print_text(payload: dict, annual: bool = False) -> None:
    """Aligned French tables of the indicators and the balance."""
    from dashboard.formatting import fr_number

    print(f"Objectifs et réalisations — département {payload['departement']}, au {payload['date']}")
    print(f"Source : {payload['source']}")
    print(payload["definition_taux"])
    rows = [
        [
            r["indicateur"], f"{r['territoire_type']} {r['territoire_code']} {r['territoire_nom']}",
            r["periode"], _num(r["objectif"]), _num(r["realise"]), _pct(r["taux"]),
            _num(None if r["attendu_a_date"] is None else round(r["attendu_a_date"], 1)),
            r["statut"],
        ]
        for r in payload["indicators"]
        if annual
        or "-" in r["periode"]
        or (r["objectif"] is not None and not r["objectif_annualise"])
    ]  # fmt: skip
    headers = ["Indicateur", "Territoire", "Période", "Objectif", "Réalisé", "Taux",
               "Attendu à date", "Statut"]  # fmt: skip
    print()
    print("\n".join(_table(headers, rows, {3, 4, 5, 6})))
    if not payload["balance"]:
        return
    print()
    print(f"Équilibre territorial — {payload['explication_equilibre']}")
    rows = []
    for r in payload["balance"]:
        if r["territoire_type"] == "departement":
            rows.append([
                r["indicateur"], f"ensemble des {LEVEL_PLURALS[r['niveau']]} ({r['besoin']})",
                r["periode"], "", "", _pct(r["couverture_realise"]),
                f"dissimilarité {fr_number(r['dissimilarite_realise'], 1)}\u00a0%",
            ])  # fmt: skip
            continue
        rows.append([
            r["indicateur"], f"{r['territoire_type']} {r['territoire_code']} {r['territoire_nom']}",
            r["periode"], _pct(r["part_besoin"]), _pct(r["part_objectif"]),
            _pct(r["part_realise"]), fr_number(r["indice_equilibre"], 2),
        ])  # fmt: skip
    headers = ["Indicateur", "Territoire", "Période", "Part du besoin", "Part de l'objectif",
               "Part du réalisé", "Indice d'équilibre"]  # fmt: skip
    print("\n".join(_table(headers, rows, {3, 4, 5, 6})))
    for warning in payload["avertissements"]:
        print(f"Avertissement : {warning}", file=sys.stderr)


def cmd_indicators(args: argparse.Namespace) -> int:
    """``territoires indicators [--workspace DIR] [--level L] [--json] [--departement DEP]``."""
    from geo.reference import UnknownDepartementError

    try:
        today = dt.date.fromisoformat(args.date) if args.date else dt.date.today()
        inputs = load_inputs(args.workspace, args.departement)
        payload = compute_all(inputs, today, args.level, args.besoin)
    except UnknownDepartementError as exc:
        print(f"territoires : {exc}", file=sys.stderr)
        return cli.EXIT_USAGE
    except ValueError as exc:
        print(f"territoires : erreur d'utilisation : {exc}", file=sys.stderr)
        return cli.EXIT_USAGE
    if args.json:
        cli._print_json(payload)
    else:
        print_text(payload, annual=args.annuel)
    return cli.EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``indicators`` to the ``territoires`` parser."""
    p = sub.add_parser(
        "indicators", help="objectifs, réalisations, trajectoire et équilibre territorial"
    )
    p.add_argument("--workspace", help="dossier de l'espace de travail (TERRITOIRES_WORKSPACE)")
    p.add_argument("--level", choices=["departement", "instance", "epci", "commune"],
                   help="un seul niveau de territoire (par défaut tous)")  # fmt: skip
    p.add_argument("--json", action="store_true", help='sortie JSON {"indicators", "balance"}')
    p.add_argument(
        "--departement", help="département (par défaut celui de l'espace de travail, sinon 38)"
    )
    p.add_argument("--date", help="date de référence AAAA-MM-JJ (par défaut aujourd'hui)")
    p.add_argument("--besoin", default="population",
                   help="besoin de l'équilibre : population (défaut), signalements ou un "
                   "indicateur importé (pppi…)")  # fmt: skip
    p.add_argument(
        "--annuel",
        action="store_true",
        help="texte : ajoute les lignes annuelles sans objectif propre",
    )
    p.set_defaults(func=cmd_indicators)
