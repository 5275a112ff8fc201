"""Autres champs du plan : prévention des expulsions (CCAPEX), DALO, attributions aux publics
prioritaires, SIAO et FSL, par territoire (carte, tendance, tableau). Hors du menu : ses
liens ``?champ=`` restent valables ; le menu mène aux deux pages par famille."""

from dashboard.app.fields import field_page

field_page("tous")
