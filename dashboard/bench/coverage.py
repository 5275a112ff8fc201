"""Benchmark of the coverage rules at national scale (issue 14), run by
:func:`dashboard.bench.run_bench` after the indicators.

Every département's reference in force is built without contours (the rules draw
nothing; ``geo.reference.build_reference(…, contours=False)``), and given a seeded
synthetic workspace: four instances made of whole EPCI (one EPCI split between two
instances, a few communes left out), a PDALHPD, a PLH for about two EPCI in three (in
force, expired or in preparation), PDALHPD objectives per instance and PLH objectives.
Then :func:`dashboard.coverage.evaluate` runs every rule, for each of the 101
départements, as ``territoires gaps`` does for one. Building the references is setup,
timed apart.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import numpy as np
import pandas as pd

from dashboard.settings import DEFAULT_DEPARTEMENT
from geo.reference import Reference

SEED = 20_261_404
AS_OF = dt.date(2025, 6, 30)


def synthetic_coverage_tables(reference: Reference, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Seeded ``instances``, ``plans`` and ``objectifs`` of a département's workspace."""
    rng = np.random.default_rng(seed + int.from_bytes(reference.departement.encode(), "big"))
    epci = reference.epci[["siren", "nom"]].reset_index(drop=True)
    dep = reference.departement
    codes = [f"{dep}-{k}" for k in range(4)]
    instance = [codes[i % 4] for i in range(len(epci))]
    rows = [{"instance_code": code, "instance_nom": f"Instance {code}", "instance_type": "clh",
             "code_insee": None, "epci_siren": siren}
            for code, siren in zip(instance, epci["siren"], strict=True)]  # fmt: skip
    communes = reference.communes["code_insee"].tolist()
    if len(epci) > 1:  # one commune of the first EPCI also in another instance: a split
        first = reference.communes.loc[reference.communes["epci_siren"] == epci["siren"][0]]
        rows.append({"instance_code": codes[1], "instance_nom": f"Instance {codes[1]}",
                     "instance_type": "clh", "code_insee": first["code_insee"].iloc[0],
                     "epci_siren": None})  # fmt: skip
    instances = pd.DataFrame(rows)
    outside = set(rng.choice(communes, min(3, len(communes)), replace=False))
    members = reference.communes[["code_insee", "epci_siren"]]
    left_out = members[members["code_insee"].isin(outside)]
    # The EPCI rows cover whole EPCI: leave communes out by listing the others one by one.
    for siren in set(left_out["epci_siren"].dropna()):
        others = members.loc[(members["epci_siren"] == siren)
                             & ~members["code_insee"].isin(outside), "code_insee"]  # fmt: skip
        code = instances.loc[instances["epci_siren"] == siren, "instance_code"].iloc[0]
        instances = pd.concat([
            instances[instances["epci_siren"] != siren],
            pd.DataFrame({"instance_code": code, "instance_nom": f"Instance {code}",
                          "instance_type": "clh", "code_insee": others, "epci_siren": None}),
        ], ignore_index=True)  # fmt: skip
    has_plh = rng.random(len(epci)) < 0.65
    statut = rng.choice(["en_vigueur", "echu", "en_elaboration", "proroge"], len(epci),
                        p=[0.6, 0.2, 0.1, 0.1])  # fmt: skip
    start = rng.integers(2015, 2024, len(epci))
    plh = pd.DataFrame({
        "type_plan": "PLH", "territoire_type": "epci", "territoire_code": epci["siren"],
        "intitule": "PLH " + epci["nom"].astype(str), "statut": statut,
        "date_debut": pd.to_datetime([f"{y}-01-01" for y in start]),
        "date_fin": pd.to_datetime([f"{y + 5}-12-31" for y in start]),
        "objectif_plai_annuel": rng.integers(5, 200, len(epci)).astype(float),
        "volet_defavorises": True,
    })[has_plh]  # fmt: skip
    pdalhpd = pd.DataFrame([{
        "type_plan": "PDALHPD", "territoire_type": "departement", "territoire_code": dep,
        "intitule": f"PDALHPD {dep} 2023-2028", "statut": "en_vigueur",
        "date_debut": pd.Timestamp("2023-01-01"), "date_fin": pd.Timestamp("2028-12-31"),
        "objectif_plai_annuel": None, "volet_defavorises": None,
    }])  # fmt: skip
    objectifs = pd.DataFrame({
        "territoire_type": "instance", "territoire_code": codes, "indicateur": "plai",
        "annee_debut": 2023, "annee_fin": 2028, "valeur": rng.integers(60, 1200, 4) * 6.0,
        "source": "PDALHPD",
    })  # fmt: skip
    return {"instances": instances, "plans": pd.concat([pdalhpd, plh], ignore_index=True),
            "objectifs": objectifs}  # fmt: skip


def national_coverage_inputs() -> list[tuple[Reference, dict[str, pd.DataFrame]]]:
    """Every département's reference without contours, with its synthetic workspace."""
    from geo.reference import build_reference, departements

    return [
        (ref, synthetic_coverage_tables(ref))
        for ref in (build_reference(code, contours=False) for code in departements()["code"])
    ]


def run_national_coverage(inputs: list[tuple[Reference, dict[str, pd.DataFrame]]]) -> int:
    """Every rule for every département; the number of findings."""
    from dashboard.coverage import evaluate

    return sum(len(evaluate(ref, tables, as_of=AS_OF)) for ref, tables in inputs)


def bench_national_coverage(departement: str = DEFAULT_DEPARTEMENT) -> dict[str, Any]:
    """Time of the coverage rules for all départements (references built beforehand)."""
    del departement  # national: the same whatever the département
    start = time.perf_counter()
    inputs = national_coverage_inputs()
    setup = time.perf_counter() - start
    wall, cpu = time.perf_counter(), time.process_time()
    findings = run_national_coverage(inputs)
    return {
        "coverage_national_setup_s": round(setup, 3),
        "coverage_national_s": round(time.perf_counter() - wall, 3),
        "coverage_national_cpu_s": round(time.process_time() - cpu, 3),
        "coverage_national_departements": len(inputs),
        "coverage_national_communes": sum(len(ref.communes) for ref, _ in inputs),
        "coverage_national_findings": findings,
        "coverage_national_workload": (
            "référentiel en vigueur de chaque département (sans contours), 4 instances "
            f"d'EPCI entiers, PDALHPD, PLH pour 2 EPCI sur 3 (synthétiques, graine {SEED})"
        ),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(bench_national_coverage(), indent=2, ensure_ascii=False))
