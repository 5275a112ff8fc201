"""Rules on the PLH of each EPCI: obligation (CCH L302-1) and coverage of the plan period."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.coverage.inputs import (
    STATUTS_ADOPTES,
    STATUTS_EN_VIGUEUR,
    CoverageInputs,
    records,
)
from dashboard.coverage.model import ALERTE, ERREUR, INFO, Finding, Rule
from dashboard.formatting import fr_date, fr_int, fr_percent
from geo.reference import EPCI_NATURES

#: CCH L302-1: a CC "de plus de 30 000 habitants comprenant au moins une commune de plus de
#: 10 000 habitants" must have a PLH (strictly more, both thresholds).
SEUIL_POPULATION_CC = 30_000
SEUIL_COMMUNE_CC = 10_000
#: Natures obliged whatever their population.
NATURES_TOUJOURS_OBLIGEES = ("ME", "CU", "CA")
#: A CC whose answer would change if its figures moved by this share (or if the two
#: population definitions disagree) is a borderline case: reported as such, not decided.
MARGE_CAS_LIMITE = 0.02
#: Which population the thresholds apply to, and the text that says so. L302-1 does not
#: define it; the annual décret authenticating the census figures does, for every law.
DEFINITION_POPULATION = (
    "population totale : « sauf disposition législative ou réglementaire contraire, le "
    "chiffre de la population totale est celui auquel il convient de se référer pour "
    "l'application des lois et règlements » (décret annuel d'authentification des "
    "populations, art. 3 ; décret n° 2003-485 du 5 juin 2003) ; l'article L302-1 du CCH ne "
    "dispose pas autrement"
)

Interval = tuple[dt.date, dt.date]


def is_obliged(nature: str, population: int, max_commune: int) -> bool:
    """Whether CCH L302-1 requires a PLH: any ME, CU or CA; a CC with strictly more than
    30 000 inhabitants and a commune of strictly more than 10 000 (assuming it holds the
    housing competence)."""
    if nature in NATURES_TOUJOURS_OBLIGEES:
        return True
    return nature == "CC" and population > SEUIL_POPULATION_CC and max_commune > SEUIL_COMMUNE_CC


def is_borderline(
    nature: str, populations: tuple[float, ...], max_communes: tuple[float, ...]
) -> bool:
    """Whether a CC's obligation is a borderline case: the answer changes when every figure
    moves by :data:`MARGE_CAS_LIMITE` (2 %) towards or away from the thresholds, or with
    the population definition (``populations`` and ``max_communes`` give one figure per
    definition).

    Examples
    --------
    >>> is_borderline("CC", (30_237, 30_293), (10_541, 10_547))
    True
    >>> is_borderline("CC", (36_000, 35_500), (12_000, 11_900))
    False
    """
    if nature != "CC":
        return False
    up, down = 1 + MARGE_CAS_LIMITE, 1 - MARGE_CAS_LIMITE
    high = is_obliged(nature, max(populations) * up, max(max_communes) * up)
    low = is_obliged(nature, min(populations) * down, min(max_communes) * down)
    return high != low


def obligation_table(inputs: CoverageInputs) -> pd.DataFrame:
    """One row per EPCI: ``siren``, ``nom``, ``nature``, ``population_eff`` and
    ``max_commune_eff`` (whole EPCI, population totale), ``population_municipale_eff`` and
    ``max_commune_municipale_eff``, ``extends_beyond``, ``oblige`` (bool, on the population
    totale), ``cas_limite`` (bool, :func:`is_borderline`), ``plh_en_vigueur`` (bool).

    Computed once per inputs (two rules and the page read it); each caller gets a copy.
    """
    if "obligation" not in inputs.memo:
        inputs.memo["obligation"] = _obligation_table(inputs)
    return inputs.memo["obligation"].copy()


def _obligation_table(inputs: CoverageInputs) -> pd.DataFrame:
    epci = inputs.epci_populations.copy()
    epci["oblige"] = [
        is_obliged(n, p, m)
        for n, p, m in zip(
            epci["nature"], epci["population_eff"], epci["max_commune_eff"], strict=True
        )
    ]
    epci["cas_limite"] = [
        is_borderline(n, (p, pm), (m, mm)) and p > 0
        for n, p, pm, m, mm in zip(
            epci["nature"], epci["population_eff"], epci["population_municipale_eff"],
            epci["max_commune_eff"], epci["max_commune_municipale_eff"], strict=True,
        )
    ]  # fmt: skip
    epci["plh_en_vigueur"] = epci["siren"].isin(sirens_in_force(inputs))
    return epci[
        ["siren", "nom", "nature", "population_eff", "max_commune_eff",
         "population_municipale_eff", "max_commune_municipale_eff", "extends_beyond",
         "oblige", "cas_limite", "plh_en_vigueur"]
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


def sirens_in_force(inputs: CoverageInputs, day: dt.date | None = None) -> set[str]:
    """EPCI with a PLH applicable on ``day`` (default ``inputs.as_of``): every EPCI for which
    :func:`plh_in_force` is not empty, in one pass over the plans."""
    day = day or inputs.as_of
    plh = inputs.plh
    return {
        code
        for code, statut, s, e in zip(
            plh["territoire_code"].tolist(), plh["statut"].tolist(),
            plh["date_debut"].tolist(), plh["date_fin"].tolist(), strict=True,
        )
        if statut in STATUTS_EN_VIGUEUR and (s is None or s <= day) and (e is None or day <= e)
    }


def plh_name(row: pd.Series | dict) -> str:
    """« PLH du Pays Voironnais 2015-2022 », or PLH « intitulé » when the title does not
    say what it is."""
    title = str(row["intitule"] or "")
    if title.upper().startswith(("PLH", "PLUI", "PROGRAMME LOCAL")):
        return f"« {title} »"
    kind = "PLUi-H" if row["type_plan"] == "PLUIH" else "PLH"
    return f"{kind} « {title} »" if title else kind


def _plh_rows(inputs: CoverageInputs) -> dict[str, list[dict]]:
    """PLH rows of each EPCI as dicts, in the order of the plans; computed once."""
    if "plh_rows" not in inputs.memo:
        by_siren: dict[str, list[dict]] = {}
        for row in records(inputs.plh):
            by_siren.setdefault(row["territoire_code"], []).append(row)
        inputs.memo["plh_rows"] = by_siren
    return inputs.memo["plh_rows"]


def _state_of_plh(inputs: CoverageInputs, siren: str) -> str:
    """French sentence on the PLH the EPCI has, when none is in force."""
    rows = _plh_rows(inputs).get(siren, [])
    if not rows:
        return "le tableau des plans ne mentionne aucun PLH pour cet EPCI"
    parts = []
    by_start = sorted(rows, key=lambda r: (r["date_debut"] is not None,
                                           r["date_debut"] or dt.date.min))  # undated first
    for row in by_start:
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


def _figures(e: dict) -> str:
    """« 30 237 habitants en population totale, 30 293 en population municipale »."""
    return (
        f"{fr_int(e['population_eff'])} habitants en population totale, "
        f"{fr_int(e['population_municipale_eff'])} en population municipale"
    )


def _largest(e: dict) -> str:
    return (
        f"{fr_int(e['max_commune_eff'])} habitants en population totale, "
        f"{fr_int(e['max_commune_municipale_eff'])} en population municipale"
    )


def _details(inputs: CoverageInputs, e: dict) -> dict:
    return {
        "nature": e["nature"],
        "population": int(e["population_eff"]),
        "population_municipale": int(e["population_municipale_eff"]),
        "population_max_commune": int(e["max_commune_eff"]),
        "population_max_commune_municipale": int(e["max_commune_municipale_eff"]),
        "definition_population": "population totale",
        "seuils": {"population": SEUIL_POPULATION_CC, "commune": SEUIL_COMMUNE_CC},
        "marge_cas_limite": MARGE_CAS_LIMITE,
        "cas_limite": bool(e["cas_limite"]),
        "oblige_selon_population_totale": bool(e["oblige"]),
        "date_reference": inputs.as_of.isoformat(),
        "hypothese_competence_habitat": e["nature"] == "CC",
    }


def check_plh_obligation(inputs: CoverageInputs) -> list[Finding]:
    """PLH_OBLIGATION: one finding per obliged EPCI without a PLH in force at ``as_of``
    (error), and one per borderline CC without a PLH in force (alert: not decided)."""
    table = obligation_table(inputs)
    findings = []
    obliged = table[table["oblige"] & ~table["cas_limite"] & ~table["plh_en_vigueur"]]
    for e in records(obliged):
        nature = EPCI_NATURES.get(e["nature"], e["nature"])
        beyond = (
            ", pour l'EPCI entier, communes hors du département comprises"
            if e["extends_beyond"]
            else ""
        )
        pop = f"{fr_int(e['population_eff'])} habitants en population totale{beyond}"
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
            PLH_OBLIGATION.finding("epci", e["siren"], e["nom"], message, _details(inputs, e))
        )
    for e in records(table[table["cas_limite"] & ~table["plh_en_vigueur"]]):
        beyond = (
            " (EPCI entier, communes hors du département comprises)" if e["extends_beyond"] else ""
        )
        verdict = "serait tenue" if e["oblige"] else "ne serait pas tenue"
        message = (
            f"{e['nom']} (CC, SIREN {e['siren']}) : cas limite de l'article L302-1, à moins de "
            f"{fr_percent(MARGE_CAS_LIMITE, 0)} d'un seuil ou selon la définition de la "
            "population — "
            f"{_figures(e)}{beyond} (seuil : plus de {fr_int(SEUIL_POPULATION_CC)}) ; plus "
            f"grande commune : {_largest(e)} (seuil : plus de {fr_int(SEUIL_COMMUNE_CC)}). "
            f"Selon la population totale, population de référence des lois et règlements, "
            f"elle {verdict} d'avoir un PLH : obligation à vérifier sur les chiffres "
            f"authentifiés en vigueur et la compétence habitat. Aucun PLH en vigueur au "
            f"{fr_date(inputs.as_of)} ({_state_of_plh(inputs, e['siren'])}). Populations : "
            f"{inputs.population_source(e['siren'])}."
        )
        findings.append(
            PLH_OBLIGATION.finding(
                "epci", e["siren"], e["nom"], message, _details(inputs, e), severity=ALERTE
            )
        )
    unknown = table[(table["nature"] == "CC") & (table["population_eff"] <= 0)]
    for e in records(unknown):
        findings.append(
            PLH_OBLIGATION.finding(
                "epci", e["siren"], e["nom"],
                f"{e['nom']} (CC, SIREN {e['siren']}) : obligation de PLH non évaluable, "
                "la population de ses communes est inconnue (0 dans le référentiel, aucune "
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


def _explain_gap(gap: Interval, adopted: list[dict]) -> str:
    one_day = dt.timedelta(days=1)
    before = [r for r in adopted if r["date_fin"] is not None and r["date_fin"] + one_day == gap[0]]
    after = [r for r in adopted
             if r["date_debut"] is not None and r["date_debut"] - one_day == gap[1]]  # fmt: skip
    span = f"du {fr_date(gap[0])} au {fr_date(gap[1])}"
    if before and after:
        return (
            f"{span}, entre la fin du {plh_name(before[0])} et le début du "
            f"{plh_name(after[0])}"
        )
    if before:
        return f"{span}, après l'échéance du {plh_name(before[0])}"
    if after:
        return f"{span}, avant l'entrée en vigueur du {plh_name(after[0])}"
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
    table = obligation_table(inputs)
    epci = {e["siren"]: e for e in records(table)}
    sirens = sorted(
        set(table.loc[table["oblige"] | table["cas_limite"], "siren"])
        | set(inputs.plh["territoire_code"])
    )
    findings = []
    by_siren = _plh_rows(inputs)
    for siren in sirens:
        rows = by_siren.get(siren, [])
        adopted = [r for r in rows if r["statut"] in STATUTS_ADOPTES
                   and r["date_debut"] is not None and r["date_fin"] is not None]  # fmt: skip
        covered = [(r["date_debut"], r["date_fin"]) for r in adopted]
        gaps = uncovered_intervals(period, covered)
        if not gaps:
            continue
        whole, partial = years_uncovered(period, gaps)
        borderline = bool(epci[siren]["cas_limite"])
        obliged = bool(epci[siren]["oblige"]) and not borderline
        nom = epci[siren]["nom"]
        parts = []
        if whole:
            parts.append(f"années non couvertes : {_years_text(whole)}")
        if partial:
            parts.append(f"années partiellement couvertes : {_years_text(partial)}")
        if not adopted:
            cause = "aucun PLH adopté dans le tableau des plans"
        else:
            cause = " ; ".join(_explain_gap(g, adopted) for g in gaps)
        pending = [r for r in rows if r["statut"] == "en_elaboration"]
        if pending:
            cause += " ; " + ", ".join(
                f"{plh_name(r)} en élaboration (non adopté)" for r in pending
            )
        if borderline:
            status = ("Obligation de PLH à vérifier : cas limite (voir le constat « EPCI tenu "
                      "d'avoir un PLH sans PLH en vigueur »)")
        elif obliged:
            status = "EPCI tenu d'avoir un PLH (CCH L302-1)"
        else:
            status = "PLH volontaire ou non obligatoire"
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
                    "cas_limite": borderline,
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
        "10 000 habitants. Population de l'EPCI entier, communes hors département comprises, "
        f"au sens de la {DEFINITION_POPULATION} ; populations du référentiel en vigueur sauf "
        "populations importées. Une communauté de communes dont la réponse changerait à "
        f"{fr_percent(MARGE_CAS_LIMITE, 0)} près ou selon la définition (population totale "
        "ou municipale) est signalée comme cas limite, avec les deux chiffres, sans être "
        "tranchée. La compétence habitat des communautés de communes est supposée."
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
