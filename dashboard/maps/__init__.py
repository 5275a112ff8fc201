"""Maps: the territorial context drawn (:mod:`~dashboard.maps.territory`), the Leaflet map
served offline (:mod:`~dashboard.maps.folium_map`), choropleths, static maps for the
exports, and what a click on the map selects. No Streamlit here.
"""
