"""The one export path: every download's bytes are built here, and every file says how it was made.

Three formats: CSV (:func:`csv_bytes`) for tools and pandas, an Excel workbook
(:func:`xlsx_bytes`) for a report a council drops into a committee paper, and the CSV's
metadata in W3C's CSV on the Web form (:func:`csvw_metadata`), as ONS publishes its local
statistics. Every CSV remembers what it was made from (:class:`CsvExport`), so the one download
helper offers the same table as a workbook with notes (:func:`csv_workbook_bytes`) and as CSVW
beside it, and no page builds either itself.

Every CSV is UTF-8 with a byte-order mark (so Excel shows ``£``), keeps numeric columns as
numbers, neutralises text cells that Excel would run as a formula, and carries its provenance
as constant trailing ``about_*`` columns, so ``pandas.read_csv`` reads it with default options.

Two kinds of provenance travel in every file:

- the :class:`ExportStamp`, the same for every download of one page run and impossible to leave
  out (:func:`csv_bytes` requires it): the data version, whether the data is the synthetic demo,
  who published the figures and the reference data with its licence, and when the file was
  generated;
- what the page adds about *this* table (peer group, filters, method, weights...).

A workbook carries the same stamp on a Notes sheet it always ends with; its cells are typed
(numbers are numbers, text is text), and text that a spreadsheet would run as a formula is
stored as a text cell, never as a formula.

Builders are pure functions from frames to bytes; :func:`export_stamp` reads the stamp's facts
from the warehouse once per page run.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from dashboard.common import contents
from dashboard.warehouse import Warehouse
from etl.formulas import FORMULA_PREFIXES, starts_like_formula

__all__ = [
    "CSVW_MIME",
    "DATA_SHEET",
    "FORMULA_PREFIXES",
    "NOTES_SHEET",
    "XLSX_MIME",
    "CsvExport",
    "ExportStamp",
    "csv_bytes",
    "csv_workbook_bytes",
    "csvw_file_name",
    "csvw_metadata",
    "excel_safe",
    "export_stamp",
    "neutralise_cell",
    "xlsx_bytes",
]

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSVW_MIME = "application/csvm+json"  # the media type W3C registered for CSV metadata files
CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
DATA_SHEET = "Data"  # the table's sheet in the workbook made from a CSV
NOTES_SHEET = "Notes"  # the last sheet of every workbook: how it was made and from which data
MAX_COLUMN_WIDTH = 70  # characters; longer text wraps inside its cell
# XML 1.0 forbids these control characters; openpyxl refuses a cell holding one.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
    licences: tuple[str, ...] = ()  # the reference data's licences alone, already named in reference_data

    def columns(self) -> dict[str, object]:
        """The stamp as provenance entries (``about_<key>`` columns), in a fixed order."""
        return {
            "data_version": self.data_version,
            "synthetic_demo_data": self.synthetic,
            "figures_published_by": self.figures_published_by,
            "reference_data": self.reference_data,
            "generated_at": self.generated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def notes(self) -> list[tuple[str, object]]:
        """The stamp as (note, detail) rows in words, for a workbook's Notes sheet."""
        return [
            ("Data version", self.data_version),
            ("Synthetic demo data", "Yes: invented figures, do not quote them" if self.synthetic else "No"),
            ("Figures published by", self.figures_published_by or "none loaded"),
            ("Reference data (licence, snapshot)", self.reference_data or "none"),
            ("File made", self.generated_at.astimezone(dt.UTC).strftime("%d %B %Y, %H:%M UTC")),
        ]

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
    row = (
        sources.iloc[0]
        if len(sources)
        else pd.Series({"figures_published_by": "", "reference_data": "", "licences": []})
    )
    return ExportStamp(
        data_version=meta.get("data_version", "unknown"),
        synthetic=contents.holds_synthetic(contents.data_contents(wh), kinds),
        figures_published_by=str(row["figures_published_by"]),
        reference_data=str(row["reference_data"]),
        generated_at=generated_at or _now(),
        licences=tuple(str(licence) for licence in row["licences"]),
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


class CsvExport(bytes):
    """A CSV's bytes (exactly what :func:`csv_bytes` wrote) that remember what they were made
    from: the ``frame``, the ``stamp`` and the page's ``provenance``. Any code that takes bytes
    takes it; the download helper reads the three to offer the same table as a workbook and as
    CSVW metadata."""

    frame: pd.DataFrame
    stamp: ExportStamp
    provenance: dict[str, object]

    def __new__(cls, data: bytes, frame: pd.DataFrame, stamp: ExportStamp, provenance: Mapping[str, object]):
        made = super().__new__(cls, data)
        made.frame, made.stamp, made.provenance = frame, stamp, dict(provenance)
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (and so cached or copied) with what it was made from."""
        return (CsvExport, (bytes(self), self.frame, self.stamp, self.provenance))


def _with_provenance(frame: pd.DataFrame, stamp: ExportStamp, provenance: Mapping[str, object] | None) -> pd.DataFrame:
    """``frame`` with the provenance then the stamp as constant trailing ``about_<key>`` columns.

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
    return out


def csv_bytes(frame: pd.DataFrame, stamp: ExportStamp, provenance: Mapping[str, object] | None = None) -> CsvExport:
    """CSV bytes for Excel and pandas: BOM, neutralised text, provenance as trailing columns.

    ``provenance`` (e.g. peer group, rank method) becomes constant columns named
    ``about_<key>``, followed by the ``stamp``'s columns, which no caller can replace. The bytes
    are a :class:`CsvExport`, which remembers the three arguments.

    Raises:
        ValueError: ``provenance`` names a key the stamp owns (data version, generated time...).
    """
    text = excel_safe(_with_provenance(frame, stamp, provenance)).to_csv(index=False, lineterminator="\r\n")
    return CsvExport(("\ufeff" + text).encode("utf-8"), frame.copy(), stamp, provenance or {})


def _cell_value(value: Any) -> Any:
    """A frame value as openpyxl writes it: None for missing, plain Python numbers and text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | int) and not isinstance(value, bool) and pd.isna(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and pd.isna(value):
        return None
    if isinstance(value, str):  # line breaks as LF: XML would turn a lone CR into LF anyway
        return _XML_ILLEGAL.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, bool | int | float | dt.date | dt.datetime):
        return value
    return str(value)


def _write_sheet(sheet: Any, frame: pd.DataFrame) -> None:
    """``frame`` with a bold, frozen header row; formula-like text kept as text; widths fitted."""
    rows = [[str(c) for c in frame.columns], *frame.itertuples(index=False, name=None)]
    widths = [0] * len(frame.columns)
    for r, row in enumerate(rows, start=1):
        for c, raw in enumerate(row, start=1):
            value = _cell_value(raw)
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                if starts_like_formula(value):
                    cell.data_type = "s"  # a text cell, whatever openpyxl guessed from "="
                    cell.quotePrefix = True  # and Excel keeps it text when someone edits it
                if len(value) > MAX_COLUMN_WIDTH:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[c - 1] = max(widths[c - 1], len(str(value)) if value is not None else 0)
    for c in range(1, len(frame.columns) + 1):
        sheet.cell(row=1, column=c).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(c)].width = min(MAX_COLUMN_WIDTH, widths[c - 1] + 2)
    sheet.freeze_panes = "A2"


def xlsx_bytes(
    sheets: Mapping[str, pd.DataFrame], stamp: ExportStamp, notes: Mapping[str, object] | None = None
) -> bytes:
    """An Excel workbook: one sheet per frame of ``sheets`` (in order, named by its key), then the
    Notes sheet: ``notes`` (what the page adds: council, peer group...) and the ``stamp`` (data
    version, demo flag, publishers, reference data with licences, when it was made), which no
    caller can leave out.

    Numbers stay numbers and missing values are empty cells; a text cell that a spreadsheet
    would run as a formula (:func:`etl.formulas.starts_like_formula`) is stored as text.

    Raises:
        ValueError: a sheet is called :data:`NOTES_SHEET`, or a name is not a valid sheet name
            (1-31 characters, none of ``[]:*?/\\``).
    """
    for name in sheets:
        if name == NOTES_SHEET or not 0 < len(name) <= 31 or re.search(r"[\[\]:*?/\\]", name):
            raise ValueError(f"{name!r} cannot be a sheet name here")
    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        _write_sheet(book.create_sheet(name), frame)
    rows = [(str(k), v) for k, v in (notes or {}).items()] + stamp.notes()
    _write_sheet(book.create_sheet(NOTES_SHEET), pd.DataFrame(rows, columns=["Note", "Detail"]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _in_words(key: str) -> str:
    """A provenance key as a note's name: ``peer_group_member_names`` -> "Peer group member names"."""
    return key.replace("_", " ").strip().capitalize() or key


def _note_value(value: object) -> object:
    """A provenance value as a note's detail: yes/no for a flag, anything else as it is."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


def csv_workbook_bytes(
    frame: pd.DataFrame, stamp: ExportStamp, provenance: Mapping[str, object] | None = None
) -> bytes:
    """The CSV's table as an Excel workbook: the rows on the :data:`DATA_SHEET` sheet (typed
    cells, no ``about_*`` columns), and what those columns say, in words, on the Notes sheet:
    the page's ``provenance`` (peer group and its councils, methods, levels...) then the stamp.

    Raises:
        ValueError: ``provenance`` names a key the stamp owns (as :func:`csv_bytes`).
    """
    _with_provenance(frame.head(0), stamp, provenance)  # the same refusal as the CSV's
    notes = {_in_words(key): _note_value(value) for key, value in (provenance or {}).items()}
    return xlsx_bytes({DATA_SHEET: frame}, stamp, notes)


def csvw_file_name(csv_file_name: str) -> str:
    """Where a CSV's metadata sits beside it: ``<name>.csv-metadata.json``, the name a CSV on
    the Web processor looks for first (W3C, "Locating Metadata")."""
    return f"{csv_file_name}-metadata.json"


# Columns that hold the indicator's figures (value, peer statistics, change, confidence limits):
# their unit is the indicator's. Counts (n_*), ranks and codes are not in the unit.
_MEASURED = re.compile(
    r"(value(_from|_to)?|council_value|change|peer_(median|lower_quartile|upper_quartile"
    r"|min|max|mean|mad)|(lower|upper)_ci_95)"
)
UNIT_COLUMN = "unit"  # the column of every indicator export that names the figures' unit
_TRUE_FALSE = {"base": "boolean", "format": "True|False"}  # how pandas writes a flag


def _csvw_datatype(column: pd.Series) -> str | dict[str, str]:
    """The CSV on the Web datatype of the values ``column`` writes to the CSV."""
    if pd.api.types.is_bool_dtype(column):
        return _TRUE_FALSE
    if pd.api.types.is_integer_dtype(column):
        return "integer"
    if pd.api.types.is_float_dtype(column):
        return "number"
    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind == "boolean":
        return _TRUE_FALSE
    if kind == "integer":
        return "integer"
    if kind in ("floating", "mixed-integer-float", "decimal"):
        return "number"
    if kind == "date":
        return "date"
    return "string"  # text, and anything written as text (times, mixed values)


def _csvw_name(title: str, taken: set[str]) -> str:
    """A column name CSVW accepts (a URI template variable: letters, digits, ``_``, ``.``, the
    rest percent-encoded; not starting with ``_``), unique within the table."""
    name = urllib.parse.quote(title, safe="").replace("-", "%2D").replace(".", "%2E").replace("~", "%7E") or "column"
    if name.startswith("_"):
        name = "c" + name
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name}_{n}", n + 1
    taken.add(unique)
    return unique


def _units(frame: pd.DataFrame) -> tuple[str | None, bool]:
    """The figures' unit when every row has the same one, and whether the frame names units."""
    if UNIT_COLUMN not in frame.columns:
        return None, False
    named = frame[UNIT_COLUMN].dropna().astype(str).unique()
    return (str(named[0]) if len(named) == 1 else None), True


def _csvw_column(title: str, column: pd.Series, name: str, unit: str | None, has_units: bool) -> dict[str, object]:
    """One column's description: its name, the CSV header as its title, datatype and unit."""
    described: dict[str, object] = {"name": name, "titles": title, "datatype": _csvw_datatype(column)}
    if title.startswith("about_"):
        described["dc:description"] = "The same on every row: how the file was made and from which data."
    elif has_units and _MEASURED.fullmatch(title) and pd.api.types.is_numeric_dtype(column):
        if unit is not None:
            described["schema:unitText"] = unit
        else:
            described["dc:description"] = f"In the unit given in the {UNIT_COLUMN} column of the same row."
    return described


def csvw_metadata(
    frame: pd.DataFrame,
    file_name: str,
    stamp: ExportStamp,
    provenance: Mapping[str, object] | None = None,
    title: str | None = None,
) -> bytes:
    """CSV on the Web (W3C Tabular Data) metadata, as JSON bytes, for the CSV that
    :func:`csv_bytes` writes from the same arguments and that is saved as ``file_name``.

    Every CSV column (the frame's, then the ``about_*`` ones) is listed in order with its header
    as title and a datatype from the frame (integer, number, boolean, date or string); the
    indicator's figures carry their unit where the frame names one (a ``unit`` column). The
    stamp and the page's ``provenance`` become the table's publisher, licence, source, version,
    time made and description, in words. ``title`` defaults to the file name in words.

    Raises:
        ValueError: ``provenance`` names a key the stamp owns (as :func:`csv_bytes`).
    """
    written = excel_safe(_with_provenance(frame, stamp, provenance))
    unit, has_units = _units(frame)
    taken: set[str] = set()
    columns = [
        _csvw_column(str(header), written.iloc[:, i], _csvw_name(str(header), taken), unit, has_units)
        for i, header in enumerate(written.columns)
    ]
    facts = stamp.columns()
    described = [f"{note}: {detail}" for note, detail in stamp.notes()]
    described += [f"{_in_words(k)}: {_note_value(v)}" for k, v in (provenance or {}).items()]
    metadata = {
        "@context": CSVW_CONTEXT,
        "url": file_name,
        "dc:title": title or re.sub(r"[-_]+", " ", file_name.rsplit(".", 1)[0]).strip() or file_name,
        "dc:description": described,
        "dc:publisher": stamp.figures_published_by or "none loaded",
        "dc:source": stamp.reference_data or "none",
        "dc:license": list(stamp.licences) or ["not stated"],
        "dc:hasVersion": stamp.data_version,
        "prov:generatedAtTime": {"@value": facts["generated_at"], "@type": "xsd:dateTime"},
        "dialect": {"encoding": "utf-8", "header": True, "lineTerminators": ["\r\n"]},
        "tableSchema": {"columns": columns},
    }
    return json.dumps(metadata, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")
