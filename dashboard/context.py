"""The territorial context the pages and exports work on: reference + instances.

Kept free of Streamlit so that the CLI, the exports and the tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from dashboard import demo
from geo.perimeters import (
    MembershipReport,
    dissolve_instances,
    expand_memberships,
    membership_report,
)
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


def instance_rows_for(departement: str) -> tuple[pd.DataFrame | None, str]:
    """Instance rows to use for a département and a label of their source.

    The current workspace (:func:`dashboard.workspace.open_workspace`) wins when it
    belongs to this département and holds instances (imported compositions, then drawn
    perimeters for instance codes not already defined). Otherwise the Isère demo ships
    its CLH; other départements have none until a workspace provides them.
    """
    from dashboard.workspace import open_workspace

    workspace = open_workspace()
    try:
        if workspace.departement == departement:
            rows = workspace.read("instances")
            drawn = workspace.read("perimetres")
            drawn = drawn[~drawn["instance_code"].isin(rows["instance_code"])]
            if not drawn.empty:
                rows = pd.concat([rows, drawn], ignore_index=True)
            if not rows.empty:
                rows = rows.astype(object).where(rows.notna(), None)
                log = workspace.history()
                log = log[log["kind"] == "instances"]
                if not log.empty and log["utilisateur"].iloc[0] == "démonstration":
                    return rows, f"CLH de l'Isère — {demo.DEMO_LABEL} (espace de travail)"
                return rows, f"instances de l'espace de travail ({workspace.directory})"
    finally:
        workspace.dispose()
    if departement == demo.DEMO_DEPARTEMENT:
        return demo.read_demo_instance_rows(), f"CLH de l'Isère — {demo.DEMO_LABEL}"
    return None, "aucune instance définie pour ce département"


def build_territory(
    departement: str, instance_rows: pd.DataFrame | None = None, source: str | None = None
) -> Territory:
    """Assemble the display layers of a département.

    Parameters
    ----------
    departement : str
        Département code.
    instance_rows : DataFrame, optional
        Instance rows (by commune or EPCI); by default those of :func:`instance_rows_for`.
    source : str, optional
        Label of the instances' source.
    """
    ref = load_reference(departement)
    if instance_rows is None:
        instance_rows, default_source = instance_rows_for(ref.departement)
        source = source or default_source
    display = simplify_coverage(ref.communes, ref.metric_crs())
    epci = gpd.GeoDataFrame(
        ref.epci.drop(columns="geometry").merge(
            dissolve_by(display, "epci_siren").rename(columns={"epci_siren": "siren"}), on="siren"
        ),
        geometry="geometry",
        crs="EPSG:4326",
    )
    if instance_rows is not None and not instance_rows.empty:
        memberships = expand_memberships(instance_rows, ref)
        instances = dissolve_instances(memberships, display)
        report = membership_report(memberships, ref)
        first = memberships.drop_duplicates("code_insee")[
            ["code_insee", "instance_code", "instance_nom"]
        ]
        display = display.merge(first, on="code_insee", how="left")
    else:
        memberships = pd.DataFrame(
            columns=["instance_code", "instance_nom", "instance_type", "code_insee"]
        )
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
