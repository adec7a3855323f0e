"""Transform: turn checked staging rows into the warehouse's typed, canonical tables.

How each file's columns are stored is declared in ``etl.contract`` (``FileSpec.storage``); this
module only moves the rows. Every function here assumes validation passed for the file it reads.
"""

from __future__ import annotations

import duckdb

from etl.contract import CONTRACT, FileSpec

__all__ = [
    "create_incoming_tables",
    "store_checked",
    "deferred_values",
    "record_periods",
]


def create_incoming_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables that collect the new sources' rows until the final sorted write."""
    con.execute("CREATE OR REPLACE TEMP TABLE incoming_periods AS SELECT * FROM periods LIMIT 0")
    for spec in CONTRACT:
        storage = spec.storage
        if storage is not None and storage.sort is not None and storage.deferred is None:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {storage.incoming} AS SELECT * FROM {storage.table} LIMIT 0")


def store_checked(con: duckdb.DuckDBPyConnection, spec: FileSpec, source_name: str) -> int:
    """Store one checked file's rows as its contract says; returns the rows stored (or kept)."""
    storage = spec.storage
    assert storage is not None, spec.file_name
    if spec.period_column:
        record_periods(con, spec.periods_table)
    if storage.deferred is not None:
        return _defer(con, spec, source_name)
    select = storage.select_sql(spec.checked_view, source_name)
    if storage.sort is None:  # definitions: stored now, in file order
        return _count(con.execute(f"INSERT INTO {storage.table} BY NAME {select} ORDER BY rid"))
    return _count(con.execute(f"INSERT INTO {storage.incoming} BY NAME {select}"))


def _defer(con: duckdb.DuckDBPyConnection, spec: FileSpec, source_name: str) -> int:
    """Keep a checked values file for the final sorted write instead of copying it now.

    A 16-million-row file would otherwise be transformed into a temporary table and then read
    again by the sort; renaming the staging table and the period map (cheap, no data moves)
    lets the final write transform and sort the rows in one pass. Returns the rows kept.
    """
    assert spec.storage is not None
    number = 1 + len(deferred_values(con))
    stage, periods = f"{spec.table}_{number}", f"{spec.periods_table}_{number}"
    con.execute(f"ALTER TABLE {spec.table} RENAME TO {stage}")
    con.execute(f"ALTER TABLE {spec.periods_table} RENAME TO {periods}")
    resolved = f"({spec.view_sql(source_name, stage, periods, template=spec.storage.deferred)})"
    con.execute(f"CREATE TEMP VIEW incoming_values_{number} AS {spec.storage.select_sql(resolved, source_name)}")
    return _count(con.execute(f"SELECT count(*) FROM {stage}"))


def deferred_values(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The views of values files kept by ``store_checked``, in load order."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE temporary AND view_name LIKE 'incoming\\_values\\_%' ESCAPE '\\'"
        ).fetchall()
    ]
    return sorted(names, key=lambda name: int(name.rsplit("_", 1)[1]))


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
