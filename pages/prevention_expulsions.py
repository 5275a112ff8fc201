"""Prévention des expulsions : étapes de la procédure, CCAPEX, aides au maintien du FSL
(carte, tendance, tableau par territoire)."""

from dashboard.app.fields import field_page

field_page("expulsions")
