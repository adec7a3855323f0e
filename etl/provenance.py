"""Which facts about loaded files a version publishes, and which only the operator sees.

Every loaded file has a row in ``source_files`` and ``load_history`` (its SHA-256, rows read and
loaded, its load), which the "Data and methods" page lists and every export carries, except a
file holding any self-assessment answer that is not published: its rows live in
``private.source_files`` and ``private.load_history``, which only ``etl status`` and
``etl history`` read. The inbox writes a submission in a known format, so its hash is enough to
recover private answers by trying candidates; its row count, its source name (council and
round) or the period of its round would say that a private submission exists. So nothing of
such a file is published, and a period that only unpublished answers use is not either.

The rule is applied to the whole of the new version (rows kept from the previous one too), so a
version written before it existed is put right by the next load.
"""

from __future__ import annotations

import duckdb

from etl.contract import RESPONSES
from etl.sqltext import sql_literal

__all__ = ["PRIVATE_SCHEMA", "PROVENANCE_TABLES", "withhold_private", "has_private_tables", "operator_source_files"]

PRIVATE_SCHEMA = "private"  # pages and exports never read it (tests/test_private_answers.py)
PROVENANCE_TABLES = ("source_files", "load_history")
assert RESPONSES.storage is not None
_ANSWERS = RESPONSES.storage.table  # the stored answers, each with its published flag

# The responses files of sources with any unpublished answer: everything about them is private.
_PRIVATE_FILE = f"""file_name = {sql_literal(RESPONSES.file_name)}
    AND source_name IN (SELECT DISTINCT source_name FROM {_ANSWERS} WHERE NOT published)"""


def withhold_private(con: duckdb.DuckDBPyConnection, replaced: list[str]) -> None:
    """Move the provenance rows of files holding unpublished answers into the private schema.

    Run on a build (``prev`` attached) once ``source_files`` and ``load_history`` hold every row
    of the new version: the previous version's private rows of sources not reloaded
    (``replaced`` are the reloaded source names) are carried over first, then every public row
    of a private file moves, what those files hold that readers see (published answers: their
    kind and whether synthetic) is kept in ``withheld_contents``, and periods that only
    unpublished answers use are dropped.
    """
    for table in PROVENANCE_TABLES:
        if has_private_tables(con, "prev"):
            con.execute(
                f"INSERT INTO {PRIVATE_SCHEMA}.{table} BY NAME SELECT * FROM prev.{PRIVATE_SCHEMA}.{table} "
                "WHERE NOT list_contains($replaced, source_name)",
                {"replaced": replaced},
            )
        con.execute(f"INSERT INTO {PRIVATE_SCHEMA}.{table} BY NAME SELECT * FROM {table} WHERE {_PRIVATE_FILE}")
        con.execute(f"DELETE FROM {table} WHERE {_PRIVATE_FILE}")
    con.execute("DELETE FROM withheld_contents")
    con.execute(
        f"""INSERT INTO withheld_contents
            SELECT DISTINCT holds, is_synthetic, publisher, licence FROM {PRIVATE_SCHEMA}.source_files
            WHERE holds IS NOT NULL
              AND source_name IN (SELECT DISTINCT source_name FROM {_ANSWERS} WHERE published)"""
    )
    con.execute(
        f"""DELETE FROM periods
            WHERE period IN (SELECT round FROM {_ANSWERS} WHERE NOT published)
              AND period NOT IN (SELECT round FROM {_ANSWERS} WHERE published)
              AND period NOT IN (SELECT DISTINCT period FROM indicator_values)"""
    )


def has_private_tables(con: duckdb.DuckDBPyConnection, database: str | None = None) -> bool:
    """True when ``database`` (default: the connection's own) has the private provenance tables;
    versions written before schema 4 do not."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = coalesce(?, current_database()) "
        "AND schema_name = ? AND table_name = ?",
        [database, PRIVATE_SCHEMA, PROVENANCE_TABLES[0]],
    ).fetchone()
    return bool(found and found[0])


def operator_source_files(con: duckdb.DuckDBPyConnection) -> str:
    """SQL listing every file of the version, public and private, for the operator's commands:
    ``source_name, file_name, sha256, rows_loaded, load_id, private``. Never for pages or exports."""
    columns = "source_name, file_name, sha256, rows_loaded, load_id"
    sql = f"SELECT {columns}, false AS private FROM source_files"
    if has_private_tables(con):
        sql += f" UNION ALL SELECT {columns}, true AS private FROM {PRIVATE_SCHEMA}.source_files"
    return sql + " ORDER BY source_name, file_name"
