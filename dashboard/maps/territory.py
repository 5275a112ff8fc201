"""The territorial context the pages and exports work on: reference + instances.

Kept free of Streamlit so that the CLI, the exports and the tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from dashboard.intake.loader import instance_memberships_for
from geo.perimeters import MembershipReport, dissolve_instances, membership_report
from geo.reference import Reference, dissolve_by, load_reference
from geo.simplify import simplify_coverage


@dataclass(frozen=True)
class Territory:
    """Everything drawn on the map for one département.

    Attributes
    ----------
    reference : Reference
        Full-resolution reference.
    communes : GeoDataFrame
        Display communes (simplified coverage, EPSG:4326) with reference attributes and
        ``instance_code`` / ``instance_nom`` (first CLH) where known.
    epci : GeoDataFrame
        Display EPCI perimeters inside the département, dissolved from display communes.
    instances : GeoDataFrame
        Display instance perimeters, dissolved from display communes (may be empty).
    memberships : DataFrame
        Commune memberships of the instances.
    report : MembershipReport or None
        Communes in no instance, EPCI split between instances.
    instances_source : str
        Where the instances come from (label shown on screen).
    """

    reference: Reference
    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    instances: gpd.GeoDataFrame
    memberships: pd.DataFrame
    report: MembershipReport | None
    instances_source: str


def build_territory(
    departement: str, memberships: pd.DataFrame | None = None, source: str | None = None
) -> Territory:
    """Assemble the display layers of a département.

    Parameters
    ----------
    departement : str
        Département code.
    memberships : DataFrame, optional
        Commune memberships of the instances; by default those of
        :func:`dashboard.intake.loader.instance_memberships_for`.
    source : str, optional
        Label of the instances' source.
    """
    ref = load_reference(departement)
    if memberships is None:
        memberships, default_source = instance_memberships_for(ref.departement)
        source = source or default_source
    display = simplify_coverage(ref.communes, ref.metric_crs())
    epci = gpd.GeoDataFrame(
        ref.epci.drop(columns="geometry").merge(
            dissolve_by(display, "epci_siren").rename(columns={"epci_siren": "siren"}), on="siren"
        ),
        geometry="geometry",
        crs="EPSG:4326",
    )
    if not memberships.empty:
        instances = dissolve_instances(memberships, display)
        report = membership_report(memberships, ref)
        first = memberships.drop_duplicates("code_insee")[
            ["code_insee", "instance_code", "instance_nom"]
        ]
        display = display.merge(first, on="code_insee", how="left")
    else:
        instances = gpd.GeoDataFrame(
            {
                "instance_code": [],
                "instance_nom": [],
                "instance_type": [],
                "nb_communes": [],
                "population": [],
            },
            geometry=[],
            crs="EPSG:4326",
        )
        report = None
        display = display.assign(instance_code=None, instance_nom=None)
    return Territory(
        reference=ref,
        communes=display,
        epci=epci,
        instances=instances,
        memberships=memberships,
        report=report,
        instances_source=source or "",
    )
