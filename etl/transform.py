"""Transform: turn checked staging rows into the warehouse's typed, canonical tables.

Every function here assumes validation passed for the file it reads.
"""

from __future__ import annotations

import duckdb

from etl.contract import TRUE_WORDS

__all__ = [
    "insert_indicators",
    "insert_questions",
    "append_incoming_values",
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
    return _count(con.execute(
        """INSERT INTO indicators
           SELECT trim(indicator_id), trim(name), trim(theme), trim(unit), lower(trim(polarity)),
                  trim(description), trim(source),
                  TRY_CAST(trim(min_value) AS DOUBLE), TRY_CAST(trim(max_value) AS DOUBLE),
                  nullif(lower(trim(aggregation)), ''), TRY_CAST(trim(decimals) AS INTEGER), ?
           FROM checked_indicators ORDER BY rid""",
        [source_name],
    ))


def insert_questions(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Copy the checked questions into ``questions``; returns rows written."""
    levels = ", ".join(f"nullif(trim(level_{n}), '')" for n in range(1, 6))
    return _count(con.execute(
        f"""INSERT INTO questions
            SELECT trim(question_id), trim(theme), lower(trim(role)), trim(text), {levels}, ?
            FROM checked_questions ORDER BY rid""",
        [source_name],
    ))


def append_incoming_values(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Add the checked values to ``incoming_values``; an empty value with no status is 'missing'."""
    return _count(con.execute(
        """INSERT INTO incoming_values
           SELECT trim(indicator_id), period_label, period_start, resolved_authority, value_number,
                  CASE WHEN coalesce(trim(status), '') <> '' THEN lower(trim(status))
                       WHEN value_number IS NULL THEN 'missing' END,
                  ?
           FROM checked_values""",
        [source_name],
    ))


def append_incoming_responses(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Add the checked responses to ``incoming_responses``; ``published`` defaults to true."""
    truthy = "(" + ", ".join(f"'{w}'" for w in TRUE_WORDS) + ")"
    return _count(con.execute(
        f"""INSERT INTO incoming_responses
            SELECT resolved_authority, period_label, round_start, trim(question_id),
                   CAST(trim(score) AS INTEGER),
                   coalesce(trim(published), '') = '' OR lower(trim(published)) IN {truthy},
                   ?
            FROM checked_responses""",
        [source_name],
    ))


def append_incoming_comparators(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Add the checked aggregate-area values to ``incoming_comparators``; returns rows added."""
    return _count(con.execute(
        """INSERT INTO incoming_comparators
           SELECT trim(indicator_id), period_label, period_start, trim(area_name),
                  nullif(trim(area_code), ''), value_number,
                  CASE WHEN coalesce(trim(status), '') <> '' THEN lower(trim(status))
                       WHEN value_number IS NULL THEN 'missing' END,
                  ?
           FROM checked_comparators""",
        [source_name],
    ))


def insert_peer_sets(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Copy the checked peer-set definitions into ``peer_sets``; returns rows written."""
    return _count(con.execute(
        """INSERT INTO peer_sets
           SELECT trim(set_id), trim(name), lower(trim(kind)), nullif(trim(description), ''),
                  trim(method), nullif(trim(variables), ''), ?
           FROM checked_peer_sets ORDER BY rid""",
        [source_name],
    ))


def append_incoming_peer_members(con: duckdb.DuckDBPyConnection, source_name: str) -> int:
    """Add the checked peer-set members to ``incoming_peer_members``; returns rows added."""
    return _count(con.execute(
        """INSERT INTO incoming_peer_members
           SELECT trim(set_id), resolved_authority, resolved_member,
                  TRY_CAST(trim(rank) AS INTEGER), TRY_CAST(trim(similarity) AS DOUBLE),
                  nullif(trim(closeness), ''), nullif(trim(group_id), ''), ?
           FROM checked_peer_set_members""",
        [source_name],
    ))


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
