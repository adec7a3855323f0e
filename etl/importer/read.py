"""Read a publisher's CSV, Excel (.xlsx), Parquet or JSON file into DuckDB, every cell as text.

Text keeps every offending cell so a problem can quote it back. Each row carries ``_row``,
the row number a spreadsheet shows (the header is row ``skip_rows + 1``). CSV and Parquet are
read by DuckDB itself (fast, low memory, a million rows in seconds); Excel through openpyxl.
A JSON file is a neighbour list, ``{council: [neighbour, ...]}``: it is read as the columns
``council``, ``neighbour`` and ``position`` (1 for the first in its list), one row per pair,
and ``_row`` is the council's place in the file (1 for the first council).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from etl.sqltext import sql_identifier, sql_literal

__all__ = ["ReadError", "file_format", "read_into", "read_frame", "resolve_column"]

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
JSON_COLUMNS = ("council", "neighbour", "position")  # the table a JSON neighbour list becomes


class ReadError(ValueError):
    """The file cannot be read as the spec says (missing, wrong format, bad sheet, no header)."""


def file_format(path: Path, given: str | None) -> str:
    """``csv``, ``xlsx`` or ``parquet``: the spec's choice, else from the file name.

    Raises:
        ReadError: the name does not say and the spec does not either.
    """
    if given:
        return given
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return "xlsx"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix == ".json":
        return "json"
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    raise ReadError(f"{path.name}: cannot tell the format from the name; set [file] format")


def read_frame(
    path: Path,
    fmt: str | None = None,
    sheet: str | int | None = None,
    skip_rows: int = 0,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> pd.DataFrame:
    """A small file (a lookup or metadata file) as a DataFrame of text, with ``_row``.

    Raises:
        ReadError: the file is missing or unreadable.
    """
    con = duckdb.connect()
    try:
        read_into(con, "small_file", path, fmt, sheet, skip_rows, encoding, delimiter)
        frame = con.execute("SELECT * FROM small_file ORDER BY _row").df()
    finally:
        con.close()
    return frame.astype(object).where(frame.notna(), None)


def read_into(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    fmt: str | None = None,
    sheet: str | int | None = None,
    skip_rows: int = 0,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> list[str]:
    """Read ``path`` into temp table ``table`` (all VARCHAR plus ``_row``); returns the columns.

    Raises:
        ReadError: the file is missing, unreadable, or has no header row.
    """
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    fmt = file_format(path, fmt)
    first_row = skip_rows + 2  # the first data row as a spreadsheet numbers it
    try:
        if fmt == "csv":
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE {table}_text AS SELECT * FROM read_csv({sql_literal(str(path))},
                    header = true, all_varchar = true, skip = {int(skip_rows)}, delim = {sql_literal(delimiter)},
                    quote = '"', escape = '"', encoding = {sql_literal(encoding.lower())}, auto_detect = true,
                    null_padding = false, strict_mode = true)"""
            )
        elif fmt == "parquet":
            columns = [
                r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({sql_literal(str(path))})").fetchall()
            ]
            casts = ", ".join(f"CAST({sql_identifier(c)} AS VARCHAR) AS {sql_identifier(c)}" for c in columns)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {table}_text AS SELECT {casts} FROM read_parquet({sql_literal(str(path))})"
            )
        else:
            frame = _read_excel(path, sheet, skip_rows) if fmt == "xlsx" else _read_json(path)
            con.register("file_frame", frame)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_text AS SELECT * FROM file_frame")
            con.unregister("file_frame")
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        raise ReadError(f"{path.name}: cannot be read as {fmt}: {reason}") from exc
    columns = [r[0] for r in con.execute(f"DESCRIBE {table}_text").fetchall()]
    if fmt == "json":  # the row number is the council's place in the file, carried from the reader
        columns.remove("_entry")
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT _entry AS _row, * EXCLUDE (_entry) FROM {table}_text"
        )
        return columns
    if "_row" in columns:
        raise ReadError(f"{path.name}: a column is named _row, which the importer reserves")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT rowid + {first_row} AS _row, * FROM {table}_text")
    return columns


def _read_json(path: Path) -> pd.DataFrame:
    """A JSON neighbour list ``{council: [neighbour, ...]}`` as rows (see the module docstring)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(f"{path.name}: cannot be read as json: {exc}") from exc
    if not isinstance(data, dict):
        raise ReadError(f"{path.name}: a JSON neighbour list is an object {{council: [neighbours...]}}")
    rows = []
    for entry, (council, neighbours) in enumerate(data.items(), 1):
        if not isinstance(neighbours, list) or any(isinstance(n, (dict, list)) for n in neighbours):
            raise ReadError(f"{path.name}: entry {entry} ({council!r}) is not a list of neighbours")
        rows += [(entry, str(council), None if n is None else str(n), str(k)) for k, n in enumerate(neighbours, 1)]
    return pd.DataFrame(rows, columns=["_entry", *JSON_COLUMNS]).astype({"_entry": "int64"})


def _read_excel(path: Path, sheet: str | int | None, skip_rows: int) -> pd.DataFrame:
    try:
        frame = pd.read_excel(
            path, sheet_name=sheet if sheet is not None else 0, header=skip_rows, dtype=str, engine="openpyxl"
        )
    except ValueError as exc:  # unknown sheet name
        raise ReadError(f"{path.name}: {exc}") from exc
    except Exception as exc:  # openpyxl raises several types for a file that is not xlsx
        raise ReadError(f"{path.name}: cannot be read as xlsx: {exc}") from exc
    frame.columns = [str(c) for c in frame.columns]
    return frame.astype(object).where(frame.notna(), None).astype("string")


def resolve_column(columns: list[str], wanted: str, file_name: str, key: str) -> str:
    """The file's column for the spec's ``wanted`` name (exact, else ignoring case and spaces).

    Raises:
        ReadError: no column matches; the message lists the columns there are.
    """
    if wanted in columns:
        return wanted
    folded = {" ".join(c.split()).casefold(): c for c in columns}
    found = folded.get(" ".join(wanted.split()).casefold())
    if found is None:
        shown = ", ".join(repr(c) for c in columns[:30])
        raise ReadError(f"{file_name}: {key} names column {wanted!r}, which is not in the file (columns: {shown})")
    return found
