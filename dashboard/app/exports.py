"""Streamlit widgets of the « Exports » page: build a file on demand, then download it."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.exports.bundle import ExportBundle

#: kind → (button label, file name, MIME type, description)
EXPORTS: dict[str, tuple[str, str, str, str]] = {
    "deck": (
        "Diaporama du comité (PPTX)", "comite_pdalhpd.pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "Titre, carte d'ensemble, équilibre, objectifs par instance, écarts de couverture, "
        "une diapositive par axe du programme d'actions, les actions en retard, les "
        "commentaires des territoires, une diapositive par instance ; graphiques en images et "
        "tableaux modifiables.",
    ),
    "tables": (
        "Classeur des tableaux (XLSX)", "tableaux_pdalhpd.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Indicateurs, équilibre, écarts, opérations, signalements, calendrier des PLH, "
        "programme d'actions, jalons et sources, une feuille par tableau, au format d'Excel "
        "en français.",
    ),
    "layers": (
        "Couches pour QGIS (GeoPackage)", "couches_pdalhpd.gpkg", "application/geopackage+sqlite3",
        "Communes avec leurs indicateurs, EPCI, instances et constats, en Lambert-93 "
        "(EPSG:2154) en métropole.",
    ),
}  # fmt: skip


def _builders() -> dict[str, Callable[[ExportBundle], bytes]]:
    from dashboard.exports.gpkg import layers_gpkg_bytes
    from dashboard.exports.pptx import deck_pptx
    from dashboard.exports.xlsx import tables_xlsx

    return {"deck": deck_pptx, "tables": tables_xlsx, "layers": layers_gpkg_bytes}


def export_block(bundle: ExportBundle, kind: str) -> None:
    """One export: what it holds, a button to build it, then its download."""
    label, filename, mime, description = EXPORTS[kind]
    with st.container(border=True):
        st.markdown(f"**{label}**")
        st.caption(description)
        key = f"export-{kind}"
        if st.button("Préparer", key=f"make-{key}"):
            with st.spinner("Préparation du fichier…"):
                st.session_state[key] = _builders()[kind](bundle)
        if key in st.session_state:
            st.download_button(
                f"Télécharger {filename}", st.session_state[key], file_name=filename, mime=mime,
                key=f"dl-{key}",
            )  # fmt: skip
