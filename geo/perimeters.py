"""Perimeters of the plan's instances, derived from commune memberships.

The commune is the atom: an instance (CLH, territoire, secteur PDH) is a set of
communes, given either commune by commune or by whole EPCI. Its geometry is the
dissolve of its communes, so every layer stays consistent with the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.reference import Reference, dissolve_by

MEMBERSHIP_COLUMNS = ["instance_code", "instance_nom", "instance_type", "code_insee"]


class MembershipError(ValueError):
    """A membership row names a commune or EPCI that is not in the reference."""


def expand_memberships(rows: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """Turn instance rows given by commune or by whole EPCI into one row per commune.

    Parameters
    ----------
    rows : DataFrame
        Columns ``instance_code``, ``instance_nom``, ``instance_type`` and, per row, either
        ``code_insee`` or ``epci_siren``. An EPCI row means all its communes *in the
        département*.
    reference : Reference
        The département's reference.

    Returns
    -------
    DataFrame
        ``instance_code``, ``instance_nom``, ``instance_type``, ``code_insee``, one row per
        (instance, commune), without duplicates.

    Raises
    ------
    MembershipError
        If a code is unknown in the reference.
    """
    rows = rows.copy()
    for col in ("code_insee", "epci_siren"):
        if col not in rows:
            rows[col] = None
    if "instance_type" not in rows:
        rows["instance_type"] = "clh"
    codes = reference.communes["code_insee"].tolist()
    known = set(codes)
    members_of: dict[str, list[str]] = {}
    for code, siren in zip(codes, reference.communes["epci_siren"].tolist(), strict=True):
        if isinstance(siren, str):
            members_of.setdefault(siren, []).append(code)
    out = []
    for code, siren, instance_code, instance_nom, instance_type in zip(
        rows["code_insee"], rows["epci_siren"], rows["instance_code"], rows["instance_nom"],
        rows["instance_type"], strict=True,
    ):  # fmt: skip
        base = {
            "instance_code": str(instance_code),
            "instance_nom": str(instance_nom),
            "instance_type": str(instance_type),
        }
        if isinstance(code, str) and code.strip():
            if code.strip() not in known:
                raise MembershipError(f"Commune inconnue dans le référentiel : {code}")
            out.append({**base, "code_insee": code.strip()})
        elif isinstance(siren, str) and siren.strip():
            members = members_of.get(siren.strip(), [])
            if not members:
                raise MembershipError(f"EPCI inconnu dans le département : {siren}")
            out.extend({**base, "code_insee": c} for c in members)
        else:
            raise MembershipError(
                f"Ligne de l'instance {base['instance_code']} sans code_insee ni epci_siren"
            )
    result = pd.DataFrame(out, columns=MEMBERSHIP_COLUMNS)
    return result.drop_duplicates(["instance_code", "code_insee"], ignore_index=True)


def dissolve_instances(memberships: pd.DataFrame, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Geometry of each instance as the dissolve of its member communes.

    Parameters
    ----------
    memberships : DataFrame
        Output of :func:`expand_memberships`.
    communes : GeoDataFrame
        Commune geometries (full resolution or simplified), with ``code_insee`` and
        ``population``.

    Returns
    -------
    GeoDataFrame
        ``instance_code``, ``instance_nom``, ``instance_type``, ``nb_communes``,
        ``population``, ``nb_epci``, ``geometry``, in the CRS of ``communes``.
    """
    cols = ["code_insee", "population", "geometry"]
    if "epci_siren" in communes:
        cols.append("epci_siren")
    joined = communes[cols].merge(memberships, on="code_insee")
    joined = gpd.GeoDataFrame(joined, geometry="geometry", crs=communes.crs)
    geoms = dissolve_by(joined, "instance_code")
    stats = joined.groupby("instance_code").agg(
        instance_nom=("instance_nom", "first"),
        instance_type=("instance_type", "first"),
        nb_communes=("code_insee", "size"),
        population=("population", "sum"),
        **({"nb_epci": ("epci_siren", "nunique")} if "epci_siren" in joined else {}),
    )
    out = geoms.merge(stats, left_on="instance_code", right_index=True)
    first = ["instance_code", "instance_nom", "instance_type", "nb_communes", "population"]
    rest = [c for c in out.columns if c not in first and c != "geometry"]
    return out[[*first, *rest, "geometry"]]


@dataclass(frozen=True)
class MembershipReport:
    """What a set of memberships leaves out or cuts.

    Attributes
    ----------
    communes_sans_instance : DataFrame
        Communes of the département in no instance (``code_insee``, ``nom``, ``epci_siren``).
    communes_multiples : DataFrame
        Communes in several instances of the same type (``code_insee``, ``instance_type``,
        ``instances``).
    epci_scindes : DataFrame
        EPCI whose communes fall in several instances or partly in none: ``siren``, ``nom``,
        ``instance_type``, ``instances`` (list of codes), ``nb_communes_sans_instance``.
    """

    communes_sans_instance: pd.DataFrame
    communes_multiples: pd.DataFrame
    epci_scindes: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when no commune is left out or doubled and no EPCI is split."""
        return (
            self.communes_sans_instance.empty
            and self.communes_multiples.empty
            and self.epci_scindes.empty
        )


def membership_report(
    memberships: pd.DataFrame, reference: Reference, instance_type: str | None = None
) -> MembershipReport:
    """Report communes in no instance, communes in several, and EPCI split between instances.

    Parameters
    ----------
    memberships : DataFrame
        Output of :func:`expand_memberships`.
    reference : Reference
        The département's reference.
    instance_type : str, optional
        Restrict to one type of instance (``clh``, ``secteur_pdh`` …). By default every
        type present is checked separately.
    """
    communes = reference.communes[["code_insee", "nom", "epci_siren", "epci_nom"]]
    types = [instance_type] if instance_type else sorted(memberships["instance_type"].unique())
    sans, multiples, scindes = [], [], []
    for itype in types:
        mem = memberships[memberships["instance_type"] == itype]
        covered = set(mem["code_insee"])
        missing = communes[~communes["code_insee"].isin(covered)].assign(instance_type=itype)
        sans.append(missing)
        per_commune = mem.groupby("code_insee")["instance_code"].apply(sorted)
        multi = per_commune[per_commune.str.len() > 1]
        multiples.append(
            pd.DataFrame(
                {"code_insee": multi.index, "instance_type": itype, "instances": multi.to_numpy()}
            )
        )
        joined = communes.merge(mem[["code_insee", "instance_code"]], on="code_insee", how="left")
        for siren, group in joined.groupby("epci_siren"):
            instances = sorted(group["instance_code"].dropna().unique())
            nb_sans = int(group.drop_duplicates("code_insee")["instance_code"].isna().sum())
            if len(instances) > 1 or (instances and nb_sans):
                scindes.append(
                    {
                        "siren": siren,
                        "nom": group["epci_nom"].iloc[0],
                        "instance_type": itype,
                        "instances": instances,
                        "nb_communes_sans_instance": nb_sans,
                    }
                )
    return MembershipReport(
        communes_sans_instance=pd.concat(sans, ignore_index=True)
        if sans
        else communes.iloc[0:0].assign(instance_type=""),
        communes_multiples=pd.concat(multiples, ignore_index=True)
        if multiples
        else pd.DataFrame(columns=["code_insee", "instance_type", "instances"]),
        epci_scindes=pd.DataFrame(
            scindes,
            columns=["siren", "nom", "instance_type", "instances", "nb_communes_sans_instance"],
        ),
    )


@dataclass(frozen=True)
class DrawingConversion:
    """Result of turning a hand-drawn perimeter file into memberships.

    Attributes
    ----------
    memberships : DataFrame
        One row per commune assigned to the instance holding most of its area.
    communes_partagees : DataFrame
        Communes whose area is split between several drawn perimeters (``code_insee``,
        ``nom``, ``instance_code`` retained, ``part_retenue`` as a share of its area).
    communes_hors_dessin : DataFrame
        Communes covered by no drawn perimeter for more than half their area.
    """

    memberships: pd.DataFrame
    communes_partagees: pd.DataFrame
    communes_hors_dessin: pd.DataFrame


#: Vertices above which a drawn polygon is cut into tiles before meeting the communes.
TILE_VERTICES = 2_000


def _tiles(geometry, max_vertices: int = TILE_VERTICES) -> list:
    """``geometry`` cut into quarters, recursively, until each piece has few vertices.

    Crossing every commune with one polygon of 500 000 vertices costs minutes (each
    intersection walks the whole outline); with tiles, the spatial index pairs each commune
    with the few tiles near it, and the whole crossing takes seconds. The tiles cover the
    polygon exactly (no gap, no overlap), so areas summed per perimeter are unchanged.
    ``clip_by_rect`` cuts in linear time; a piece it leaves invalid is repaired.
    """
    import shapely

    if shapely.get_num_coordinates(geometry) <= max_vertices:
        # Only the final tiles are checked: cutting does not need valid pieces.
        return [geometry if geometry.is_valid else shapely.make_valid(geometry)]
    minx, miny, maxx, maxy = geometry.bounds
    midx, midy = (minx + maxx) / 2, (miny + maxy) / 2
    pieces = []
    for box in ((minx, miny, midx, midy), (midx, miny, maxx, midy),
                (minx, midy, midx, maxy), (midx, midy, maxx, maxy)):
        part = shapely.clip_by_rect(geometry, *box)
        polygons = [g for g in getattr(part, "geoms", [part])
                    if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty]
        for polygon in polygons:
            pieces.extend(_tiles(polygon, max_vertices))
    return pieces


def drawing_to_memberships(
    drawing: gpd.GeoDataFrame,
    reference: Reference,
    split_threshold: float = 0.05,
) -> DrawingConversion:
    """Convert drawn instance perimeters into commune memberships by majority of area.

    Each commune goes to the drawn perimeter that covers the largest share of its area,
    provided that share exceeds one half; a commune with another perimeter covering more
    than ``split_threshold`` of its area is reported as shared; a commune with no
    perimeter over half of its area is reported as left out.

    Parameters
    ----------
    drawing : GeoDataFrame
        Polygons with ``instance_code``, ``instance_nom`` and optionally ``instance_type``,
        in any CRS (it must be set).
    reference : Reference
        The département's reference.
    split_threshold : float
        Share of a commune's area above which a second perimeter counts as cutting it.
    """
    crs = reference.metric_crs()
    drawing = drawing.copy()
    if "instance_type" not in drawing:
        drawing["instance_type"] = "clh"
    drawing = drawing.to_crs(crs)
    tiles = [_tiles(g) for g in drawing.geometry.make_valid()]
    drawing = gpd.GeoDataFrame(
        drawing.drop(columns=drawing.geometry.name)
        .iloc[[i for i, parts in enumerate(tiles) for _ in parts]].reset_index(drop=True),
        geometry=[g for parts in tiles for g in parts], crs=crs,
    )
    communes = reference.communes[["code_insee", "nom", "geometry"]].to_crs(crs)
    communes["surface"] = communes.area
    pieces = gpd.overlay(
        communes,
        drawing[["instance_code", "instance_nom", "instance_type", "geometry"]],
        how="intersection",
        keep_geom_type=True,
    )
    pieces["part"] = pieces.area / pieces["surface"]
    shares = (
        pieces.groupby(["code_insee", "instance_code", "instance_nom", "instance_type"])["part"]
        .sum()
        .reset_index()
        .sort_values(["code_insee", "part"], ascending=[True, False])
    )
    best = shares.drop_duplicates("code_insee")
    assigned = best[best["part"] > 0.5]
    memberships = assigned[MEMBERSHIP_COLUMNS].reset_index(drop=True)
    significant = shares[shares["part"] > split_threshold]
    counts = significant.groupby("code_insee").size()
    shared_codes = counts[counts > 1].index
    partagees = (
        assigned[assigned["code_insee"].isin(shared_codes)]
        .merge(communes[["code_insee", "nom"]], on="code_insee")
        .rename(columns={"part": "part_retenue"})[
            ["code_insee", "nom", "instance_code", "part_retenue"]
        ]
        .reset_index(drop=True)
    )
    hors = communes[~communes["code_insee"].isin(assigned["code_insee"])][
        ["code_insee", "nom"]
    ].reset_index(drop=True)
    return DrawingConversion(
        memberships=memberships, communes_partagees=partagees, communes_hors_dessin=hors
    )


def combine_memberships(
    reference: Reference,
    instances: pd.DataFrame | None = None,
    perimetres: pd.DataFrame | None = None,
    drawings: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """The one place where memberships are combined: instance rows, then drawn perimeters.

    An instance defined by rows (by commune or by EPCI) keeps exactly those communes; a
    drawn perimeter — memberships converted at import (``perimetres``) or a drawing given
    as geometry (``drawings``) — only adds the instances that no row defines.

    Parameters
    ----------
    reference : Reference
    instances : DataFrame, optional
        Rows of the ``instances`` kind.
    perimetres : DataFrame, optional
        Memberships stored by the ``perimetres`` kind (:data:`MEMBERSHIP_COLUMNS`).
    drawings : GeoDataFrame, optional
        Drawn polygons, converted by :func:`drawing_to_memberships`.

    Returns
    -------
    DataFrame
        :data:`MEMBERSHIP_COLUMNS`, one row per (instance, commune); empty when nothing
        defines an instance.

    Raises
    ------
    MembershipError
        If an instance row names a code unknown in the reference.
    """
    parts = []
    if instances is not None and not instances.empty:
        parts.append(expand_memberships(instances, reference))
    if perimetres is not None and not perimetres.empty:
        parts.append(perimetres[MEMBERSHIP_COLUMNS].astype(str))
    if drawings is not None and not drawings.empty:
        parts.append(drawing_to_memberships(drawings, reference).memberships)
    if not parts:
        return pd.DataFrame(columns=MEMBERSHIP_COLUMNS)
    defined: set[str] = set()
    kept = []
    for part in parts:
        part = part[~part["instance_code"].isin(defined)]
        defined |= set(part["instance_code"])
        kept.append(part)
    both = pd.concat(kept, ignore_index=True)
    return both.drop_duplicates(["instance_code", "code_insee"], ignore_index=True)
