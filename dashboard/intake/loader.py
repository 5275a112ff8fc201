"""The table loader: where the pages, the CLI and the exports get their tables.

One function, :func:`load_tables`, reads the workspace when it exists, else the Isère
demonstration files (validated by the import code, nothing written), so that the app,
``territoires gaps`` / ``territoires indicators`` and the exports always read the same
data. Memberships are combined by :func:`geo.perimeters.combine_memberships` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.intake import demo
from dashboard.intake.imports import check_file
from dashboard.store.workspace import Workspace, open_workspace
from geo.perimeters import MEMBERSHIP_COLUMNS, combine_memberships
from geo.reference import Reference, load_reference, normalise_departement

#: Every kind that holds rows (docs/ARCHITECTURE.md, « Types d'import »).
ALL_KINDS = (
    "instances", "objectifs", "realisations", "operations", "signalements", "plans", "populations",
)  # fmt: skip
NO_INSTANCE = "aucune instance définie pour ce département"


class DepartementMismatchError(ValueError):
    """A département asked of a workspace that belongs to another one."""


@dataclass
class LoadedTables:
    """Tables for the rules and indicators, and where they come from.

    Attributes
    ----------
    departement : str
    tables : dict of DataFrame
        Canonical columns (docs/ARCHITECTURE.md); kinds with no row are absent.
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
    demo_kinds: frozenset[str] = frozenset()

    def memberships(self, reference: Reference) -> pd.DataFrame:
        """Commune memberships of the instances (rows, then drawn perimeters)."""
        return combine_memberships(reference, self.tables.get("instances"), self.perimetres)

    @property
    def has_instances(self) -> bool:
        """Whether instance rows or drawn perimeters define at least one instance."""
        rows = self.tables.get("instances")
        return (rows is not None and not rows.empty) or (
            self.perimetres is not None and not self.perimetres.empty
        )

    @property
    def instances_source(self) -> str:
        """Label of where the instances come from, shown under the maps."""
        if not self.has_instances:
            return NO_INSTANCE
        if "instances" in self.demo_kinds:
            return f"CLH de l'Isère — {demo.DEMO_LABEL}"
        return "instances de l'espace de travail"


def _from_workspace(workspace: Workspace, departement: str, kinds: tuple[str, ...]) -> LoadedTables:
    tables = {kind: workspace.read(kind) for kind in kinds}
    tables = {k: v for k, v in tables.items() if not v.empty}
    history = workspace.history()  # most recent first
    latest = history.drop_duplicates("kind") if not history.empty else history
    # Demo data remain wherever the latest import of a kind was the demonstration's.
    demo_kinds = frozenset(latest.loc[latest["utilisateur"] == demo.DEMO_USER, "kind"])
    is_demo = bool(demo_kinds)
    label = "espace de travail"
    if is_demo:
        label += f" — {demo.DEMO_LABEL}"
    loaded = LoadedTables(departement, tables, label, is_demo=is_demo, demo_kinds=demo_kinds)
    if "instances" in kinds:
        perimetres = workspace.read("perimetres")
        if not perimetres.empty:
            loaded.perimetres = perimetres  # memberships converted from drawings at import
    return loaded


def _from_demo(departement: str, reference: Reference, kinds: tuple[str, ...]) -> LoadedTables:
    tables: dict[str, pd.DataFrame] = {}
    warnings: list[str] = []
    files: tuple[tuple[str, str], ...] = ()
    if departement == demo.DEMO_DEPARTEMENT:
        files = tuple((k, n) for k, n in demo.DEMO_FILES if k in kinds)
    for kind, name in files:
        path = demo.DEMO_DIR / name
        if not path.exists():
            continue
        report = check_file(kind, path.read_bytes(), name, reference)
        if report.valid and report.frame is not None:
            tables[kind] = report.frame
        else:
            warnings.append(f"fichier de démonstration {name} invalide : ignoré")
    source = (
        f"démonstration ({demo.DEMO_LABEL})"
        if tables
        else "aucun espace de travail ni donnée de démonstration"
    )
    return LoadedTables(departement, tables, source, warnings=warnings, is_demo=bool(tables),
                        demo_kinds=frozenset(tables))


def load_tables(
    workspace: str | Path | None = None,
    departement: str | None = None,
    kinds: tuple[str, ...] = ALL_KINDS,
) -> LoadedTables:
    """Tables of the workspace (``workspace`` or the default one), else the Isère demo files.

    Parameters
    ----------
    workspace : path, optional
        Workspace directory; by default :func:`dashboard.settings.workspace_dir`.
    departement : str, optional
        Expected département. A workspace belongs to one département: asking for another
        one raises; with no workspace, the demo files serve Isère only.
    kinds : tuple of str
        Kinds to read.

    Raises
    ------
    DepartementMismatchError
        When ``departement`` contradicts the workspace's département.
    """
    asked = normalise_departement(departement) if departement else None
    with open_workspace(workspace) as ws:
        current = ws.departement
        if current is not None:
            if asked and asked != current:
                raise DepartementMismatchError(
                    f"l'espace de travail {ws.directory} appartient au département "
                    f"{current}, pas au {asked}"
                )
            return _from_workspace(ws, current, kinds)
    dep = asked or demo.DEMO_DEPARTEMENT
    return _from_demo(dep, load_reference(dep), kinds)


def instance_memberships_for(departement: str) -> tuple[pd.DataFrame, str]:
    """Memberships of the instances of a département, and a label of their source.

    The current workspace wins when it belongs to this département and defines
    instances; otherwise the Isère demo ships its CLH; other départements have none
    until a workspace provides them (an empty frame).
    """
    dep = normalise_departement(departement)
    with open_workspace() as ws:
        if ws.departement == dep:
            loaded = _from_workspace(ws, dep, ("instances",))
            if loaded.has_instances:
                return loaded.memberships(load_reference(dep)), loaded.instances_source
    if dep == demo.DEMO_DEPARTEMENT:
        memberships = combine_memberships(load_reference(dep), demo.read_demo_instance_rows())
        return memberships, f"CLH de l'Isère — {demo.DEMO_LABEL}"
    return pd.DataFrame(columns=MEMBERSHIP_COLUMNS), NO_INSTANCE
