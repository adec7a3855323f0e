"""The one export path: every download's bytes are built here, and every file says how it was made.

Every CSV is UTF-8 with a byte-order mark (so Excel shows ``£``), keeps numeric columns as
numbers, neutralises text cells that Excel would run as a formula, and carries its provenance
as constant trailing ``about_*`` columns, so ``pandas.read_csv`` reads it with default options.

Two kinds of provenance travel in every file:

- the :class:`ExportStamp`, the same for every download of one page run and impossible to leave
  out (:func:`csv_bytes` requires it): the data version, whether the data is the synthetic demo,
  who published the figures and the reference data with its licence, and when the file was
  generated;
- what the page adds about *this* table (peer group, filters, method, weights...).

Builders are pure functions from frames to bytes; :func:`export_stamp` reads the stamp's facts
from the warehouse once per page run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dashboard.common import contents
from dashboard.warehouse import Warehouse
from etl.formulas import FORMULA_PREFIXES, starts_like_formula

__all__ = [
    "FORMULA_PREFIXES",
    "ExportStamp",
    "csv_bytes",
    "excel_safe",
    "export_stamp",
    "neutralise_cell",
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ExportStamp:
    """What every download says about its data: version, demo flag, attribution, time made."""

    data_version: str
    synthetic: bool
    figures_published_by: str
    reference_data: str
    generated_at: dt.datetime = field(default_factory=_now)

    def columns(self) -> dict[str, object]:
        """The stamp as provenance entries (``about_<key>`` columns), in a fixed order."""
        return {
            "data_version": self.data_version,
            "synthetic_demo_data": self.synthetic,
            "figures_published_by": self.figures_published_by,
            "reference_data": self.reference_data,
            "generated_at": self.generated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def lines(self) -> list[str]:
        """The stamp as sentences, for files without columns to carry it (the Excel template)."""
        facts = self.columns()
        return [
            f"Data version: {facts['data_version']}",
            "Synthetic demo data: yes, invented figures" if self.synthetic else "Synthetic demo data: no",
            f"Figures published by: {facts['figures_published_by'] or 'none loaded'}",
            f"Reference data: {facts['reference_data'] or 'none'}",
            f"Generated at: {facts['generated_at']}",
        ]


def export_stamp(
    wh: Warehouse, generated_at: dt.datetime | None = None, holds: tuple[str, ...] | None = None
) -> ExportStamp:
    """The stamp of the warehouse's current version (``generated_at`` defaults to now).

    ``synthetic`` is true when the file holds synthetic content: of the kinds ``holds`` names
    (default: what the running page declared it shows; outside a page, anything loaded).
    """
    meta = wh.scalar_meta()
    kinds = holds if holds is not None else contents.declared()
    sources = wh.query("export_sources")
    row = sources.iloc[0] if len(sources) else pd.Series({"figures_published_by": "", "reference_data": ""})
    return ExportStamp(
        data_version=meta.get("data_version", "unknown"),
        synthetic=contents.holds_synthetic(contents.data_contents(wh), kinds),
        figures_published_by=str(row["figures_published_by"]),
        reference_data=str(row["reference_data"]),
        generated_at=generated_at or _now(),
    )


def neutralise_cell(value: object) -> object:
    """Prefix a text cell with ``'`` when Excel would run it as a formula; other values pass.

    The rule is the upload check's (:mod:`etl.formulas`): a text that is just a negative number
    (``-12.5``) is left alone, as Excel reads it as a number.
    """
    if isinstance(value, str) and starts_like_formula(value):
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


def csv_bytes(frame: pd.DataFrame, stamp: ExportStamp, provenance: Mapping[str, object] | None = None) -> bytes:
    """CSV bytes for Excel and pandas: BOM, neutralised text, provenance as trailing columns.

    ``provenance`` (e.g. peer group, rank method) becomes constant columns named
    ``about_<key>``, followed by the ``stamp``'s columns, which no caller can replace.

    Raises:
        ValueError: ``provenance`` names a key the stamp owns (data version, generated time...).
    """
    owned = stamp.columns()
    clash = sorted(set(provenance or {}) & set(owned))
    if clash:
        raise ValueError(f"provenance keys {clash} belong to the export stamp")
    out = frame.copy()
    value: Any  # provenance values are scalars of any type; pandas broadcasts each to a column
    for key, value in {**(provenance or {}), **owned}.items():
        out[f"about_{key}"] = value
    text = excel_safe(out).to_csv(index=False, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")
