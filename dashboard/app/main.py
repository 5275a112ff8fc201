"""Streamlit entrypoint: ``streamlit run dashboard/app/main.py``.

Sets the page, serves Leaflet locally, shows the shared sidebar and hands over to
``st.navigation``. Pages live in ``pages/`` at the project root and stay thin.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[2]
# `streamlit run dashboard/app/main.py` works without installing the package.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.app.assets import install_static_assets  # noqa: E402
from dashboard.app.auth import require_acteur  # noqa: E402
from dashboard.app.common import departement_selector, run_page  # noqa: E402
from dashboard.store.permissions import DELEGUE_EPCI  # noqa: E402

PAGES_DIR = ROOT / "pages"

st.set_page_config(
    page_title="Territoires du Plan",
    layout="wide",
    initial_sidebar_state="expanded",
)
install_static_assets()

# Pages are registered only when their file exists, so that the app runs at every stage.
# No page icons: Streamlit fetches Material icons from Google's font servers (not offline).
_PAGES = [
    ("accueil.py", "Carte du département", True),
    ("carte.py", "Carte des indicateurs", False),
    ("objectifs.py", "Objectifs", False),
    ("programmation.py", "Programmation PLA-I", False),
    ("habitat_indigne.py", "Habitat indigne", False),
    ("acces_logement.py", "Accès au logement", False),
    ("prevention_expulsions.py", "Prévention des expulsions", False),
    ("autres_champs.py", "Autres champs du plan", False),
    ("couverture.py", "Couverture des plans", False),
    ("programme.py", "Programme d'actions", False),
    ("declarations.py", "Suivi des déclarations", False),
    ("bilans.py", "Bilans annuels", False),
    ("fiche.py", "Fiche territoire", False),
    ("presentation.py", "Mode présentation", False),
    ("exports.py", "Exports", False),
    ("donnees.py", "Données", False),
]

st.sidebar.markdown("**Territoires du Plan**  \nPDALHPD — tableau de bord territorial")
departement_selector()
acteur = require_acteur()  # login when OIDC is configured; else local mode (administrateur)
# A délégué lands on the fiche of their EPCI (the fiche opens it when no ?territoire= is given).
landing = "fiche.py" if acteur.role == DELEGUE_EPCI else None
#: Reached by their links only (``?champ=`` of the fiches), not listed in the menu.
_HIDDEN = {"autres_champs.py"}
pages = [
    st.Page(PAGES_DIR / name, title=title,
            default=name == landing if landing else default,
            visibility="hidden" if name in _HIDDEN else "visible")
    for name, title, default in _PAGES
    if (PAGES_DIR / name).exists()
]
navigation = st.navigation(pages, expanded=True)  # every page listed: no English « View more »
run_page(navigation)  # an internal error: a French message, no traceback (outside development)
