"""Streamlit widgets of the délégués' loop: their entries on the fiche of their EPCI, and the
comité's « Suivi des déclarations » (what awaits a decision, who has not reported).

Entries go through :func:`dashboard.intake.entries.declare` (the import path: validation,
role and scope, import log); decisions through :func:`dashboard.store.reviews.review_entries`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.app import auth as ui_auth
from dashboard.app.data import reference
from dashboard.exports.bundle import ExportBundle, TerritoryRef
from dashboard.formatting import fr_date, fr_int
from dashboard.intake.entries import DECLARABLE_INDICATORS, declare
from dashboard.intake.loader import split_declarations
from dashboard.programme.loop import awaiting, declarations_frame, reporting
from dashboard.store.permissions import (
    DELEGUE_EPCI,
    Acteur,
    PermissionRefusee,
    can_review,
    can_write_kind,
)
from dashboard.store.reviews import review_entries
from dashboard.store.schemas import INDICATORS, STATUT_A_REVOIR, STATUT_VALIDE
from dashboard.store.workspace import WorkspaceError, open_workspace

FLASH = "declarations-message"
DECISIONS = {STATUT_VALIDE: "valider", STATUT_A_REVOIR: "renvoyer à revoir (motif obligatoire)"}


def default_territory() -> str | None:
    """The fiche a délégué lands on: their EPCI (``epci:SIREN``); None for other roles."""
    acteur = ui_auth.session_acteur()
    if acteur.role == DELEGUE_EPCI and acteur.epci_siren:
        return f"epci:{acteur.epci_siren}"
    return None


def _kinds_here(acteur: Acteur, ref: TerritoryRef) -> list[str]:
    """What ``acteur`` may enter on the fiche of ``ref``."""
    if acteur.role == DELEGUE_EPCI:
        mine = ref.type == "epci" and ref.code == acteur.epci_siren
        return ["realisations", "commentaires"] if mine else []
    return [k for k in ("realisations", "commentaires") if can_write_kind(acteur, k)]


def can_enter(ref: TerritoryRef) -> bool:
    """Whether the person of this session may enter something on this fiche."""
    return bool(_kinds_here(ui_auth.session_acteur(), ref))


def _flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        kind, text = message
        (st.success if kind == "ok" else st.error)(text)


def _write(kind: str, row: dict, ref: TerritoryRef, departement: str) -> None:
    acteur = ui_auth.session_acteur()
    with open_workspace() as ws:
        try:
            report = declare(kind, [row], ws, reference(departement), acteur,
                             label=f"saisie en ligne — fiche {ref.key}")  # fmt: skip
        except WorkspaceError as exc:
            st.session_state[FLASH] = ("erreur", str(exc))
            return
    if report.imported:
        what = "Réalisation" if kind == "realisations" else "Commentaire"
        state = (" : elle reste « déclarée » jusqu'à la décision du comité"
                 if acteur.role == DELEGUE_EPCI else "")  # fmt: skip
        st.session_state[FLASH] = ("ok", f"{what} enregistré(e){state}.")
    else:
        errors = "; ".join(m.message for m in report.errors)
        st.session_state[FLASH] = ("erreur", f"Rien n'a été enregistré : {errors}")


def entry_forms(bundle: ExportBundle, ref: TerritoryRef) -> None:
    """Forms to declare a réalisation and a comment for this territory (or its communes)."""
    acteur = ui_auth.session_acteur()
    kinds = _kinds_here(acteur, ref)
    _flash()
    if not kinds:
        st.info("Vous ne pouvez pas saisir pour ce territoire : un délégué déclare pour son "
                "EPCI, le comité et l'administrateur pour tous.")  # fmt: skip
        return
    if acteur.role == DELEGUE_EPCI:
        st.caption("Vos saisies passent par la même vérification qu'un fichier importé ; elles "
                   "restent « déclarées » jusqu'à ce que le comité les valide ou vous les "
                   "renvoie à revoir avec un motif. Tout est tracé dans l'historique.")
    places = {ref.key: f"{ref.nom} (tout le territoire)"}
    if ref.type == "epci":
        com = bundle.territory.reference.communes
        names = dict(zip(com["code_insee"], com["nom"], strict=True))
        places |= {f"commune:{c}": names.get(c, c) for c in sorted(ref.communes,
                                                                   key=names.get)}  # fmt: skip
    c1, c2 = st.columns(2)
    if "realisations" in kinds:
        with c1, st.form("saisie-realisation", clear_on_submit=True):
            st.markdown("**Déclarer une réalisation**")
            where = st.selectbox("Territoire", list(places), format_func=places.get,
                                 key="saisie-real-territoire")  # fmt: skip
            code = st.selectbox("Indicateur", DECLARABLE_INDICATORS,
                                format_func=lambda c: INDICATORS[c].label,
                                key="saisie-real-indicateur")  # fmt: skip
            annee = st.number_input("Année", min_value=2000, max_value=2100, step=1,
                                    value=bundle.today.year, key="saisie-real-annee")
            valeur = st.number_input("Valeur", min_value=0.0, step=1.0, key="saisie-real-valeur")
            source = st.text_input("Source", value="déclaration du délégué",
                                   key="saisie-real-source")  # fmt: skip
            if st.form_submit_button("Déclarer la réalisation", type="primary"):
                typ, _, value = where.partition(":")
                _write("realisations", {
                    "territoire_type": typ, "territoire_code": value, "indicateur": code,
                    "annee": int(annee), "valeur": str(valeur),
                    "source": source, "auteur": acteur.nom or acteur.identifiant,
                }, ref, bundle.departement)  # fmt: skip
                st.rerun()
    if "commentaires" in kinds:
        actions = bundle.programme.actions
        options = ["", *actions["code"]]
        titles = dict(zip(actions["code"], actions["intitule"], strict=True))
        with c2, st.form("saisie-commentaire", clear_on_submit=True):
            st.markdown("**Écrire un commentaire**")
            texte = st.text_area("Commentaire", key="saisie-com-texte", max_chars=2000)
            action = st.selectbox("Action du programme concernée", options,
                                  format_func=lambda c: f"{c} — {titles[c]}" if c else "aucune",
                                  key="saisie-com-action")  # fmt: skip
            if st.form_submit_button("Enregistrer le commentaire", type="primary"):
                _write("commentaires", {
                    "territoire_type": ref.type, "territoire_code": ref.code,
                    "date": dt.date.today().strftime("%d/%m/%Y"), "texte": texte.strip() or None,
                    "auteur": acteur.nom or acteur.identifiant, "action": action or None,
                }, ref, bundle.departement)  # fmt: skip
                st.rerun()


def territory_declarations(bundle: ExportBundle, ref: TerritoryRef) -> None:
    """The réalisations declared for this territory (or its communes), with their state (its
    comments are shown above with theirs)."""
    decl = bundle.declarations
    if decl.empty:
        return
    codes = set(ref.communes)
    mine = decl[(decl["kind"] == "realisations") & (
        ((decl["territoire_type"] == ref.type) & (decl["territoire_code"] == ref.code))
        | ((decl["territoire_type"] == "commune") & decl["territoire_code"].isin(codes)))]
    if mine.empty:
        return
    st.markdown("**Réalisations déclarées par les délégués**")
    declarations_table(mine)


def declarations_table(rows: pd.DataFrame) -> None:
    """Declarations with their state and the comité's motif."""
    table = pd.DataFrame({
        "Déclaration": rows["objet"], "Par": rows["auteur"].fillna(""),
        "État": rows["statut_libelle"]
        + rows["remplacee"].map({True: " (remplacée depuis)", False: ""}),
        "Motif du comité": rows["motif_revue"].fillna(""),
    })  # fmt: skip
    st.dataframe(table, hide_index=True, width="stretch")


# ------------------------------------------------------------------ the comité's view


def declarations_with_ids(bundle: ExportBundle) -> pd.DataFrame:
    """Every declaration as stored now, with its row id (for the comité's decisions)."""
    with open_workspace() as ws:
        if ws.departement != bundle.departement:
            return declarations_frame({}, bundle.territory.reference, bundle.tmap)
        frames = {k: split_declarations(k, ws.read(k, ids=True))[1]
                  for k in ("realisations", "commentaires")}  # fmt: skip
    return declarations_frame(frames, bundle.territory.reference, bundle.tmap)


def _decide(choices: list[str], statut: str, motif: str) -> None:
    acteur = ui_auth.session_acteur()
    done = 0
    try:
        with open_workspace() as ws:
            for kind in ("realisations", "commentaires"):
                ids = [int(c.split(":")[1]) for c in choices if c.startswith(kind + ":")]
                if ids:
                    done += review_entries(ws, acteur, kind, ids, statut, motif)
    except (PermissionRefusee, WorkspaceError) as exc:
        st.session_state[FLASH] = ("erreur", str(exc))
        return
    what = "validée(s)" if statut == STATUT_VALIDE else "renvoyée(s) à revoir"
    st.session_state[FLASH] = ("ok", f"{done} déclaration(s) {what}.")
    st.session_state["decl-choix"] = []


def review_panel(decl: pd.DataFrame) -> None:
    """What awaits the comité, and the decision (validate, or back to review with a motif)."""
    _flash()
    pending = awaiting(decl)
    acteur = ui_auth.session_acteur()
    st.subheader(f"À valider ({fr_int(len(pending))})")
    if pending.empty:
        st.success("Aucune déclaration n'attend la décision du comité.")
        return
    declarations_table(pending)
    if not can_review(acteur):
        st.caption("La décision revient au comité et aux administrateurs.")
        return
    options = {f"{r.kind}:{r.id}": r.objet for r in pending.itertuples()}
    st.multiselect("Déclarations", list(options), format_func=options.get, key="decl-choix",
                   placeholder="Choisir une ou plusieurs déclarations…")  # fmt: skip
    statut = st.radio("Décision", list(DECISIONS), format_func=DECISIONS.get, horizontal=True,
                      key="decl-decision")  # fmt: skip
    motif = st.text_input("Motif (dit au délégué ce qu'il faut revoir)", key="decl-motif")
    st.button("Enregistrer la décision", type="primary", key="decl-enregistrer",
              on_click=_decide,
              args=(st.session_state.get("decl-choix", []), statut, motif),
              disabled=not st.session_state.get("decl-choix"))  # fmt: skip


def reporting_panel(bundle: ExportBundle, decl: pd.DataFrame, annee: int) -> None:
    """Which EPCI reported for ``annee``, and how their declarations stand."""
    rep = reporting(decl, bundle.territory.reference, annee)
    missing = rep[~rep["a_declare"]]
    c1, c2, c3 = st.columns(3)
    c1.metric(f"EPCI sans déclaration pour {annee}",
              f"{fr_int(len(missing))} / {fr_int(len(rep))}")  # fmt: skip
    year = decl[decl["annee"] == annee]
    c2.metric("En attente de décision", fr_int(len(awaiting(year))))
    c3.metric("À revoir par les délégués", fr_int(len(awaiting(year, STATUT_A_REVOIR))))
    table = pd.DataFrame({
        "EPCI": rep["epci_nom"],
        "A déclaré": rep["a_declare"].map({True: "oui", False: "non"}),
        "Réalisations": rep["nb_realisations"].map(fr_int),
        "Commentaires": rep["nb_commentaires"].map(fr_int),
        "En attente": rep["en_attente"].map(fr_int), "À revoir": rep["a_revoir"].map(fr_int),
        "Validées": rep["valides"].map(fr_int),
    })  # fmt: skip
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(f"Un EPCI a déclaré pour {annee} s'il a déclaré une réalisation de {annee} ou "
               f"un commentaire daté de {annee}, pour lui ou l'une de ses communes. Situation "
               f"au {fr_date(dt.date.today())}, lue dans l'espace de travail.")


def years(decl: pd.DataFrame, bundle: ExportBundle) -> list[int]:
    """Years to choose from: those of the declarations and the reference year, latest first."""
    found = {int(y) for y in decl["annee"].dropna()} | {bundle.today.year}
    return sorted(found, reverse=True)


def mine(decl: pd.DataFrame) -> pd.DataFrame:
    """For a délégué: the declarations of their EPCI; for the others: all of them."""
    acteur = ui_auth.session_acteur()
    if acteur.role == DELEGUE_EPCI:
        return decl[decl["epci_siren"] == acteur.epci_siren].reset_index(drop=True)
    return decl

