"""Streamlit widgets of the « Fiche territoire » page.

The page shows :func:`dashboard.exports.fiche.fiche_content`, the same tables as the PDF
fiche, so the screen and the export never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.app import common as ui
from dashboard.app.plotly_style import LEGEND_TOP, french_figure, year_axis
from dashboard.app.text import plain
from dashboard.coverage import SEVERITY_LABELS
from dashboard.exports.bundle import (
    ExportBundle,
    TerritoryRef,
    bundle_from_parts,
    bundle_parts,
    load_bundle,
)
from dashboard.exports.fiche import FicheContent, fiche_content, field_value
from dashboard.formatting import fr_int, fr_number, fr_percent
from dashboard.indicators.outcomes import DEFINITION_ISSUES
from dashboard.indicators.signals import definition_taux
from dashboard.indicators.status import DEFINITION_TAUX, REGLE_DATE_REFERENCE, au
from dashboard.maps.static import overview_png
from dashboard.maps.territory import Territory
from dashboard.store.schemas import label as code_label
from geo.reference import SOURCE_GEOGRAPHIE


@st.cache_resource(max_entries=4, show_spinner="Préparation des données…")
def cached_bundle(departement: str, signature: str) -> ExportBundle:
    """Everything the fiche, the presentation and the exports show, once per workspace state
    (computed once for every process, :func:`dashboard.app.common.shared`)."""
    parts = ui.shared(departement, "bundle|date-par-defaut",
                      lambda: bundle_parts(load_bundle(departement)), signature)  # fmt: skip
    return bundle_from_parts(parts, ui.territory(departement))


@st.cache_data(max_entries=32, show_spinner=False)
def location_png(departement: str, key: str, signature: str) -> bytes:
    """Static location map (drawn by the app, no tiles) with the territory in red."""
    bundle = cached_bundle(departement, signature)
    terr = bundle.territory
    return overview_png(
        terr.communes, terr.epci, terr.instances,
        highlight=bundle.geometry_of(bundle.territoire(key)), size=(6.0, 6.0),
        source=f"{SOURCE_GEOGRAPHIE} ; {terr.instances_source}",
    )  # fmt: skip


def fiche_url(departement: str, key: str, absolute: bool = False) -> str:
    """Link to the fiche of ``key`` (``epci:SIREN``, ``instance:CODE``): relative, or the
    full address of this server (to copy and send) when it is known."""
    query = f"fiche?dep={quote(departement, safe='')}&territoire={quote(key, safe=':')}"
    if absolute:
        here = str(st.context.url or "")
        if here.startswith(("http://", "https://")):
            base = here.split("?", 1)[0].split("#", 1)[0]
            return f"{base.rsplit('/', 1)[0]}/{query}"
    return f"./{query}"


def fiche_button(terr: Territory, level: str, code: str) -> None:
    """« Voir la fiche » of a clicked territory, in a detail panel: the EPCI or instance
    itself, the EPCI of a commune."""
    if level == "commune":
        com = terr.reference.communes
        siren = com.loc[com["code_insee"].astype(str) == str(code), "epci_siren"]
        if siren.empty or pd.isna(siren.iloc[0]):
            return
        level, code = "epci", str(siren.iloc[0])
    if level == "epci":
        names = terr.epci.loc[terr.epci["siren"].astype(str) == str(code), "nom"]
    elif level == "instance" and not terr.instances.empty:
        names = terr.instances.loc[terr.instances["instance_code"].astype(str) == str(code),
                                   "instance_nom"]  # fmt: skip
    else:
        return
    if names.empty:
        return
    st.link_button(f"Voir la fiche : {plain(names.iloc[0])}",
                   fiche_url(terr.reference.departement, f"{level}:{code}"))  # fmt: skip


def search_label(ref: TerritoryRef, nature: str = "") -> str:
    """What the territory list shows and searches: kind and name, then the common names
    a user types (« la Métro » for a métropole) and the accented words without accents
    (« metropole », « gresivaudan »): the list's search matches letters exactly."""
    kind = "EPCI" if ref.type == "epci" else "Instance"
    aliases = ["la Métro"] if nature == "ME" else []
    folded = [w for w in _WORDS.findall(ref.nom) if _fold(w) != w.lower()]
    if folded:
        aliases.append(" ".join(_fold(w) for w in [*(["Métro"] if nature == "ME" else []),
                                                   *folded]))  # fmt: skip
    return f"{kind} — {ref.nom}" + (f" · {', '.join(aliases)}" if aliases else "")


_WORDS = re.compile(r"[^\W\d_]+")


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word.lower())
                   if not unicodedata.combining(c))  # fmt: skip


@st.cache_resource(max_entries=8, show_spinner=False)
def _choices(
    departement: str, signature: str, _bundle: ExportBundle
) -> tuple[dict[str, TerritoryRef], dict[str, str]]:
    """The territories of the selector and their labels, once per workspace state
    (read-only for the page)."""
    del departement, signature  # the cache's key
    refs = {r.key: r for r in _bundle.epci_refs() + _bundle.instance_refs()}
    epci = _bundle.territory.epci
    natures = dict(zip("epci:" + epci["siren"].astype(str), epci["nature"], strict=True))
    return refs, {k: search_label(r, str(natures.get(k, ""))) for k, r in refs.items()}


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_fiche(
    departement: str, signature: str, key: str, _bundle: ExportBundle, _ref: TerritoryRef
) -> FicheContent:
    """:func:`~dashboard.exports.fiche.fiche_content` of one territory, once per workspace
    state: every click on the page reruns it, and it reads every table of the bundle.
    Read-only for the page (shared by every session of the process)."""
    del departement, signature, key  # the cache's key
    return fiche_content(_bundle, _ref)


def selector(
    bundle: ExportBundle, signature: str, default: str | None = None
) -> TerritoryRef | None:
    """Territory selector bound to ``?territoire=epci:SIREN`` (shareable link); without it,
    ``default`` (a délégué's EPCI). The list is built once per workspace ``signature``."""
    refs, labels = _choices(bundle.departement, signature, bundle)
    wanted = st.query_params.get("territoire") or default
    if "fiche-territoire" not in st.session_state:
        st.session_state["fiche-territoire"] = wanted if wanted in refs else None
    value = st.selectbox(
        "Territoire", list(refs),
        format_func=labels.get, key="fiche-territoire",
        placeholder="Choisir ou taper un nom, un sigle (CAPI, la Métro…)",
    )  # fmt: skip
    if wanted and wanted not in refs:
        st.warning(f"Territoire « {plain(wanted)} » inconnu dans ce département.")
    if value and st.query_params.get("territoire") != value:
        st.query_params["territoire"] = value
    return refs.get(value) if value else None


def header(bundle: ExportBundle, fiche: FicheContent) -> None:
    """Title, kind and key figures with their sources."""
    ref = fiche.ref
    st.title(plain(ref.nom))
    demo = f" — {plain(bundle.demo_note)}" if bundle.is_demo else ""
    st.caption(f"{plain(ref.kind_label)} — code {plain(ref.code)}{demo}")
    cols = st.columns(3)
    for i, (label, value, source) in enumerate(fiche.key_figures):
        with cols[i % 3]:
            if any(ch.isalpha() for ch in value):  # names, not figures: no big metric type
                st.markdown(f"**{plain(label)}**  \n{plain(value)}")
            else:
                st.metric(plain(label), value)
            st.caption(plain(source))
    st.caption(f"Situation {au(bundle.today)} ({REGLE_DATE_REFERENCE}).")
    st.markdown("**Lien de cette fiche** (à copier et envoyer)")
    st.code(fiche_url(bundle.departement, ref.key, absolute=True), language=None)


def pick(bundle: ExportBundle) -> None:
    """The empty fiche page: the département's map and the list of its EPCI and instances,
    each opening its fiche."""
    st.title("Fiche territoire")
    st.markdown("Choisissez un territoire ci-dessus (tapez un nom ou un sigle), ou ci-dessous.")
    c_map, c_epci, c_inst = st.columns([2, 1.3, 1.1], gap="medium")
    terr = bundle.territory
    with c_map:
        st.image(overview_png(terr.communes, terr.epci, terr.instances, size=(7.0, 6.0),
                              legend_fontsize=11.0))  # fmt: skip
        st.caption(f"Instances locales et EPCI — {plain(SOURCE_GEOGRAPHIE)}")
    for col, title, refs in ((c_epci, "EPCI", bundle.epci_refs()),
                             (c_inst, "Instances locales", bundle.instance_refs())):  # fmt: skip
        with col:
            st.subheader(title)
            for ref in refs:
                st.button(plain(ref.nom), key=f"pick-{ref.key}", on_click=_open, args=(ref.key,),
                          width="stretch", type="tertiary")  # fmt: skip


def _open(key: str) -> None:
    st.session_state["fiche-territoire"] = key
    st.query_params["territoire"] = key


def objectives(fiche: FicheContent) -> None:
    """PLA-I objective against achievement per year, and the cumulative trajectory."""
    years = fiche.annual
    period = fiche.objectives[fiche.objectives["indicateur"] == "plai"]
    if years.empty or period.empty:
        st.info("Aucun objectif PLA-I territorialisé pour ce territoire.")
    else:
        p = period.iloc[0]
        c1, c2 = st.columns(2)
        bars = go.Figure()
        for col, name, colour in (
            ("objectif", "Objectif annuel", "#c9d3e8"),
            ("realise", "Financés (agréés, livrés)", "#000091"),
            ("programme", "Programmés", "#f5c98c"),
        ):
            bars.add_bar(x=years["periode"].astype(str), y=years[col], name=name,
                         marker_color=colour)  # fmt: skip
        bars.update_layout(barmode="group", height=340, margin={"t": 60, "b": 10},
                           title="PLA-I par an", legend=LEGEND_TOP)  # fmt: skip
        year_axis(bars, list(years["periode"]))
        c1.plotly_chart(french_figure(bars), width="stretch", key="fiche-bars")
        cum = years.assign(cumul=years["realise"].cumsum(), cible=years["objectif"].cumsum())
        # Realised values stop with the data: no flat line over years not yet reported.
        last = years["annee_donnees"].max()
        done = cum if pd.isna(last) else cum[cum["periode"].astype(int) <= int(last)]
        traj = go.Figure()
        traj.add_scatter(x=cum["periode"].astype(str), y=cum["cible"], name="Objectif cumulé",
                         line={"dash": "dash", "color": "#666666"})  # fmt: skip
        traj.add_scatter(x=done["periode"].astype(str), y=done["cumul"], name="Financés cumulés",
                         line={"color": "#000091", "width": 3})  # fmt: skip
        traj.update_layout(height=340, margin={"t": 60, "b": 10}, legend=LEGEND_TOP,
                           title=f"Trajectoire {p['periode']}")  # fmt: skip
        year_axis(traj, list(cum["periode"]))
        c2.plotly_chart(french_figure(traj), width="stretch", key="fiche-trajectoire")
        st.markdown(
            f"**{plain(p['periode'])}** : objectif {fr_int(p['objectif'])}, financés "
            f"{fr_int(p['realise'])} ({fr_percent(p['taux'])}), attendu à date "
            f"{fr_int(p['attendu_a_date'])} — **{plain(p['statut'])}**"
        )
        st.caption(f"Source : {plain(p['source'])}. {DEFINITION_TAUX}")
    day = fiche.objectives["date_statut"].dropna() if "date_statut" in fiche.objectives else []
    status = f"Statut {au(day.iloc[0])}" if len(day) else "Statut"
    table = fiche.objectives[["libelle", "periode", "objectif", "realise", "taux", "statut"]].copy()
    table["objectif"] = table["objectif"].map(fr_int)
    table["realise"] = table["realise"].map(lambda v: fr_number(v, 0))
    table["taux"] = table["taux"].map(fr_percent)
    st.dataframe(
        table.rename(columns={"libelle": "Indicateur", "periode": "Période", "objectif": "Objectif",
                              "realise": "Réalisé", "taux": "Taux", "statut": status}),
        hide_index=True, width="stretch",
    )  # fmt: skip


def operations(bundle: ExportBundle, fiche: FicheContent) -> None:
    """PLA-I operations of the territory."""
    ops = fiche.operations
    if ops.empty:
        st.info("Aucune opération PLA-I.")
        return
    names = {"annee": "Année", "commune": "Commune", "libelle": "Opération",
             "bailleur": "Bailleur", "statut": "Statut", "nb_plai": "PLA-I", "nb_plus": "PLUS",
             "nb_pls": "PLS"}  # fmt: skip
    cols = [c for c in names if c in ops]
    shown = ops[cols].copy()
    if "statut" in shown:
        shown["statut"] = shown["statut"].map(lambda s: code_label("statut_operation", s))
    if "annee" in shown:
        shown["annee"] = shown["annee"].map(lambda y: "–" if pd.isna(y) else str(int(y)))
    st.dataframe(shown.rename(columns=names), hide_index=True, width="stretch", height=280)
    st.caption(f"Source : opérations importées (Sisal / Galion) — {plain(bundle.source)}")


def signals(fiche: FicheContent) -> None:
    """Signals of substandard housing: totals and trend."""
    mine = fiche.signals[fiche.signals["territoire_type"] == fiche.ref.type]
    if mine.empty:
        st.info("Aucun signalement.")
        return
    s = mine.iloc[0]
    c1, c2, c3, c4, c5, c6 = st.columns(6)
    c1.metric("Signalements", fr_int(s["nb_signalements"]))
    c2.metric("Résolus", fr_int(s["nb_resolus"]))
    c3.metric("Clos sans résolution", fr_int(s["nb_clos_sans_resolution"]))
    c4.metric("En cours", fr_int(s["nb_en_cours"]))
    c5.metric("Pour 10 000 habitants", fr_number(s["taux_pour_10000"]))
    c6.metric("Délai médian de clôture", f"{fr_int(s['delai_median_cloture_jours'])} jours")
    trend = fiche.signal_trend
    if not trend.empty:
        fig = go.Figure()
        trend = trend.assign(annee=trend["annee"].astype(int).astype(str))
        fig.add_bar(x=trend["annee"], y=trend["nb_signalements"], name="Reçus",
                    marker_color="#000091", offsetgroup="recus")  # fmt: skip
        fig.add_bar(x=trend["annee"], y=trend["nb_resolus"], name="Résolus",
                    marker_color="#2e8540", offsetgroup="clos")  # fmt: skip
        fig.add_bar(x=trend["annee"], y=trend["nb_clos_sans_resolution"],
                    base=trend["nb_resolus"], name="Clos sans résolution",
                    marker_color="#f08a24", offsetgroup="clos")  # fmt: skip
        fig.update_layout(barmode="group", height=300, margin={"t": 20, "b": 10},
                          legend=LEGEND_TOP)  # fmt: skip
        year_axis(fig, list(trend["annee"]))
        st.plotly_chart(french_figure(fig), width="stretch", key="fiche-signaux")
    st.caption(
        f"{DEFINITION_ISSUES} Source : {plain(s['source'])}. "
        f"{definition_taux(fiche.millesime)}"
    )


def other_fields(fiche: FicheContent) -> None:
    """Key figures of the other fields of the plan (evictions, DALO, priority allocations,
    SIAO, FSL), last year of each, next to the département's."""
    rows = fiche.fields
    if rows.empty:
        st.info("Aucune donnée des autres champs du plan (expulsions, DALO, attributions "
                "prioritaires, SIAO, FSL) pour ce territoire : une donnée d'EPCI ne compte "
                "que pour les instances qui contiennent tout l'EPCI.")
        return
    table = pd.DataFrame({
        "Champ": rows["champ"], "Indicateur": rows["libelle_court"],
        "Année": rows["annee"].astype(str),
        "Territoire": [field_value(v, u) for v, u in zip(rows["valeur"], rows["unite"],
                                                         strict=True)],
        "Département": [field_value(v, u) for v, u in zip(rows["valeur_departement"],
                                                          rows["unite"], strict=True)],
    })  # fmt: skip
    st.dataframe(table, hide_index=True, width="stretch")
    for champ, source in rows.drop_duplicates("champ")[["champ", "source"]].itertuples(
            index=False):  # fmt: skip
        st.caption(f"{plain(champ)} — source : {plain(source)}.")


def plh(bundle: ExportBundle, fiche: FicheContent) -> None:
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
    table["statut"] = table["statut"].map(lambda s: code_label("statut_plan", s))
    st.dataframe(
        table.rename(columns={"nom": "EPCI", "intitule": "PLH", "statut": "Statut",
                              "date_debut": "Début", "date_fin": "Fin",
                              "objectif_plai_annuel": "PLA-I / an"}),
        hide_index=True, width="stretch",
    )  # fmt: skip
    st.caption(f"Source : plans — {plain(bundle.coverage.source)}")


def findings(fiche: FicheContent) -> None:
    """Coverage findings about the territory, its EPCI, its instances or its communes."""
    if fiche.findings.empty:
        st.success("Aucun écart de couverture ne concerne ce territoire.")
        return
    for row in fiche.findings.itertuples():
        label = SEVERITY_LABELS.get(row.severity, row.severity)
        st.markdown(f"**{plain(label)} — {plain(row.rule_label)}** : {plain(row.message)}")
        st.caption(f"Base : {plain(row.article)}")


def comparison(bundle: ExportBundle, fiche: FicheContent) -> None:
    """The territory beside its peers and the département."""
    table = fiche.comparison.copy()
    table["Territoire"] = table["territoire_nom"] + table["est_ce_territoire"].map(
        {True: " ◀", False: ""}
    )
    table["Population"] = table["population"].map(fr_int)
    table["Objectif PLA-I"] = table["objectif"].map(fr_int)
    table["PLA-I financés"] = table["realise"].map(fr_int)
    table["Taux d'atteinte"] = table["taux"].map(fr_percent)
    table["Signalements pour 10 000 hab."] = table["taux_pour_10000"].map(fr_number)
    cols = ["Territoire", "Population", "Objectif PLA-I", "PLA-I financés", "Taux d'atteinte",
            "Signalements pour 10 000 hab."]  # fmt: skip
    st.dataframe(table[cols], hide_index=True, width="stretch")
    peers = "EPCI de même nature" if fiche.ref.type == "epci" else "autres instances"
    st.caption(
        f"Comparaison avec les {peers} et le département. "
        f"{bundle.territory.reference.source_population[0].upper()}"
        f"{bundle.territory.reference.source_population[1:]} ; opérations et signalements : "
        f"{plain(bundle.source)}."
    )


def pdf_download(bundle: ExportBundle, fiche: FicheContent) -> None:
    """Build the PDF fiche on demand (a few seconds) and offer it for download."""
    from dashboard.exports.pdf import fiche_pdf

    key = f"pdf-{fiche.ref.key}"
    if st.button("Préparer la fiche PDF", key=f"make-{key}"):
        with st.spinner("Mise en page du PDF…"):
            st.session_state[key] = fiche_pdf(bundle, fiche.ref)
    if key in st.session_state:
        st.download_button(
            "Télécharger la fiche PDF", st.session_state[key],
            file_name=f"fiche_{fiche.ref.type}_{fiche.ref.code}.pdf", mime="application/pdf",
            key=f"dl-{key}",
        )  # fmt: skip
