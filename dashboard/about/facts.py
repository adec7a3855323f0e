"""Facts for the About pages (support, accessibility): versions and where to get help."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import tomllib
from pathlib import Path

import pandas as pd
import streamlit

from dashboard.common import contents
from dashboard.common.text import when_text
from dashboard.warehouse import Warehouse

__all__ = ["SUPPORT_CONTACT_ENV", "app_version", "support_contact", "synthetic_contents", "version_facts"]

SUPPORT_CONTACT_ENV = "EXEMPLAR_SUPPORT_CONTACT"  # whoever runs a deployment sets their own contact
_PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"  # version of an uninstalled checkout


def app_version() -> str:
    """Exemplar's version: the installed package's, else the checkout's ``pyproject.toml``."""
    try:
        return importlib.metadata.version("exemplar")
    except importlib.metadata.PackageNotFoundError:
        try:
            return tomllib.loads(_PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


def support_contact() -> str | None:
    """The support contact of this deployment (``$EXEMPLAR_SUPPORT_CONTACT``), if one is set."""
    contact = os.environ.get(SUPPORT_CONTACT_ENV, "").strip()
    return contact or None


def synthetic_contents(wh: Warehouse) -> str:
    """What in the warehouse is synthetic, in words ("self-assessment answers"), or "none"."""
    invented = [c.holds for c in contents.data_contents(wh).values() if c.any_synthetic]
    return ", ".join(invented) if invented else "none"


def version_facts(wh: Warehouse) -> pd.DataFrame:
    """A two-column table (Item, Value) of the versions worth quoting in a support request."""
    meta = wh.scalar_meta()
    rows = [
        ("Exemplar", app_version()),
        ("Data version", meta.get("data_version", "unknown")),
        ("Data published", when_text(meta.get("published_at")) or "unknown"),
        ("Synthetic data", synthetic_contents(wh)),
        ("Warehouse schema", meta.get("schema_version", "unknown")),
        ("Python", platform.python_version()),
        ("Streamlit (the web framework)", streamlit.__version__),
    ]
    return pd.DataFrame(rows, columns=["Item", "Value"])
