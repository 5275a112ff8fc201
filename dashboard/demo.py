"""Files of the embedded Isère demonstration (invented data, real geography)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_DEPARTEMENT = "38"
#: Label shown next to every invented figure or perimeter.
DEMO_LABEL = "données de démonstration"
INSTANCES_FILE = DEMO_DIR / "instances_clh.csv"


def read_demo_instance_rows() -> pd.DataFrame:
    """Rows of the demo CLH file (cp1252, ``;``), by commune or by whole EPCI.

    The file models the 13 territoires du Département de l'Isère. It keeps a realistic
    fault: the CLH cut predates the 2019 merger that formed CC Entre Bièvre et Rhône, so
    the former Territoire de Beaurepaire communes sit in Bièvre-Valloire and the former
    Pays Roussillonnais in Isère rhodanienne; and Valencin was forgotten when Collines
    Isère Nord Communauté was listed commune by commune.
    """
    return pd.read_csv(INSTANCES_FILE, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
