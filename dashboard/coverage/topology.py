"""Rule PERIMETER_TOPOLOGY: overlaps and gaps of uploaded perimeter drawings.

Computed in the département's metric CRS (Lambert-93 in mainland France), areas in m².
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from dashboard.coverage.inputs import CoverageInputs
from dashboard.coverage.model import ALERTE, Finding, Rule
from dashboard.formatting import fr_int, fr_number

MAX_COMMUNES = 3


def _surface(m2: float) -> str:
    if m2 >= 1_000_000:
        return f"{fr_number(m2 / 1_000_000, 2)} km²"
    return f"{fr_number(m2 / 10_000, 1)} ha"


def drawn_perimeters(drawings: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """One valid polygonal geometry per ``instance_code``, in ``crs``, with ``instance_nom``."""
    gdf = drawings.to_crs(crs)
    gdf = gdf.assign(
        instance_code=gdf["instance_code"].astype(str),
        geometry=gdf.geometry.make_valid(),
    )
    if "instance_nom" not in gdf:
        gdf["instance_nom"] = gdf["instance_code"]
    rows = []
    for code, group in gdf.groupby("instance_code", sort=True):
        geom = shapely.union_all(group.geometry.to_numpy())
        polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        rows.append((code, str(group["instance_nom"].iloc[0]), shapely.union_all(polys)))
    return gpd.GeoDataFrame(
        {"instance_code": [r[0] for r in rows], "instance_nom": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs=crs,
    )


def _communes_touched(communes: gpd.GeoDataFrame, geom) -> list[dict]:
    idx = communes.sindex.query(geom, predicate="intersects")
    hits = communes.iloc[idx]
    areas = hits.geometry.intersection(geom).area
    hits = hits.assign(surface_m2=areas).sort_values("surface_m2", ascending=False)
    hits = hits[hits["surface_m2"] > 0]
    return [
        {"code_insee": c, "nom": n, "surface_m2": round(float(a))}
        for c, n, a in zip(hits["code_insee"], hits["nom"], hits["surface_m2"], strict=True)
    ]


def _where(touched: list[dict]) -> str:
    if not touched:
        return "hors commune"
    names = ", ".join(t["nom"] for t in touched[:MAX_COMMUNES])
    more = len(touched) - MAX_COMMUNES
    return f"communes {names}" + (f" et {more} autres" if more > 0 else "")


def check_topology(inputs: CoverageInputs) -> list[Finding]:
    """PERIMETER_TOPOLOGY: pairs of drawn perimeters overlapping by more than the tolerance,
    and gaps (parts of the département covered by no drawing) larger than the tolerance."""
    drawings = inputs.drawings
    if drawings is None or drawings.empty:
        return []
    crs = inputs.reference.metric_crs()
    communes = inputs.reference.communes[["code_insee", "nom", "geometry"]].to_crs(crs)
    if "instance_type" not in drawings:
        return _check_set(inputs, drawn_perimeters(drawings, crs), communes)
    findings = []
    # Each type of instance (CLH, secteurs du PDH…) is a partition of its own.
    for _, group in drawings.groupby(drawings["instance_type"].fillna("").astype(str)):
        findings.extend(_check_set(inputs, drawn_perimeters(group, crs), communes))
    return findings


def _check_set(
    inputs: CoverageInputs, perims: gpd.GeoDataFrame, communes: gpd.GeoDataFrame
) -> list[Finding]:
    tol = inputs.tolerances.topologie_m2
    ref = inputs.reference
    crs = perims.crs
    findings = []
    tree = shapely.STRtree(perims.geometry.to_numpy())
    left, right = tree.query(perims.geometry.to_numpy(), predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        a, b = perims.iloc[i], perims.iloc[j]
        inter = a.geometry.intersection(b.geometry)
        area = float(inter.area)
        if area <= tol:
            continue
        touched = _communes_touched(communes, inter)
        findings.append(
            PERIMETER_TOPOLOGY.finding(
                "instance",
                a["instance_code"],
                a["instance_nom"],
                f"Les périmètres dessinés de {a['instance_code']} ({a['instance_nom']}) et de "
                f"{b['instance_code']} ({b['instance_nom']}) se chevauchent sur "
                f"{_surface(area)} ({fr_int(area)} m², {_where(touched)}) ; tolérance : "
                f"{fr_int(tol)} m².",
                {
                    "type": "chevauchement",
                    "instances": [a["instance_code"], b["instance_code"]],
                    "surface_m2": round(area),
                    "tolerance_m2": tol,
                    "communes": touched,
                },
            )
        )
    envelope = shapely.coverage_union_all(communes.geometry.to_numpy())
    if not envelope.is_valid:
        envelope = shapely.union_all(communes.geometry.to_numpy())
    gaps = envelope.difference(shapely.union_all(perims.geometry.to_numpy()))
    parts = sorted(
        (g for g in shapely.get_parts(gaps) if g.area > tol), key=lambda g: g.area, reverse=True
    )
    for k, part in enumerate(parts, start=1):
        area = float(part.area)
        touched = _communes_touched(communes, part)
        findings.append(
            PERIMETER_TOPOLOGY.finding(
                "departement",
                ref.departement,
                ref.departement_nom,
                f"Vide n° {k} entre les périmètres dessinés : {_surface(area)} "
                f"({fr_int(area)} m²) du département ne sont couverts par aucun périmètre "
                f"({_where(touched)}) ; tolérance : {fr_int(tol)} m².",
                {
                    "type": "vide",
                    "surface_m2": round(area),
                    "tolerance_m2": tol,
                    "communes": touched,
                    "centroide_wgs84": list(
                        gpd.GeoSeries([part.centroid], crs=crs).to_crs(4326).iloc[0].coords[0]
                    ),
                },
            )
        )
    return findings


PERIMETER_TOPOLOGY = Rule(
    id="PERIMETER_TOPOLOGY",
    label="Chevauchements et vides entre périmètres dessinés",
    article="Règle géométrique : les périmètres d'instances forment une partition du département",
    basis=(
        "Les périmètres dessinés d'un même jeu doivent se juxtaposer sans se chevaucher ni "
        "laisser de vide dans le département. Surfaces calculées en Lambert-93 (m²), "
        "tolérance par défaut de 10 000 m² (1 ha) pour absorber les imprécisions de tracé."
    ),
    severity=ALERTE,
    check=check_topology,
)
