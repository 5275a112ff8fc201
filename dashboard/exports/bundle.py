"""Everything an export needs, collected once: territory, coverage, indicators, sources.

The numbers are those of ``territoires indicators --json``: the bundle holds the payload
of :func:`dashboard.indicators.payload.compute_all`, so an export never recomputes them in
another way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from dashboard.coverage.report import (
    CoverageReport,
    coverage_report_of,
    report_from_parts,
    report_parts,
)
from dashboard.indicators.balance import BALANCE_COLUMNS
from dashboard.indicators.compute import OUTPUT_COLUMNS
from dashboard.indicators.facts import territory_map
from dashboard.indicators.fields import FIELDS, RECORD_KEYS, headline_rows
from dashboard.indicators.payload import compute_all, inputs_of
from dashboard.indicators.signals import signal_summary, signal_trend
from dashboard.indicators.status import reference_date
from dashboard.intake import demo
from dashboard.intake.loader import load_tables
from dashboard.maps.territory import Territory, build_territory
from dashboard.programme.actions import ProgrammeReport, programme_report
from dashboard.programme.loop import (
    COMMENT_COLUMNS,
    DECLARATION_COLUMNS,
    comments_frame,
    declarations_frame,
)
from dashboard.store.workspace import open_workspace
from geo.reference import SOURCE_GEOGRAPHIE, normalise_departement

#: Territory types a fiche can be made for.
FICHE_TYPES = ("epci", "instance")
EPCI_NATURE_LABELS = {
    "ME": "métropole",
    "CU": "communauté urbaine",
    "CA": "communauté d’agglomération",
    "CC": "communauté de communes",
}


class UnknownTerritoryError(ValueError):
    """A ``type:code`` territory that the bundle does not know (French message)."""


@dataclass(frozen=True)
class TerritoryRef:
    """One EPCI or instance of the bundle.

    Attributes
    ----------
    type : str
        ``epci`` or ``instance``.
    code : str
        SIREN or instance code.
    nom : str
        Display name.
    kind_label : str
        « EPCI – métropole », « Instance locale (clh) »…
    communes : tuple of str
        INSEE codes of its communes in the département.
    population : int
        Population of these communes (reference millésime).
    """

    type: str
    code: str
    nom: str
    kind_label: str
    communes: tuple[str, ...]
    population: int

    @property
    def key(self) -> str:
        """``type:code``, as in the page URL and the CLI."""
        return f"{self.type}:{self.code}"


@dataclass
class ExportBundle:
    """Tables, layers and sources shared by every export of one département.

    Attributes
    ----------
    departement, departement_nom : str
    today : date
        Reference date of the indicators (expected to date, status).
    territory : Territory
        Display layers (EPSG:4326) and memberships.
    coverage : CoverageReport
    payload : dict
        The JSON payload of ``territoires indicators`` (all levels).
    indicators, balance : DataFrame
        ``payload["indicators"]`` and ``payload["balance"]`` as frames (same values).
    operations : DataFrame
        Imported operations with commune, EPCI and instance names.
    signals : DataFrame
        :func:`dashboard.indicators.signals.signal_summary` for every level.
    signal_trend : DataFrame
        :func:`dashboard.indicators.signals.signal_trend` for every level (received, closed
        per year).
    source : str
        Where the tables come from.
    is_demo : bool
        True when any figure is demonstration data.
    warnings : list of str
    programme : ProgrammeReport
        The action programme at ``today`` (:mod:`dashboard.programme.actions`).
    tmap : DataFrame
        Every territory as the set of its communes
        (:func:`dashboard.indicators.facts.territory_map`).
    comments : DataFrame
        Official and validated comments (:func:`dashboard.programme.loop.comments_frame`).
    declarations : DataFrame
        Every declaration of the délégués (:func:`dashboard.programme.loop.declarations_frame`).
    """

    departement: str
    departement_nom: str
    today: dt.date
    territory: Territory
    coverage: CoverageReport
    payload: dict
    indicators: pd.DataFrame
    balance: pd.DataFrame
    operations: pd.DataFrame
    signals: pd.DataFrame
    signal_trend: pd.DataFrame
    source: str
    is_demo: bool
    warnings: list[str] = field(default_factory=list)
    programme: ProgrammeReport | None = None
    tmap: pd.DataFrame = field(default_factory=pd.DataFrame)
    comments: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COMMENT_COLUMNS))
    declarations: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=DECLARATION_COLUMNS)
    )

    # ------------------------------------------------------------------ territories

    def epci_refs(self) -> list[TerritoryRef]:
        """Every EPCI of the département, by name."""
        com = self.territory.reference.communes
        out = []
        for row in self.territory.epci.sort_values("nom").itertuples():
            codes = tuple(com.loc[com["epci_siren"] == row.siren, "code_insee"].astype(str))
            nature = EPCI_NATURE_LABELS.get(row.nature, row.nature)
            out.append(
                TerritoryRef(
                    "epci",
                    str(row.siren),
                    str(row.nom),
                    f"EPCI – {nature}",
                    codes,
                    int(row.population_dep),
                )
            )
        return out

    def instance_refs(self) -> list[TerritoryRef]:
        """Every instance of the département, by name."""
        mem = self.territory.memberships
        out = []
        for row in self.territory.instances.sort_values("instance_nom").itertuples():
            codes = tuple(mem.loc[mem["instance_code"] == row.instance_code, "code_insee"])
            kind = str(row.instance_type or "").upper() if row.instance_type else ""
            label = f"Instance locale ({kind})" if kind else "Instance locale"
            out.append(
                TerritoryRef(
                    "instance",
                    str(row.instance_code),
                    str(row.instance_nom),
                    label,
                    tuple(map(str, codes)),
                    int(row.population),
                )
            )
        return out

    def territoire(self, spec: str) -> TerritoryRef:
        """The territory ``epci:SIREN`` or ``instance:CODE``.

        Raises
        ------
        UnknownTerritoryError
            With a French message for a malformed spec or an unknown code.
        """
        kind, code = parse_territoire(spec)
        refs = self.epci_refs() if kind == "epci" else self.instance_refs()
        for ref in refs:
            if ref.code == code:
                return ref
        what = "EPCI inconnu" if kind == "epci" else "instance inconnue"
        known = ", ".join(r.code for r in refs[:20])
        raise UnknownTerritoryError(
            f"{what} dans le département {self.departement} : « {code} » (codes connus : {known})"
        )

    def geometry_of(self, ref: TerritoryRef) -> gpd.GeoDataFrame:
        """Display geometry (EPSG:4326) of a territory, one row."""
        if ref.type == "epci":
            layer = self.territory.epci
            return layer[layer["siren"].astype(str) == ref.code]
        layer = self.territory.instances
        return layer[layer["instance_code"].astype(str) == ref.code]

    # ------------------------------------------------------------------ helpers

    @property
    def fields(self) -> pd.DataFrame:
        """The plan's other fields (``payload["autres_champs"]``): one row per field,
        indicator, territory (département, instances, EPCI) and year."""
        return _frame(self.payload.get("autres_champs", []), RECORD_KEYS)

    def field_headlines(self, territoire_type: str, code: str) -> pd.DataFrame:
        """Key figures of the other fields for one territory, last year of each field
        (:func:`dashboard.indicators.fields.headline_rows`)."""
        return headline_rows(self.fields, territoire_type, code)

    def plan_period(self, indicateur: str = "plai") -> str | None:
        """The multi-year period of the département objective of an indicator (``2021-2026``)."""
        ind = self.indicators
        rows = ind[
            (ind["indicateur"] == indicateur)
            & (ind["territoire_type"] == "departement")
            & ind["periode"].astype(str).str.contains("-")
        ]
        return str(rows["periode"].iloc[0]) if not rows.empty else None

    def indicators_of(self, territoire_type: str, code: str, multi_year: bool = True):
        """Indicator rows of one territory; by default the plan periods only."""
        ind = self.indicators
        rows = ind[(ind["territoire_type"] == territoire_type) & (ind["territoire_code"] == code)]
        if multi_year:
            rows = rows[rows["periode"].astype(str).str.contains("-")]
        return rows.reset_index(drop=True)

    @property
    def demo_note(self) -> str:
        """« données de démonstration » when relevant, else an empty string."""
        return demo.DEMO_LABEL if self.is_demo else ""

    def sources(self) -> list[tuple[str, str]]:
        """(what, source) pairs listed on every export."""
        out = [
            ("Géographie", SOURCE_GEOGRAPHIE),
            ("Population", self.territory.reference.source_population),
            ("Instances", self.territory.instances_source),
            ("Objectifs et réalisations", self.source),
            ("Plans (PLH, PDH) et constats de couverture", self.coverage.source),
        ]
        out.extend(self._figure_sources())
        if not self.signals.empty:
            out.append(("Signalements", str(self.signals["source"].iloc[0])))
        fields = self.fields
        for kind, field_ in FIELDS.items():
            rows = fields[fields["champ"] == kind]
            if not rows.empty:
                years = f"{int(rows['annee'].min())}-{int(rows['annee'].max())}"
                out.append((f"{field_.label} ({years})", str(rows["source"].iloc[0])))
        if self.is_demo:
            out.append(("Avertissement", f"instances, objectifs, opérations, signalements, "
                                          f"plans et autres champs du plan : {demo.DEMO_LABEL} "
                                          "(inventés)"))  # fmt: skip
        return out


    def _figure_sources(self) -> list[tuple[str, str]]:
        """Distinct sources of the objectives, realisations and needs of the figures.

        Each indicator row says « objectif : A ; réalisé : B » (« besoin : … » for the
        balance); listed row by row they repeat, so they are split and listed once per kind.
        """
        labels = {
            "objectif": "Objectifs", "réalisé": "Réalisations", "besoin": "Besoin (équilibre)",
        }  # fmt: skip
        found: dict[str, set[str]] = {label: set() for label in labels.values()}
        other: set[str] = set()
        suffix = f" — {self.demo_note}" if self.is_demo else ""
        for frame in (self.indicators, self.balance):
            if "source" not in frame or frame.empty:
                continue
            for text in set(frame["source"].dropna().astype(str)):
                text = text.removesuffix(suffix) if suffix else text
                for part in text.split(" ; "):
                    key, sep, value = part.partition(" : ")
                    if sep and key in labels:
                        if value != "aucun objectif":
                            found[labels[key]].add(value)
                    else:
                        other.add(part)
        out = [(label, value) for label, values in found.items() for value in sorted(values)]
        return out + [("Indicateurs", value) for value in sorted(other)]


def bundle_parts(bundle: ExportBundle) -> dict[str, Any]:
    """The bundle as frames and JSON values (:func:`dashboard.store.snapshots.pack`); the
    display layers are rebuilt from the memberships by :func:`bundle_from_parts`."""
    parts: dict[str, Any] = {
        "departement": bundle.departement, "departement_nom": bundle.departement_nom,
        "today": bundle.today.isoformat(), "payload": bundle.payload,
        "operations": bundle.operations, "signals": bundle.signals,
        "signal_trend": bundle.signal_trend, "source": bundle.source,
        "is_demo": bundle.is_demo, "warnings": bundle.warnings,
        "memberships": bundle.territory.memberships,
        "instances_source": bundle.territory.instances_source,
    }  # fmt: skip
    parts.update({f"coverage.{k}": v for k, v in report_parts(bundle.coverage).items()})
    parts.update({"tmap": bundle.tmap, "comments": bundle.comments,
                  "declarations": bundle.declarations})  # fmt: skip
    programme = bundle.programme
    if programme is not None:
        parts.update({
            "programme.today": programme.today.isoformat(), "programme.actions": programme.actions,
            "programme.jalons": programme.jalons, "programme.links": programme.links,
            "programme.communes": programme.communes, "programme.source": programme.source,
        })  # fmt: skip
    return parts


def bundle_from_parts(parts: dict[str, Any], territory: Territory | None = None) -> ExportBundle:
    """The bundle packed by :func:`bundle_parts` (``territory``: already-built layers of
    the same memberships, e.g. cached by the app)."""
    if territory is None:
        territory = build_territory(
            parts["departement"], parts["memberships"], parts["instances_source"]
        )
    payload = parts["payload"]
    coverage = report_from_parts(
        {k.removeprefix("coverage."): v for k, v in parts.items() if k.startswith("coverage.")}
    )
    return ExportBundle(
        departement=parts["departement"],
        departement_nom=parts["departement_nom"],
        today=dt.date.fromisoformat(parts["today"]),
        territory=territory,
        coverage=coverage,
        payload=payload,
        indicators=_dated(_frame(payload["indicators"], OUTPUT_COLUMNS)),
        balance=_frame(payload["balance"], [*BALANCE_COLUMNS, "instance_type"]),
        operations=parts["operations"],
        signals=parts["signals"],
        signal_trend=parts["signal_trend"],
        source=parts["source"],
        is_demo=parts["is_demo"],
        warnings=list(parts["warnings"]),
        programme=ProgrammeReport(
            today=dt.date.fromisoformat(parts["programme.today"]),
            actions=parts["programme.actions"], jalons=parts["programme.jalons"],
            links=parts["programme.links"], communes=parts["programme.communes"],
            source=parts["programme.source"],
        ) if "programme.today" in parts else None,
        tmap=parts["tmap"],
        comments=parts["comments"],
        declarations=parts["declarations"],
    )  # fmt: skip


def shared_bundle(departement: str, today: dt.date | None = None) -> ExportBundle:
    """:func:`load_bundle` of the current workspace, computed once per data version for
    every process and replica (:meth:`~dashboard.store.workspace.Workspace.shared`)."""
    dep = normalise_departement(departement)
    name = f"bundle|{today.isoformat() if today else 'date-par-defaut'}"
    with open_workspace() as ws:
        parts = ws.shared(dep, name, lambda: bundle_parts(load_bundle(dep, None, today)))
    return bundle_from_parts(parts)


def parse_territoire(spec: str) -> tuple[str, str]:
    """Split ``epci:200040715`` or ``instance:AGG`` into (type, code).

    Raises
    ------
    UnknownTerritoryError
        For another type or a missing code.
    """
    kind, _, code = (spec or "").partition(":")
    kind = kind.strip().lower()
    code = code.strip()
    if kind not in FICHE_TYPES or not code:
        raise UnknownTerritoryError(
            f"territoire « {spec} » non reconnu : attendu epci:SIREN ou instance:CODE"
        )
    return kind, code


def _operations(operations: pd.DataFrame | None, territory: Territory) -> pd.DataFrame:
    if operations is None or operations.empty:
        return pd.DataFrame(columns=["id_operation", "code_insee", "commune", "annee", "nb_plai"])
    com = territory.communes[["code_insee", "nom", "epci_nom", "instance_code", "instance_nom"]]
    ops = operations.copy()
    ops["code_insee"] = ops["code_insee"].astype(str)
    ops = ops.merge(com.rename(columns={"nom": "commune"}), on="code_insee", how="left")
    first = ["id_operation", "code_insee", "commune", "epci_nom", "instance_code", "instance_nom"]
    rest = [c for c in ops.columns if c not in first]
    return ops[first + rest].sort_values(["annee", "id_operation"], ignore_index=True)


def _frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    """Payload rows as a frame, with their columns even when there is no row (a workspace
    holding instances only is valid, and every export must work on it)."""
    return pd.DataFrame(records) if records else pd.DataFrame(columns=columns)


def load_bundle(
    departement: str | None = None,
    workspace: str | Path | None = None,
    today: dt.date | None = None,
    until: dt.date | None = None,
    comments_until: dt.date | None = None,
) -> ExportBundle:
    """Collect the tables of a workspace (or of the Isère demo) for the exports.

    Parameters
    ----------
    departement : str, optional
        Expected département; by default the workspace's, else the demo's (38).
    workspace : path, optional
        Workspace directory; by default ``$TERRITOIRES_WORKSPACE`` or the documented one.
    today : date, optional
        Reference date of the indicators; by default today, or the end of the last year
        with data when the extracts stop earlier
        (:func:`dashboard.indicators.status.reference_date`).
    until : date, optional
        Cut the tables as they stood on that day
        (:meth:`dashboard.intake.loader.LoadedTables.until`): the figures of an annual
        report. ``today`` then defaults to ``until``.
    comments_until : date, optional
        With ``until``, the last date of the comments kept (default ``until``).

    Raises
    ------
    ValueError
        When ``departement`` contradicts the workspace; UnknownDepartementError.
    """
    loaded = load_tables(workspace, departement)  # the one read of the workspace
    if until is not None:
        loaded = loaded.until(until, comments_until)
    today = today or until or reference_date(loaded.tables)
    inputs = inputs_of(loaded)
    payload = compute_all(inputs, today, None)
    indicators = _dated(_frame(payload["indicators"], OUTPUT_COLUMNS))
    territory = build_territory(loaded.departement, inputs.memberships, loaded.instances_source)
    ref = territory.reference
    coverage = coverage_report_of(loaded, ref, as_of=today)
    sig_table = loaded.tables.get("signalements")
    signals = signal_summary(
        ref, inputs.memberships, sig_table if sig_table is not None else pd.DataFrame(),
        loaded.tables.get("populations"), source_suffix=inputs.source_suffix,
    )  # fmt: skip
    trend = signal_trend(
        ref, inputs.memberships, sig_table if sig_table is not None else pd.DataFrame()
    )
    tmap = territory_map(ref, inputs.memberships)
    programme = programme_report(loaded.tables, indicators, tmap, today, ref.departement,
                                 loaded.source)  # fmt: skip
    return ExportBundle(
        departement=ref.departement,
        departement_nom=ref.departement_nom,
        today=today,
        territory=territory,
        coverage=coverage,
        payload=payload,
        indicators=indicators,
        balance=_frame(payload["balance"], [*BALANCE_COLUMNS, "instance_type"]),
        operations=_operations(loaded.tables.get("operations"), territory),
        signals=signals,
        signal_trend=trend,
        source=payload["source"],
        is_demo=loaded.is_demo,
        warnings=list(payload.get("avertissements", [])),
        programme=programme,
        tmap=tmap,
        comments=comments_frame(loaded.tables.get("commentaires"), tmap),
        declarations=declarations_frame(loaded.declarations, ref, tmap),
    )


def _dated(indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicator rows with ``date_statut`` as a date (the payload writes it in ISO)."""
    if "date_statut" in indicators:
        indicators["date_statut"] = pd.to_datetime(indicators["date_statut"]).dt.date
    return indicators
