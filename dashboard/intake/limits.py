"""Bounds on what one import may cost: archive sizes, geometry complexity, time.

A user file is untrusted: a few hundred kilobytes of zip may expand to gigabytes, a
drawing may hold millions of vertices, a validation may run for minutes. These bounds
turn each of those into a French error instead of a stalled page or an exhausted memory.
"""

from __future__ import annotations

import time

from dashboard.settings import validation_seconds

#: Ceiling of the uncompressed size of a zip archive (XLSX workbook, zipped shapefile),
#: read from its directory before anything is extracted.
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
#: Ceiling of the number of members of a zip archive.
MAX_ZIP_MEMBERS = 5_000
#: Vertices of a drawing above which it is refused (simplify it in a GIS first). Below,
#: the drawing is cut into tiles before meeting the communes (:mod:`geo.perimeters`), so
#: that its cost grows with its size, not with its size times the number of communes.
MAX_VERTICES = 1_000_000


class ValidationTimeoutError(ValueError):
    """A validation that ran past its time bound (message in French)."""


class Deadline:
    """The time bound of one validation, checked between rows and between features.

    Parameters
    ----------
    seconds : float, optional
        Seconds allowed; by default ``TERRITOIRES_VALIDATION_SECONDS``; None: no bound.
    """

    def __init__(self, seconds: float | None = -1.0) -> None:
        self.seconds = validation_seconds() if seconds == -1.0 else seconds
        self._end = None if self.seconds is None else time.monotonic() + self.seconds

    def check(self) -> None:
        """Raise :class:`ValidationTimeoutError` once the bound is passed."""
        if self._end is not None and time.monotonic() > self._end:
            raise ValidationTimeoutError(
                f"vérification interrompue au bout de {self.seconds:g} s : fichier trop "
                "volumineux ou trop complexe (découpez-le, ou simplifiez le dessin)"
            )
