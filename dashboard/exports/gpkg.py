"""GeoPackage of the layers, for QGIS (pyogrio).

Layers: ``communes`` (with their indicators and coverage situation), ``epci``,
``instances`` and ``constats`` (coverage findings on the geometry of the territory they
concern); ``autres_champs_epci`` and ``autres_champs_instances`` (key figures of the
plan's other fields) when these fields have data. Geometries are the display coverage of
:func:`dashboard.maps.territory.build_territory`
(simplified without gaps between neighbours), projected to the département's metric CRS:
**Lambert-93, EPSG:2154, in mainland France and Corsica**; the official local
projections overseas (:func:`geo.reference.metric_crs_for`).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.exports.bundle import ExportBundle

LAYERS = ("communes", "epci", "instances", "constats")


def _plai_by_commune(bundle: ExportBundle) -> pd.DataFrame:
    period = bundle.plan_period("plai")
    ind = bundle.indicators
    rows = ind[(ind["indicateur"] == "plai") & (ind["territoire_type"] == "commune")]
    if period is not None:
        rows = rows[rows["periode"] == period]
    out = rows[["territoire_code", "objectif", "realise", "taux"]].rename(
        columns={
            "territoire_code": "code_insee",
            "objectif": "plai_objectif",
            "realise": "plai_realise",
            "taux": "plai_taux",
        }
    )
    return out.drop_duplicates("code_insee")


def _signals_by_commune(bundle: ExportBundle) -> pd.DataFrame:
    sig = bundle.signals
    sig = sig[sig["territoire_type"] == "commune"]
    columns = {
        "territoire_code": "code_insee",
        "nb_signalements": "signalements",
        "nb_resolus": "signalements_resolus",
        "nb_clos_sans_resolution": "signalements_clos_sans_resolution",
        "nb_en_cours": "signalements_en_cours",
        "taux_pour_10000": "signalements_pour_10000",
    }
    return sig[list(columns)].rename(columns=columns)


def _situation(row: pd.Series) -> str:
    if not row.get("instance_code") or pd.isna(row.get("instance_code")):
        return "hors instance"
    if row["plh_en_vigueur"]:
        return "PLH en vigueur"
    if row.get("plh_cas_limite"):
        return "obligation de PLH à vérifier (cas limite), sans PLH en vigueur"
    return "tenue d’avoir un PLH, sans PLH en vigueur" if row["plh_oblige"] else "sans PLH"


def communes_layer(bundle: ExportBundle) -> gpd.GeoDataFrame:
    """Communes with PLA-I of the plan period, signals, and coverage situation (EPSG:4326)."""
    com = bundle.territory.communes[
        ["code_insee", "nom", "population", "epci_siren", "epci_nom", "geometry"]
    ]
    cov = bundle.coverage.communes[
        ["code_insee", "instance_code", "instance_nom", "plh_oblige", "plh_cas_limite",
         "plh_en_vigueur", "plh_intitule"]
    ]  # fmt: skip
    out = com.merge(cov, on="code_insee", how="left")
    out = out.merge(_plai_by_commune(bundle), on="code_insee", how="left")
    out = out.merge(_signals_by_commune(bundle), on="code_insee", how="left")
    # Operations are the only source of PLA-I: a commune with none financed none.
    out["plai_realise"] = out["plai_realise"].fillna(0.0)
    out["situation"] = out.apply(_situation, axis=1)
    out["plai_periode"] = bundle.plan_period("plai") or ""
    out["source"] = bundle.source
    return gpd.GeoDataFrame(out, geometry="geometry", crs=bundle.territory.communes.crs)


def findings_layer(bundle: ExportBundle) -> gpd.GeoDataFrame:
    """Coverage findings with the geometry of their territory; findings on a territory
    without geometry (unknown code) are left out."""
    terr = bundle.territory
    geoms: dict[tuple[str, str], object] = {}
    for row in terr.communes.itertuples():
        geoms[("commune", str(row.code_insee))] = row.geometry
    for row in terr.epci.itertuples():
        geoms[("epci", str(row.siren))] = row.geometry
    for row in terr.instances.itertuples():
        geoms[("instance", str(row.instance_code))] = row.geometry
    geoms[("departement", bundle.departement)] = terr.communes.union_all()
    frame = bundle.coverage.frame.copy()
    keys = list(zip(frame["territoire_type"], frame["territoire_code"].astype(str), strict=True))
    frame["geometry"] = [geoms.get(k) for k in keys]
    frame = frame[frame["geometry"].notna()].copy()
    frame["details"] = [
        v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in frame["details"]
    ]
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=terr.communes.crs)


#: Layers of the plan's other fields, one per level, when these fields have data.
FIELD_LAYERS = {"epci": "autres_champs_epci", "instance": "autres_champs_instances"}


def fields_layer(bundle: ExportBundle, level: str) -> gpd.GeoDataFrame | None:
    """The key figures of the other fields (evictions, DALO, priority allocations, SIAO,
    FSL) per EPCI or instance, in the last year of each field: one column per figure
    (``expulsions_assignation``…, rates as shares), ``annee_{field}`` its year, and the
    per-1 000-inhabitants rates; None without such data."""
    from dashboard.indicators.fields import HEADLINES

    records = bundle.fields
    records = records[records["territoire_type"] == level]
    if records.empty:
        return None
    terr = bundle.territory
    if level == "epci":
        base = terr.epci[["siren", "nom", "geometry"]].rename(columns={"siren": "code"})
    else:
        base = terr.instances[["instance_code", "instance_nom", "geometry"]].rename(
            columns={"instance_code": "code", "instance_nom": "nom"})
    base = base.assign(code=base["code"].astype(str))
    columns: dict[str, pd.Series] = {}
    for kind, heads in HEADLINES.items():
        rows = records[records["champ"] == kind]
        if rows.empty:
            continue
        year = int(rows["annee"].max())
        rows = rows[rows["annee"] == year]
        columns[f"annee_{kind}"] = pd.Series(year, index=base.index)
        for code, _short in heads:
            values = rows[rows["indicateur"] == code].set_index(
                rows.loc[rows["indicateur"] == code, "territoire_code"].astype(str))
            columns[code] = base["code"].map(values["valeur"])
            per = values["pour_1000_habitants"].dropna()
            if not per.empty:
                columns[f"{code}_pour_1000"] = base["code"].map(per)
        columns[f"couverture_{kind}"] = base["code"].map(
            rows.drop_duplicates("territoire_code").set_index(
                rows.drop_duplicates("territoire_code")["territoire_code"].astype(str))[
                "couverture"])  # fmt: skip
    out = pd.concat([base, pd.DataFrame(columns)], axis=1)
    out["source"] = "; ".join(sorted(set(records["source"].astype(str))))
    return gpd.GeoDataFrame(out, geometry="geometry", crs=base.crs)


def layers(bundle: ExportBundle) -> dict[str, gpd.GeoDataFrame]:
    """The four layers, and those of the other fields when they have data, projected to
    the département's metric CRS (EPSG:2154 in mainland)."""
    crs = bundle.territory.reference.metric_crs()
    terr = bundle.territory
    epci = terr.epci.copy()
    epci["extends_beyond"] = epci["extends_beyond"].astype(bool)
    out = {
        "communes": communes_layer(bundle),
        "epci": epci,
        "instances": terr.instances.copy(),
        "constats": findings_layer(bundle),
    }
    for level, name in FIELD_LAYERS.items():
        layer = fields_layer(bundle, level)
        if layer is not None:
            out[name] = layer
    return {name: gdf.to_crs(crs) for name, gdf in out.items()}


def layers_gpkg(bundle: ExportBundle, path: str | Path) -> dict[str, int]:
    """Write the GeoPackage at ``path`` (replaced if it exists).

    Returns
    -------
    dict
        Feature count per layer.
    """
    path = Path(path)
    if path.exists():
        path.unlink()
    counts = {}
    for name, gdf in layers(bundle).items():
        gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        counts[name] = len(gdf)
    return counts


def layers_gpkg_bytes(bundle: ExportBundle) -> bytes:
    """The GeoPackage as bytes (for a download button), through a temporary file."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "couches.gpkg"
        layers_gpkg(bundle, target)
        return target.read_bytes()
