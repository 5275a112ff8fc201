"""The plan's other fields per territory and year: eviction prevention (CCAPEX), DALO,
priority allocations (accord collectif, contingent préfectoral), SIAO and FSL.

* **The commune is the atom.** Rows are given for a commune, an EPCI or the département;
  they are summed onto every territory that holds *all* their communes
  (:func:`dashboard.indicators.facts.aggregate_facts`, the rule of the réalisations):
  nothing is counted twice, and an EPCI split between two instances counts for neither.
* **Rates per 1 000 inhabitants** divide by the population municipale in force of the
  communes *covered* by the rows counted (:func:`dashboard.indicators.signals.commune_populations`),
  so that a territory whose data are partial is not diluted; the coverage is shown.
* **Chain rates** compare two counts of the same territory and year (assignations →
  expulsions effectives, favourable DALO decisions → households rehoused, accord
  collectif achieved against its objective…).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.indicators.facts import (
    FACT_COLUMNS,
    aggregate_facts,
    containment,
    same_departement,
    territory_map,
    territory_names,
    year_of,
)
from dashboard.indicators.signals import commune_populations
from dashboard.store.schemas import (
    DISPOSITIFS_ATTRIBUTION,
    ETAPES_EXPULSION,
    FIELD_KINDS,
    INDICATORS,
    VOLETS_FSL,
    is_blank,
)
from geo.reference import Reference

#: Rates per this many inhabitants.
POUR_HABITANTS = 1_000


@dataclass(frozen=True)
class Measure:
    """A count of a field (an indicator code of the catalogue)."""

    code: str
    per_inhabitants: bool = False
    #: A median is not summed: it is shown for the territory that reported it only.
    additive: bool = True

    @property
    def label(self) -> str:
        """French label (the catalogue's)."""
        return INDICATORS[self.code].label if self.code in INDICATORS else _OWN_LABELS[self.code]

    @property
    def unit(self) -> str:
        """Unit (the catalogue's)."""
        return INDICATORS[self.code].unit if self.code in INDICATORS else _OWN_UNITS[self.code]


@dataclass(frozen=True)
class ChainRate:
    """A rate along a chain: ``numerator / denominator`` for one territory and year."""

    code: str
    label: str
    numerator: str
    denominator: str
    definition: str


@dataclass(frozen=True)
class Field:
    """A field of the plan: its import kind, its counts and its chain rates."""

    kind: str
    label: str
    measures: tuple[Measure, ...]
    rates: tuple[ChainRate, ...]
    definition: str

    @property
    def codes(self) -> list[str]:
        """Codes of the counts, in display order."""
        return [m.code for m in self.measures]


_OWN_LABELS = {"dalo_delai_median_mois": "Délai médian de relogement DALO"}
_OWN_UNITS = {"dalo_delai_median_mois": "mois"}

FIELDS: dict[str, Field] = {
    f.kind: f
    for f in (
        Field(
            "expulsions", "Prévention des expulsions",
            (
                *(Measure(f"expulsions_{code}", per_inhabitants=code in (
                    "commandement_payer", "assignation", "expulsion_effective"))
                  for code in ETAPES_EXPULSION),
                Measure("ccapex_saisines"), Measure("ccapex_issues_favorables"),
            ),
            (
                ChainRate("taux_expulsion_assignation",
                          "Part des assignations suivies d'une expulsion effective",
                          "expulsions_expulsion_effective", "expulsions_assignation",
                          "expulsions effectives de l'année rapportées aux assignations de "
                          "la même année (les procédures durent souvent plus d'un an : "
                          "ordre de grandeur, pas une cohorte)"),
                ChainRate("taux_concours_accorde", "Part des demandes de concours accordées",
                          "expulsions_concours_accorde", "expulsions_demande_concours",
                          "concours de la force publique accordés rapportés aux demandes "
                          "de l'année"),
                ChainRate("taux_issue_ccapex", "Part des saisines CCAPEX à issue favorable",
                          "ccapex_issues_favorables", "ccapex_saisines",
                          "dossiers CCAPEX clos par un maintien, un plan d'apurement ou un "
                          "relogement, rapportés aux saisines de l'année"),
            ),
            "Étapes de la procédure d'expulsion locative, du commandement de payer à "
            "l'expulsion effective, et saisines de la CCAPEX.",
        ),
        Field(
            "dalo", "Droit au logement opposable",
            (Measure("dalo_recours", per_inhabitants=True), Measure("dalo_decisions_favorables"),
             Measure("menages_dalo_reloges"),
             Measure("dalo_delai_median_mois", additive=False)),
            (
                ChainRate("taux_favorable_dalo", "Part des recours DALO jugés favorablement",
                          "dalo_decisions_favorables", "dalo_recours",
                          "décisions favorables de la commission de médiation rapportées "
                          "aux recours déposés la même année"),
                ChainRate("taux_relogement_dalo", "Part des décisions DALO favorables relogées",
                          "menages_dalo_reloges", "dalo_decisions_favorables",
                          "ménages reconnus prioritaires et urgents relogés dans l'année, "
                          "rapportés aux décisions favorables de l'année"),
            ),
            "Recours logement devant la commission de médiation, décisions favorables et "
            "ménages relogés.",
        ),
        Field(
            "attributions_prioritaires", "Attributions aux publics prioritaires",
            (Measure("accord_collectif_objectif"), Measure("accord_collectif_realise"),
             Measure("contingent_objectif"), Measure("contingent_attributions"),
             Measure("attributions_dont_dalo"), Measure("attributions_dont_sortants_hebergement")),
            (
                ChainRate("taux_accord_collectif", "Accord collectif : réalisé / objectif",
                          "accord_collectif_realise", "accord_collectif_objectif",
                          "attributions réalisées au titre de l'accord collectif rapportées "
                          "à son objectif de l'année"),
                ChainRate("taux_contingent", "Contingent préfectoral : réalisé / objectif",
                          "contingent_attributions", "contingent_objectif",
                          "attributions sur le contingent préfectoral rapportées à son "
                          "objectif de l'année"),
            ),
            "Objectif et résultat de l'accord collectif d'attribution et du contingent "
            "préfectoral, dont ménages DALO et sortants d'hébergement.",
        ),
        Field(
            "siao", "SIAO",
            (Measure("siao_demandes", per_inhabitants=True), Measure("siao_orientations"),
             Measure("siao_places", per_inhabitants=True)),
            (
                ChainRate("taux_orientation_siao", "Part des demandes orientées",
                          "siao_orientations", "siao_demandes",
                          "orientations prononcées par le SIAO rapportées aux demandes "
                          "reçues la même année"),
            ),
            "Demandes reçues par le SIAO, orientations prononcées et places d'hébergement "
            "et de logement adapté.",
        ),
        Field(
            "fsl", "Fonds de solidarité pour le logement",
            (Measure("fsl_aides", per_inhabitants=True), Measure("fsl_montant"),
             *(Measure(f"fsl_aides_{code}") for code in VOLETS_FSL),
             *(Measure(f"fsl_montant_{code}") for code in VOLETS_FSL)),
            (),
            "Aides du FSL accordées (accès, maintien, énergie, eau, téléphone) : nombre et "
            "montant.",
        ),
    )
}
assert tuple(FIELDS) == FIELD_KINDS
#: The field whose table gives an indicator code.
FIELD_OF: dict[str, str] = {m.code: kind for kind, f in FIELDS.items() for m in f.measures}

#: Key figures of each field (fiche, deck, page headline): column → short French label.
HEADLINES: dict[str, tuple[tuple[str, str], ...]] = {
    "expulsions": (("expulsions_assignation", "Assignations"),
                   ("expulsions_expulsion_effective", "Expulsions effectives"),
                   ("ccapex_saisines", "Saisines de la CCAPEX"),
                   ("taux_expulsion_assignation", "Expulsions / assignations"),
                   ("taux_issue_ccapex", "Issues favorables CCAPEX")),
    "dalo": (("dalo_recours", "Recours DALO"),
             ("dalo_decisions_favorables", "Décisions favorables"),
             ("menages_dalo_reloges", "Ménages relogés"),
             ("taux_relogement_dalo", "Relogés / favorables")),
    "attributions_prioritaires": (("accord_collectif_realise", "Accord collectif réalisé"),
                                  ("taux_accord_collectif", "Accord collectif / objectif"),
                                  ("contingent_attributions", "Contingent préfectoral"),
                                  ("attributions_dont_dalo", "dont ménages DALO")),
    "siao": (("siao_demandes", "Demandes au SIAO"), ("siao_orientations", "Orientations"),
             ("taux_orientation_siao", "Orientées / demandes"), ("siao_places", "Places")),
    "fsl": (("fsl_aides", "Aides du FSL"), ("fsl_montant", "Montant du FSL"),
            ("fsl_aides_acces", "Aides à l'accès"), ("fsl_aides_energie", "Aides énergie")),
}

#: Columns of a field table (:func:`field_table`) before the counts.
KEY_COLUMNS = ["territoire_type", "territoire_code", "territoire_nom", "annee"]


def per_inhabitants_column(code: str) -> str:
    """Column of a count per 1 000 inhabitants."""
    return f"{code}_pour_{POUR_HABITANTS}"


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(float)


def field_facts(kind: str, table: pd.DataFrame | None, departement: str) -> pd.DataFrame:
    """Rows of a field's table as facts (``territoire_type``, ``territoire_code``,
    ``indicateur``, ``annee``, ``valeur``, ``programme``), one per count."""
    if table is None or table.empty:
        return pd.DataFrame(columns=FACT_COLUMNS)
    types = table["territoire_type"].astype(str).to_numpy()
    codes = table["territoire_code"].astype(str).str.strip().to_numpy(dtype=object)
    dep = types == "departement"
    codes[dep] = [departement if same_departement(c, departement) else c for c in codes[dep]]
    base = {"territoire_type": types, "territoire_code": codes,
            "annee": year_of(table["annee"]).to_numpy()}
    parts: list[pd.DataFrame] = []

    def add(indicateur: np.ndarray | str, values: np.ndarray, mask: np.ndarray | None = None):
        part = pd.DataFrame({**base, "indicateur": indicateur, "valeur": values,
                             "programme": np.nan})
        if mask is not None:
            part = part[mask]
        parts.append(part.dropna(subset=["valeur"]))

    if kind == "expulsions":
        add(np.array([f"expulsions_{e}" for e in table["etape"].astype(str)]),
            _numbers(table, "nombre"))
        add("ccapex_saisines", _numbers(table, "saisines_ccapex"))
        add("ccapex_issues_favorables", _numbers(table, "issues_favorables_ccapex"))
    elif kind == "dalo":
        add("dalo_recours", _numbers(table, "recours_deposes"))
        add("dalo_decisions_favorables", _numbers(table, "decisions_favorables"))
        add("menages_dalo_reloges", _numbers(table, "menages_reloges"))
    elif kind == "attributions_prioritaires":
        dispositif = table["dispositif"].astype(str).to_numpy()
        for code, (objective, done) in {
            "accord_collectif": ("accord_collectif_objectif", "accord_collectif_realise"),
            "contingent_prefectoral": ("contingent_objectif", "contingent_attributions"),
        }.items():
            assert code in DISPOSITIFS_ATTRIBUTION
            add(objective, _numbers(table, "objectif"), dispositif == code)
            add(done, _numbers(table, "realise"), dispositif == code)
        add("attributions_dont_dalo", _numbers(table, "dont_dalo"))
        add("attributions_dont_sortants_hebergement", _numbers(table, "dont_sortants_hebergement"))
    elif kind == "siao":
        for column in ("demandes", "orientations", "places"):
            add(f"siao_{column}", _numbers(table, column))
    elif kind == "fsl":
        volet = table["volet"].astype(str).to_numpy()
        add(np.array([f"fsl_aides_{v}" for v in volet]), _numbers(table, "nb_aides"))
        add(np.array([f"fsl_montant_{v}" for v in volet]), _numbers(table, "montant"))
        add("fsl_aides", _numbers(table, "nb_aides"))
        add("fsl_montant", _numbers(table, "montant"))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=FACT_COLUMNS)
    return pd.concat(parts, ignore_index=True)[FACT_COLUMNS]


def all_field_facts(tables: dict[str, pd.DataFrame] | None, departement: str) -> pd.DataFrame:
    """Facts of every field's table present in ``tables``."""
    parts = [field_facts(kind, (tables or {}).get(kind), departement) for kind in FIELD_KINDS]
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FACT_COLUMNS)


def field_source(table: pd.DataFrame | None, field: Field, source_suffix: str = "") -> str:
    """Where the figures of a field come from: the table and the sources its rows name."""
    named: list[str] = []
    if table is not None and "source" in table:
        named = sorted({str(s) for s in table["source"] if not is_blank(s)})
    label = f"table « {field.kind} » importée"
    if named:
        label += f" ({', '.join(named[:3])}{'…' if len(named) > 3 else ''})"
    return label + source_suffix


def field_table(
    reference: Reference,
    memberships: pd.DataFrame | None,
    tables: dict[str, pd.DataFrame] | None,
    kind: str,
    levels: tuple[str, ...] = ("departement", "instance", "epci"),
    source_suffix: str = "",
    territories: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Counts, rates per 1 000 inhabitants and chain rates of a field, per territory of
    ``levels`` and year.

    ``territories`` is ``(territory_map, containment)`` of these memberships when the
    caller already holds them (several fields in a row).

    Returns
    -------
    DataFrame
        :data:`KEY_COLUMNS`, ``population_couverte`` (population of the communes covered
        by the rows counted), ``couverture`` (its share of the territory's population),
        one column per count (:attr:`Field.codes`), ``{code}_pour_1000`` for the counts
        given per inhabitants and one column per chain rate (a share, 0.5 = 50 %). Empty
        when the field has no row. ``attrs``: ``source``, ``source_population``,
        ``millesime_population``, ``definitions`` (code → French definition).
    """
    field = FIELDS[kind]
    table = (tables or {}).get(kind)
    facts = field_facts(kind, table, reference.departement)
    columns = [*KEY_COLUMNS, "population_couverte", "couverture", *field.codes,
               *(per_inhabitants_column(m.code) for m in field.measures if m.per_inhabitants),
               *(r.code for r in field.rates)]  # fmt: skip
    populations, source_population = commune_populations(reference, (tables or {}).get(
        "populations"))
    attrs = {
        "source": field_source(table, field, source_suffix),
        "source_population": source_population,
        "millesime_population": int(populations["millesime"].max()),
        "definitions": definitions(kind),
    }
    if facts.dropna(subset=["annee"]).empty:
        out = pd.DataFrame(columns=columns)
        out.attrs.update(attrs)
        return out
    if territories is None:
        tmap = territory_map(reference, memberships)
        territories = (tmap, containment(tmap))
    tmap, contain = territories
    yearly = aggregate_facts(facts, contain)
    yearly = yearly[yearly["territoire_type"].isin(levels)]
    wide = yearly.pivot_table(index=["territoire_type", "territoire_code", "annee"],
                              columns="indicateur", values="valeur", aggfunc="sum")
    wide = wide.reset_index()
    wide.columns.name = None
    for measure in field.measures:
        if not measure.additive:
            wide = _direct(wide, table, measure.code, reference.departement)
        if measure.code not in wide:
            wide[measure.code] = np.nan
    names = territory_names(tmap)[["territoire_type", "territoire_code", "territoire_nom"]]
    wide = wide.merge(names, on=["territoire_type", "territoire_code"], how="left")
    covered = _covered_population(facts, contain, tmap, populations)
    wide = wide.merge(covered, on=["territoire_type", "territoire_code", "annee"], how="left")
    pop = tmap.merge(populations[["code_insee", "population"]], on="code_insee").groupby(
        ["territoire_type", "territoire_code"], as_index=False)["population"].sum()
    wide = wide.merge(pop, on=["territoire_type", "territoire_code"], how="left")
    wide["couverture"] = wide["population_couverte"] / wide["population"].where(
        wide["population"] > 0)
    for measure in field.measures:
        if measure.per_inhabitants:
            wide[per_inhabitants_column(measure.code)] = (
                wide[measure.code] / wide["population_couverte"].where(
                    wide["population_couverte"] > 0) * POUR_HABITANTS
            )
    for rate in field.rates:
        den = wide[rate.denominator].where(wide[rate.denominator] > 0)
        wide[rate.code] = wide[rate.numerator] / den
    order = {t: i for i, t in enumerate(levels)}
    wide = wide.assign(_o=wide["territoire_type"].map(order)).sort_values(
        ["_o", "territoire_nom", "annee"]).drop(columns="_o")
    wide["annee"] = wide["annee"].astype(int)
    out = wide[columns].reset_index(drop=True)
    out.attrs.update(attrs)
    return out


def _direct(wide: pd.DataFrame, table: pd.DataFrame | None, code: str,
            departement: str) -> pd.DataFrame:
    """A non-additive measure (the DALO median delay) for the territories that reported it."""
    if table is None or "delai_median_mois" not in table or code != "dalo_delai_median_mois":
        return wide
    rows = pd.DataFrame({
        "territoire_type": table["territoire_type"].astype(str).to_numpy(),
        "territoire_code": table["territoire_code"].astype(str).str.strip().to_numpy(),
        "annee": year_of(table["annee"]).to_numpy(),
        code: _numbers(table, "delai_median_mois"),
    }).dropna()
    dep = rows["territoire_type"] == "departement"
    rows.loc[dep, "territoire_code"] = departement
    keys = ["territoire_type", "territoire_code", "annee"]
    rows = rows.groupby(keys, as_index=False)[code].mean()
    wide = wide.drop(columns=[code], errors="ignore")
    wide["annee"] = wide["annee"].astype("Int64")
    return wide.merge(rows, on=["territoire_type", "territoire_code", "annee"], how="left")


def _covered_population(facts: pd.DataFrame, contain: pd.DataFrame, tmap: pd.DataFrame,
                        populations: pd.DataFrame) -> pd.DataFrame:
    """Per territory and year: population of the communes of the sources it holds whole."""
    sources = facts[["territoire_type", "territoire_code", "annee"]].dropna().drop_duplicates()
    sources = sources.rename(columns={"territoire_type": "src_type", "territoire_code": "src_code"})
    targets = sources.merge(contain[["src_type", "src_code", "territoire_type",
                                     "territoire_code"]], on=["src_type", "src_code"])
    communes = tmap[["territoire_type", "territoire_code", "code_insee"]].rename(
        columns={"territoire_type": "src_type", "territoire_code": "src_code"})
    covered = targets.merge(communes, on=["src_type", "src_code"]).drop_duplicates(
        ["territoire_type", "territoire_code", "annee", "code_insee"])
    covered = covered.merge(populations[["code_insee", "population"]], on="code_insee")
    out = covered.groupby(["territoire_type", "territoire_code", "annee"], as_index=False)[
        "population"].sum()
    out["annee"] = out["annee"].astype("Int64")
    return out.rename(columns={"population": "population_couverte"})


def definitions(kind: str) -> dict[str, str]:
    """French definition of every column of a field table (counts, rates)."""
    field = FIELDS[kind]
    out = {m.code: f"{m.label} ({m.unit})" for m in field.measures}
    for m in field.measures:
        if m.per_inhabitants:
            out[per_inhabitants_column(m.code)] = (
                f"{m.label} pour {POUR_HABITANTS:_} habitants de la population municipale en "
                "vigueur des communes couvertes par les données"
            ).replace("_", "\u202f")
    out.update({r.code: f"{r.label} : {r.definition}" for r in field.rates})
    out["couverture"] = ("part de la population du territoire dont les communes sont couvertes "
                         "par les données comptées (une donnée d'EPCI ne compte que pour les "
                         "territoires qui contiennent tout l'EPCI)")
    if not all(m.additive for m in field.measures):
        out["dalo_delai_median_mois"] = ("délai médian entre la décision favorable et le "
                                         "relogement, pour le territoire qui l'a déclaré (une "
                                         "médiane ne s'additionne pas)")
    return out


#: Keys of a record of the payload's ``autres_champs``.
RECORD_KEYS = [
    "champ", "indicateur", "libelle", "unite", "territoire_type", "territoire_code",
    "territoire_nom", "annee", "valeur", "pour_1000_habitants", "couverture", "source",
    "source_population", "definition",
]  # fmt: skip


def field_records(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """A field table as one row per territory, year and indicator (the JSON payload)."""
    field = FIELDS[kind]
    defs = frame.attrs.get("definitions") or definitions(kind)
    parts = []
    for m in field.measures:
        per = per_inhabitants_column(m.code)
        parts.append(frame[[*KEY_COLUMNS, "couverture"]].assign(
            champ=kind, indicateur=m.code, libelle=m.label, unite=m.unit,
            valeur=frame[m.code],
            pour_1000_habitants=frame.get(per, np.nan),
            definition=defs[m.code]))
    for r in field.rates:
        parts.append(frame[[*KEY_COLUMNS, "couverture"]].assign(
            champ=kind, indicateur=r.code, libelle=r.label, unite="taux", valeur=frame[r.code],
            pour_1000_habitants=np.nan, definition=defs[r.code]))
    if not parts or frame.empty:
        return pd.DataFrame(columns=RECORD_KEYS)
    out = pd.concat(parts, ignore_index=True).dropna(subset=["valeur"])
    out["source"] = frame.attrs.get("source", "")
    out["source_population"] = frame.attrs.get("source_population", "")
    return out[RECORD_KEYS].reset_index(drop=True)


#: Columns of :func:`headline_rows`.
HEADLINE_COLUMNS = [
    "champ_code", "champ", "indicateur", "libelle_court", "libelle", "unite", "annee",
    "valeur", "valeur_departement", "pour_1000_habitants", "source",
]  # fmt: skip


def headline_rows(records: pd.DataFrame, territoire_type: str, code: str) -> pd.DataFrame:
    """The key figures (:data:`HEADLINES`) of one territory in the last year of each field,
    next to the département's, from the payload's ``autres_champs`` records.

    A field without a value for the territory that year is left out.
    """
    rows = []
    if records is None or records.empty:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    for kind, heads in HEADLINES.items():
        sub = records[records["champ"] == kind]
        if sub.empty:
            continue
        year = int(sub["annee"].max())
        sub = sub[sub["annee"] == year]
        mine = sub[(sub["territoire_type"] == territoire_type)
                   & (sub["territoire_code"].astype(str) == str(code))]  # fmt: skip
        dep = sub[sub["territoire_type"] == "departement"]
        for indicator, short in heads:
            own = mine[mine["indicateur"] == indicator]
            if own.empty:
                continue
            first = own.iloc[0]
            whole = dep.loc[dep["indicateur"] == indicator, "valeur"]
            rows.append({
                "champ_code": kind, "champ": FIELDS[kind].label, "indicateur": indicator,
                "libelle_court": short, "libelle": first["libelle"], "unite": first["unite"],
                "annee": year, "valeur": first["valeur"],
                "valeur_departement": whole.iloc[0] if not whole.empty else np.nan,
                "pour_1000_habitants": first["pour_1000_habitants"], "source": first["source"],
            })  # fmt: skip
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
