"""Coverage rules on the real Isère reference (COG 2026, populations in force)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from dashboard.coverage import (
    ALERTE,
    ERREUR,
    INFO,
    RULES,
    commune_coverage,
    evaluate,
    findings_to_frame,
    is_obliged,
    obligation_table,
    plh_timeline,
    prepare_inputs,
    rules_table,
)
from dashboard.formatting import fr_int
from dashboard.intake.demo import read_demo_instance_rows
from geo.perimeters import dissolve_instances, expand_memberships

PERIOD = (dt.date(2024, 1, 1), dt.date(2029, 12, 31))
AS_OF = dt.date(2025, 6, 1)

CAPI = "243800604"
VOIRONNAIS = "243800984"
VIENNE_CONDRIEU = "200077014"
GAM = "200040715"
GRESIVAUDAN = "200018166"
CHARTREUSE = "200040111"  # CC Cœur de Chartreuse, extends into Savoie
LSED = "243800935"  # CC Lyon Saint Exupéry en Dauphiné, 6 communes
TRIEVES = "200030658"
EBER = "200085751"  # CC Entre Bièvre et Rhône
CINC = "243801255"  # CC Collines Isère Nord Communauté
VALENCIN = "38519"


def pdalhpd() -> dict:
    return {
        "type_plan": "PDALHPD",
        "territoire_type": "departement",
        "territoire_code": "38",
        "intitule": "PDALHPD de l'Isère 2024-2029",
        "statut": "en_vigueur",
        "date_debut": "2024-01-01",
        "date_fin": "2029-12-31",
    }


def plh(siren: str, debut: str, fin: str, statut: str = "en_vigueur", **extra) -> dict:
    return {
        "type_plan": "PLH",
        "territoire_type": "epci",
        "territoire_code": siren,
        "intitule": f"PLH {siren} {debut[:4]}",
        "statut": statut,
        "date_debut": debut,
        "date_fin": fin,
        **extra,
    }


def run(ref, rule: str, plans=(), as_of=AS_OF, period=None, **tables):
    tables = {"plans": pd.DataFrame([pdalhpd(), *plans]), **tables}
    return evaluate(ref, tables, period, as_of=as_of, rules=[rule])


def per_epci(ref) -> pd.DataFrame:
    """Instance rows: one instance per EPCI (a clean partition of the département)."""
    return pd.DataFrame(
        {
            "instance_code": ref.epci["siren"],
            "instance_nom": ref.epci["nom"],
            "instance_type": "clh",
            "epci_siren": ref.epci["siren"],
        }
    )


# --- PLH_OBLIGATION -------------------------------------------------------------------


OBLIGED = {CAPI, VOIRONNAIS, VIENNE_CONDRIEU, GAM}


def test_obliged_set_derived_from_data(isere):
    table = obligation_table(prepare_inputs(isere, {}, PERIOD, as_of=AS_OF)).set_index("siren")
    assert set(table.index[table["oblige"] & ~table["cas_limite"]]) == OBLIGED
    gres = table.loc[GRESIVAUDAN]
    assert gres["nature"] == "CC"
    assert gres["population_eff"] == 106_433  # population totale
    assert gres["population_municipale_eff"] == 103_962
    assert gres["max_commune_eff"] < 10_000
    assert not gres["oblige"]
    assert not gres["cas_limite"]
    # Whole EPCI population, communes in the Rhône included.
    assert table.loc[VIENNE_CONDRIEU, "population_eff"] == 96_450
    assert table.loc[VIENNE_CONDRIEU, "population_municipale_eff"] == 95_866


def test_lyon_saint_exupery_is_the_isere_borderline_cc(isere):
    """CC Lyon-Saint-Exupéry en Dauphiné: 27 944 inhabitants in 2017 (not obliged); on the
    populations in force, 30 237 (totale) and 30 293 (municipale) with Charvieu-Chavagneux
    at 10 541 / 10 547 — over both thresholds by less than 2 %: reported, not decided."""
    table = obligation_table(prepare_inputs(isere, {}, PERIOD, as_of=AS_OF)).set_index("siren")
    lsed = table.loc[LSED]
    assert (lsed["population_eff"], lsed["population_municipale_eff"]) == (30_237, 30_293)
    assert (lsed["max_commune_eff"], lsed["max_commune_municipale_eff"]) == (10_541, 10_547)
    assert lsed["oblige"]  # on the population totale
    assert lsed["cas_limite"]
    assert set(table.index[table["cas_limite"]]) == {LSED}
    findings = run(isere, "PLH_OBLIGATION")
    hit = [f for f in findings if f.territoire_code == LSED]
    assert len(hit) == 1
    f = hit[0]
    assert f.severity == ALERTE
    assert "cas limite" in f.message
    for figure in (30_237, 30_293, 10_541, 10_547):
        assert fr_int(figure) in f.message
    assert "population totale 2022 et population municipale 2023" in f.message
    assert "serait tenue" in f.message
    assert f.details["cas_limite"] is True
    assert f.details["oblige_selon_population_totale"] is True
    assert f.details["definition_population"] == "population totale"
    # A PLH in force settles it: no finding.
    assert [x for x in run(isere, "PLH_OBLIGATION", [plh(LSED, "2024-01-01", "2029-12-31")])
            if x.territoire_code == LSED] == []  # fmt: skip


def test_the_rule_states_its_population_definition_and_text():
    from dashboard.coverage.plh import DEFINITION_POPULATION, PLH_OBLIGATION

    assert "population totale" in PLH_OBLIGATION.basis
    assert "décret annuel d'authentification des populations, art. 3" in DEFINITION_POPULATION
    assert "2003-485" in PLH_OBLIGATION.basis
    assert "cas limite" in PLH_OBLIGATION.basis


def test_no_plh_gives_one_finding_per_obliged_epci(isere):
    findings = run(isere, "PLH_OBLIGATION")
    errors = [f for f in findings if f.severity == ERREUR]
    counts = Counter(f.territoire_code for f in errors)
    assert set(counts) == OBLIGED
    assert set(counts.values()) == {1}
    for f in errors:
        assert f.article == "CCH, art. L302-1"
        assert f.territoire_type == "epci"
        assert "population totale 2022 et population municipale 2023" in f.message
        assert "population totale" in f.message
    assert {f.territoire_code for f in findings if f.severity == ALERTE} == {LSED}
    vienne = next(f for f in findings if f.territoire_code == VIENNE_CONDRIEU)
    assert fr_int(96_450) in vienne.message
    assert "hors du département" in vienne.message


def test_mayotte_cc_are_judged_on_its_2017_census():
    """Mayotte: the reference gives its 2017 census (the package says so); the CC are
    judged, the CA obliged; CC de Petite-Terre (30 039 in population totale, 29 273 in
    population municipale) is borderline, on either side of 30 000 by definition."""
    from geo.reference import load_reference

    mayotte = load_reference("976")
    assert mayotte.population_disponible
    assert mayotte.millesime == 2017
    pdal = {**pdalhpd(), "territoire_code": "976"}
    findings = evaluate(mayotte, {"plans": pd.DataFrame([pdal])}, None, as_of=AS_OF,
                        rules=["PLH_OBLIGATION"])  # fmt: skip
    natures = mayotte.epci.set_index("siren")["nature"]
    errors = {f.territoire_code for f in findings if f.severity == ERREUR}
    assert set(natures[natures == "CA"].index) <= errors
    assert not any("non évaluable" in f.message for f in findings)
    assert all("2017" in f.message for f in findings)
    alerts = {f.territoire_code for f in findings if f.severity == ALERTE}
    assert alerts == {"200050532"}  # CC de Petite-Terre
    assert "200060473" in errors  # CC du Sud: 31 945 / 10 529, clear of the margin


def test_unknown_populations_make_the_cc_obligation_not_evaluable(isere):
    """A département whose communes all have 0 inhabitants: a CC is neither obliged nor
    silently exempt — an info finding asks for populations, the CA stay obliged."""
    communes = isere.communes.assign(population=0, population_totale=0)
    epci = isere.epci.copy()
    for col in [c for c in epci.columns if c.startswith("population")]:
        epci[col] = 0
    empty = dataclasses.replace(isere, communes=communes, epci=epci)
    assert not empty.population_disponible
    findings = evaluate(empty, {"plans": pd.DataFrame([pdalhpd()])}, None, as_of=AS_OF,
                        rules=["PLH_OBLIGATION"])  # fmt: skip
    natures = isere.epci.set_index("siren")["nature"]
    infos = {f.territoire_code for f in findings if f.severity == INFO}
    errors = {f.territoire_code for f in findings if f.severity == ERREUR}
    assert infos == set(natures[natures == "CC"].index)
    assert errors == set(natures[natures != "CC"].index)
    assert all("non évaluable" in f.message for f in findings if f.severity == INFO)


def test_known_populations_give_no_not_evaluable_finding(isere):
    assert isere.population_disponible
    assert all(f.severity in (ERREUR, ALERTE) for f in run(isere, "PLH_OBLIGATION"))


def test_plh_in_force_satisfies_obligation(isere):
    plans = [plh(s, "2020-01-01", "2025-12-31") for s in (CAPI, VOIRONNAIS, VIENNE_CONDRIEU, LSED)]
    plans.append(plh(GAM, "2019-01-01", "2024-12-31", statut="proroge"))
    findings = run(isere, "PLH_OBLIGATION", plans)
    assert [f.territoire_code for f in findings] == [GAM]  # prorogation dates ended
    assert "échu le 31/12/2024" in findings[0].message
    plans[-1] = plh(GAM, "2019-01-01", "2026-06-30", statut="proroge")
    assert run(isere, "PLH_OBLIGATION", plans) == []


def test_plh_in_elaboration_does_not_satisfy_obligation(isere):
    plans = [plh(CAPI, "2025-01-01", "2030-12-31", statut="en_elaboration")]
    findings = run(isere, "PLH_OBLIGATION", plans)
    capi = next(f for f in findings if f.territoire_code == CAPI)
    assert "en élaboration" in capi.message


@pytest.mark.parametrize(
    ("nature", "population", "max_commune", "expected"),
    [
        ("CC", 30_000, 20_000, False),
        ("CC", 30_001, 10_001, True),
        ("CC", 30_001, 10_000, False),
        ("CC", 101_351, 8_247, False),
        ("CA", 0, 0, True),
        ("ME", 0, 0, True),
        ("CU", 0, 0, True),
    ],
)
def test_is_obliged_thresholds_are_strict(nature, population, max_commune, expected):
    assert is_obliged(nature, population, max_commune) is expected


@pytest.mark.parametrize(
    ("populations", "max_communes", "expected"),
    [
        ((30_237, 30_293), (10_541, 10_547), True),  # Lyon-Saint-Exupéry en Dauphiné
        ((30_601, 30_601), (12_000, 12_000), True),  # 2,0 % above
        ((30_700, 30_700), (12_000, 12_000), False),  # 2,3 % above: decided
        ((29_500, 29_500), (12_000, 12_000), True),  # 1,7 % under
        ((29_000, 29_000), (12_000, 12_000), False),  # 3,3 % under: decided
        ((40_000, 40_000), (10_100, 10_100), True),  # the commune threshold
        ((20_000, 20_000), (10_100, 10_100), False),  # far from 30 000: the commune is moot
        ((30_500, 29_800), (15_000, 15_000), True),  # definitions disagree
    ],
)
def test_borderline_is_within_two_percent_or_a_change_of_definition(
    populations, max_communes, expected
):
    from dashboard.coverage.plh import is_borderline

    assert is_borderline("CC", populations, max_communes) is expected
    assert is_borderline("CA", populations, max_communes) is False


def _lsed_populations(isere, largest: int, others_total: int) -> pd.DataFrame:
    """Populations of CC Lyon Saint Exupéry en Dauphiné (6 communes) summing to a target."""
    codes = isere.communes.loc[isere.communes["epci_siren"] == LSED, "code_insee"].tolist()
    rest = [others_total // 5] * 5
    rest[0] += others_total - sum(rest)
    return pd.DataFrame({"code_insee": codes, "population": [largest, *rest], "millesime": 2021})


@pytest.mark.parametrize(
    ("largest", "others", "severity"),
    [
        (12_000, 25_000, ERREUR),  # 37 000 and 12 000: obliged
        (12_000, 16_000, None),  # 28 000: 6,7 % under, not obliged
        (9_000, 27_000, None),  # largest commune 9 000: 10 % under, not obliged
        (10_001, 20_000, ALERTE),  # 30 001 and 10 001: a hair over both, borderline
        (10_000, 20_000, ALERTE),  # exactly on the thresholds: borderline, not "exempt"
    ],
)
def test_cc_thresholds_with_imported_populations(isere, largest, others, severity):
    pops = _lsed_populations(isere, largest, others)
    findings = run(isere, "PLH_OBLIGATION", populations=pops)
    hit = [f for f in findings if f.territoire_code == LSED]
    assert [f.severity for f in hit] == ([severity] if severity else [])
    if severity:
        assert "millésime 2021" in hit[0].message
        assert "compétence habitat" in hit[0].message
        assert hit[0].details["population"] == largest + others


def test_cc_thresholds_count_communes_outside_the_departement(isere):
    """Cœur de Chartreuse: the part in Savoie decides (modified copy of the EPCI table)."""
    epci = isere.epci.copy()
    row = epci["siren"] == CHARTREUSE
    inside = int(epci.loc[row, "population_totale_dep"].iloc[0])
    for total, largest, severity in ((26_000, 12_001, None), (36_000, 12_001, ERREUR),
                                     (30_100, 12_001, ALERTE)):  # fmt: skip
        epci.loc[row, ["population_totale_epci", "population_epci"]] = total
        epci.loc[row, ["population_totale_max_commune_epci",
                       "population_max_commune_epci"]] = largest  # fmt: skip
        ref = dataclasses.replace(isere, epci=epci.copy())
        hit = [f for f in run(ref, "PLH_OBLIGATION") if f.territoire_code == CHARTREUSE]
        assert [f.severity for f in hit] == ([severity] if severity else []), (total, largest)
        if severity:
            assert "communes hors du département comprises" in hit[0].message
    assert inside < 30_000


# --- PLH_PERIOD -----------------------------------------------------------------------


def _full_cover(*sirens: str) -> list[dict]:
    # The borderline CC is covered too, so that only the EPCI under test can show a gap.
    return [plh(s, "2023-01-01", "2029-12-31") for s in (*sirens, LSED)]


def test_plh_ending_on_the_plans_last_day_covers_it(isere):
    plans = _full_cover(CAPI, VOIRONNAIS, VIENNE_CONDRIEU, GAM)
    assert run(isere, "PLH_PERIOD", plans) == []


def test_plh_ending_the_day_before_leaves_the_last_year_partly_uncovered(isere):
    plans = _full_cover(CAPI, VOIRONNAIS, VIENNE_CONDRIEU)
    plans.append(plh(GAM, "2023-01-01", "2029-12-30"))
    findings = run(isere, "PLH_PERIOD", plans)
    assert [f.territoire_code for f in findings] == [GAM]
    f = findings[0]
    assert f.severity == ERREUR
    assert f.details["annees_non_couvertes"] == []
    assert f.details["annees_partiellement_couvertes"] == [2029]
    assert f.details["intervalles_non_couverts"] == [["2029-12-31", "2029-12-31"]]
    assert "après l'échéance" in f.message


def test_plh_period_gap_between_two_plh(isere):
    plans = _full_cover(CAPI, VIENNE_CONDRIEU, GAM)
    plans += [
        plh(VOIRONNAIS, "2019-01-01", "2024-12-31", statut="echu"),
        plh(VOIRONNAIS, "2026-01-01", "2031-12-31"),
    ]
    findings = run(isere, "PLH_PERIOD", plans)
    assert [f.territoire_code for f in findings] == [VOIRONNAIS]
    f = findings[0]
    assert f.details["annees_non_couvertes"] == [2025]
    assert f.details["annees_partiellement_couvertes"] == []
    assert "entre la fin du" in f.message
    assert "2025" in f.message


def test_plh_period_not_yet_adopted_and_expired(isere):
    plans = _full_cover(CAPI, VIENNE_CONDRIEU, GAM)
    plans.append(plh(VOIRONNAIS, "2025-07-01", "2031-06-30", statut="en_elaboration"))
    f = run(isere, "PLH_PERIOD", plans)[0]
    assert f.territoire_code == VOIRONNAIS
    assert f.details["annees_non_couvertes"] == list(range(2024, 2030))
    assert "en élaboration" in f.message


def test_borderline_cc_lapse_is_an_alert_that_says_so(isere):
    plans = [p for p in _full_cover(CAPI, VOIRONNAIS, VIENNE_CONDRIEU, GAM)
             if p["territoire_code"] != LSED]  # fmt: skip
    findings = run(isere, "PLH_PERIOD", plans)
    assert [(f.territoire_code, f.severity) for f in findings] == [(LSED, ALERTE)]
    assert "cas limite" in findings[0].message
    assert findings[0].details["cas_limite"] is True


def test_voluntary_plh_lapse_is_an_alert(isere):
    plans = _full_cover(CAPI, VOIRONNAIS, VIENNE_CONDRIEU, GAM)
    plans.append(plh(TRIEVES, "2020-01-01", "2025-12-31"))
    findings = run(isere, "PLH_PERIOD", plans)
    assert [(f.territoire_code, f.severity) for f in findings] == [(TRIEVES, ALERTE)]
    assert findings[0].details["annees_non_couvertes"] == [2026, 2027, 2028, 2029]


def test_period_defaults_to_the_pdalhpd_row_and_is_reported_when_unknown(isere):
    inputs = prepare_inputs(isere, {"plans": pd.DataFrame([pdalhpd()])})
    assert inputs.period == PERIOD
    assert PERIOD[0] <= inputs.as_of <= PERIOD[1]
    findings = evaluate(isere, {}, rules=["PLH_PERIOD"])
    assert len(findings) == 1
    assert findings[0].severity == INFO
    assert findings[0].territoire_type == "departement"


# --- INSTANCE_SPLITS_EPCI / COMMUNE_OUTSIDE_INSTANCES ----------------------------------


def test_demo_instances_split_entre_bievre_et_rhone(isere):
    findings = run(isere, "INSTANCE_SPLITS_EPCI", instances=read_demo_instance_rows())
    by_code = {f.territoire_code: f for f in findings}
    assert set(by_code) == {EBER, CINC}
    assert set(by_code[EBER].details["instances"]) == {"BVA", "IRH"}
    assert "BVA" in by_code[EBER].message
    assert "IRH" in by_code[EBER].message
    assert by_code[CINC].details["communes_sans_instance"] == [VALENCIN]
    assert "Valencin" in by_code[CINC].message


def test_instances_built_on_whole_epci_split_nothing(isere):
    assert run(isere, "INSTANCE_SPLITS_EPCI", instances=per_epci(isere)) == []
    assert run(isere, "COMMUNE_OUTSIDE_INSTANCES", instances=per_epci(isere)) == []


def test_demo_leaves_valencin_outside_every_instance(isere):
    findings = run(isere, "COMMUNE_OUTSIDE_INSTANCES", instances=read_demo_instance_rows())
    assert [f.territoire_code for f in findings] == [VALENCIN]
    assert findings[0].territoire_nom == "Valencin"
    assert findings[0].territoire_type == "commune"


def test_commune_in_two_instances_of_the_same_type(isere):
    rows = pd.concat(
        [
            per_epci(isere),
            pd.DataFrame(
                [{"instance_code": "X", "instance_nom": "X", "instance_type": "clh",
                  "code_insee": "38185"}]
            ),
        ],
        ignore_index=True,
    )  # fmt: skip
    findings = run(isere, "COMMUNE_OUTSIDE_INSTANCES", instances=rows)
    assert [f.territoire_code for f in findings] == ["38185"]
    assert findings[0].details["instances"] == sorted([GAM, "X"])
    # Another type (territoire) overlapping the CLH is not a fault.
    rows.loc[rows["instance_code"] == "X", "instance_type"] = "territoire"
    findings = run(isere, "COMMUNE_OUTSIDE_INSTANCES", instances=rows)
    assert all(f.details["instance_type"] == "territoire" for f in findings)
    assert "38185" not in {f.territoire_code for f in findings}


# --- PLH_PDALHPD_OBJECTIVE -------------------------------------------------------------


def _objectif(code: str, valeur: float, territoire_type: str = "epci") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "territoire_type": territoire_type,
                "territoire_code": code,
                "indicateur": "plai",
                "annee_debut": 2024,
                "annee_fin": 2029,
                "valeur": valeur,
            }
        ]
    )


@pytest.mark.parametrize(("plh_annuel", "flagged"), [(50, True), (54, False), (60, False)])
def test_plh_objective_below_pdalhpd_beyond_tolerance(isere, plh_annuel, flagged):
    plans = [plh(VOIRONNAIS, "2024-01-01", "2029-12-31", objectif_plai_annuel=plh_annuel)]
    findings = run(isere, "PLH_PDALHPD_OBJECTIVE", plans, objectifs=_objectif(VOIRONNAIS, 360))
    assert bool(findings) is flagged
    if flagged:
        f = findings[0]
        assert f.territoire_code == VOIRONNAIS
        assert f.severity == ALERTE
        assert "60,0 par an" in f.message
        assert "tolérance : 10" in f.message
        assert f.details["ecart_relatif"] == pytest.approx(1 / 6, abs=1e-3)


def test_plh_objective_via_an_instance_equal_to_one_epci(isere):
    rows = per_epci(isere)
    plans = [plh(VOIRONNAIS, "2024-01-01", "2029-12-31", objectif_plai_annuel=20)]
    findings = run(
        isere,
        "PLH_PDALHPD_OBJECTIVE",
        plans,
        objectifs=_objectif(VOIRONNAIS, 360, "instance"),
        instances=rows,
    )
    assert [f.territoire_code for f in findings] == [VOIRONNAIS]
    assert findings[0].details["via_instance"] == VOIRONNAIS
    # The demo VCH instance gathers two EPCI: no comparison is possible.
    findings = run(
        isere,
        "PLH_PDALHPD_OBJECTIVE",
        plans,
        objectifs=_objectif("VCH", 360, "instance"),
        instances=read_demo_instance_rows(),
    )
    assert findings == []


def test_plh_without_plai_objective_is_an_info(isere):
    plans = [plh(VOIRONNAIS, "2024-01-01", "2029-12-31")]
    findings = run(isere, "PLH_PDALHPD_OBJECTIVE", plans, objectifs=_objectif(VOIRONNAIS, 360))
    assert [f.severity for f in findings] == [INFO]


# --- PDH_SECTORS ------------------------------------------------------------------------


def test_no_pdh_sector_gives_a_single_info(isere):
    findings = run(isere, "PDH_SECTORS", instances=read_demo_instance_rows())
    assert len(findings) == 1
    assert findings[0].severity == INFO
    assert findings[0].territoire_type == "departement"


def test_pdh_sectors_cutting_an_epci_and_leaving_a_commune_out(isere):
    sectors = read_demo_instance_rows().assign(instance_type="secteur_pdh")
    findings = run(isere, "PDH_SECTORS", instances=sectors)
    assert {(f.territoire_type, f.territoire_code) for f in findings} == {
        ("epci", EBER),
        ("epci", CINC),
        ("commune", VALENCIN),
    }
    assert all(f.article == "CCH, art. L302-10" for f in findings)
    # PDH sectors are not plan instances: the instance rules ignore them.
    assert run(isere, "INSTANCE_SPLITS_EPCI", instances=sectors) == []


def test_pdh_sectors_following_the_epci_are_fine(isere):
    sectors = per_epci(isere).assign(instance_type="secteur_pdh")
    assert run(isere, "PDH_SECTORS", instances=sectors) == []


# --- PERIMETER_TOPOLOGY ----------------------------------------------------------------


@pytest.fixture(scope="module")
def drawing(isere) -> gpd.GeoDataFrame:
    """Demo CLH perimeters (Valencin put back in PDA) dissolved from the real communes,
    in Lambert-93."""
    rows = pd.concat(
        [
            read_demo_instance_rows(),
            pd.DataFrame(
                [{"instance_code": "PDA", "instance_nom": "Porte des Alpes",
                  "instance_type": "clh", "code_insee": VALENCIN}]
            ),
        ],
        ignore_index=True,
    )  # fmt: skip
    mem = expand_memberships(rows, isere)
    return dissolve_instances(mem, isere.communes).to_crs(isere.metric_crs())


def test_clean_drawing_has_no_topology_finding(isere, drawing):
    assert evaluate(isere, {}, drawings=drawing, rules=["PERIMETER_TOPOLOGY"]) == []


def test_shifted_perimeter_overlaps_and_leaves_a_gap(isere, drawing):
    shifted = drawing.copy()
    row = shifted["instance_code"] == "GRE"
    shifted.loc[row, "geometry"] = shapely.affinity.translate(
        shifted.loc[row, "geometry"].iloc[0], xoff=200
    )
    findings = evaluate(isere, {}, drawings=shifted, rules=["PERIMETER_TOPOLOGY"])
    overlaps = [f for f in findings if f.details["type"] == "chevauchement"]
    gaps = [f for f in findings if f.details["type"] == "vide"]
    assert overlaps
    assert gaps
    assert all("GRE" in f.details["instances"] for f in overlaps)
    assert all(f.details["surface_m2"] > 10_000 for f in findings)
    assert all(f"tolérance : {fr_int(10_000)} m²" in f.message for f in findings)
    assert all(f.territoire_type == "departement" for f in gaps)
    # A 200 m shift of a ~40 km wide perimeter leaves square kilometres, not slivers.
    assert sum(f.details["surface_m2"] for f in gaps) > 1_000_000
    # Drawings given in WGS84 give the same result (areas computed in Lambert-93).
    again = evaluate(isere, {}, drawings=shifted.to_crs(4326), rules=["PERIMETER_TOPOLOGY"])
    assert len(again) == len(findings)


# --- engine -------------------------------------------------------------------------


def test_every_rule_is_documented():
    table = rules_table()
    assert list(table["rule"]) == [
        "PLH_OBLIGATION",
        "PLH_PERIOD",
        "INSTANCE_SPLITS_EPCI",
        "COMMUNE_OUTSIDE_INSTANCES",
        "PLH_PDALHPD_OBJECTIVE",
        "PDH_SECTORS",
        "PERIMETER_TOPOLOGY",
    ]
    for rule in RULES:
        assert all((rule.label, rule.article, rule.basis))
        assert rule.severity in (ERREUR, ALERTE, INFO)


def test_findings_frame_is_exportable(isere):
    findings = evaluate(isere, {"instances": read_demo_instance_rows()}, PERIOD, as_of=AS_OF)
    frame = findings_to_frame(findings)
    assert len(frame) == len(findings)
    assert {"rule", "rule_label", "severity", "territoire_code", "message", "article"} <= set(
        frame.columns
    )
    assert all(isinstance(json.loads(d), dict) for d in frame["details"])
    ranks = [("erreur", "alerte", "info").index(s) for s in frame["severity"]]
    assert ranks == sorted(ranks)


# --- page tables ------------------------------------------------------------------------


def test_commune_coverage_and_plh_timeline(isere):
    plans = pd.DataFrame([pdalhpd(), plh(GAM, "2025-01-01", "2030-12-31")])
    inputs = prepare_inputs(
        isere, {"plans": plans, "instances": read_demo_instance_rows()}, as_of=AS_OF
    )
    cov = commune_coverage(inputs).set_index("code_insee")
    assert len(cov) == len(isere.communes)
    assert cov["plh_en_vigueur"].sum() == 49  # the 49 communes of the métropole
    assert pd.isna(cov.loc[VALENCIN, "instance_code"])
    assert cov.loc["38185", "plh_oblige"]
    timeline = plh_timeline(inputs)
    assert set(timeline["siren"]) == set(isere.epci["siren"])
    assert list(timeline["oblige"][:4]) == [True] * 4
