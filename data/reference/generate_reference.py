"""Build the committed table of the reference in force from ``@etalab/decoupage-administratif``.

The dashboard never fetches anything at run time: this script, run by hand when a new
version of the package is out, turns the package's JSON files into three small files
committed next to it, which :mod:`geo.reference` reads:

* ``communes.csv.gz``: one row per commune of the COG (type ``COM``) with its name,
  département, population municipale, population totale and EPCI, plus one row per
  commune déléguée or associée (``COMD``, ``COMA``) with its parent, and the former codes
  of every commune nouvelle;
* ``epci.csv``: SIREN, name and nature of every EPCI à fiscalité propre;
* ``source.json``: package, version, integrity, licence and millésimes.

Usage (the npm client is the only network access, to the npm registry)::

    python data/reference/generate_reference.py            # npm pack, then build
    python data/reference/generate_reference.py --tarball etalab-decoupage-administratif-6.0.0.tgz

The package version and its integrity are pinned below; a tarball that does not match
is refused. Millésimes (checked by hand for 6.0.0, see ``MILLESIMES``):

* ``population`` of ``communes.json``: populations légales INSEE **2023**, in force on
  1 January 2026 (the package cites INSEE's page 8680726, the publication that follows
  8290591, the 2022 figures; version 4.1.0, built on 8290591, gives Grenoble 156 389,
  6.0.0 gives 156 140);
* ``populationMunicipale`` / ``populationTotale`` of the EPCI members (the DGCL file of
  EPCI composition): **2022** figures — the member figures of 6.0.0 equal the commune
  figures of 4.1.0 (Grenoble 156 389, Voiron 21 604);
* Mayotte: INSEE 2017 census for both (the package says so).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pandas as pd

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
INTEGRITY = (
    "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=="
)
HERE = Path(__file__).resolve().parent
#: Millésimes of the figures of this version (see the module docstring for the checks).
MILLESIMES = {
    "cog": 2026,
    "epci": 2026,
    "population_municipale": 2023,
    "population_totale": 2022,
    #: Départements whose census follows another cycle: both populations of this year.
    "exceptions": {"976": 2017},
}
#: DGCL nature → nature used by the dashboard (the Métropole de Lyon counts as a métropole).
NATURES = {"METRO": "ME", "MET69": "ME", "CU": "CU", "CA": "CA", "CC": "CC"}
_TYPES = {"commune-actuelle": "COM", "commune-deleguee": "COMD", "commune-associee": "COMA"}


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch_tarball(folder: Path) -> Path:
    """``npm pack`` the pinned version into ``folder`` and return the tarball's path."""
    out = subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(folder)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return folder / out.stdout.strip().splitlines()[-1]


def read_package(tarball: Path) -> tuple[list[dict], list[dict]]:
    """``communes.json`` and ``epci.json`` of the tarball, after checking its integrity."""
    data = tarball.read_bytes()
    if _integrity(data) != INTEGRITY:
        raise SystemExit(f"{tarball.name} : empreinte différente de celle de {PACKAGE} {VERSION}")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:

        def load(name: str) -> list[dict]:
            member = tar.extractfile(f"package/data/{name}")
            assert member is not None
            return json.load(member)

        return load("communes.json"), load("epci.json")


def build_tables(communes: list[dict], epci: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The communes table and the EPCI table (départements and DROM only)."""
    members = {
        m["code"]: (e["code"], m["populationTotale"]) for e in epci for m in e["membres"]
    }
    rows = []
    for c in communes:
        kind = _TYPES.get(c["type"])
        if kind is None or c.get("zone") not in ("metro", "drom"):
            continue
        siren, totale = members.get(c["code"], ("", None)) if kind == "COM" else ("", None)
        rows.append(
            {
                "code_insee": c["code"],
                "type": kind,
                "nom": c["nom"],
                "departement": c["departement"],
                "parent": c.get("chefLieu", "") if kind != "COM" else "",
                "population": c.get("population") if kind == "COM" else None,
                "population_totale": totale,
                "epci_siren": siren,
                "anciens_codes": " ".join(c.get("anciensCodes", [])),
            }
        )
    table = pd.DataFrame(rows)
    for col in ("population", "population_totale"):
        table[col] = table[col].astype("Int64")
    table = table.sort_values(["type", "code_insee"], ignore_index=True)
    epci_table = pd.DataFrame(
        [{"siren": e["code"], "nom": e["nom"].strip(), "nature": NATURES[e["type"]]} for e in epci]
    ).sort_values("siren", ignore_index=True)
    return table, epci_table


def write(table: pd.DataFrame, epci_table: pd.DataFrame, folder: Path) -> None:
    """Write the three files; the gzip has no timestamp, so a rebuild is byte-identical."""
    text = table.to_csv(sep=";", index=False, lineterminator="\n")
    with (folder / "communes.csv.gz").open("wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9
    ) as gz:
        gz.write(text.encode("utf-8"))
    epci_table.to_csv(folder / "epci.csv", sep=";", index=False, lineterminator="\n")
    source = {
        "paquet": PACKAGE,
        "version": VERSION,
        "integrite": INTEGRITY,
        "licence": "Licence Ouverte (Etalab) pour les données, MIT pour le code",
        "sources": [
            "INSEE, Code officiel géographique",
            "INSEE, populations légales",
            "DGCL, liste et composition des EPCI à fiscalité propre",
        ],
        "millesimes": MILLESIMES,
        "communes": int((table["type"] == "COM").sum()),
        "epci": len(epci_table),
    }
    (folder / "source.json").write_text(
        json.dumps(source, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help=f"archive npm de {PACKAGE} {VERSION}")
    parser.add_argument("--out", type=Path, default=HERE, help="dossier de sortie")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or fetch_tarball(Path(tmp))
        communes, epci = read_package(tarball)
    table, epci_table = build_tables(communes, epci)
    write(table, epci_table, args.out)
    print(f"{len(table)} lignes de communes, {len(epci_table)} EPCI → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
