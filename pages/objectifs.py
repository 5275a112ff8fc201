"""Objectifs : objectif, réalisé et attendu à date par territoire, trajectoire, équilibre."""

import streamlit as st

from dashboard.app import indicators as ui
from dashboard.indicators.status import DEFINITION_TAUX

data = ui.page_data()
st.title("Objectifs territorialisés et réalisations")

c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
with c2:
    level = ui.level_selector(("instance", "epci"))
with c4:
    as_of = ui.reference_date()
payload = ui.indicators(level, as_of)
table = payload["indicators"]
with c1:
    indicateur = ui.indicator_choice(table)
with c3:
    periode = ui.period_choice(table, indicateur)
rows = ui.rows_for(table, indicateur, periode, level)
dep_table = ui.indicators("departement", as_of, with_balance=False)["indicators"]
dep_rows = ui.rows_for(dep_table, indicateur, periode, "departement")
annee = rows["annee_donnees"].dropna()
ui.data_notice(data, int(annee.iloc[0]) if not annee.empty else None, as_of)
if indicateur == "plai":
    st.caption(ui.realised_statuses_note())

if rows.empty:
    st.info(f"Aucune ligne pour ce choix au niveau {ui.level_label(level)}.")
    st.stop()
unit = str(rows["unite"].iloc[0])
st.subheader(f"{ui.plain(rows['libelle'].iloc[0])} — {ui.level_label(level)}, {ui.plain(periode)}")
ui.objective_chart(rows, unit)
st.caption(f"{DEFINITION_TAUX} Source : {ui.plain(rows['source'].iloc[0])}.")
ui.status_badges(rows)

st.subheader("Trajectoire")
choices = dict(zip(dep_rows["territoire_code"], dep_rows["territoire_nom"], strict=True))
choices |= dict(zip(rows["territoire_code"], rows["territoire_nom"], strict=True))
code = st.selectbox("Territoire", list(choices), format_func=choices.get, key="obj-trajectoire")
ui.trajectory_chart([dep_table, table], indicateur, code, periode)

st.subheader("Tableau")
shown = ui.french_table(rows, ui.INDICATOR_DISPLAY)
st.dataframe(shown, hide_index=True, width="stretch")
ui.downloads(rows, f"objectifs_{indicateur}_{level}_{periode}", "Objectifs")

st.subheader("Équilibre territorial")
besoin = ui.need_choice(data)
ui.balance_section(ui.indicators(level, as_of, besoin)["balance"], indicateur)
