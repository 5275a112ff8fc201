"""Categories of the coverage map: what covers each commune, as a legend-ready class."""

from __future__ import annotations

import pandas as pd

#: Map modes: key → (legend title, {category: colour}).
MODES: dict[str, tuple[str, dict[str, str]]] = {
    "plh": (
        "Programme local de l'habitat",
        {
            "PLH en vigueur": "#2e8540",
            "PLH obligatoire absent": "#e1000f",
            "Obligation à vérifier (cas limite), sans PLH": "#f08a24",
            "Sans PLH (non obligatoire)": "#f5c98c",
        },
    ),
    "instance": (
        "Instance locale du PDALHPD",
        {
            "Dans une instance": "#8fb3e0",
            "Hors de toute instance": "#e1000f",
            "Dans plusieurs instances": "#9b59b6",
        },
    ),
    "pdh": (
        "Secteur du PDH",
        {"Dans un secteur du PDH": "#8fb3e0", "Hors secteur du PDH": "#f5c98c"},
    ),
}
MODE_LABELS = {"plh": "PLH en vigueur", "instance": "Instance du plan", "pdh": "Secteur du PDH"}


def categorise(communes: pd.DataFrame, mode: str) -> pd.Series:
    """Category of each commune of :func:`dashboard.coverage.commune_coverage` for ``mode``."""
    if mode == "plh":
        limite = communes.get("plh_cas_limite", pd.Series(False, index=communes.index))
        return pd.Series(
            [
                "PLH en vigueur" if vigueur else
                "Obligation à vérifier (cas limite), sans PLH" if cas_limite else
                "PLH obligatoire absent" if oblige else "Sans PLH (non obligatoire)"
                for vigueur, oblige, cas_limite in zip(
                    communes["plh_en_vigueur"], communes["plh_oblige"], limite, strict=True
                )
            ],
            index=communes.index,
        )  # fmt: skip
    if mode == "instance":
        codes = communes["instance_code"].fillna("")
        return pd.Series(
            [
                "Hors de toute instance" if not c else
                "Dans plusieurs instances" if "," in c else "Dans une instance"
                for c in codes
            ],
            index=communes.index,
        )  # fmt: skip
    codes = communes["secteur_pdh_code"].fillna("")
    return codes.map(lambda c: "Dans un secteur du PDH" if c else "Hors secteur du PDH")
