"""Plain tables for the « Couverture des plans » page: per-commune coverage and PLH timeline.

Pages do not compute: they draw these tables.
"""

from __future__ import annotations

import pandas as pd

from dashboard.coverage.inputs import CoverageInputs
from dashboard.coverage.instances import SECTEUR_PDH
from dashboard.coverage.plh import obligation_table, plh_in_force

TIMELINE_COLUMNS = [
    "siren", "nom", "nature", "oblige", "cas_limite", "type_plan", "intitule", "statut",
    "date_debut", "date_fin", "date_fin_estimee", "objectif_plai_annuel",
]  # fmt: skip


def _first_instance(inputs: CoverageInputs, types: list[str], prefix: str) -> pd.DataFrame:
    mem = inputs.memberships
    mem = mem[mem["instance_type"].isin(types)]
    grouped = mem.groupby("code_insee").agg(
        codes=("instance_code", lambda s: ", ".join(sorted(set(map(str, s))))),
        noms=("instance_nom", lambda s: ", ".join(sorted(set(map(str, s))))),
    )
    return grouped.rename(columns={"codes": f"{prefix}_code", "noms": f"{prefix}_nom"})


def commune_coverage(inputs: CoverageInputs) -> pd.DataFrame:
    """One row per commune of the département with what covers it at ``inputs.as_of``.

    Returns
    -------
    DataFrame
        ``code_insee``, ``nom``, ``epci_siren``, ``epci_nom``, ``instance_code`` /
        ``instance_nom`` (plan instances other than PDH sectors, comma-joined when
        several), ``secteur_pdh_code`` / ``secteur_pdh_nom``, ``plh_oblige``,
        ``plh_cas_limite``, ``plh_en_vigueur`` (bool), ``plh_intitule``.
    """
    com = inputs.reference.communes[["code_insee", "nom", "epci_siren", "epci_nom"]].copy()
    types = sorted(set(inputs.memberships["instance_type"].dropna()) - {SECTEUR_PDH})
    com = com.merge(_first_instance(inputs, types, "instance"), on="code_insee", how="left")
    com = com.merge(
        _first_instance(inputs, [SECTEUR_PDH], "secteur_pdh"), on="code_insee", how="left"
    )
    table = obligation_table(inputs).set_index("siren")
    titles = {}
    for siren in table.index:
        rows = plh_in_force(inputs, siren)
        titles[siren] = ", ".join(rows["intitule"]) if len(rows) else ""
    com["plh_oblige"] = com["epci_siren"].map(table["oblige"]).fillna(False).astype(bool)
    com["plh_cas_limite"] = com["epci_siren"].map(table["cas_limite"]).fillna(False)
    com["plh_cas_limite"] = com["plh_cas_limite"].astype(bool)
    com["plh_en_vigueur"] = com["epci_siren"].map(table["plh_en_vigueur"]).fillna(False)
    com["plh_en_vigueur"] = com["plh_en_vigueur"].astype(bool)
    com["plh_intitule"] = com["epci_siren"].map(titles).fillna("")
    return com


def plh_timeline(inputs: CoverageInputs) -> pd.DataFrame:
    """PLH (and PLUi-H) of each EPCI for a timeline against the PDALHPD period.

    Every EPCI of the reference appears at least once (with empty plan columns when it
    has no PLH), obliged EPCI first. Dates are :class:`datetime.date`.
    """
    table = obligation_table(inputs)[["siren", "nom", "nature", "oblige", "cas_limite"]]
    plh = inputs.plh.rename(columns={"territoire_code": "siren"})
    cols = [c for c in TIMELINE_COLUMNS if c in plh.columns]
    out = table.merge(plh[cols], on="siren", how="left")
    out = out.sort_values(["oblige", "nom", "date_debut"], ascending=[False, True, True])
    return out[TIMELINE_COLUMNS].reset_index(drop=True)
