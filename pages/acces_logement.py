"""Accès au logement des publics prioritaires : DALO, attributions prioritaires, SIAO, FSL
(carte, tendance, tableau par territoire)."""

from dashboard.app.fields import field_page

field_page("acces")
