"""Validate: run a contract file's checks over its checked view and report the offending rows.

What each file must satisfy is declared in ``etl.contract`` (one :class:`~etl.contract.FileSpec`
per file); this module only runs it. Each check is a predicate over the file's *checked view*
(the raw text joined to the reference codes, the parsed periods and the known definitions). One
aggregate query counts every check's offending rows in a single pass; only checks that fire are
asked for examples.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.contract import VALUES, FileSpec
from etl.periods import PeriodError, parse_period
from etl.problems import EXAMPLES_PER_PROBLEM, Problem

__all__ = [
    "validate_staged",
    "build_period_map",
    "repeated_stored_values",
    "duplicate_value_problems",
]


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


def _row_of(rid: int, rejected_lines: list[int]) -> int:
    """Spreadsheet row of staging row ``rid``, skipping rows the reader rejected before it."""
    row = rid + 2
    for line in rejected_lines:
        if line <= row:
            row += 1
    return row


def _key_filter(spec: FileSpec) -> str:
    assert spec.unique_key is not None
    return " AND ".join(f"{k} IS NOT NULL" for k in spec.unique_key.expressions)


def run_checks(con: duckdb.DuckDBPyConnection, spec: FileSpec, view: str, rejected_lines: list[int]) -> list[Problem]:
    """Count every check of ``spec`` on ``view`` in one pass; fetch examples only for those that fire.

    The same pass counts keyed rows and distinct key hashes: only when they differ (a repeated
    key, or a 64-bit hash collision) does the exact grouped duplicate query run.
    """
    key = spec.unique_key
    counts = [f"count(*) FILTER (WHERE {c.where})" for c in spec.checks]
    hashed = key is not None and not key.after_sort
    if hashed:
        assert key is not None
        keyed = _key_filter(spec)
        counts += [
            f"count(*) FILTER (WHERE {keyed})",
            f"count(DISTINCT hash({', '.join(key.expressions)})) FILTER (WHERE {keyed})",
        ]
    found = con.execute(f"SELECT {', '.join(counts)} FROM {view}").fetchone()
    problems: list[Problem] = []
    for check, count in zip(spec.checks, found[: len(spec.checks)], strict=True):
        if not count:
            continue
        examples = con.execute(
            f"SELECT rid, {check.shown}, {check.reason} FROM {view} WHERE {check.where} "
            f"ORDER BY rid LIMIT {EXAMPLES_PER_PROBLEM}"
        ).fetchall()
        for rid, shown, reason in examples:
            problems.append(Problem(spec.file_name, _row_of(rid, rejected_lines), check.column, shown, reason, count))
    if hashed and found[-2] != found[-1]:
        problems += _duplicate_keys(con, spec, view, rejected_lines)
    elif key is not None and key.after_sort and (problems or rejected_lines):
        # The file will not reach the sorted write: look for repeats now, so the report is complete.
        problems += _duplicate_keys(con, spec, view, rejected_lines)
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
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {VALUES.view_sql(source_name, stage, periods)}")
    inside = _duplicate_keys(con, VALUES, view, [])
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
    assert VALUES.unique_key is not None
    return [
        Problem(
            VALUES.file_name,
            rid + 2,
            VALUES.unique_key.columns,
            None,
            f"repeats a value already loaded by source {other} (same authority, indicator and period)",
            int(repeats),
        )
        for rid, other, repeats in rows
    ]


def _duplicate_keys(
    con: duckdb.DuckDBPyConnection, spec: FileSpec, view: str, rejected_lines: list[int]
) -> list[Problem]:
    """One problem per repeated key (first examples): the later row, naming the row it repeats.

    ``count`` is the number of rows that repeat an earlier one, so the report's total is in rows.
    """
    key = spec.unique_key
    if key is None:
        return []
    rows = con.execute(
        f"""SELECT min(rid) AS first, max(rid) AS last, sum(count(*) - 1) OVER () AS repeats
            FROM {view} WHERE {_key_filter(spec)} GROUP BY {", ".join(key.expressions)} HAVING count(*) > 1
            ORDER BY last LIMIT {EXAMPLES_PER_PROBLEM}"""
    ).fetchall()
    return [
        Problem(
            spec.file_name,
            _row_of(last, rejected_lines),
            key.columns,
            None,
            f"repeats row {_row_of(first, rejected_lines)} (same {key.what})",
            int(repeats),
        )
        for first, last, repeats in rows
    ]


def validate_staged(
    con: duckdb.DuckDBPyConnection,
    spec: FileSpec,
    rejected_lines: list[int],
    source_name: str,
    indicators: str = "indicators",
) -> list[Problem]:
    """Run every check of one staged contract file; returns the problems (empty when clean).

    Creates the file's checked view (``spec.checked_view``), which the storage step reads too.
    Expects the staging table, the file's period map (when it has a period column) and, for a
    definitions file, its ``kept_<table>`` to exist. ``indicators``: the table of indicators the
    file may refer to (a streamed file checked again at the end: those known when it was read).
    """
    view = spec.view_sql(source_name, indicators=indicators)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {spec.checked_view} AS {view}")
    return run_checks(con, spec, spec.checked_view, rejected_lines)
