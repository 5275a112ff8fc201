"""The plan itself: action programme, milestones, the délégués' loop and the annual reports.

Between the coverage rules and the maps (docs/ARCHITECTURE.md, « Couches »): it reads the
tables of the loader and the indicator payload, and draws nothing.

- :mod:`dashboard.programme.actions`: each action with its status, milestones (late ones
  at the reference date) and the progress of its linked indicators;
- :mod:`dashboard.programme.loop`: the délégués' declarations, what the comité has to
  review, which EPCI have not reported for a year, the comments;
- :mod:`dashboard.programme.editions`: two frozen editions compared year on year, and the
  end-of-plan evaluation.
"""
