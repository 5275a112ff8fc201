"""Where the pages, the CLI and the exports get their tables: the workspace, else the demo.

One function, :func:`load_tables`, so that the app, ``territoires gaps`` /
``territoires indicators`` and the exports always read the same data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard import demo

#: Every kind of DESIGN.md §3 that holds rows.
ALL_KINDS = (
    "instances", "objectifs", "realisations", "operations", "signalements", "plans", "populations",
)  # fmt: skip


@dataclass
class LoadedTables:
    """Tables for the rules and indicators, and where they come from.

    Attributes
    ----------
    departement : str
    tables : dict of DataFrame
        Canonical columns of DESIGN.md §3; kinds with no row are absent.
    source : str
        Label shown under every figure drawn from these tables.
    perimetres : DataFrame, optional
        Memberships converted from imported drawings.
    warnings : list of str
    is_demo : bool
        True when the data are the invented demonstration data.
    """

    departement: str
    tables: dict[str, pd.DataFrame]
    source: str
    perimetres: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    is_demo: bool = False


def _from_workspace(workspace, departement: str, kinds: tuple[str, ...]) -> LoadedTables:
    tables = {kind: workspace.read(kind) for kind in kinds}
    tables = {k: v for k, v in tables.items() if not v.empty}
    history = workspace.history()  # most recent first
    latest = history.drop_duplicates("kind") if not history.empty else history
    # Demo data remain wherever the latest import of a kind was the demonstration's.
    is_demo = bool((latest.get("utilisateur", pd.Series(dtype=str)) == "démonstration").any())
    label = "espace de travail"
    if is_demo:
        label += f" — {demo.DEMO_LABEL}"
    loaded = LoadedTables(departement, tables, label, is_demo=is_demo)
    perimetres = workspace.read("perimetres")
    if not perimetres.empty:
        loaded.perimetres = perimetres  # memberships converted from drawings at import
    return loaded


def memberships_of(loaded: LoadedTables, reference) -> pd.DataFrame | None:
    """Memberships of the instance rows plus those of the imported drawings, if any.

    Returns None when there is no drawing: callers then expand the instance rows.
    """
    if loaded.perimetres is None:
        return None
    from geo.perimeters import MEMBERSHIP_COLUMNS, expand_memberships

    parts = [loaded.perimetres[MEMBERSHIP_COLUMNS]]
    instances = loaded.tables.get("instances")
    if instances is not None and not instances.empty:
        parts.insert(0, expand_memberships(instances, reference))
    both = pd.concat(parts, ignore_index=True)
    return both.drop_duplicates(["instance_code", "code_insee"], ignore_index=True)


def _from_demo(departement: str, reference, kinds: tuple[str, ...]) -> LoadedTables:
    from dashboard.context import instance_rows_for

    tables: dict[str, pd.DataFrame] = {}
    warnings: list[str] = []
    files: tuple[tuple[str, str], ...] = ()
    if departement == demo.DEMO_DEPARTEMENT:
        from dashboard.cli_workspace import DEMO_FILES

        files = tuple((k, n) for k, n in DEMO_FILES if k in kinds)
    for kind, name in files:
        path = demo.DEMO_DIR / name
        if not path.exists():
            continue
        from dashboard.imports import check_file

        report = check_file(kind, path.read_bytes(), name, reference)
        if report.valid and report.frame is not None:
            tables[kind] = report.frame
        else:
            warnings.append(f"fichier de démonstration {name} invalide : ignoré")
    if "instances" in kinds and "instances" not in tables:
        rows, _ = instance_rows_for(departement)
        if rows is not None:
            tables["instances"] = rows
    source = (
        f"démonstration ({demo.DEMO_LABEL})"
        if tables
        else "aucun espace de travail ni donnée de démonstration"
    )
    return LoadedTables(departement, tables, source, warnings=warnings, is_demo=bool(tables))


def load_tables(
    workspace: str | Path | None = None,
    departement: str | None = None,
    kinds: tuple[str, ...] = ALL_KINDS,
) -> LoadedTables:
    """Tables of the workspace (``workspace`` or the default one), else the Isère demo files.

    Parameters
    ----------
    workspace : path, optional
        Workspace directory; by default ``$TERRITOIRES_WORKSPACE`` or the documented default.
    departement : str, optional
        Expected département. A workspace belongs to one département: asking for another
        one raises; with no workspace, the demo files serve Isère only.
    kinds : tuple of str
        Kinds to read.

    Raises
    ------
    ValueError
        When ``departement`` contradicts the workspace's département.
    """
    from dashboard.workspace import open_workspace
    from geo.reference import load_reference, normalise_departement

    asked = normalise_departement(departement) if departement else None
    ws = open_workspace(workspace)
    try:
        current = ws.departement if ws.exists() else None
        if current is not None:
            if asked and asked != current:
                raise ValueError(
                    f"l'espace de travail {ws.directory} appartient au département "
                    f"{current}, pas au {asked}"
                )
            return _from_workspace(ws, current, kinds)
    finally:
        ws.dispose()
    dep = asked or demo.DEMO_DEPARTEMENT
    return _from_demo(dep, load_reference(dep), kinds)


def reference_date(tables: dict[str, pd.DataFrame], today: dt.date | None = None) -> dt.date:
    """The date statuses are judged at by default: today, or the end of the last data year.

    Extracts lag behind: judging 2026 objectives on operations that stop in 2024 would show
    every territory « très en retard ». Pages and exports state the date they use and let
    the user choose another.
    """
    today = today or dt.date.today()
    years = []
    for kind in ("operations", "realisations"):
        table = tables.get(kind)
        if table is not None and not table.empty:
            last = pd.to_numeric(table["annee"], errors="coerce").max()
            if pd.notna(last):
                years.append(int(last))
    if not years:
        return today
    return min(today, dt.date(max(years), 12, 31))
