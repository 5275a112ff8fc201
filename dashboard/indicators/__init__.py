"""Indicators: facts per territory and year, statuses at a reference date, objectives
against realisations, the territorial balance, the habitat-indigne signals, and the one
payload (:mod:`~dashboard.indicators.payload`) that the pages, the CLI and the exports use.
"""
