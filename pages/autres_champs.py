"""Autres champs du plan : prévention des expulsions (CCAPEX), DALO, attributions aux publics
prioritaires, SIAO et FSL, par territoire (carte, tendance, tableau)."""

import streamlit as st

from dashboard.app import fields as ui
from dashboard.app import indicators as ind
from dashboard.maps.choropleth import DEFAULT_METHOD, METHODS

data = ind.page_data()
st.title("Autres champs du plan")
st.caption("Accès au logement des publics prioritaires (DALO, accords collectifs, SIAO), "
           "prévention des expulsions (CCAPEX) et Fonds de solidarité pour le logement.")
present = [k for k in ui.FIELDS if data.has(k)]
if not present:
    st.info("Aucune donnée de ces champs : importez les types expulsions, dalo, "
            "attributions_prioritaires, siao ou fsl (page « Données »).")
    st.stop()

c1, c2, c3 = st.columns([2, 1, 1])
with c1:
    kind = ui.field_choice(present)
with c2:
    level = ind.url_choice("Niveau", ["epci", "instance"], "niveau", "epci",
                           ind.LEVEL_CHOICES.get, "radio")
with c3:
    method = ind.url_choice("Classes", list(METHODS), "methode", DEFAULT_METHOD, METHODS.get)
frame = ui.table(kind, level)
c4, c5 = st.columns([1, 2])
with c4:
    year = ui.year_choice(frame)
with c5:
    column = ui.indicator_choice(kind, frame)

st.subheader(f"{ui.FIELDS[kind].label} — département, {year}")
ui.headline(frame, kind, year)
st.caption(ui.plain(ui.FIELDS[kind].definition))

st.subheader(f"Carte par {ind.level_label(level)}")
ui.field_map(kind, level, frame, column, year, method)
st.caption("Une donnée d'EPCI ne compte que pour les instances qui contiennent tout l'EPCI ; "
           "les taux pour 1\u202f000 habitants portent sur la population des communes "
           "couvertes par les données.")

st.subheader("Tendance (département)")
ui.trend_chart(kind, frame)

st.subheader("Tableau")
shown = ui.of_year(frame, year)
st.dataframe(ui.french_table(shown, kind), hide_index=True, width="stretch")
ind.downloads(shown, f"{kind}_{level}_{year}", ui.FIELDS[kind].label[:31])
ui.source_note(frame, kind)
