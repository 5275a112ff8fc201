"""Carte des indicateurs : n'importe quel indicateur à n'importe quel niveau, par classes."""

import streamlit as st

from dashboard.app import indicators as ui
from dashboard.indicators.signals import definition_taux
from dashboard.indicators.status import DEFINITION_TAUX
from dashboard.maps.choropleth import DEFAULT_METHOD, METHODS

data = ui.page_data()
st.title("Carte des indicateurs")

with st.sidebar:
    level = ui.level_selector(("instance", "epci", "commune"))
    measure = ui.url_choice(
        "Mesure cartographiée", list(ui.MEASURES), "mesure", "realise",
        lambda m: ui.MEASURES[m][0],
    )  # fmt: skip
    method = ui.url_choice(
        "Classes", list(METHODS), "methode", DEFAULT_METHOD, METHODS.get,
        help_text="Quantiles : autant de territoires par classe ; Jenks : seuils naturels "
        "(mapclassify) ; intervalles égaux : classes de même amplitude.",
    )  # fmt: skip
    operations_mode = ui.url_choice(
        "Opérations PLA-I", ["points", "communes", "aucune"], "operations", "points",
        {"points": "une par opération", "communes": "cumulées par commune",
         "aucune": "masquées"}.get,
    )  # fmt: skip
    as_of = ui.reference_date()

table = ui.indicators(level, as_of)["indicators"]
c1, c2 = st.columns(2)
with c1:
    indicateur = ui.indicator_choice(table)
with c2:
    periode = ui.period_choice(table, indicateur)
annee = table.loc[table["indicateur"] == indicateur, "annee_donnees"].dropna()
ui.data_notice(data, int(annee.iloc[0]) if not annee.empty else None, as_of)

ui.indicator_map(level, measure, indicateur, periode, as_of, method, operations_mode)
st.caption(DEFINITION_TAUX)
st.caption(definition_taux() + " " + ui.realised_statuses_note())
