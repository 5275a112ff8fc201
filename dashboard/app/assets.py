"""The app's static folder: Leaflet copied from ``xstatic-leaflet``, served under /app/static.

Streamlit serves only the ``static/`` folder next to the entrypoint
(``server.enableStaticServing``), so the files live in ``dashboard/app/static``; the maps
point at :data:`dashboard.maps.folium_map.STATIC_URL`. Nothing is fetched from a CDN.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

STATIC_DIR = Path(__file__).resolve().parent / "static"
LEAFLET_DIR = STATIC_DIR / "leaflet"


def install_static_assets(static_dir: Path = STATIC_DIR) -> Path:
    """Copy Leaflet (from ``xstatic-leaflet``) into the app's static folder if missing.

    Returns the Leaflet folder.
    """
    target = static_dir / "leaflet"
    source = Path(xleaflet.BASE_DIR)
    if not (target / "leaflet.js").exists() or not (target / "images").exists():
        target.mkdir(parents=True, exist_ok=True)
        for name in ("leaflet.js", "leaflet.css"):
            shutil.copyfile(source / name, target / name)
        shutil.copytree(source / "images", target / "images", dirs_exist_ok=True)
    return target
