"""Validate: SQL checks over the staged files that return the offending rows.

Each check is a predicate over a *checked view* of one staging table (the raw text joined to
the reference codes, the parsed periods and the known indicators). One aggregate query counts
every check's offending rows in a single pass; only checks that fire are asked for examples.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from etl.contract import (
    AGGREGATIONS,
    FALSE_WORDS,
    MAX_DECIMALS,
    PEER_SET_KINDS,
    POLARITIES,
    ROLES,
    STATUSES,
    TRUE_WORDS,
)
from etl.periods import PeriodError, parse_period
from etl.problems import EXAMPLES_PER_PROBLEM, Problem
from etl.sqltext import sql_literal, sql_literal_list

__all__ = [
    "Check",
    "CHECKS",
    "validate_staged",
    "build_period_map",
    "checked_view_sql",
    "repeated_stored_values",
    "duplicate_value_problems",
    "KEYS_CHECKED_AFTER_SORT",
]

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"  # ids travel in URLs and file names
SCORE_PATTERN = r"^[1-5]$"


@dataclass(frozen=True)
class Check:
    """A named rule: rows of ``view`` where ``where`` holds break it.

    ``shown`` is the SQL expression quoted back as the offending value; ``reason`` is SQL
    too, so a reason can carry the row's own figures (e.g. the indicator's maximum).
    """

    file: str
    column: str
    where: str
    reason: str
    shown: str


def _required(file: str, columns: tuple[str, ...]) -> list[Check]:
    return [Check(file, c, f"coalesce(trim({c}), '') = ''", sql_literal("is required but empty"), c) for c in columns]


def _id_format(file: str, column: str) -> Check:
    return Check(
        file,
        column,
        f"trim({column}) <> '' AND NOT regexp_full_match(trim({column}), '{ID_PATTERN}')",
        sql_literal("must be letters, digits, '_', '.' or '-' with no spaces"),
        column,
    )


def _known_authority(file: str) -> Check:
    return Check(
        file,
        "authority_code",
        "trim(authority_code) <> '' AND resolved_authority IS NULL",
        sql_literal("is not a known authority code (GSS, former GSS or register code)"),
        "authority_code",
    )


def _period(file: str, column: str) -> Check:
    return Check(file, column, f"trim({column}) <> '' AND period_error IS NOT NULL", "period_error", column)


INDICATOR_CHECKS = [
    *_required("indicators.csv", ("indicator_id", "name", "theme", "unit", "polarity", "description", "source")),
    _id_format("indicators.csv", "indicator_id"),
    Check(
        "indicators.csv",
        "indicator_id",
        "duplicate_of IS NOT NULL",
        "'repeats the indicator on row ' || (duplicate_of + 2)",
        "indicator_id",
    ),
    Check(
        "indicators.csv",
        "indicator_id",
        "owned_by IS NOT NULL",
        "'is already defined by source ' || owned_by || ' (load that source instead, or rename the indicator)'",
        "indicator_id",
    ),
    Check(
        "indicators.csv",
        "polarity",
        f"trim(polarity) <> '' AND lower(trim(polarity)) NOT IN {sql_literal_list(POLARITIES)}",
        sql_literal(f"must be one of {', '.join(POLARITIES)}"),
        "polarity",
    ),
    Check(
        "indicators.csv",
        "min_value",
        "coalesce(trim(min_value), '') <> '' AND NOT isfinite(coalesce(TRY_CAST(trim(min_value) AS DOUBLE), 'nan'::DOUBLE))",
        sql_literal("is not a number"),
        "min_value",
    ),
    Check(
        "indicators.csv",
        "max_value",
        "coalesce(trim(max_value), '') <> '' AND NOT isfinite(coalesce(TRY_CAST(trim(max_value) AS DOUBLE), 'nan'::DOUBLE))",
        sql_literal("is not a number"),
        "max_value",
    ),
    Check(
        "indicators.csv",
        "max_value",
        "TRY_CAST(trim(max_value) AS DOUBLE) < TRY_CAST(trim(min_value) AS DOUBLE)",
        sql_literal("is below min_value"),
        "max_value",
    ),
    Check(
        "indicators.csv",
        "aggregation",
        f"coalesce(trim(aggregation), '') <> '' AND lower(trim(aggregation)) NOT IN {sql_literal_list(AGGREGATIONS)}",
        sql_literal(f"must be one of {', '.join(AGGREGATIONS)} or empty"),
        "aggregation",
    ),
    Check(
        "indicators.csv",
        "decimals",
        f"coalesce(trim(decimals), '') <> '' AND NOT regexp_full_match(trim(decimals), '^[0-{MAX_DECIMALS}]$')",
        sql_literal(f"must be a whole number from 0 to {MAX_DECIMALS}"),
        "decimals",
    ),
]

VALUE_CHECKS = [
    *_required("values.csv", ("authority_code", "indicator_id", "period")),
    _known_authority("values.csv"),
    Check(
        "values.csv",
        "indicator_id",
        "trim(indicator_id) <> '' AND NOT indicator_known",
        sql_literal("is not an indicator in this source or one already loaded"),
        "indicator_id",
    ),
    _period("values.csv", "period"),
    Check(
        "values.csv",
        "value",
        "coalesce(trim(value), '') <> '' AND value_number IS NULL",
        sql_literal("is not a number"),
        "value",
    ),
    Check(
        "values.csv",
        "value",
        "value_number IS NOT NULL AND NOT isfinite(value_number)",
        sql_literal("is not a finite number"),
        "value",
    ),
    Check(
        "values.csv",
        "value",
        "isfinite(value_number) AND value_number < min_value",
        "'is below the indicator''s min_value ' || min_value",
        "value",
    ),
    Check(
        "values.csv",
        "value",
        "isfinite(value_number) AND value_number > max_value",
        "'is above the indicator''s max_value ' || max_value",
        "value",
    ),
    Check(
        "values.csv",
        "status",
        f"coalesce(trim(status), '') <> '' AND lower(trim(status)) NOT IN {sql_literal_list(STATUSES)}",
        sql_literal(f"must be one of {', '.join(STATUSES)} or empty"),
        "status",
    ),
]

QUESTION_CHECKS = [
    *_required("questions.csv", ("question_id", "theme", "role", "text")),
    _id_format("questions.csv", "question_id"),
    Check(
        "questions.csv",
        "question_id",
        "duplicate_of IS NOT NULL",
        "'repeats the question on row ' || (duplicate_of + 2)",
        "question_id",
    ),
    Check(
        "questions.csv",
        "question_id",
        "owned_by IS NOT NULL",
        "'is already defined by source ' || owned_by",
        "question_id",
    ),
    Check(
        "questions.csv",
        "role",
        f"trim(role) <> '' AND lower(trim(role)) NOT IN {sql_literal_list(ROLES)}",
        sql_literal(f"must be one of {', '.join(ROLES)}"),
        "role",
    ),
]

RESPONSE_CHECKS = [
    *_required("responses.csv", ("authority_code", "round", "question_id", "score")),
    _known_authority("responses.csv"),
    _period("responses.csv", "round"),
    Check(
        "responses.csv",
        "question_id",
        "trim(question_id) <> '' AND NOT question_known",
        sql_literal("is not a question in this source or one already loaded"),
        "question_id",
    ),
    Check(
        "responses.csv",
        "score",
        f"trim(score) <> '' AND NOT regexp_full_match(trim(score), '{SCORE_PATTERN}')",
        sql_literal("must be a whole number from 1 to 5"),
        "score",
    ),
    Check(
        "responses.csv",
        "published",
        f"coalesce(trim(published), '') <> '' AND lower(trim(published)) NOT IN {sql_literal_list(TRUE_WORDS + FALSE_WORDS)}",
        sql_literal("must be true or false"),
        "published",
    ),
]

COMPARATOR_CHECKS = [
    *_required("comparators.csv", ("indicator_id", "period", "area_name")),
    Check(
        "comparators.csv",
        "indicator_id",
        "trim(indicator_id) <> '' AND NOT indicator_known",
        sql_literal("is not an indicator in this source or one already loaded"),
        "indicator_id",
    ),
    _period("comparators.csv", "period"),
    Check(
        "comparators.csv",
        "value",
        "coalesce(trim(value), '') <> '' AND (value_number IS NULL OR NOT isfinite(value_number))",
        sql_literal("is not a finite number"),
        "value",
    ),
    Check(
        "comparators.csv",
        "status",
        f"coalesce(trim(status), '') <> '' AND lower(trim(status)) NOT IN {sql_literal_list(STATUSES)}",
        sql_literal(f"must be one of {', '.join(STATUSES)} or empty"),
        "status",
    ),
]

PEER_SET_CHECKS = [
    *_required("peer_sets.csv", ("set_id", "name", "kind", "method")),
    _id_format("peer_sets.csv", "set_id"),
    Check(
        "peer_sets.csv",
        "set_id",
        "duplicate_of IS NOT NULL",
        "'repeats the peer set on row ' || (duplicate_of + 2)",
        "set_id",
    ),
    Check("peer_sets.csv", "set_id", "owned_by IS NOT NULL", "'is already defined by source ' || owned_by", "set_id"),
    Check(
        "peer_sets.csv",
        "kind",
        f"trim(kind) <> '' AND lower(trim(kind)) NOT IN {sql_literal_list(PEER_SET_KINDS)}",
        sql_literal(f"must be one of {', '.join(PEER_SET_KINDS)}"),
        "kind",
    ),
]

PEER_MEMBER_CHECKS = [
    *_required("peer_set_members.csv", ("set_id", "authority_code")),
    Check(
        "peer_set_members.csv",
        "set_id",
        "trim(set_id) <> '' AND set_kind IS NULL",
        sql_literal("is not a peer set in this source's peer_sets.csv"),
        "set_id",
    ),
    _known_authority("peer_set_members.csv"),
    Check(
        "peer_set_members.csv",
        "member_code",
        "coalesce(trim(member_code), '') <> '' AND resolved_member IS NULL",
        sql_literal("is not a known authority code (GSS, former GSS or register code)"),
        "member_code",
    ),
    Check(
        "peer_set_members.csv",
        "member_code",
        "set_kind = 'neighbours' AND coalesce(trim(member_code), '') = ''",
        sql_literal("is required for a neighbours set"),
        "member_code",
    ),
    Check(
        "peer_set_members.csv",
        "member_code",
        "resolved_member IS NOT NULL AND resolved_member = resolved_authority",
        sql_literal("is the council itself (a council is not its own neighbour)"),
        "member_code",
    ),
    Check(
        "peer_set_members.csv",
        "group_id",
        "set_kind = 'family' AND coalesce(trim(group_id), '') = ''",
        sql_literal("is required for a family set"),
        "group_id",
    ),
    Check(
        "peer_set_members.csv",
        "rank",
        "coalesce(trim(rank), '') <> '' AND NOT regexp_full_match(trim(rank), '^[1-9][0-9]{0,5}$')",
        sql_literal("must be a whole number from 1"),
        "rank",
    ),
    Check(
        "peer_set_members.csv",
        "similarity",
        "coalesce(trim(similarity), '') <> '' AND NOT coalesce(TRY_CAST(trim(similarity) AS DOUBLE) BETWEEN 0 AND 100, false)",
        sql_literal("must be a number from 0 to 100"),
        "similarity",
    ),
]

CHECKS: dict[str, list[Check]] = {
    "indicators.csv": INDICATOR_CHECKS,
    "values.csv": VALUE_CHECKS,
    "questions.csv": QUESTION_CHECKS,
    "responses.csv": RESPONSE_CHECKS,
    "comparators.csv": COMPARATOR_CHECKS,
    "peer_sets.csv": PEER_SET_CHECKS,
    "peer_set_members.csv": PEER_MEMBER_CHECKS,
}

# Keys that must be unique per file, checked with a grouped query (cheap even at 16M rows).
UNIQUE_KEYS = {
    "values.csv": ("resolved_authority", "trim(indicator_id)", "period_label"),
    "responses.csv": ("resolved_authority", "period_label", "trim(question_id)"),
    "comparators.csv": ("trim(indicator_id)", "period_label", "lower(trim(area_name))"),
    "peer_set_members.csv": ("trim(set_id)", "resolved_authority", "coalesce(resolved_member, '')"),
}

# How a repeated key is named in a problem: the file's own column names, in key order.
KEY_COLUMNS = {
    "values.csv": "authority_code, indicator_id, period",
    "responses.csv": "authority_code, round, question_id",
    "comparators.csv": "indicator_id, period, area_name",
    "peer_set_members.csv": "set_id, authority_code, member_code",
}


def build_period_map(con: duckdb.DuckDBPyConnection, table: str, column: str, map_table: str) -> None:
    """Parse each distinct period text of ``table.column`` once, into temp table ``map_table``."""
    raws = [r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL").fetchall()]
    rows: list[tuple[object, ...]] = []
    for raw in raws:
        try:
            period = parse_period(raw)
            rows.append((raw, period.label, period.start, period.end, period.kind, None))
        except PeriodError as exc:
            rows.append((raw, None, None, None, None, str(exc)))
    frame = pd.DataFrame(
        rows, columns=["raw", "period_label", "period_start", "period_end", "period_kind", "period_error"]
    )
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    con.register("period_frame", frame)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {map_table} AS
        SELECT raw::VARCHAR AS raw, period_label::VARCHAR AS period_label, period_start::DATE AS period_start,
               period_end::DATE AS period_end, period_kind::VARCHAR AS period_kind,
               period_error::VARCHAR AS period_error FROM period_frame""")
    con.unregister("period_frame")


def _definitions_view(table: str, id_column: str, kept_table: str) -> str:
    """A definitions file's checked view: each row, the first row with its id, and which other
    source (if any) already defines that id."""
    return f"""
        SELECT s.rowid AS rid, s.*,
               min(s.rowid) OVER (PARTITION BY trim(s.{id_column})) AS first_rid,
               CASE WHEN s.rowid <> first_rid THEN first_rid END AS duplicate_of,
               o.source_name AS owned_by
        FROM {table} s
        LEFT JOIN {kept_table} o ON o.{id_column} = trim(s.{id_column})"""


def checked_view_sql(file_name: str) -> str:
    """The SQL of the checked view over one staging table: raw text plus what it resolves to."""
    if file_name == "indicators.csv":
        return _definitions_view("stage_indicators", "indicator_id", "kept_indicators")
    if file_name == "questions.csv":
        return _definitions_view("stage_questions", "question_id", "kept_questions")
    if file_name == "values.csv":
        return """
        SELECT s.rowid AS rid, s.*,
               c.authority_code AS resolved_authority,
               i.indicator_id IS NOT NULL AS indicator_known, i.min_value, i.max_value,
               p.period_label, p.period_start, p.period_error,
               TRY_CAST(trim(s.value) AS DOUBLE) AS value_number
        FROM stage_values s
        LEFT JOIN ref.authority_codes c ON c.code = upper(trim(s.authority_code))
        LEFT JOIN known_indicators i ON i.indicator_id = trim(s.indicator_id)
        LEFT JOIN values_periods p ON p.raw = s.period"""
    if file_name == "responses.csv":
        return """
        SELECT s.rowid AS rid, s.*,
               c.authority_code AS resolved_authority,
               q.question_id IS NOT NULL AS question_known,
               p.period_label, p.period_start AS round_start, p.period_error
        FROM stage_responses s
        LEFT JOIN ref.authority_codes c ON c.code = upper(trim(s.authority_code))
        LEFT JOIN known_questions q ON q.question_id = trim(s.question_id)
        LEFT JOIN responses_periods p ON p.raw = s.round"""
    if file_name == "comparators.csv":
        return """
        SELECT s.rowid AS rid, s.*,
               i.indicator_id IS NOT NULL AS indicator_known,
               p.period_label, p.period_start, p.period_error,
               TRY_CAST(trim(s.value) AS DOUBLE) AS value_number
        FROM stage_comparators s
        LEFT JOIN known_indicators i ON i.indicator_id = trim(s.indicator_id)
        LEFT JOIN comparators_periods p ON p.raw = s.period"""
    if file_name == "peer_sets.csv":
        return _definitions_view("stage_peer_sets", "set_id", "kept_peer_sets")
    if file_name == "peer_set_members.csv":
        return """
        SELECT s.rowid AS rid, s.*,
               c.authority_code AS resolved_authority,
               m.authority_code AS resolved_member,
               k.kind AS set_kind
        FROM stage_peer_set_members s
        LEFT JOIN ref.authority_codes c ON c.code = upper(trim(s.authority_code))
        LEFT JOIN ref.authority_codes m ON m.code = upper(trim(s.member_code))
        LEFT JOIN known_peer_sets k ON k.set_id = trim(s.set_id)"""
    raise KeyError(file_name)


def _row_of(rid: int, rejected_lines: list[int]) -> int:
    """Spreadsheet row of staging row ``rid``, skipping rows the reader rejected before it."""
    row = rid + 2
    for line in rejected_lines:
        if line <= row:
            row += 1
    return row


# Files whose repeated keys are found after the sorted write, where repeats sit side by side
# (a lag over the stored rows is ~10x cheaper than hashing 16M keys); see repeated_stored_values.
KEYS_CHECKED_AFTER_SORT = frozenset({"values.csv"})


def _key_filter(file_name: str) -> str:
    return " AND ".join(f"{k} IS NOT NULL" for k in UNIQUE_KEYS[file_name])


def run_checks(con: duckdb.DuckDBPyConnection, file_name: str, view: str, rejected_lines: list[int]) -> list[Problem]:
    """Count every check on ``view`` in one pass; fetch examples only for those that fire.

    The same pass counts keyed rows and distinct key hashes: only when they differ (a repeated
    key, or a 64-bit hash collision) does the exact grouped duplicate query run.
    """
    checks = CHECKS[file_name]
    counts = [f"count(*) FILTER (WHERE {c.where})" for c in checks]
    hashed = file_name in UNIQUE_KEYS and file_name not in KEYS_CHECKED_AFTER_SORT
    if hashed:
        keyed = _key_filter(file_name)
        counts += [
            f"count(*) FILTER (WHERE {keyed})",
            f"count(DISTINCT hash({', '.join(UNIQUE_KEYS[file_name])})) FILTER (WHERE {keyed})",
        ]
    found = con.execute(f"SELECT {', '.join(counts)} FROM {view}").fetchone()
    problems: list[Problem] = []
    for check, count in zip(checks, found[: len(checks)], strict=True):
        if not count:
            continue
        examples = con.execute(
            f"SELECT rid, {check.shown}, {check.reason} FROM {view} WHERE {check.where} "
            f"ORDER BY rid LIMIT {EXAMPLES_PER_PROBLEM}"
        ).fetchall()
        for rid, shown, reason in examples:
            problems.append(Problem(file_name, _row_of(rid, rejected_lines), check.column, shown, reason, count))
    if hashed and found[-2] != found[-1]:
        problems += _duplicate_keys(con, file_name, view, rejected_lines)
    elif file_name in KEYS_CHECKED_AFTER_SORT and (problems or rejected_lines):
        # The file will not reach the sorted write: look for repeats now, so the report is complete.
        problems += _duplicate_keys(con, file_name, view, rejected_lines)
    return problems


def repeated_stored_values(con: duckdb.DuckDBPyConnection) -> int:
    """How many rows of ``indicator_values`` repeat the (indicator, period, authority) of the row
    stored just before them. The table is written sorted by indicator, period start, period and
    authority, so every repeated key sits next to its twin and one ordered scan finds them all.
    """
    return con.execute(
        """SELECT count(*) FROM (
               SELECT indicator_id = lag(indicator_id) OVER () AND period = lag(period) OVER ()
                      AND authority_code = lag(authority_code) OVER () AS repeated
               FROM indicator_values)
           WHERE repeated"""
    ).fetchone()[0]


def duplicate_value_problems(
    con: duckdb.DuckDBPyConnection, stage: str, periods: str, source_name: str
) -> list[Problem]:
    """Repeated keys of one kept values file (staging table ``stage``, period map ``periods``):
    repeats inside the file, else rows that repeat a value another source already holds.
    """
    view = f"checked_{stage}"
    sql = checked_view_sql("values.csv").replace("stage_values", stage).replace("values_periods", periods)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {sql}")
    inside = _duplicate_keys(con, "values.csv", view, [])
    if inside:
        return inside
    rows = con.execute(
        f"""SELECT c.rid, o.source_name, count(*) OVER () AS repeats
            FROM {view} c JOIN indicator_values o
              ON o.indicator_id = trim(c.indicator_id) AND o.period = c.period_label
             AND o.authority_code = c.resolved_authority AND o.source_name <> ?
            ORDER BY c.rid LIMIT {EXAMPLES_PER_PROBLEM}""",
        [source_name],
    ).fetchall()
    return [
        Problem(
            "values.csv",
            rid + 2,
            KEY_COLUMNS["values.csv"],
            None,
            f"repeats a value already loaded by source {other} (same authority, indicator and period)",
            int(repeats),
        )
        for rid, other, repeats in rows
    ]


def _duplicate_keys(
    con: duckdb.DuckDBPyConnection, file_name: str, view: str, rejected_lines: list[int]
) -> list[Problem]:
    """One problem per repeated key (first examples): the later row, naming the row it repeats.

    ``count`` is the number of rows that repeat an earlier one, so the report's total is in rows.
    """
    key = UNIQUE_KEYS.get(file_name)
    if not key:
        return []
    rows = con.execute(
        f"""SELECT min(rid) AS first, max(rid) AS last, sum(count(*) - 1) OVER () AS repeats
            FROM {view} WHERE {_key_filter(file_name)} GROUP BY {", ".join(key)} HAVING count(*) > 1
            ORDER BY last LIMIT {EXAMPLES_PER_PROBLEM}"""
    ).fetchall()
    what = {
        "values.csv": "authority, indicator and period",
        "responses.csv": "authority, round and question",
        "comparators.csv": "indicator, period and area",
        "peer_set_members.csv": "set, authority and member",
    }[file_name]
    return [
        Problem(
            file_name,
            _row_of(last, rejected_lines),
            KEY_COLUMNS[file_name],
            None,
            f"repeats row {_row_of(first, rejected_lines)} (same {what})",
            int(repeats),
        )
        for first, last, repeats in rows
    ]


def validate_staged(con: duckdb.DuckDBPyConnection, file_name: str, rejected_lines: list[int]) -> list[Problem]:
    """Run every check for one staged contract file; returns the problems (empty when clean).

    Expects the staging table and, for values and responses, the period map and the
    ``known_indicators`` / ``known_questions`` tables to exist.
    """
    view = f"checked_{file_name.removesuffix('.csv')}"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {checked_view_sql(file_name)}")
    return run_checks(con, file_name, view, rejected_lines)
