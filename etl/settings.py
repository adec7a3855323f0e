"""Every ``EXEMPLAR_*`` environment variable, read in one place.

Each accessor reads the environment when it is called, never at import, so a test or a wrapper
that sets a variable sees it take effect at once. An unset or blank variable means "use the
default". Paths whose default depends on where a module lives (the register folder) return only
the override here; the owning module applies its default (``etl.reference.default_reference_dir``).

The dashboard's own settings (memory, log level, support contact) are declared here too, so
``docs/operations.md`` and the code name each variable once; dashboard modules may import this
module (it imports nothing from the dashboard or DuckDB).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Setting",
    "SETTINGS",
    "WAREHOUSE",
    "REFERENCE_DIR",
    "KEEP_VERSIONS",
    "ETL_MEMORY",
    "IMPORT_MEMORY",
    "APP_MEMORY",
    "LOG_LEVEL",
    "SUPPORT_CONTACT",
    "DEFAULT_WAREHOUSE",
    "DEFAULT_KEEP_VERSIONS",
    "raw",
    "warehouse",
    "reference_dir",
    "keep_versions",
    "etl_memory",
    "import_memory",
    "app_memory",
    "log_level",
    "support_contact",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "exemplar.duckdb"
DEFAULT_KEEP_VERSIONS = 5  # a working week of daily loads to roll back to, at ~100 MB a version


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its default (as text, None when computed) and meaning."""

    name: str
    default: str | None
    meaning: str


WAREHOUSE = Setting("EXEMPLAR_WAREHOUSE", "data/exemplar.duckdb", "the live warehouse path (a symlink)")
REFERENCE_DIR = Setting(
    "EXEMPLAR_REFERENCE_DIR", "data/reference", "folder holding the register, deprivation and boundaries"
)
KEEP_VERSIONS = Setting("EXEMPLAR_KEEP_VERSIONS", str(DEFAULT_KEEP_VERSIONS), "versions kept after each publish")
ETL_MEMORY = Setting("EXEMPLAR_ETL_MEMORY", "1GB", "DuckDB memory limit of a load (it spills beyond it)")
IMPORT_MEMORY = Setting("EXEMPLAR_IMPORT_MEMORY", "1GB", "DuckDB memory limit of an import's preparation")
APP_MEMORY = Setting("EXEMPLAR_APP_MEMORY", "256MB", "DuckDB memory limit per app process")
LOG_LEVEL = Setting("EXEMPLAR_LOG_LEVEL", "INFO", "the app's JSON error log level")
SUPPORT_CONTACT = Setting("EXEMPLAR_SUPPORT_CONTACT", None, "the support contact shown on the Support page")

SETTINGS = (
    WAREHOUSE,
    REFERENCE_DIR,
    KEEP_VERSIONS,
    ETL_MEMORY,
    IMPORT_MEMORY,
    APP_MEMORY,
    LOG_LEVEL,
    SUPPORT_CONTACT,
)


def raw(setting: Setting) -> str | None:
    """The variable's text with surrounding spaces removed; None when unset or blank."""
    value = os.environ.get(setting.name, "").strip()
    return value or None


def _text(setting: Setting) -> str:
    return raw(setting) or str(setting.default)


def warehouse() -> Path:
    """The live warehouse path: ``$EXEMPLAR_WAREHOUSE``, else ``data/exemplar.duckdb`` in the project."""
    value = raw(WAREHOUSE)
    return Path(value) if value else DEFAULT_WAREHOUSE


def reference_dir() -> Path | None:
    """``$EXEMPLAR_REFERENCE_DIR`` when set; None means "the default folder" (see etl.reference)."""
    value = raw(REFERENCE_DIR)
    return Path(value) if value else None


def keep_versions() -> int:
    """``$EXEMPLAR_KEEP_VERSIONS`` as a whole number, else 5.

    Raises:
        ValueError: the variable is set but is not a whole number.
    """
    value = raw(KEEP_VERSIONS)
    if value is None:
        return DEFAULT_KEEP_VERSIONS
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{KEEP_VERSIONS.name} must be a whole number, got {value!r}") from exc


def etl_memory() -> str:
    """DuckDB's memory limit for a load, e.g. ``1GB`` (``$EXEMPLAR_ETL_MEMORY``)."""
    return _text(ETL_MEMORY)


def import_memory() -> str:
    """DuckDB's memory limit while an import prepares its files (``$EXEMPLAR_IMPORT_MEMORY``)."""
    return _text(IMPORT_MEMORY)


def app_memory() -> str:
    """DuckDB's memory limit per dashboard process (``$EXEMPLAR_APP_MEMORY``)."""
    return _text(APP_MEMORY)


def log_level() -> str:
    """The dashboard's log level name in capitals (``$EXEMPLAR_LOG_LEVEL``, default INFO)."""
    return _text(LOG_LEVEL).upper()


def support_contact() -> str | None:
    """This deployment's support contact (``$EXEMPLAR_SUPPORT_CONTACT``), or None."""
    return raw(SUPPORT_CONTACT)
