"""Exports of Territoires du Plan: PDF fiche, PPTX committee deck, XLSX workbook, GeoPackage.

Every export starts from one :class:`~dashboard.exports.bundle.ExportBundle` (built once by
:func:`~dashboard.exports.bundle.load_bundle`) and needs no network: maps and charts are
drawn by matplotlib (:mod:`dashboard.maps.static`, :mod:`dashboard.exports.charts`).

Public API::

    bundle = load_bundle("38", workspace=None)            # dashboard.exports.bundle
    fiche_pdf(bundle, "epci:200040715") -> bytes            # dashboard.exports.pdf
    deck_pptx(bundle) -> bytes                              # dashboard.exports.pptx
    tables_xlsx(bundle) -> bytes                            # dashboard.exports.xlsx
    layers_gpkg(bundle, path) -> dict[str, int]             # dashboard.exports.gpkg
"""

from __future__ import annotations

from dashboard.exports.bundle import (
    ExportBundle,
    TerritoryRef,
    UnknownTerritoryError,
    load_bundle,
    parse_territoire,
)

__all__ = [
    "ExportBundle",
    "TerritoryRef",
    "UnknownTerritoryError",
    "load_bundle",
    "parse_territoire",
]
