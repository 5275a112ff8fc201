"""The embedded Isère demonstration: invented plan data on the real geography.

The files of ``data/demo`` (made by ``data/demo/generate_demo.py``) are imported through
the same path as a user's files; every figure drawn from them is labelled
:data:`DEMO_LABEL`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard.intake.imports import ImportReport, import_file
from dashboard.store.workspace import open_workspace
from geo.reference import load_reference

DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"
#: The demonstration is Isère's.
DEMO_DEPARTEMENT = "38"
#: Label shown next to every invented figure or perimeter.
DEMO_LABEL = "données de démonstration"
#: Author recorded in the import log for the demo files: tells demo tables apart.
DEMO_USER = "démonstration"
INSTANCES_FILE = DEMO_DIR / "instances_clh.csv"
#: Demo files imported by ``territoires demo``, in order (kind, file).
DEMO_FILES: tuple[tuple[str, str], ...] = (
    ("instances", "instances_clh.csv"),
    ("objectifs", "objectifs_pdalhpd.xlsx"),
    ("realisations", "realisations.csv"),
    ("realisations", "declarations_delegues.csv"),
    ("operations", "operations_sisal.csv"),
    ("signalements", "signalements_signal_logement.xlsx"),
    ("plans", "plans.csv"),
    ("actions", "programme_actions.xlsx"),
    ("jalons", "jalons_actions.csv"),
    ("commentaires", "commentaires.csv"),
    ("expulsions", "expulsions_ccapex.csv"),
    ("dalo", "dalo_infodalo.xlsx"),
    ("attributions_prioritaires", "attributions_prioritaires.xlsx"),
    ("siao", "siao_activite.csv"),
    ("fsl", "fsl_aides.xlsx"),
)
#: Demo files added to their table (``append``) instead of replacing it: the réalisations
#: the délégués declared in the app, some validated, some awaiting the comité.
DEMO_APPEND: frozenset[str] = frozenset({"declarations_delegues.csv"})


def read_demo_instance_rows() -> pd.DataFrame:
    """Rows of the demo CLH file (cp1252, ``;``), by commune or by whole EPCI.

    The file models the 13 territoires du Département de l'Isère. It keeps a realistic
    fault: the CLH cut predates the 2019 merger that formed CC Entre Bièvre et Rhône, so
    the former Territoire de Beaurepaire communes sit in Bièvre-Valloire and the former
    Pays Roussillonnais in Isère rhodanienne; and Valencin was forgotten when Collines
    Isère Nord Communauté was listed commune by commune.
    """
    return pd.read_csv(INSTANCES_FILE, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)


def build_demo(workspace_dir: str | Path | None = None) -> list[tuple[str, ImportReport]]:
    """Build the Isère demo workspace from the files of ``data/demo`` (same import path).

    Every table of the demo is replaced; the reference is the real one.

    Returns
    -------
    list of (file name, ImportReport)
        One report per demo file, in import order; an invalid one is a bug.
    """
    reference = load_reference(DEMO_DEPARTEMENT)
    reports = []
    with open_workspace(workspace_dir) as workspace:
        for kind, name in DEMO_FILES:
            data = (DEMO_DIR / name).read_bytes()
            mode = "append" if name in DEMO_APPEND else "replace"
            report = import_file(kind, data, name, workspace, reference, user=DEMO_USER,
                                 mode=mode)
            reports.append((name, report))
    return reports
