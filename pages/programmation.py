"""Programmation PLA-I : opérations par année, statut, bailleur et territoire (Sisal)."""

import streamlit as st

from dashboard.app import indicators as ui
from dashboard.indicators.facts import SOURCE_OPERATIONS

data = ui.page_data()
st.title("Programmation PLA-I")
if not data.has("operations"):
    st.info("Aucune opération importée : importez un extrait Sisal / Galion (page « Données »).")
    st.stop()

c1, c2 = st.columns([2, 1])
with c1:
    level = ui.level_selector(("instance", "epci"))
with c2:
    as_of = ui.reference_date()
by_year = ui.programming("departement", ("annee", "statut"))
ui.data_notice(data, int(by_year["annee"].max()), as_of)
st.caption(ui.realised_statuses_note())
colours, labels = ui.status_colours()
source = f"Source : {SOURCE_OPERATIONS.split(',')[0]} — {ui.plain(data.source)}."

st.subheader("Logements PLA-I par année et statut")
ui.stacked_bars(by_year, "annee", "statut", "nb_plai", "prog-annees", colours, labels,
                "logements PLA-I")  # fmt: skip
st.caption(source)

years = ui.year_choice(sorted(int(y) for y in by_year["annee"].unique()))
per_territory = ui.programming(level, ("annee", "statut"))
if years is not None:
    per_territory = per_territory[per_territory["annee"] == years[0]]
st.subheader(f"Par territoire ({ui.level_label(level)})")
ui.stacked_bars(per_territory, "territoire_nom", "statut", "nb_plai", "prog-territoires",
                colours, labels, "logements PLA-I", horizontal=True)  # fmt: skip
st.caption(source)

st.subheader("Par bailleur")
by_owner = ui.programming("departement", ("bailleur", "statut"))
ui.stacked_bars(by_owner, "bailleur", "statut", "nb_plai", "prog-bailleurs", colours, labels,
                "logements PLA-I", horizontal=True)  # fmt: skip
st.caption(source)

st.subheader("Tableau")
table = ui.programming(level, ("annee", "statut", "bailleur"))
if years is not None:
    table = table[table["annee"] == years[0]]
st.dataframe(ui.french_table(table, ui.PROGRAMMING_DISPLAY), hide_index=True, width="stretch")
ui.downloads(table, f"programmation_plai_{level}", "Programmation PLA-I")
