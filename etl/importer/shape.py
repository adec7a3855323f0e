"""Reshape a publisher's table into long form: one row per (council, indicator, period) cell.

Long files already are; wide files spread values over columns, one per indicator, per period,
or per indicator and period (a regular expression with named groups ``indicator`` and
``period`` splits such a column name). The result is the temp view ``long_cells`` with columns
``_row, _column, council, indicator, period, value, status, note, lower_ci, upper_ci`` (all text
but ``_row``; the note is NULL unless the spec maps a note column, the confidence limits unless a
long spec maps them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from etl.importer.read import ReadError, resolve_column
from etl.importer.spec import Spec
from etl.sqltext import sql_identifier, sql_literal

__all__ = ["WideColumn", "wide_columns", "build_long"]


def spec_filter_columns(spec: Spec) -> tuple[str, ...]:
    """Columns the spec's row filters read: never value columns of a wide file."""
    return tuple(f.column for f in spec.filters)


@dataclass(frozen=True)
class WideColumn:
    """One value column of a wide file and the indicator/period text its name stands for."""

    column: str
    indicator: str | None
    period: str | None


def wide_columns(columns: list[str], spec: Spec, used: set[str], file_name: str) -> list[WideColumn]:
    """The value columns of a wide file, each split into indicator and period text.

    Explicit ``shape.columns`` are taken as listed; otherwise every column the pattern matches
    (or, without a pattern, every column not used for something else).

    Raises:
        ReadError: a listed column is missing, or no column holds values.
    """
    shape = spec.shape
    pattern = re.compile(shape.column_pattern) if shape.column_pattern else None
    if shape.columns:
        chosen = [resolve_column(columns, c, file_name, "shape.columns") for c in shape.columns]
    else:
        chosen = [c for c in columns if c not in used and (pattern is None or pattern.search(c))]
    found = []
    for column in chosen:
        found_parts = pattern.search(column) if pattern else None
        parts = found_parts.groupdict() if found_parts else {}
        if pattern and shape.columns and not parts and shape.columns_are == "indicator_period":
            raise ReadError(f"{file_name}: column {column!r} does not match shape.column_pattern")
        header = column.strip()
        indicator = parts.get("indicator") or (header if shape.columns_are == "indicator" else None)
        period = parts.get("period") or (header if shape.columns_are == "period" else None)
        found.append(WideColumn(column, indicator and indicator.strip(), period and period.strip()))
    if not found:
        raise ReadError(
            f"{file_name}: no value columns found for the wide shape "
            f"(columns: {', '.join(repr(c) for c in columns[:30])})"
        )
    return found


def build_long(
    con: duckdb.DuckDBPyConnection,
    spec: Spec,
    columns: list[str],
    council_column: str,
    metadata_columns: set[str],
    file_name: str,
) -> list[WideColumn]:
    """Create the temp view ``long_cells`` over temp view ``raw``; returns the wide columns used.

    Raises:
        ReadError: a column the spec names is not in the file.
    """
    shape = spec.shape

    def column_or_literal(column: str | None, fixed: str | None, key: str) -> str:
        if column:
            return f"CAST({sql_identifier(resolve_column(columns, column, file_name, key))} AS VARCHAR)"
        return "NULL::VARCHAR" if fixed is None else sql_literal(fixed)

    indicator = column_or_literal(shape.indicator_column, shape.indicator, "shape.indicator_column")
    period = column_or_literal(shape.period_column, spec.period, "shape.period_column")
    status = column_or_literal(shape.status_column, None, "shape.status_column")
    note = column_or_literal(shape.note_column, None, "shape.note_column")
    lower = column_or_literal(shape.lower_ci_column, None, "shape.lower_ci_column")
    upper = column_or_literal(shape.upper_ci_column, None, "shape.upper_ci_column")
    skip_empty = "WHERE trim(coalesce(value, '')) <> ''" if shape.empty == "skip" else ""
    if shape.form == "long":
        value_column = resolve_column(columns, shape.value_column or "", file_name, "shape.value_column")
        con.execute(f"""CREATE OR REPLACE TEMP VIEW long_cells AS SELECT * FROM (
            SELECT _row, {sql_literal(value_column)} AS _column, {sql_identifier(council_column)} AS council,
                   {indicator} AS indicator, {period} AS period, {sql_identifier(value_column)} AS value,
                   {status} AS status, {note} AS note, {lower} AS lower_ci, {upper} AS upper_ci
            FROM raw) {skip_empty}""")
        return []
    used = {council_column, *metadata_columns}
    for name in (
        shape.indicator_column,
        shape.period_column,
        shape.status_column,
        shape.note_column,
        *spec_filter_columns(spec),
    ):
        if name:
            used.add(resolve_column(columns, name, file_name, "shape"))
    wide = wide_columns(columns, spec, used, file_name)
    mapping = pd.DataFrame(
        [(w.column, w.indicator, w.period) for w in wide], columns=["column_name", "column_indicator", "column_period"]
    ).astype("string")
    con.register("wide_map_frame", mapping)
    con.execute("CREATE OR REPLACE TEMP TABLE wide_map AS SELECT * FROM wide_map_frame")
    con.unregister("wide_map_frame")
    on = ", ".join(sql_identifier(w.column) for w in wide)
    con.execute(f"""CREATE OR REPLACE TEMP VIEW long_cells AS
        WITH cells AS (
            SELECT * FROM (
                SELECT _row, {sql_identifier(council_column)} AS council, {indicator} AS row_indicator,
                       {period} AS row_period, {status} AS status, {note} AS note, {on} FROM raw)
            UNPIVOT INCLUDE NULLS (value FOR _column IN ({on})))
        SELECT c._row, c._column, c.council,
               coalesce(m.column_indicator, c.row_indicator) AS indicator,
               coalesce(m.column_period, c.row_period) AS period,
               CAST(c.value AS VARCHAR) AS value, c.status, c.note, NULL::VARCHAR AS lower_ci,
               NULL::VARCHAR AS upper_ci
        FROM cells c JOIN wide_map m ON m.column_name = c._column
        {skip_empty.replace("value", "c.value")}""")
    return wide
