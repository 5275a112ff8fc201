"""Hand-computed cases on the real Isère reference, shared by the indicator tests.

Territories used (reference in force, Isère):
- instance VCH (demo CLH) = CA du Pays Voironnais 243800984 + CC Cœur de Chartreuse 200040111;
- Voiron 38563 (Pays Voironnais, 21 847 inhabitants, population municipale 2023);
- Saint-Pierre-de-Chartreuse 38442 (Cœur de Chartreuse);
- Grenoble 38185 (Grenoble-Alpes-Métropole, instance AGG);
- Valencin 38519 (CC Collines Isère Nord Communauté 243801255), in no demo CLH.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

VOIRON, CHARTREUSE, GRENOBLE, VALENCIN = "38563", "38442", "38185", "38519"
PAYS_VOIRONNAIS, COEUR_CHARTREUSE, CINC = "243800984", "200040111", "243801255"
END_2023 = dt.date(2023, 12, 31)


def objectives(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=["territoire_type", "territoire_code", "indicateur", "annee_debut", "annee_fin",
                 "valeur"],
    )  # fmt: skip


def operations(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["code_insee", "annee", "nb_plai", "statut"])
    frame.insert(0, "id_operation", [f"OP{i}" for i in range(len(frame))])
    return frame


def row_of(df: pd.DataFrame, ttype: str, code: str, periode: str, ind: str = "plai") -> pd.Series:
    match = df[
        (df["territoire_type"] == ttype)
        & (df["territoire_code"] == code)
        & (df["periode"] == periode)
        & (df["indicateur"] == ind)
    ]
    assert len(match) == 1, (ttype, code, periode, ind, len(match))
    return match.iloc[0]
