"""Streamlit widgets of the « Données » page: upload, check, map headers, import, history.

The page stays thin; every computation goes through :mod:`dashboard.intake.imports` and
:mod:`dashboard.store.workspace`, exactly as the CLI does. Uploaded bytes are kept in memory
only; their file name is a label, never a path. Two writes ask for a confirmation that
names the table and its row count: a file with no row that would empty a table (the data
layer refuses it otherwise), and « Rétablir l'état précédent » in the history.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import pandas as pd
import streamlit as st

from dashboard.app import auth as ui_auth
from dashboard.app.text import plain
from dashboard.formatting import fr_date, fr_datetime, fr_int, num
from dashboard.intake.imports import ImportReport, check_file, import_file
from dashboard.intake.parsers import likely_kinds
from dashboard.intake.templates import table_csv, table_xlsx, template, template_formats
from dashboard.store.permissions import (
    DELEGUE_EPCI,
    ROLE_LABELS,
    Acteur,
    PermissionRefusee,
    can_write_kind,
    writable_kinds,
)
from dashboard.store.schemas import KIND_NAMES, KINDS, is_blank
from dashboard.store.workspace import (
    Workspace,
    WorkspaceError,
    history_records,
    open_workspace,
    state_before_label,
)
from geo.reference import Reference, load_reference

IGNORE = "(ignorer cette colonne)"
UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "geojson", "json", "gpkg", "zip"]
#: Streamlit's uploader writes « Upload » and « 50MB per file • … » in English and offers no
#: parameter to change them (streamlit/streamlit#13500): the texts are replaced in CSS, and
#: the formats and the limit are said in French below the widget. If a Streamlit upgrade
#: renames these test ids, the English texts simply come back.
FRENCH_UPLOADER_CSS = """
<style>
[data-testid="stFileUploaderDropzone"] button p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button p::after { content: "Parcourir"; font-size: 1rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "ou glisser-déposer le fichier ici"; font-size: 0.875rem;
}
</style>
"""
HISTORY_LABELS = {
    "id": "N°", "date": "Date (heure de Paris)", "kind": "Type", "mode": "Opération",
    "fichier": "Fichier", "lignes": "Lignes", "lignes_avant": "État d'avant",
    "utilisateur": "Par", "role": "Rôle", "avertissements": "Avertissements",
    "sha256": "Empreinte SHA-256",
}
#: Session key of the message shown after a restore (the page reruns to refresh the log).
RESTORED_KEY = "donnees_restored"


@st.cache_resource(show_spinner="Chargement du référentiel territorial…")
def reference(departement: str) -> Reference:
    """Reference of a département, cached on its code."""
    return load_reference(departement)


@st.cache_data(show_spinner=False)
def _template(kind: str, fmt: str) -> tuple[bytes, str, str]:
    return template(kind, fmt)


def max_upload_mb() -> int:
    """Upload limit in MB, as configured in ``.streamlit/config.toml``."""
    return int(st.get_option("server.maxUploadSize"))


def kind_label(kind: str) -> str:
    """« operations — Opérations financées (extrait Sisal / Galion) »."""
    return f"{kind} — {KINDS[kind].label}"


def workspace_banner(ws: Workspace, departement: str) -> bool:
    """State where the workspace is and whether it matches the département.

    Returns
    -------
    bool
        True when files may be imported for ``departement``.
    """
    owner = ws.departement
    where = ws.url.split("@")[-1] if ws.url else str(ws.directory)
    if owner is None:
        st.info(f"Espace de travail : {plain(where)} — pas encore créé ; le premier import le crée "
                f"pour le département {departement}.")
        return True
    if owner != departement:
        st.warning(f"L'espace de travail ({plain(where)}) appartient au département {owner}. "
                   f"Choisissez ce département pour importer des fichiers.")
        return False
    st.caption(f"Espace de travail du département {owner} : {plain(where)}")
    return True


#: Line and column narrow, the message takes the rest of the width (never cut to a few words).
MESSAGE_COLUMNS = {
    "ligne": st.column_config.NumberColumn("Ligne", width="small", format="%d"),
    "colonne": st.column_config.TextColumn("Colonne", width="small"),
    "message": st.column_config.TextColumn("Message", width="large"),
}


def _messages_table(messages: list) -> pd.DataFrame:
    return pd.DataFrame(
        [{"ligne": m.line, "colonne": m.column, "message": m.message} for m in messages],
        columns=["ligne", "colonne", "message"],
    ).astype({"ligne": "Int64"})


#: French names of the reading details of a report (its keys are identifiers).
DETAIL_LABELS = {
    "format": "format", "encodage": "encodage", "separateur": "séparateur",
    "feuille": "feuille", "premiere_ligne": "ligne d'en-tête", "crs": "système de coordonnées",
}


def rows_read(n: int) -> str:
    """« 1 ligne lue », « 1 258 lignes lues »."""
    return f"{fr_int(n)} ligne{'s' if n > 1 else ''} lue{'s' if n > 1 else ''}"


def preview(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as the user reads it: empty cells blank (never « None »), numbers and dates
    the French way (« 45,18 », « 15/03/2025 »), years as years."""
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_bool_dtype(col):
            out[name] = col.map(lambda v: "" if pd.isna(v) else ("oui" if v else "non"))
        elif pd.api.types.is_integer_dtype(col):
            year = name.startswith("annee") or name == "millesime"
            out[name] = col.map(lambda v, y=year: "" if pd.isna(v) else (str(int(v)) if y
                                                                         else fr_int(v)))
        elif pd.api.types.is_float_dtype(col):
            out[name] = col.map(lambda v: "" if pd.isna(v) else _decimal(v))
        elif pd.api.types.is_datetime64_any_dtype(col):
            out[name] = col.map(lambda v: "" if pd.isna(v) else fr_date(v))
        else:
            out[name] = col.map(_cell)
    return out


def _cell(value: object) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, dt.datetime):
        return fr_date(value) if value.time() == dt.time() else fr_datetime(value)
    if isinstance(value, dt.date):
        return fr_date(value)
    if isinstance(value, float):
        return _decimal(value)
    return str(value)


def _decimal(value: float) -> str:
    """« 45,18 » (no trailing zero), « 45 » for a whole number."""
    text = num(value, 6)
    return text.rstrip("0").rstrip(",") if "," in text else text


def likely_kind_hint(report: ImportReport) -> str:
    """When required columns are missing, the kind of data the headers look like (empty
    when none, or when it is the chosen one)."""
    if report.valid or not report.errors:
        return ""
    headers = [*report.columns.values(), *report.unknown_headers]
    others = [k for k in likely_kinds(headers) if k != report.kind]
    if not others:
        return ""
    return (f"Ce fichier ressemble à un fichier de type « {KINDS[others[0]].label} » "
            f"({others[0]}) : ses en-têtes en ont toutes les colonnes obligatoires. "
            "Choisissez ce type de données ci-dessus.")


def show_report(report: ImportReport) -> None:
    """Validation report: summary, errors and warnings with line and column, preview."""
    read = plain(", ".join(f"{DETAIL_LABELS.get(k, k)} : {v}" for k, v in report.details.items()
                           if v))  # fmt: skip
    read = f" ({read})" if read else ""
    if report.valid:
        st.success(f"Fichier valide : {rows_read(report.rows)}{read}.")
    else:
        st.error(f"Fichier invalide : {fr_int(len(report.errors))} erreur(s) — rien ne sera "
                 f"importé. {rows_read(report.rows)}{read}.")
    hint = likely_kind_hint(report)
    if hint:
        st.info(hint)
    if report.errors:
        st.markdown("**Erreurs** (ligne telle qu'affichée dans le tableur, en-tête = ligne 1)")
        st.dataframe(_messages_table(report.errors), hide_index=True, width="stretch",
                     column_config=MESSAGE_COLUMNS)  # fmt: skip
    if report.warnings:
        with st.expander(f"Avertissements ({len(report.warnings)})", expanded=report.valid):
            st.dataframe(_messages_table(report.warnings), hide_index=True,
                         width="stretch", column_config=MESSAGE_COLUMNS)  # fmt: skip
    if report.columns:
        st.caption("Colonnes reconnues : " + ", ".join(
            f"« {plain(h)} » → {c}" for c, h in report.columns.items()))
    if report.frame is not None and not report.frame.empty:
        st.markdown("**Aperçu après normalisation** (50 premières lignes)")
        st.dataframe(preview(report.frame.head(50)), hide_index=True, width="stretch")


def mapping_widgets(kind: str, report: ImportReport, key: str) -> dict[str, str]:
    """One select box per unrecognised header, to map it onto a canonical column."""
    mapping: dict[str, str] = dict(st.session_state.get(key, {}))
    if not report.unknown_headers and not mapping:
        return mapping
    st.markdown("**Colonnes non reconnues** : associez-les à une colonne attendue si besoin.")
    free = [c for c in KINDS[kind].names if c not in report.columns]
    headers = list(dict.fromkeys([*mapping, *report.unknown_headers]))
    cols = st.columns(min(3, max(1, len(headers))))
    for i, header in enumerate(headers):
        current = mapping.get(header, "")
        options = [IGNORE, *dict.fromkeys([*([current] if current else []), *free])]
        choice = cols[i % len(cols)].selectbox(
            f"« {plain(header)} »", options, index=options.index(current) if current else 0,
            key=f"{key}-{i}-{header}",
        )
        if choice == IGNORE:
            mapping.pop(header, None)
        else:
            mapping[header] = choice
    if mapping != st.session_state.get(key, {}):
        st.session_state[key] = mapping
        st.rerun()
    return mapping


def _checked(kind: str, data: bytes, name: str, ref: Reference, mapping: dict[str, str],
             sheet: str | None, ws: Workspace) -> ImportReport:
    """Check once per (file, kind, mapping, sheet); kept in the session, never pickled."""
    import hashlib

    signature = (kind, hashlib.sha256(data).hexdigest(), tuple(sorted(mapping.items())), sheet,
                 ref.departement)
    cached = st.session_state.get("donnees_report")
    if cached is not None and cached[0] == signature:
        return cached[1]
    instance_codes = None
    if ws.exists() and ws.departement == ref.departement:
        instance_codes = set(ws.read("instances")["instance_code"].dropna()) or None
    with st.spinner("Vérification du fichier…"):
        report = check_file(kind, data, name, ref, mapping, sheet, instance_codes)
    st.session_state["donnees_report"] = (signature, report)
    return report


def import_panel(ws: Workspace, departement: str, can_import: bool) -> None:
    """Upload → kind → check → mapping → confirm (nothing to upload for a lecteur)."""
    acteur = ui_auth.session_acteur()
    if not writable_kinds(acteur, KIND_NAMES):
        st.info(f"Votre rôle ({ROLE_LABELS[acteur.role]}) ne permet aucun import : les tables, "
                "l'historique et les modèles restent consultables dans les autres onglets.")
        return
    kind = st.selectbox("Type de données", KIND_NAMES, format_func=kind_label,
                        key="donnees_kind")
    spec = KINDS[kind]
    required = ", ".join(spec.required)
    st.caption(f"Colonnes obligatoires : {required}. {spec.description}")
    st.html(FRENCH_UPLOADER_CSS)
    uploaded = st.file_uploader(
        "Fichier à importer",
        type=UPLOAD_TYPES,
        help="CSV (UTF-8, cp1252 ou latin-1 ; séparateur , ; ou tabulation), XLSX, et pour les "
        "périmètres GeoJSON, GeoPackage ou Shapefile zippé.",
        key="donnees_upload",
    )
    formats = ", ".join(t.upper() for t in UPLOAD_TYPES)
    limit = max_upload_mb()
    st.caption(f"Formats acceptés : {formats}. Taille maximale d'un fichier : {limit} Mo.")
    if uploaded is None:
        return
    data = uploaded.getvalue()
    name = uploaded.name
    sheet = None
    if data[:4] == b"PK\x03\x04" and not spec.geo:
        from dashboard.intake.readers import sheet_names

        try:
            sheets = sheet_names(data)
        except Exception:  # an unreadable workbook is reported by the check itself
            sheets = []
        if len(sheets) > 1:
            sheet = st.selectbox("Feuille du classeur", sheets, key="donnees_sheet")
    ref = reference(departement)
    map_key = f"donnees_mapping-{kind}-{name}"
    mapping = dict(st.session_state.get(map_key, {}))
    report = _checked(kind, data, name, ref, mapping, sheet, ws)
    mapping_widgets(kind, report, map_key)
    show_report(report)
    mode = st.radio("Mode d'import", ["replace", "append"], horizontal=True,
                    format_func={"replace": "remplacer la table",
                                 "append": "ajouter à la table"}.get, key="donnees_mode")
    acteur = ui_auth.session_acteur()
    allow_empty = _confirm_wipe(ws, kind, report, mode, acteur, departement)
    disabled = not (report.valid and can_import and allow_empty is not None)
    allowed = writable_kinds(acteur, KIND_NAMES)
    st.caption(f"Vous importez en tant que {plain(acteur.nom or acteur.identifiant)} "
               f"({ROLE_LABELS[acteur.role]}) : "
               + (", ".join(allowed) if allowed else "aucun type de données")
               + (f", pour l'EPCI {acteur.epci_siren} et ses communes"
                  if acteur.epci_siren else "")
               + ". L'espace de travail refuse toute autre écriture.")
    if st.button("Importer dans l'espace de travail", type="primary", disabled=disabled):
        bar = st.progress(0.0, text="Import en cours…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total if total else 1.0, text=f"Import : {done} / {total} lignes")

        try:
            # The report shown above is this file's: it is not validated a second time.
            done = import_file(kind, data, name, ws, ref, mapping=mapping, sheet=sheet,
                               mode=mode, progress=progress, acteur=acteur,
                               allow_empty=bool(allow_empty), checked=report)
        except WorkspaceError as exc:
            st.error(plain(exc))
            return
        if done.imported:
            st.success(f"Import réussi (n° {done.import_id}) : {fr_int(done.rows_written)} "
                       f"lignes écrites dans « {kind} »"
                       + (f", {fr_int(done.rows_replaced)} lignes remplacées"
                          if done.rows_replaced else "")
                       + ". L'onglet « Historique des imports » permet de rétablir l'état "
                       "précédent.")
        elif done.refusal:
            st.error(f"Import refusé : {plain(done.refusal)}")
        else:
            show_report(done)


def _confirm_wipe(ws: Workspace, kind: str, report: ImportReport, mode: str, acteur: Acteur,
                  departement: str) -> bool | None:
    """Whether the import may empty the table: False when there is nothing to empty, True
    once a file with no row has been confirmed, None while it waits for the confirmation."""
    if not (report.valid and report.frame is not None and report.frame.empty
            and mode == "replace" and ws.departement == departement):
        return False
    rows = ws.rows_replaced(kind, acteur)
    if not rows:
        return False
    where = ("les lignes de votre périmètre dans la table" if acteur.role == DELEGUE_EPCI
             else "la table")
    st.warning(f"Ce fichier ne contient aucune ligne : l'importer en remplacement viderait "
               f"{where} « {kind} », qui en compte {fr_int(rows)}. L'état actuel resterait "
               "restaurable depuis l'onglet « Historique des imports ».")
    confirmed = st.checkbox(f"Je confirme vouloir vider la table « {kind} » "
                            f"({fr_int(rows)} lignes)",
                            key=f"donnees_vider-{kind}-{report.sha256}-{rows}")
    return True if confirmed else None


def tables_panel(ws: Workspace) -> None:
    """Current content of one table, with CSV and XLSX downloads."""
    kind = st.selectbox("Table", KIND_NAMES, format_func=kind_label, key="donnees_table")
    frame = ws.read(kind)
    st.caption(f"{len(frame)} lignes.")
    st.dataframe(frame.head(1000), hide_index=True, width="stretch")
    if frame.empty:
        return
    c1, c2 = st.columns(2)
    # Files are built only when clicked (a callable), and the click does not rerun the page.
    c1.download_button("Télécharger (CSV)", partial(table_csv, frame), file_name=f"{kind}.csv",
                       mime="text/csv", key=f"dl-csv-{kind}", on_click="ignore")
    c2.download_button(
        "Télécharger (XLSX)", partial(table_xlsx, frame, kind), file_name=f"{kind}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"dl-xlsx-{kind}", on_click="ignore",
    )


def history_panel(ws: Workspace) -> None:
    """The import log, most recent first, and « Rétablir l'état précédent » of an import."""
    restored = st.session_state.pop(RESTORED_KEY, None)
    if restored:
        st.success(restored)
    records = history_records(ws.history())
    if not records:
        st.info("Aucun import pour l'instant.")
        return
    shown = pd.DataFrame(records).assign(lignes_avant=[state_before_label(r) for r in records])
    shown = shown[list(HISTORY_LABELS)].rename(columns=HISTORY_LABELS)
    counts = {c: st.column_config.NumberColumn(c, format="localized")  # « 2 220 » in French
              for c in ("Lignes", "Avertissements")}
    st.dataframe(shown, hide_index=True, width="stretch", column_config=counts)
    restore_panel(ws, [r for r in records if r["restaurable"]])


def restore_panel(ws: Workspace, records: list[dict]) -> None:
    """Pick an import, confirm, and put its table back as it was before it."""
    st.markdown("**Rétablir l'état précédent d'un import**")
    if not records:
        st.caption("Aucun état antérieur n'est conservé.")
        return
    by_id = {r["id"]: r for r in records}
    chosen = st.selectbox(  # keyed on the newest entry: after a write, the newest is chosen
        "Import à annuler", list(by_id), key=f"donnees_restore_id-{max(by_id)}",
        format_func=lambda i: (f"n° {i} — {by_id[i]['date']} — {by_id[i]['kind']} "
                               f"({by_id[i]['mode']}, {by_id[i]['fichier']})"),
    )
    record = by_id[chosen]
    kind = record["kind"]
    acteur = ui_auth.session_acteur()
    if not can_write_kind(acteur, kind):
        st.caption(f"Votre rôle ({ROLE_LABELS[acteur.role]}) ne permet pas de modifier "
                   f"« {kind} ».")
        return
    now, before = ws.rows_replaced(kind, acteur), record["lignes_avant"]
    scope = (" (seules les lignes de votre EPCI et de ses communes sont rétablies)"
             if acteur.role == DELEGUE_EPCI else "")
    st.caption(f"« {kind} » compte aujourd'hui {fr_int(now)} lignes ; avant l'import "
               f"n° {chosen}, la table en comptait {fr_int(before)}{scope}. La restauration "
               "est tracée et peut elle-même être annulée.")
    confirmed = st.checkbox(
        f"Je confirme : remettre « {kind} » dans son état d'avant l'import n° {chosen}"
        + (" (la table sera vidée)" if before == 0 and now else ""),
        key=f"donnees_restore_ok-{chosen}",
    )
    if st.button("Rétablir l'état précédent", disabled=not confirmed, key="donnees_restore"):
        try:
            done = ws.restore(chosen, acteur, allow_empty=True)  # confirmed with its counts
        except (PermissionRefusee, WorkspaceError) as exc:
            st.error(f"Restauration refusée : {exc}")
            return
        st.session_state[RESTORED_KEY] = (
            f"« {kind} » remis dans son état d'avant l'import n° {chosen} : "
            f"{fr_int(done.rows_after)} lignes (au lieu de {fr_int(done.rows_before)}). Cette "
            f"restauration est l'import n° {done.import_id} : elle peut être annulée à son tour.")
        st.rerun()


def templates_panel() -> None:
    """Download a template to fill in, per kind."""
    kind = st.selectbox("Modèle pour", KIND_NAMES, format_func=kind_label, key="donnees_modele")
    cols = st.columns(len(template_formats(kind)))
    for col, fmt in zip(cols, template_formats(kind), strict=True):
        data, filename, mime = _template(kind, fmt)
        col.download_button(f"Modèle {fmt.upper()}", data, file_name=filename, mime=mime,
                            key=f"modele-{kind}-{fmt}")


def open_current_workspace() -> Workspace:
    """The workspace of ``TERRITOIRES_WORKSPACE`` / ``TERRITOIRES_DATABASE_URL`` (not cached)."""
    return open_workspace()
