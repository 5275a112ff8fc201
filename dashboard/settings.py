"""Every setting of Territoires du Plan: the ``TERRITOIRES_*`` variables and the defaults.

The ground floor of the code (standard library only): ``geo`` and every ``dashboard``
package read their settings here and nowhere else. Each variable is read by one function,
at call time, so that a test or a second workspace in the same process sees the value in
force. The README's table « Variables d'environnement » lists :data:`SETTINGS`; a test
holds the two together.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Département used when nothing else says which (no workspace, no ``?dep=``, no option).
DEFAULT_DEPARTEMENT = "38"


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its default and what it does (in French)."""

    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "TERRITOIRES_WORKSPACE",
        "~/.local/share/territoires/workspace",
        "dossier de l'espace de travail (fichier workspace.sqlite) ; --workspace le remplace",
    ),
    Setting(
        "TERRITOIRES_DATABASE_URL",
        "(vide : le fichier SQLite de l'espace de travail)",
        "URL SQLAlchemy d'une base PostgreSQL (postgresql+psycopg://…) à la place de SQLite",
    ),
    Setting(
        "TERRITOIRES_DATABASE_SCHEMA",
        "(vide : le schéma public)",
        "schéma PostgreSQL de l'espace de travail ; @dossier : un schéma par dossier",
    ),
    Setting(
        "TERRITOIRES_CACHE",
        "~/.cache/territoires",
        "cache disque du référentiel (GeoParquet par département)",
    ),
    Setting(
        "TERRITOIRES_VERSIONS_KEPT",
        "20",
        "versions antérieures gardées par type de données, pour rétablir l'état d'avant un "
        "import (territoires restaurer) ; 0 : aucune",
    ),
    Setting(
        "TERRITOIRES_VALIDATION_SECONDS",
        "120",
        "durée maximale de la vérification d'un fichier importé, en secondes",
    ),
    Setting(
        "TERRITOIRES_TEST_DATABASE_URL",
        "(vide : tests sur SQLite seulement)",
        "tests : serveur PostgreSQL où chaque session de tests crée sa base",
    ),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def _read(name: str) -> str:
    if name not in _BY_NAME:  # every variable must be declared above, hence documented
        raise KeyError(f"réglage non déclaré : {name}")
    return os.environ.get(name, "").strip()


def workspace_dir() -> Path:
    """Workspace directory: ``TERRITOIRES_WORKSPACE`` or the default location."""
    value = _read("TERRITOIRES_WORKSPACE")
    return Path(value or _BY_NAME["TERRITOIRES_WORKSPACE"].default).expanduser()


def database_url() -> str:
    """SQLAlchemy URL of a server database, or ``""`` for the workspace's SQLite file."""
    return _read("TERRITOIRES_DATABASE_URL")


def database_schema() -> str:
    """PostgreSQL schema setting (``""``, a schema name, or ``@dossier``)."""
    return _read("TERRITOIRES_DATABASE_SCHEMA")


def cache_root() -> Path:
    """Root of the on-disk caches: ``TERRITOIRES_CACHE`` or ``~/.cache/territoires``."""
    value = _read("TERRITOIRES_CACHE")
    return Path(value or _BY_NAME["TERRITOIRES_CACHE"].default).expanduser()


def versions_kept() -> int:
    """Previous versions kept per kind of data (``TERRITOIRES_VERSIONS_KEPT``, default 20).

    Raises
    ------
    ValueError
        For a value that is not a whole number ≥ 0 (French message naming the variable).
    """
    value = _read("TERRITOIRES_VERSIONS_KEPT") or _BY_NAME["TERRITOIRES_VERSIONS_KEPT"].default
    if not value.isdigit():
        raise ValueError(f"TERRITOIRES_VERSIONS_KEPT : « {value} » n'est pas un nombre entier "
                         "positif ou nul (nombre de versions gardées par type de données)")
    return int(value)


def validation_seconds() -> float:
    """Time bound of one file's validation: ``TERRITOIRES_VALIDATION_SECONDS`` (default 120).

    Raises
    ------
    ValueError
        For a value that is not a positive number.
    """
    value = _read("TERRITOIRES_VALIDATION_SECONDS")
    try:
        seconds = float(value or _BY_NAME["TERRITOIRES_VALIDATION_SECONDS"].default)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise ValueError(f"TERRITOIRES_VALIDATION_SECONDS : nombre de secondes positif attendu, "
                         f"« {value} » trouvé")
    return seconds


def test_database_url() -> str:
    """PostgreSQL server URL of the test suite, or ``""``."""
    return _read("TERRITOIRES_TEST_DATABASE_URL")


def child_environment(**overrides: str) -> dict[str, str]:
    """The environment of a child process: this one's, with declared settings overridden
    (``child_environment(TERRITOIRES_WORKSPACE="/tmp/x")``)."""
    for name in overrides:
        if name not in _BY_NAME:
            raise KeyError(f"réglage non déclaré : {name}")
    return {**os.environ, **overrides}


def use_arrow_memory_pool() -> str:
    """Make jemalloc (else the system allocator) Arrow's allocator for this process, unless
    ``ARROW_DEFAULT_MEMORY_POOL`` names one; returns the allocator in use.

    mimalloc, Arrow's default, keeps what a large import freed: a 300 000-row file then
    peaks about 80 MB higher, and every process starts 16 MB larger (``territoires bench``,
    ``import_7col_peak_mb``).
    """
    import pyarrow as pa

    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        try:
            pa.set_memory_pool(pa.jemalloc_memory_pool())
        except NotImplementedError:  # a pyarrow built without jemalloc
            pa.set_memory_pool(pa.system_memory_pool())
    return pa.default_memory_pool().backend_name
