"""Export builders: pure functions from frames to bytes that open safely in Excel.

Every CSV is UTF-8 with a byte-order mark (so Excel shows ``£``), keeps numeric columns as
numbers, neutralises text cells that Excel would run as a formula, and carries its provenance
(how it was made) as constant columns, so ``pandas.read_csv`` reads it with default options.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["neutralise_cell", "excel_safe", "csv_bytes", "FORMULA_PREFIXES"]

# Characters that make Excel (and LibreOffice) treat a cell as a formula or command.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


def neutralise_cell(value: object) -> object:
    """Prefix a text cell with ``'`` when Excel would run it as a formula; other values pass.

    A text that is just a negative number (``-12.5``) is left alone: Excel reads it as a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are neutralised; numeric columns are untouched."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]) and not pd.api.types.is_bool_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell)
    safe.columns = [str(neutralise_cell(str(c))) for c in safe.columns]
    return safe


def csv_bytes(
    frame: pd.DataFrame, provenance: Mapping[str, object] | None = None, generated_at: dt.datetime | None = None
) -> bytes:
    """CSV bytes for Excel and pandas: BOM, neutralised text, provenance as trailing columns.

    ``provenance`` (e.g. peer group, rank method, data version) becomes constant columns named
    ``about_<key>``; ``about_generated_at`` is always added.
    """
    out = frame.copy()
    stamp = (generated_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    value: Any  # provenance values are scalars of any type; pandas broadcasts each to a column
    for key, value in {**(provenance or {}), "generated_at": stamp}.items():
        out[f"about_{key}"] = value
    text = excel_safe(out).to_csv(index=False, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")
