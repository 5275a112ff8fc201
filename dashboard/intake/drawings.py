"""Validate a perimeter drawing and convert it into commune memberships."""

from __future__ import annotations

from typing import Any

from dashboard.formatting import fr_int
from dashboard.intake.limits import MAX_VERTICES, Deadline
from dashboard.intake.messages import Collector, ValidationResult
from dashboard.intake.parsers import control_problem, enum_parser, resolve_headers
from dashboard.store.schemas import KINDS
from geo.reference import Reference

#: GEOS's reasons for an invalid geometry (``shapely.is_valid_reason``), in French.
_INVALID_REASONS = (
    ("Ring Self-intersection", "anneau qui se recoupe"),
    ("Self-intersection", "contour qui se recoupe"),
    ("Too few points", "trop peu de points"),
    ("Hole lies outside shell", "trou hors du contour"),
    ("Nested holes", "trous imbriqués"),
    ("Nested shells", "contours imbriqués"),
    ("Interior is disconnected", "intérieur en plusieurs morceaux"),
    ("Duplicate Rings", "anneaux en double"),
    ("Invalid Coordinate", "coordonnée invalide"),
)


def _invalid_reason(geom: Any) -> str:
    import shapely

    reason = shapely.is_valid_reason(geom)
    return next((fr for en, fr in _INVALID_REASONS if reason.startswith(en)), "forme incorrecte")


def validate_drawing(
    drawing: Any,
    reference: Reference,
    filename: str = "",
    mapping: dict[str, str] | None = None,
    deadline: Deadline | None = None,
    max_vertices: int = MAX_VERTICES,
) -> ValidationResult:
    """Validate a perimeter drawing and convert it into commune memberships.

    Parameters
    ----------
    drawing : GeoDataFrame
        Features read from a GeoJSON, GeoPackage or zipped shapefile, in any CRS. Without
        a CRS, coordinates within ±180/±90 are taken as WGS84 (with a warning).
    reference : Reference
        Reference of the département.
    filename : str
        Name shown in messages.
    mapping : dict, optional
        User mapping of attribute names onto canonical names.
    deadline : Deadline, optional
        Time bound, checked feature by feature and between the steps.
    max_vertices : int
        Vertices above which the drawing is refused.

    Returns
    -------
    ValidationResult
        ``frame`` holds the memberships (``instance_code``, ``instance_nom``,
        ``instance_type``, ``code_insee``); features are numbered from 1 in messages.
        An invalid geometry (a bow-tie…) is repaired with a warning; a drawing of more than
        ``max_vertices`` vertices is refused.

    Raises
    ------
    ValidationTimeoutError
        When ``deadline`` passes.
    """
    import geopandas as gpd
    import numpy as np
    import shapely

    from geo.perimeters import drawing_to_memberships

    result = ValidationResult(kind="perimetres", rows=len(drawing))
    out = Collector(filename, result, {})
    attrs = [c for c in drawing.columns if c != drawing.geometry.name]
    matched, unknown, _ = resolve_headers("perimetres", attrs, mapping)
    result.unknown_headers = unknown
    for header in unknown:
        out.warning(None, header, "attribut non reconnu, ignoré")
    for header in attrs:
        problem = control_problem(str(header))
        if problem:
            out.error(None, str(header), f"nom d'attribut : {problem}")
    names = {name: attrs[i] for i, name in matched.items()}
    result.columns = names
    for name in KINDS["perimetres"].required:
        if name not in names:
            out.error(None, name, f"attribut obligatoire « {name} » absent")
    if drawing.crs is None:
        minx, miny, maxx, maxy = drawing.total_bounds if len(drawing) else (0, 0, 0, 0)
        if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90:
            out.warning(None, None, "système de coordonnées absent : coordonnées lues en WGS84 "
                        "(EPSG:4326)")
            drawing = drawing.set_crs("EPSG:4326")
        else:
            out.error(None, None, "système de coordonnées absent (fichier .prj manquant ?) : "
                      "impossible de situer le dessin")
    if len(drawing) == 0:
        out.error(None, None, "aucune entité dans le fichier")
    if result.errors:
        out.finish()
        return result

    rows = []
    geometries = []
    type_parser = enum_parser(KINDS["perimetres"].column("instance_type"))
    column_of = {name: names.get(name) for name in ("instance_code", "instance_nom",
                                                     "instance_type")}
    for number, (_, feature) in enumerate(drawing.iterrows(), start=1):
        if deadline is not None and number % 100 == 0:
            deadline.check()
        where = f"entité n° {number}"
        values = {}
        for name, column in column_of.items():
            value = _attr(feature, column)
            problem = value and control_problem(value, free_text=name == "instance_nom")
            if problem:
                out.error(number, column, f"{where} : {problem}")
            values[name] = value
        code, nom, typ = values["instance_code"], values["instance_nom"], values["instance_type"]
        typ = typ or "clh"
        geom = drawing.geometry.iloc[number - 1]
        if not code:
            out.error(number, names["instance_code"], f"{where} : code d'instance manquant")
        if not nom:
            out.error(number, names["instance_nom"], f"{where} : nom d'instance manquant")
        try:
            typ = type_parser(typ)
        except ValueError as exc:
            out.error(number, names.get("instance_type"), f"{where} : {exc}")
        if not isinstance(geom, shapely.Geometry) or geom.is_empty:
            out.error(number, None, f"{where} : géométrie vide ou absente")
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            out.error(number, None, f"{where} : polygone attendu, {geom.geom_type} trouvé")
        elif not geom.is_valid:
            out.warning(number, None, f"{where} : géométrie invalide ({_invalid_reason(geom)}), "
                        "réparée")
            geom = shapely.make_valid(geom)
        rows.append({"instance_code": code, "instance_nom": nom, "instance_type": typ})
        geometries.append(geom)
    if result.errors:
        out.finish()
        return result
    metric = reference.metric_crs()
    clean = gpd.GeoDataFrame(rows, geometry=geometries, crs=drawing.crs).to_crs(metric)
    bounds = clean.geometry.bounds.to_numpy()
    for number in np.flatnonzero(~np.isfinite(bounds).all(axis=1)) + 1:
        out.error(int(number), None, f"entité n° {number} : coordonnées impossibles à situer "
                  "dans le système de coordonnées du département (un dessin du monde entier, "
                  "ou des pôles ?)")
    vertices = int(shapely.get_num_coordinates(clean.geometry.to_numpy()).sum())
    if vertices > max_vertices:
        out.error(None, None, f"dessin trop détaillé : {fr_int(vertices)} sommets (au plus "
                  f"{fr_int(max_vertices)}) ; simplifiez-le dans votre SIG")
    if result.errors:
        out.finish()
        return result
    if deadline is not None:
        deadline.check()
    conversion = drawing_to_memberships(clean, reference)
    if deadline is not None:
        deadline.check()
    if conversion.memberships.empty:
        out.error(None, None, "aucune commune du département n'est couverte en majorité par le "
                  "dessin : vérifiez le département et le système de coordonnées")
        out.finish()
        return result
    for row in conversion.communes_partagees.itertuples(index=False):
        out.warning(None, "instance_code", f"commune {row.nom} ({row.code_insee}) partagée entre "
                    f"plusieurs périmètres : rattachée à {row.instance_code} "
                    f"({row.part_retenue:.0%} de sa surface)")
    hors = conversion.communes_hors_dessin
    if len(hors):
        sample = ", ".join(f"{n} ({c})" for c, n in zip(hors["code_insee"][:10], hors["nom"][:10],
                                                        strict=True))
        more = f" et {len(hors) - 10} autres" if len(hors) > 10 else ""
        out.warning(None, None, f"{len(hors)} commune(s) hors de tout périmètre dessiné : "
                    f"{sample}{more}")
    result.frame = conversion.memberships.astype("str").reset_index(drop=True)
    out.finish()
    return result


def _attr(feature: Any, name: str | None) -> str | None:
    if name is None:
        return None
    value = feature[name]
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None
