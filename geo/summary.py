"""Plain-data summary of a département's reference, shared by the CLI and the app."""

from __future__ import annotations

from typing import Any

from geo.reference import (
    POPULATION_ABSENTE,
    POPULATION_MILLESIME,
    SOURCE_GEOGRAPHIE,
    SOURCE_POPULATION,
    load_reference,
)


def reference_summary(departement: str, with_communes: bool = False) -> dict[str, Any]:
    """Summary of the reference of a département, as JSON-ready data.

    Returns a dict with ``departement``, ``departement_nom``, ``communes`` (count),
    ``population``, ``millesime``, ``source_population``, ``source_geographie``,
    ``epci_par_nature`` and ``epci`` (list of dicts with ``siren``, ``nom``, ``nature``,
    ``communes_dep``, ``population_dep``, ``communes_total``, ``population_totale``,
    ``extends_beyond``), ``avertissements`` (e.g. populations missing); with
    ``with_communes``, ``communes_list`` too.

    Raises
    ------
    geo.reference.UnknownDepartementError
    """
    ref = load_reference(departement)
    epci = [
        {
            "siren": row.siren,
            "nom": row.nom,
            "nature": row.nature,
            "communes_dep": int(row.nb_communes),
            "population_dep": int(row.population_dep),
            "communes_total": int(row.nb_communes_total),
            "population_totale": int(row.population_totale),
            "extends_beyond": bool(row.extends_beyond),
        }
        for row in ref.epci.itertuples()
    ]
    summary: dict[str, Any] = {
        "departement": ref.departement,
        "departement_nom": ref.departement_nom,
        "communes": len(ref.communes),
        "population": ref.population,
        "millesime": POPULATION_MILLESIME,
        "source_population": SOURCE_POPULATION,
        "source_geographie": SOURCE_GEOGRAPHIE,
        "epci_par_nature": {
            k: int(v) for k, v in ref.epci["nature"].value_counts().sort_index().items()
        },
        "epci": epci,
        "avertissements": [] if ref.population_disponible else [POPULATION_ABSENTE],
    }
    if with_communes:
        summary["communes_list"] = [
            {
                "code_insee": row.code_insee,
                "nom": row.nom,
                "population": int(row.population),
                "epci_siren": row.epci_siren,
            }
            for row in ref.communes.itertuples()
        ]
    return summary
