"""``territoires indicators``: objectives against realisations, and territorial balance.

Reads the workspace when it exists; otherwise, for the Isère demonstration, the demo
files of ``data/demo`` (validated by the import code, nothing written) and the demo CLH,
both through :func:`dashboard.intake.loader.load_tables`, as the pages do.
Exit 0; 2 for a usage error (unknown département or level, workspace of another
département, bad date).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from dashboard.cli.common import EXIT_OK, EXIT_USAGE, print_json
from dashboard.formatting import fr_number, num, pct
from dashboard.indicators.payload import compute_all, load_inputs
from dashboard.indicators.status import au, reference_date
from geo.reference import UnknownDepartementError

LEVEL_PLURALS = {"instance": "instances", "epci": "EPCI", "commune": "communes"}


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def _line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [_line(headers), _line(["-" * w for w in widths]), *(_line(r) for r in rows)]


def print_text(payload: dict, annual: bool = False) -> None:
    """Aligned French tables of the indicators, the signals and the balance."""
    day = au(dt.date.fromisoformat(payload["date"]))
    print(f"Objectifs et réalisations — département {payload['departement']}, {day}")
    print(f"({payload['regle_date_reference']})")
    print(f"Source : {payload['source']}")
    print(payload["definition_taux"])
    rows = [
        [
            r["indicateur"], f"{r['territoire_type']} {r['territoire_code']} {r['territoire_nom']}",
            r["periode"], num(r["objectif"], 1), num(r["realise"], 1), pct(r["taux"], 1),
            num(None if r["attendu_a_date"] is None else round(r["attendu_a_date"], 1), 1),
            r["statut"],
        ]
        for r in payload["indicators"]
        if annual
        or "-" in r["periode"]
        or (r["objectif"] is not None and not r["objectif_annualise"])
    ]  # fmt: skip
    headers = ["Indicateur", "Territoire", "Période", "Objectif", "Réalisé", "Taux",
               "Attendu à date", f"Statut {day}"]  # fmt: skip
    print()
    print("\n".join(_table(headers, rows, {3, 4, 5, 6})))
    if payload["signalements"]:
        print()
        print("Signalements d'habitat indigne (tous les signalements importés)")
        print(payload["definition_signalements"])
        rows = [
            [f"{r['territoire_type']} {r['territoire_code']} {r['territoire_nom']}",
             num(r["nb_signalements"]), num(r["nb_resolus"]), num(r["nb_clos_sans_resolution"]),
             num(r["nb_en_cours"]), num(r["taux_pour_10000"], 1)]
            for r in payload["signalements"]
        ]  # fmt: skip
        headers = ["Territoire", "Reçus", "Résolus", "Clos sans résolution", "En cours",
                   "Pour 10 000 hab."]  # fmt: skip
        print("\n".join(_table(headers, rows, {1, 2, 3, 4, 5})))
    if not payload["balance"]:
        return
    print()
    print(f"Équilibre territorial — {payload['explication_equilibre']}")
    rows = []
    for r in payload["balance"]:
        if r["territoire_type"] == "departement":
            rows.append([
                r["indicateur"], f"ensemble des {LEVEL_PLURALS[r['niveau']]} ({r['besoin']})",
                r["periode"], "", "", pct(r["couverture_realise"], 1),
                f"dissimilarité {fr_number(r['dissimilarite_realise'], 1)}\u00a0%",
            ])  # fmt: skip
            continue
        rows.append([
            r["indicateur"], f"{r['territoire_type']} {r['territoire_code']} {r['territoire_nom']}",
            r["periode"], pct(r["part_besoin"], 1), pct(r["part_objectif"], 1),
            pct(r["part_realise"], 1), fr_number(r["indice_equilibre"], 2),
        ])  # fmt: skip
    headers = ["Indicateur", "Territoire", "Période", "Part du besoin", "Part de l'objectif",
               "Part du réalisé", "Indice d'équilibre"]  # fmt: skip
    print("\n".join(_table(headers, rows, {3, 4, 5, 6})))
    for warning in payload["avertissements"]:
        print(f"Avertissement : {warning}", file=sys.stderr)


def cmd_indicators(args: argparse.Namespace) -> int:
    """``territoires indicators [--workspace DIR] [--level L] [--json] [--departement DEP]``."""
    try:
        inputs = load_inputs(args.workspace, args.departement)
        today = dt.date.fromisoformat(args.date) if args.date else reference_date(inputs.tables)
        payload = compute_all(inputs, today, args.level, args.besoin)
    except UnknownDepartementError as exc:
        print(f"territoires : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        print(f"territoires : erreur d'utilisation : {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print_json(payload)
    else:
        print_text(payload, annual=args.annuel)
    return EXIT_OK


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
    p.add_argument("--date", help="date de référence AAAA-MM-JJ (par défaut la fin de la "
                   "dernière année de données, sans dépasser aujourd'hui)")  # fmt: skip
    p.add_argument("--besoin", default="population",
                   help="besoin de l'équilibre : population (défaut), signalements ou un "
                   "indicateur importé (pppi…)")  # fmt: skip
    p.add_argument(
        "--annuel",
        action="store_true",
        help="texte : ajoute les lignes annuelles sans objectif propre",
    )
    p.set_defaults(func=cmd_indicators)
