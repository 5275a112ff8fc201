"""The table loader: where the pages, the CLI and the exports get their tables.

One function, :func:`load_tables`, reads the workspace when it exists, else the Isère
demonstration files (validated by the import code, nothing written), so that the app,
``territoires gaps`` / ``territoires indicators`` and the exports always read the same
data. Memberships are combined by :func:`geo.perimeters.combine_memberships` only.

The délégués' declarations (:func:`split_declarations`) are set apart: only official rows
and validated declarations reach the indicators, the deck and the reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.intake import demo
from dashboard.intake.imports import check_file
from dashboard.store.schemas import FIELD_KINDS, STATUT_VALIDE, is_blank
from dashboard.store.workspace import Workspace, open_workspace
from geo.perimeters import MEMBERSHIP_COLUMNS, combine_memberships
from geo.reference import Reference, load_reference, normalise_departement

#: Every kind that holds rows (docs/ARCHITECTURE.md, « Types d'import »).
ALL_KINDS = (
    "instances", "objectifs", "realisations", "operations", "signalements", "plans", "populations",
    "commentaires", "actions", "jalons", *FIELD_KINDS,
)  # fmt: skip
#: Key of a réalisation: a validated declaration replaces the earlier values of its key.
REALISATION_KEY = ["territoire_type", "territoire_code", "indicateur", "annee"]
NO_INSTANCE = "aucune instance définie pour ce département"


class DepartementMismatchError(ValueError):
    """A département asked of a workspace that belongs to another one.

    ``owner`` is the workspace's département, ``asked`` the one asked (for a message that
    does not show the server's paths)."""

    def __init__(self, message: str, owner: str = "", asked: str = "") -> None:
        super().__init__(message)
        self.owner, self.asked = owner, asked


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
    declarations: dict[str, pd.DataFrame] = field(default_factory=dict)

    def until(self, day: dt.date, comments_until: dt.date | None = None) -> LoadedTables:
        """The tables as they stood on ``day`` (a frozen annual report's figures).

        Operations and réalisations of later years are left out, signals filed later too;
        a signal closed later is open, a milestone reached later is not reached. Comments
        are kept up to ``comments_until`` (default ``day``). Objectives, plans, actions
        and populations are kept as they are (plans are judged at ``day`` by the coverage
        rules).
        """
        cut = {kind: frame.copy() for kind, frame in self.tables.items()}
        for kind in ("operations", "realisations", *FIELD_KINDS):
            if kind in cut:
                years = pd.to_numeric(cut[kind]["annee"], errors="coerce")
                cut[kind] = cut[kind][years.isna() | (years <= day.year)]
        stamp = pd.Timestamp(day)
        if "signalements" in cut:
            sig = cut["signalements"]
            sig = sig[~(pd.to_datetime(sig["date_signalement"]) > stamp)].copy()
            later = pd.to_datetime(sig["date_cloture"]) > stamp
            sig.loc[later, "date_cloture"] = pd.NaT
            sig.loc[later, "motif_cloture"] = None
            cut["signalements"] = sig
        if "jalons" in cut:
            jal = cut["jalons"]
            jal.loc[pd.to_datetime(jal["date_realisee"]) > stamp, "date_realisee"] = pd.NaT
        limit = pd.Timestamp(comments_until or day)
        if "commentaires" in cut:
            com = cut["commentaires"]
            cut["commentaires"] = com[~(pd.to_datetime(com["date"]) > limit)]
        declarations = {k: v.copy() for k, v in self.declarations.items()}
        if "realisations" in declarations:
            years = pd.to_numeric(declarations["realisations"]["annee"], errors="coerce")
            declarations["realisations"] = declarations["realisations"][years <= day.year]
        if "commentaires" in declarations:
            com = declarations["commentaires"]
            declarations["commentaires"] = com[~(pd.to_datetime(com["date"]) > limit)]
        return LoadedTables(
            self.departement, {k: v.reset_index(drop=True) for k, v in cut.items()},
            self.source, self.perimetres, list(self.warnings), self.is_demo, self.demo_kinds,
            {k: v.reset_index(drop=True) for k, v in declarations.items()},
        )  # fmt: skip

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


def split_declarations(kind: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The official rows of a table, and the délégués' declarations apart.

    Official: rows imported without a review state, and validated declarations; for
    réalisations, a validated declaration replaces the earlier values of its territory,
    indicator and year (the last one wins). Declarations: every row with a review state
    (declared, validated or to review), for the comité's and the délégués' views.
    """
    if "statut_validation" not in frame or frame.empty:
        return frame, frame.iloc[0:0]
    statut = frame["statut_validation"]
    declared = ~statut.map(is_blank).astype(bool)
    declarations = frame[declared]
    official = frame[~declared | (statut == STATUT_VALIDE)]
    if kind == "realisations":
        validated = official[official["statut_validation"] == STATUT_VALIDE]
        if not validated.empty:
            keys = official[REALISATION_KEY].astype(str).agg("|".join, axis=1)
            last = validated[REALISATION_KEY].astype(str).agg("|".join, axis=1)
            winners = set(last.groupby(last).tail(1).index)
            superseded = keys.isin(set(last)) & ~official.index.isin(winners)
            official = official[~superseded]
    return official.reset_index(drop=True), declarations.reset_index(drop=True)


def _split(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Replace the reviewed kinds of ``tables`` by their official rows; return the
    declarations taken apart."""
    declarations = {}
    for kind in ("realisations", "commentaires"):
        if kind in tables:
            tables[kind], declarations[kind] = split_declarations(kind, tables[kind])
    return declarations


def _from_workspace(workspace: Workspace, departement: str, kinds: tuple[str, ...]) -> LoadedTables:
    wanted = (*kinds, "perimetres") if "instances" in kinds else kinds
    read = workspace.read_many(wanted)  # only the kinds written since the last reading
    tables = {kind: read[kind] for kind in kinds}
    declarations = _split(tables)
    tables = {k: v for k, v in tables.items() if not v.empty}
    history = workspace.history()  # most recent first
    latest = history.drop_duplicates("kind") if not history.empty else history
    # Demo data remain wherever the latest import of a kind was the demonstration's.
    demo_kinds = frozenset(latest.loc[latest["utilisateur"] == demo.DEMO_USER, "kind"])
    is_demo = bool(demo_kinds)
    label = "espace de travail"
    if is_demo:
        label += f" — {demo.DEMO_LABEL}"
    loaded = LoadedTables(departement, tables, label, is_demo=is_demo, demo_kinds=demo_kinds,
                          declarations=declarations)  # fmt: skip
    if "instances" in kinds:
        perimetres = read["perimetres"]
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
            appended = name in demo.DEMO_APPEND and kind in tables
            tables[kind] = (pd.concat([tables[kind], report.frame], ignore_index=True)
                            if appended else report.frame)  # fmt: skip
        else:
            warnings.append(f"fichier de démonstration {name} invalide : ignoré")
    declarations = _split(tables)
    source = (
        f"démonstration ({demo.DEMO_LABEL})"
        if tables
        else "aucun espace de travail ni donnée de démonstration"
    )
    return LoadedTables(departement, tables, source, warnings=warnings, is_demo=bool(tables),
                        demo_kinds=frozenset(tables), declarations=declarations)


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
                    f"{current}, pas au {asked}", owner=current, asked=asked
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
