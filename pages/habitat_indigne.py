"""Habitat indigne : signalements résolus, clos sans résolution ou en cours, par procédure,
motif et territoire, taux, tendance."""

import streamlit as st

from dashboard.app import indicators as ui
from dashboard.formatting import fr_int, fr_number
from dashboard.indicators.outcomes import DEFINITION_ISSUES
from dashboard.indicators.signals import definition_taux
from dashboard.maps.choropleth import DEFAULT_METHOD, METHODS

data = ui.page_data()
st.title("Habitat indigne : signalements")
if not data.has("signalements"):
    st.info("Aucun signalement importé : importez un extrait Signal Logement (page « Données »).")
    st.stop()

c1, c2, c3 = st.columns([2, 1, 1])
with c1:
    level = ui.level_selector(("instance", "epci", "commune"))
years_all = ui.signal_years(data)
with c2:
    annees = ui.year_choice(years_all)
with c3:
    method = ui.url_choice("Classes", list(METHODS), "methode", DEFAULT_METHOD, METHODS.get)
st.caption(f"Source : {ui.plain(data.source)} ; données disponibles jusqu'en {years_all[-1]}.")
st.caption(definition_taux(data.millesime))

dep = ui.signals("summary", "departement", annees).iloc[0]
m1, m2, m3, m4, m5, m6 = st.columns(6)
m1.metric("Signalements reçus", fr_int(dep["nb_signalements"]))
m2.metric("Résolus", fr_int(dep["nb_resolus"]))
m3.metric("Clos sans résolution", fr_int(dep["nb_clos_sans_resolution"]))
m4.metric("En cours", fr_int(dep["nb_en_cours"]))
m5.metric("Pour 10\u202f000 habitants", fr_number(dep["taux_pour_10000"], 1))
m6.metric("Délai médian de clôture", f"{fr_int(dep['delai_median_cloture_jours'])} jours")
st.caption(f"{DEFINITION_ISSUES} Source : {ui.plain(dep['source'])}.")

st.subheader(f"Taux pour 10\u202f000 habitants par {ui.level_label(level)}")
ui.signal_rate_map(level, annees, method)

st.subheader("Issue des signalements et procédures")
p1, p2 = st.columns(2)
for col, by in ((p1, "issue"), (p2, "procedure")):
    with col:
        frame = ui.signals(by, level if level != "commune" else "epci", annees)
        ui.stacked_bars(frame, "territoire_nom", by, "nb_signalements", f"sig-{by}",
                        ui.ISSUE_COLOURS if by == "issue" else ui.PROCEDURE_COLOURS,
                        y_title="signalements",
                        horizontal=True)  # fmt: skip
st.subheader("Motifs de clôture des signalements clos (département)")
motifs = ui.signals("motif_cloture", "departement", annees)
ui.stacked_bars(motifs, "motif_cloture", "territoire_nom", "nb_signalements", "sig-motifs", {},
                y_title="signalements", horizontal=True)  # fmt: skip

st.subheader("Tendance par année (département)")
trend = ui.signals("trend", "departement")
ui.trend_chart(trend)
st.caption("Année de dépôt pour les reçus, de clôture pour les résolus et les clos sans "
           f"résolution. Source : {ui.plain(data.source)}.")

st.subheader("Tableau")
summary = ui.signals("summary", level, annees)
st.dataframe(ui.french_table(summary, ui.SIGNAL_DISPLAY), hide_index=True, width="stretch")
ui.downloads(summary, f"signalements_{level}", "Signalements")
