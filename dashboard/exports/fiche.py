"""Content of a territory fiche (EPCI or instance): plain tables, no rendering.

Shared by the PDF fiche, the deck's instance slides and the « Fiche territoire » page, so
that they all show the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.exports.bundle import ExportBundle, TerritoryRef
from dashboard.formatting import fr_euros, num, pct
from dashboard.programme.loop import comments_about
from dashboard.store.schemas import STATUT_VALIDE
from geo.reference import POPULATION_MILLESIME, SOURCE_GEOGRAPHIE


@dataclass
class FicheContent:
    """Tables of one fiche.

    Attributes
    ----------
    ref : TerritoryRef
    key_figures : list of (label, value, source)
        Values already formatted the French way.
    objectives : DataFrame
        Indicator rows of the territory for the plan periods.
    operations : DataFrame
        Operations in its communes, most recent first.
    operations_by_year : DataFrame
        ``annee``, ``nb_operations``, ``nb_plai`` (operations not abandoned).
    signals : DataFrame
        Signal summary of the territory then of the département.
    plh : DataFrame
        PLH timeline rows of its EPCI.
    findings : DataFrame
        Coverage findings concerning it, its EPCI, its communes or its instances.
    comparison : DataFrame
        Territories of the same kind (same nature for an EPCI) and the département:
        PLA-I objective, realised, rate, signals per 10 000 inhabitants.
    annual : DataFrame
        PLA-I rows of each year of the plan period (annual share of the objective).
    signal_trend : DataFrame
        Signals received and closed (resolved or not) per year in the territory.
    actions : DataFrame
        Actions of the programme naming a territory that shares a commune with it.
    comments : DataFrame
        Official and validated comments about it (or a territory sharing a commune).
    pending_comments : DataFrame
        Its comments declared by a délégué and not validated yet (declared, to review).
    fields : DataFrame
        Key figures of the plan's other fields (evictions, DALO, priority allocations,
        SIAO, FSL) in their last year, next to the département's
        (:func:`dashboard.indicators.fields.headline_rows`); empty without such data.
    millesime : int
        Millésime of the populations of the rates.
    """

    ref: TerritoryRef
    key_figures: list[tuple[str, str, str]]
    objectives: pd.DataFrame
    operations: pd.DataFrame
    operations_by_year: pd.DataFrame
    signals: pd.DataFrame
    plh: pd.DataFrame
    findings: pd.DataFrame
    comparison: pd.DataFrame
    annual: pd.DataFrame
    signal_trend: pd.DataFrame
    actions: pd.DataFrame
    comments: pd.DataFrame
    pending_comments: pd.DataFrame
    millesime: int = POPULATION_MILLESIME
    fields: pd.DataFrame = field(default_factory=pd.DataFrame)


def _epci_sirens(bundle: ExportBundle, ref: TerritoryRef) -> set[str]:
    if ref.type == "epci":
        return {ref.code}
    com = bundle.territory.reference.communes
    return set(com.loc[com["code_insee"].isin(ref.communes), "epci_siren"].astype(str))


def _instances_of(bundle: ExportBundle, ref: TerritoryRef) -> set[str]:
    if ref.type == "instance":
        return {ref.code}
    mem = bundle.territory.memberships
    return set(mem.loc[mem["code_insee"].isin(ref.communes), "instance_code"].astype(str))


def _findings(bundle: ExportBundle, ref: TerritoryRef) -> pd.DataFrame:
    frame = bundle.coverage.frame
    code = frame["territoire_code"].astype(str)
    kind = frame["territoire_type"]
    mine = (kind == ref.type) & (code == ref.code)
    mine |= (kind == "commune") & code.isin(ref.communes)
    mine |= (kind == "epci") & code.isin(_epci_sirens(bundle, ref))
    mine |= (kind == "instance") & code.isin(_instances_of(bundle, ref))
    return frame[mine].reset_index(drop=True)


def _comparison(bundle: ExportBundle, ref: TerritoryRef) -> pd.DataFrame:
    period = bundle.plan_period("plai")
    ind = bundle.indicators
    plai = ind[(ind["indicateur"] == "plai") & (ind["periode"] == period)]
    if ref.type == "epci":
        epci = bundle.territory.epci
        nature = epci.loc[epci["siren"] == ref.code, "nature"].iloc[0]
        peers = set(epci.loc[epci["nature"] == nature, "siren"].astype(str))
    else:
        peers = {r.code for r in bundle.instance_refs()}
    sig = bundle.signals
    rows = []
    for level, codes in ((ref.type, peers), ("departement", {bundle.departement})):
        lvl = plai[(plai["territoire_type"] == level) & plai["territoire_code"].isin(codes)]
        s = sig[(sig["territoire_type"] == level) & sig["territoire_code"].isin(codes)]
        keep = ["territoire_code", "territoire_nom", "population", "taux_pour_10000"]
        merged = s[keep].merge(
            lvl[["territoire_code", "objectif", "realise", "taux"]],
            on="territoire_code",
            how="left",
        )
        merged["territoire_type"] = level
        rows.append(merged.sort_values("territoire_nom"))
    out = pd.concat(rows, ignore_index=True)
    out["est_ce_territoire"] = (out["territoire_type"] == ref.type) & (
        out["territoire_code"] == ref.code
    )
    return out


def fiche_content(bundle: ExportBundle, ref: TerritoryRef) -> FicheContent:
    """Every table of the fiche of ``ref`` (see :class:`FicheContent`)."""
    objectives = bundle.indicators_of(ref.type, ref.code)
    ops = bundle.operations
    ops = ops[ops["code_insee"].isin(ref.communes)] if not ops.empty else ops
    ops = ops.sort_values(["annee", "id_operation"], ascending=[False, True], ignore_index=True)
    live = ops[ops.get("statut", pd.Series("", index=ops.index)).astype(str) != "abandonnee"]
    by_year = (
        live.assign(nb_plai=pd.to_numeric(live["nb_plai"], errors="coerce").fillna(0))
        .groupby("annee", as_index=False)
        .agg(nb_operations=("id_operation", "size"), nb_plai=("nb_plai", "sum"))
        if not live.empty
        else pd.DataFrame(columns=["annee", "nb_operations", "nb_plai"])
    )
    sig = bundle.signals
    signals = pd.concat(
        [
            sig[(sig["territoire_type"] == ref.type) & (sig["territoire_code"] == ref.code)],
            sig[sig["territoire_type"] == "departement"],
        ],
        ignore_index=True,
    )
    timeline = bundle.coverage.timeline
    plh = timeline[timeline["siren"].astype(str).isin(_epci_sirens(bundle, ref))]
    period = bundle.plan_period("plai") or ""
    plai = objectives[objectives["indicateur"] == "plai"]
    figures = [
        ("Population", num(ref.population), bundle.territory.reference.source_population),
        ("Communes", num(len(ref.communes)), SOURCE_GEOGRAPHIE),
    ]
    if ref.type == "instance":
        figures.append(("EPCI concernés", num(len(_epci_sirens(bundle, ref))), SOURCE_GEOGRAPHIE))
    else:
        figures.append(("Instances", ", ".join(sorted(_instances_of(bundle, ref))) or "aucune",
                        bundle.territory.instances_source))  # fmt: skip
    if not plai.empty:
        row = plai.iloc[0]
        figures.append(
            (f"PLA-I financés {period}", f"{num(row['realise'])} / {num(row['objectif'])}",
             str(row["source"]))
        )  # fmt: skip
        figures.append(("Taux de réalisation PLA-I", pct(row["taux"]), str(row["statut"])))
    if not signals.empty:
        first = signals.iloc[0]
        figures.append(
            ("Signalements / 10 000 hab.", num(first["taux_pour_10000"], 1),
             str(first["source"]))
        )  # fmt: skip
    return FicheContent(
        ref=ref,
        key_figures=figures,
        objectives=objectives,
        operations=ops,
        operations_by_year=by_year,
        signals=signals,
        plh=plh.reset_index(drop=True),
        findings=_findings(bundle, ref),
        comparison=_comparison(bundle, ref),
        annual=_annual_plai(bundle, ref),
        signal_trend=bundle.signal_trend[
            (bundle.signal_trend["territoire_type"] == ref.type)
            & (bundle.signal_trend["territoire_code"] == ref.code)
        ].reset_index(drop=True),
        millesime=bundle.territory.reference.millesime,
        actions=bundle.programme.touching(ref.communes),
        comments=comments_about(bundle.comments, ref.communes, bundle.tmap),
        pending_comments=_pending_comments(bundle, ref),
        fields=bundle.field_headlines(ref.type, ref.code),
    )


def field_value(value: object, unite: str) -> str:
    """A figure of the other fields, French way: a rate in %, an amount in euros."""
    if unite == "taux":
        return pct(value, 1)
    if unite == "euros":
        return "–" if value is None or pd.isna(value) else fr_euros(float(value))
    return num(value)


def _pending_comments(bundle: ExportBundle, ref: TerritoryRef) -> pd.DataFrame:
    decl = bundle.declarations
    decl = decl[(decl["kind"] == "commentaires") & (decl["statut_validation"] != STATUT_VALIDE)]
    return comments_about(decl.reset_index(drop=True), ref.communes, bundle.tmap)


def _annual_plai(bundle: ExportBundle, ref: TerritoryRef) -> pd.DataFrame:
    rows = bundle.indicators_of(ref.type, ref.code, multi_year=False)
    annual = rows["objectif_annualise"].fillna(False).astype(bool)
    return rows[(rows["indicateur"] == "plai") & annual].sort_values("periode", ignore_index=True)
