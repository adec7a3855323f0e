"""Transform: turn checked staging rows into the warehouse's typed, canonical tables.

Every function here assumes validation passed for the file it reads.
"""

from __future__ import annotations

import duckdb

from etl.contract import TRUE_WORDS
from etl.sqltext import sql_literal

__all__ = [
    "insert_indicators",
    "insert_questions",
    "append_incoming_values",
    "defer_incoming_values",
    "deferred_values",
    "append_incoming_responses",
    "record_periods",
    "create_incoming_tables",
    "append_incoming_comparators",
    "insert_peer_sets",
    "append_incoming_peer_members",
]


def create_incoming_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables that collect the new sources' rows until the final sorted write."""
    con.execute("CREATE OR REPLACE TEMP TABLE incoming_values AS SELECT * FROM indicator_values LIMIT 0")
    con.execute("CREATE OR REPLACE TEMP TABLE incoming_responses AS SELECT * FROM responses LIMIT 0")
    con.execute("CREATE OR REPLACE TEMP TABLE incoming_periods AS SELECT * FROM periods LIMIT 0")
    con.execute("CREATE OR REPLACE TEMP TABLE incoming_comparators AS SELECT * FROM comparator_values LIMIT 0")
    con.execute("CREATE OR REPLACE TEMP TABLE incoming_peer_members AS SELECT * FROM peer_set_members LIMIT 0")


def insert_indicators(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Copy the checked indicators into ``indicators``; returns rows written."""
    return _count(
        con.execute(
            """INSERT INTO indicators
           SELECT trim(indicator_id), trim(name), trim(theme), trim(unit), lower(trim(polarity)),
                  trim(description), trim(source),
                  TRY_CAST(trim(min_value) AS DOUBLE), TRY_CAST(trim(max_value) AS DOUBLE),
                  nullif(lower(trim(aggregation)), ''), TRY_CAST(trim(decimals) AS INTEGER), ?
           FROM checked_indicators ORDER BY rid""",
            [source_name],
        )
    )


def insert_questions(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Copy the checked questions into ``questions``; returns rows written."""
    levels = ", ".join(f"nullif(trim(level_{n}), '')" for n in range(1, 6))
    return _count(
        con.execute(
            f"""INSERT INTO questions
            SELECT trim(question_id), trim(theme), lower(trim(role)), trim(text), {levels}, ?
            FROM checked_questions ORDER BY rid""",
            [source_name],
        )
    )


def append_incoming_values(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Add the checked values to ``incoming_values``; an empty value with no status is 'missing'."""
    return _count(
        con.execute(
            """INSERT INTO incoming_values
           SELECT trim(indicator_id), period_label, period_start, resolved_authority, value_number,
                  CASE WHEN coalesce(trim(status), '') <> '' THEN lower(trim(status))
                       WHEN value_number IS NULL THEN 'missing' END,
                  ?
           FROM checked_values""",
            [source_name],
        )
    )


def defer_incoming_values(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Keep a checked values file for the final sorted write instead of copying it now.

    A 16-million-row file would otherwise be transformed into a temporary table and then read
    again by the sort; renaming the staging table and the period map (cheap, no data moves)
    lets the final write transform and sort the rows in one pass. Returns the rows kept.
    """
    number = 1 + len(deferred_values(con))
    stage, periods = f"stage_values_{number}", f"values_periods_{number}"
    con.execute(f"ALTER TABLE stage_values RENAME TO {stage}")
    con.execute(f"ALTER TABLE values_periods RENAME TO {periods}")
    con.execute(
        f"""CREATE TEMP VIEW incoming_values_{number} AS
            SELECT trim(s.indicator_id) AS indicator_id, p.period_label AS period, p.period_start,
                   c.authority_code, TRY_CAST(trim(s.value) AS DOUBLE) AS value,
                   CASE WHEN coalesce(trim(s.status), '') <> '' THEN lower(trim(s.status))
                        WHEN TRY_CAST(trim(s.value) AS DOUBLE) IS NULL THEN 'missing' END AS status,
                   {sql_literal(source_name)} AS source_name
            FROM {stage} s
            JOIN ref.authority_codes c ON c.code = upper(trim(s.authority_code))
            JOIN {periods} p ON p.raw = s.period"""
    )
    return _count(con.execute(f"SELECT count(*) FROM {stage}"))


def deferred_values(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The views of values files kept by ``defer_incoming_values``, in load order."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE temporary AND view_name LIKE 'incoming\\_values\\_%' ESCAPE '\\'"
        ).fetchall()
    ]
    return sorted(names, key=lambda name: int(name.rsplit("_", 1)[1]))


def append_incoming_responses(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Add the checked responses to ``incoming_responses``; ``published`` defaults to true."""
    truthy = "(" + ", ".join(f"'{w}'" for w in TRUE_WORDS) + ")"
    return _count(
        con.execute(
            f"""INSERT INTO incoming_responses
            SELECT resolved_authority, period_label, round_start, trim(question_id),
                   CAST(trim(score) AS INTEGER),
                   coalesce(trim(published), '') = '' OR lower(trim(published)) IN {truthy},
                   ?
            FROM checked_responses""",
            [source_name],
        )
    )


def append_incoming_comparators(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Add the checked aggregate-area values to ``incoming_comparators``; returns rows added."""
    return _count(
        con.execute(
            """INSERT INTO incoming_comparators
           SELECT trim(indicator_id), period_label, period_start, trim(area_name),
                  nullif(trim(area_code), ''), value_number,
                  CASE WHEN coalesce(trim(status), '') <> '' THEN lower(trim(status))
                       WHEN value_number IS NULL THEN 'missing' END,
                  ?
           FROM checked_comparators""",
            [source_name],
        )
    )


def insert_peer_sets(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Copy the checked peer-set definitions into ``peer_sets``; returns rows written."""
    return _count(
        con.execute(
            """INSERT INTO peer_sets
           SELECT trim(set_id), trim(name), lower(trim(kind)), nullif(trim(description), ''),
                  trim(method), nullif(trim(variables), ''), ?
           FROM checked_peer_sets ORDER BY rid""",
            [source_name],
        )
    )


def append_incoming_peer_members(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Add the checked peer-set members to ``incoming_peer_members``; returns rows added."""
    return _count(
        con.execute(
            """INSERT INTO incoming_peer_members
           SELECT trim(set_id), resolved_authority, resolved_member,
                  TRY_CAST(trim(rank) AS INTEGER), TRY_CAST(trim(similarity) AS DOUBLE),
                  nullif(trim(closeness), ''), nullif(trim(group_id), ''), ?
           FROM checked_peer_set_members""",
            [source_name],
        )
    )


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
