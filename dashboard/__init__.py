"""Territoires du Plan: the domain packages, the command line and the Streamlit app.

Layers, one way (docs/ARCHITECTURE.md): ``settings`` and ``formatting`` at the ground,
then :mod:`geo` (reference and perimeters), :mod:`dashboard.store` and
:mod:`dashboard.intake`, then :mod:`dashboard.indicators` and :mod:`dashboard.coverage`,
then :mod:`dashboard.maps` and :mod:`dashboard.exports`, and on top :mod:`dashboard.cli`,
:mod:`dashboard.app` and :mod:`dashboard.bench`.
"""

from dashboard.settings import use_arrow_memory_pool

use_arrow_memory_pool()
