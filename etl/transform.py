"""Transform: turn checked staging rows into the warehouse's typed, canonical tables.

How each file's columns are stored is declared in ``etl.contract`` (``FileSpec.storage``); this
module only moves the rows. Every function here assumes validation passed for the file it reads.
"""

from __future__ import annotations

import duckdb

from etl.contract import CONTRACT, STATUSES, FileSpec
from etl.extract import StagedFile, read_csv_sql
from etl.sqltext import sql_literal, sql_literal_list

__all__ = [
    "create_incoming_tables",
    "store_checked",
    "deferred_values",
    "streamed_values",
    "record_periods",
    "restage_streamed",
    "part_number",
    "CODES_TYPE",
    "STATUSES_TYPE",
    "STREAMED_PARTS",
]

# ENUMs of the exact texts a streamed values file may hold (etl.contract.StreamedRead).
CODES_TYPE = "value_codes"
STATUSES_TYPE = "value_statuses"
STREAMED_PARTS = "streamed_parts"  # one row per streamed file: its part number, which optional columns it has


def create_incoming_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables that collect the new sources' rows until the final sorted write, and the
    ENUMs a streamed file is read with (the reference tables must be filled by now)."""
    con.execute("CREATE OR REPLACE TEMP TABLE incoming_periods AS SELECT * FROM periods LIMIT 0")
    for spec in CONTRACT:
        storage = spec.storage
        if storage is not None and storage.sort is not None and storage.deferred is None:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {storage.incoming} AS SELECT * FROM {storage.table} LIMIT 0")
    # Only codes the checks' upper(trim(...)) leaves as they are: an exact match resolves the same.
    codes = [
        r[0]
        for r in con.execute(
            "SELECT code FROM ref.authority_codes WHERE code = upper(trim(code)) ORDER BY code"
        ).fetchall()
    ]
    _create_enum(con, CODES_TYPE, codes)
    _create_enum(con, STATUSES_TYPE, list(STATUSES))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {STREAMED_PARTS} (part INTEGER, has_status BOOLEAN, has_limits BOOLEAN)")


def _create_enum(con: duckdb.DuckDBPyConnection, name: str, values: list[str]) -> None:
    """A temporary ENUM of ``values`` in that order (never stored in the version file)."""
    con.execute(f"DROP TYPE IF EXISTS {name}")
    con.execute(f"CREATE TEMP TYPE {name} AS ENUM {sql_literal_list(values) if values else '()'}")


def store_checked(con: duckdb.DuckDBPyConnection, staged: StagedFile, source_name: str) -> int:
    """Store one checked file's rows as its contract says; returns the rows stored (or kept)."""
    spec = staged.spec
    storage = spec.storage
    assert storage is not None, spec.file_name
    if spec.period_column:
        record_periods(con, spec.periods_table)
    if staged.streamed:
        return _stream(con, staged, source_name)
    if storage.deferred is not None:
        return _defer(con, spec, source_name)
    select = storage.select_sql(spec.checked_view, source_name)
    if storage.sort is None:  # definitions: stored now, in file order
        return _count(con.execute(f"INSERT INTO {storage.table} BY NAME {select} ORDER BY rid"))
    return _count(con.execute(f"INSERT INTO {storage.incoming} BY NAME {select}"))


def _defer(con: duckdb.DuckDBPyConnection, spec: FileSpec, source_name: str, number: int | None = None) -> int:
    """Keep a checked values file for the final sorted write instead of copying it now.

    A 16-million-row file would otherwise be transformed into a temporary table and then read
    again by the sort; renaming the staging table and the period map (cheap, no data moves)
    lets the final write transform and sort the rows in one pass. Returns the rows kept.
    ``number``: the part number to keep it under (default: the next one).
    """
    assert spec.storage is not None
    number = number or _next_part(con)
    stage, periods = f"{spec.table}_{number}", f"{spec.periods_table}_{number}"
    con.execute(f"ALTER TABLE {spec.table} RENAME TO {stage}")
    con.execute(f"ALTER TABLE {spec.periods_table} RENAME TO {periods}")
    resolved = f"({spec.view_sql(source_name, stage, periods, template=spec.storage.deferred)})"
    con.execute(f"CREATE TEMP VIEW incoming_values_{number} AS {spec.storage.select_sql(resolved, source_name)}")
    return _count(con.execute(f"SELECT count(*) FROM {stage}"))


def _stream(con: duckdb.DuckDBPyConnection, staged: StagedFile, source_name: str) -> int:
    """Leave a scanned values file for the final sorted write, which reads and checks it itself.

    Kept for that write, as ``<name>_<n>``: the file's period map, the indicators it may refer
    to (those stored so far: a later source's cannot count) as a table and as an ENUM, and a view
    reading the file with the contract's types (``streamed_values_<n>``). Returns the rows read.
    """
    spec = staged.spec
    assert spec.streamed is not None
    number = staged.part = _next_part(con)
    con.execute(f"ALTER TABLE {spec.periods_table} RENAME TO {spec.periods_table}_{number}")
    known = f"{spec.stem}_indicators_{number}"
    con.execute(
        f"CREATE TEMP TABLE {known} AS SELECT indicator_id, min_value, max_value FROM indicators ORDER BY indicator_id"
    )
    ids = [r[0] for r in con.execute(f"SELECT indicator_id FROM {known} ORDER BY indicator_id").fetchall()]
    _create_enum(con, f"{known}_t", ids)
    names = {"codes": CODES_TYPE, "indicators": f"{known}_t", "statuses": STATUSES_TYPE}
    types = {column: kind.format(**names) for column, kind in spec.streamed.types}
    absent = "".join(
        f", NULL::{types.get(column, 'VARCHAR')} AS {column}" for column in spec.optional if column not in staged.header
    )
    con.execute(
        f"""CREATE TEMP VIEW streamed_values_{number} AS
            SELECT s.*{absent}, {sql_literal(source_name)} AS source_name
            FROM {read_csv_sql(staged.path, staged.header, types)} s"""
    )
    limits = any(column in staged.header for column in ("lower_ci", "upper_ci"))
    con.execute(f"INSERT INTO {STREAMED_PARTS} VALUES (?, ?, ?)", [number, "status" in staged.header, limits])
    return staged.rows_read


def restage_streamed(con: duckdb.DuckDBPyConnection, spec: FileSpec, source_name: str, number: int) -> int:
    """Swap streamed part ``number`` for the same file staged and checked as text (in
    ``spec.table``, its period map in ``spec.periods_table``), kept under the same number."""
    con.execute(f"DROP VIEW streamed_values_{number}")
    con.execute(f"DROP TABLE {spec.periods_table}_{number}")
    return _defer(con, spec, source_name, number)


def _next_part(con: duckdb.DuckDBPyConnection) -> int:
    """The number of the next values file kept for the final write (staged or streamed)."""
    return 1 + max((part_number(v) for v in deferred_values(con) + streamed_values(con)), default=0)


def part_number(view: str) -> int:
    """The number of a kept values file from its view's name (``streamed_values_2`` -> 2)."""
    return int(view.rsplit("_", 1)[1])


def deferred_values(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The views of staged values files kept by ``store_checked``, in load order."""
    return _numbered_views(con, "incoming_values")


def streamed_values(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The views of streamed values files kept by ``store_checked``, in load order."""
    return _numbered_views(con, "streamed_values")


def _numbered_views(con: duckdb.DuckDBPyConnection, prefix: str) -> list[str]:
    names = [
        r[0]
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE temporary AND starts_with(view_name, ?)", [prefix + "_"]
        ).fetchall()
    ]
    return sorted(names, key=part_number)


def record_periods(con: duckdb.DuckDBPyConnection, map_table: str) -> None:
    """Remember the parsed periods of a file, to write the ``periods`` table at the end."""
    con.execute(
        f"""INSERT INTO incoming_periods
            SELECT DISTINCT period_label, period_start, period_end, period_kind FROM {map_table}
            WHERE period_error IS NULL"""
    )


def _count(result: duckdb.DuckDBPyConnection) -> int:
    row = result.fetchone()
    return int(row[0]) if row else 0
