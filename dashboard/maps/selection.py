"""Which territory a map click designates, and what its detail panel shows."""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely

from dashboard.formatting import fr_int
from dashboard.intake.demo import DEMO_LABEL
from dashboard.maps.territory import Territory
from geo.reference import EPCI_NATURES, SOURCE_GEOGRAPHIE

LEVELS = ("instance", "epci", "commune")


@dataclass(frozen=True)
class Detail:
    """Content of the detail panel of one territory.

    ``figures`` are (label, value, source) triples; ``members`` lists sub-territories.
    """

    level: str
    code: str
    nom: str
    subtitle: str
    figures: list[tuple[str, int | str, str]]
    members: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def territory_at(terr: Territory, level: str, lat: float, lng: float) -> str | None:
    """Code of the territory of ``level`` containing the point (lat, lng), if any."""
    point = shapely.Point(lng, lat)
    if level == "commune":
        gdf, key = terr.communes, "code_insee"
    elif level == "epci":
        gdf, key = terr.epci, "siren"
    else:
        gdf, key = terr.instances, "instance_code"
    if gdf.empty:
        return None
    hits = gdf[gdf.geometry.contains(point)]
    return None if hits.empty else str(hits[key].iloc[0])


def detail(terr: Territory, level: str, code: str) -> Detail | None:
    """Detail of a commune, EPCI or instance; None for an unknown code."""
    ref = terr.reference
    if level == "commune":
        rows = ref.communes[ref.communes["code_insee"] == code]
        if rows.empty:
            return None
        row = rows.iloc[0]
        inst = terr.memberships[terr.memberships["code_insee"] == code]["instance_nom"].tolist()
        return Detail(
            level="commune",
            code=code,
            nom=row["nom"],
            subtitle=f"Commune {code}",
            figures=[
                ("Population municipale", int(row["population"]), ref.source_population),
                ("EPCI", str(row["epci_nom"]), SOURCE_GEOGRAPHIE),
                ("Instance locale", ", ".join(inst) or "aucune", terr.instances_source),
            ],
        )
    if level == "epci":
        rows = ref.epci[ref.epci["siren"] == code]
        if rows.empty:
            return None
        row = rows.iloc[0]
        communes = ref.communes[ref.communes["epci_siren"] == code].sort_values("nom")
        inst = sorted(
            terr.memberships[terr.memberships["code_insee"].isin(communes["code_insee"])][
                "instance_nom"
            ].unique()
        )
        notes = []
        if row["extends_beyond"]:
            notes.append(
                f"Cet EPCI s'étend hors du département : {int(row['nb_communes_epci'])} communes "
                f"et {fr_int(row['population_epci'])} habitants au total."
            )
        if len(inst) > 1:
            notes.append(f"Ses communes relèvent de plusieurs instances : {', '.join(inst)}.")
        return Detail(
            level="epci",
            code=code,
            nom=row["nom"],
            subtitle=f"{EPCI_NATURES.get(row['nature'], row['nature'])} — SIREN {code}",
            figures=[
                ("Population dans le département", int(row["population_dep"]),
                 ref.source_population),
                ("Population de l'EPCI entier", int(row["population_epci"]),
                 ref.source_population),
                ("Communes dans le département", int(row["nb_communes"]), SOURCE_GEOGRAPHIE),
                ("Instance(s) locale(s)", ", ".join(inst) or "aucune", terr.instances_source),
            ],
            members=[(c.code_insee, c.nom) for c in communes.itertuples()],
            notes=notes,
        )
    rows = terr.instances[terr.instances["instance_code"] == code]
    if rows.empty:
        return None
    row = rows.iloc[0]
    members = terr.memberships[terr.memberships["instance_code"] == code]
    communes = ref.communes[ref.communes["code_insee"].isin(members["code_insee"])]
    epci_names = sorted(communes["epci_nom"].dropna().unique())
    return Detail(
        level="instance",
        code=code,
        nom=row["instance_nom"],
        subtitle=f"Instance locale ({row['instance_type']}) — {DEMO_LABEL}"
        if DEMO_LABEL in terr.instances_source
        else f"Instance locale ({row['instance_type']})",
        figures=[
            ("Population", int(row["population"]), ref.source_population),
            ("Communes", int(row["nb_communes"]), terr.instances_source),
            ("EPCI concernés", len(epci_names), terr.instances_source),
        ],
        members=[("", n) for n in epci_names],
    )
