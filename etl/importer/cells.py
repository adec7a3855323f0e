"""The values step of an import: reshape to one row per cell, read periods and indicators, clean
values and confidence limits, report problems and duplicates, and write ``values.csv``,
``comparators.csv`` and ``indicators.csv`` into the contract folder.

Temp tables, in order: ``long_cells`` (the reshaped file), ``period_map``, ``indicator_map``,
``period_councils``, then ``cells`` (one row per kept cell: council or area, indicator, period,
number, status, limits, and what was wrong with it).
"""

from __future__ import annotations

import re

import pandas as pd

from etl.contract import STATUSES
from etl.importer.councils import life_facts, settle_by_period
from etl.importer.metadata import write_indicators
from etl.importer.periodtext import PeriodReader, map_periods
from etl.importer.run import ImportRun
from etl.importer.shape import build_long
from etl.importer.values import value_sql
from etl.problems import EXAMPLES_PER_PROBLEM
from etl.sqltext import sql_literal, sql_literal_list

__all__ = ["ID_PATTERN", "slug", "write_values"]

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")  # the contract's id rule
LIMITS = ("lower", "upper")  # confidence limits: lower_ci, upper_ci


def slug(text: str) -> str:
    """An id from a publisher's indicator text: ``Rent arrears (%)`` -> ``rent_arrears_pct``."""
    text = str(text).casefold().replace("%", " pct ").replace("£", " gbp ").replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def write_values(run: ImportRun) -> None:
    """Reshape, check and write values.csv, comparators.csv and indicators.csv into the folder."""
    spec, report = run.spec, run.report
    meta_columns = set()
    if spec.indicators.columns and not spec.indicators.files:  # metadata in the data file itself
        meta_columns = {
            run.column(c, f"indicators.columns.{k}") for k, c in spec.indicators.columns.items() if k != "indicator"
        }
    build_long(run.con, spec, run.columns, run.council_column, meta_columns, run.file_name)
    run.table(
        "value_markers",
        pd.DataFrame(list(spec.markers.items()), columns=["marker", "status"]),
        {"marker": "VARCHAR", "status": "VARCHAR"},
    )
    report.periods = map_periods(run.con, PeriodReader(spec.periods))
    _map_indicators(run)
    settle_by_period(run)
    _build_cells(run)
    report.cells = run.scalar("SELECT count(*) FROM long_cells")
    _cell_problems(run)
    _duplicates(run)
    counts = run.rows("""SELECT count(*) FILTER (WHERE outcome = 'matched'),
                                count(*) FILTER (WHERE outcome = 'aggregate'),
                                count(*) FILTER (WHERE status = 'suppressed'),
                                count(*) FILTER (WHERE status = 'missing') FROM cells""")[0]
    report.values_written, report.comparators_written, report.suppressed, report.missing = counts
    life_facts(run)
    if not spec.indicators.existing:
        write_indicators(run)
    if report.problems:
        return
    _write_csvs(run)


def _map_indicators(run: ImportRun) -> None:
    """Temp table ``indicator_map`` (raw text -> indicator id, by rename, as_is or slug)."""
    indicators = run.spec.indicators
    rows = []
    for (raw,) in run.rows("SELECT DISTINCT indicator FROM long_cells WHERE indicator IS NOT NULL"):
        text = raw.strip()
        rows.append((raw, indicators.rename.get(text) or (text if indicators.ids == "as_is" else slug(text))))
    frame = pd.DataFrame(rows, columns=["raw", "indicator_id"]).astype(object)
    run.table("indicator_map", frame, {"raw": "VARCHAR", "indicator_id": "VARCHAR"})
    run.report.indicators = sorted(set(frame["indicator_id"]))


def _limit_sql(run: ImportRun) -> tuple[str, str, str]:
    """(inner select items, outer select items, joins) cleaning the confidence limits, if mapped."""
    if not run.spec.shape.has_ci:
        return "", ", ".join(f"NULL::DOUBLE AS {k}_ci, false AS bad_{k}, NULL::VARCHAR AS raw_{k}" for k in LIMITS), ""
    inner, outer, joins = [], [], []
    for k in LIMITS:
        sql = value_sql(f"l.{k}_ci", plain_value=f"plain_{k}", mk=f"mk_{k}")
        inner.append(f", {sql['plain']} AS plain_{k}")
        outer.append(f"{sql['number']} AS {k}_ci, {sql['bad']} AS bad_{k}, l.{k}_ci AS raw_{k}")
        joins.append(f"LEFT JOIN value_markers mk_{k} ON mk_{k}.marker = lower(trim(l.{k}_ci))")
    return "".join(inner), ", ".join(outer), "\n".join(joins)


def _note_status_sql(run: ImportRun) -> str:
    """SQL giving the status the first matching ``note_statuses`` pattern names (NULL: none)."""
    patterns = run.spec.values.note_statuses
    if not patterns:
        return "NULL"
    cases = " ".join(
        f"WHEN regexp_matches(coalesce(l.note, ''), {sql_literal(p)}, 'i') THEN {sql_literal(s)}"
        for p, s in patterns.items()
    )
    return f"CASE {cases} END"


def _build_cells(run: ImportRun) -> None:
    """Temp table ``cells``: each kept cell with its council (or area), indicator, period, number,
    status (status column, then markers, then the note's, then the period's annotation) and limits."""
    sql = value_sql("l.value")
    statuses = sql_literal_list(STATUSES)
    keep_aggregates = "true" if run.spec.councils.aggregates == "keep" else "false"
    inner_limits, outer_limits, limit_joins = _limit_sql(run)
    run.con.execute(f"""CREATE OR REPLACE TEMP TABLE cells AS
        SELECT l._row, l._column, l.value AS raw_value, l.status AS raw_status,
               CASE WHEN pc.authority_code IS NOT NULL THEN 'matched' ELSE c.outcome END AS outcome,
               coalesce(pc.authority_code, c.authority_code) AS authority_code, c.area_name, c.area_code,
               i.indicator_id, p.period_label, p.period_start, p.period_end, p.period_error,
               l.period AS raw_period,
               {sql["number"]} AS number,
               coalesce(CASE WHEN lower(trim(l.status)) IN {statuses} THEN lower(trim(l.status)) END,
                        ms.status, {sql["status"]}, {_note_status_sql(run)}, p.period_status) AS status,
               {sql["bad"]} AS bad_value,
               (trim(coalesce(l.status, '')) <> '' AND ms.status IS NULL
                AND lower(trim(l.status)) NOT IN {statuses}) AS bad_status,
               {outer_limits}
        FROM (SELECT *, {sql["plain"]} AS plain_value{inner_limits} FROM long_cells l) l
        LEFT JOIN council_map c ON c.raw = l.council
        LEFT JOIN period_councils pc ON pc.raw = l.council AND pc.period = l.period
        LEFT JOIN indicator_map i ON i.raw = l.indicator
        LEFT JOIN period_map p ON p.raw = l.period
        LEFT JOIN value_markers mk ON mk.marker = lower(trim(l.value))
        LEFT JOIN value_markers ms ON ms.marker = lower(trim(l.status))
        {limit_joins}
        WHERE c.outcome = 'matched' OR pc.authority_code IS NOT NULL
           OR (c.outcome = 'aggregate' AND {keep_aggregates})""")


def _examples(run: ImportRun, where: str, column_sql: str, value_sql_: str, reason: str) -> None:
    """Record up to EXAMPLES_PER_PROBLEM problems for cells matching ``where`` (and their count)."""
    count = run.scalar(f"SELECT count(*) FROM cells WHERE {where}")
    if not count:
        return
    for row, column, value in run.rows(
        f"SELECT _row, {column_sql}, {value_sql_} FROM cells WHERE {where} "
        f"ORDER BY _row, _column LIMIT {EXAMPLES_PER_PROBLEM}"
    ):
        run.problem(row, column, value, reason, count)


def _cell_problems(run: ImportRun) -> None:
    spec = run.spec
    shape = spec.shape
    period_column = shape.period_column or ("(column name)" if shape.form == "wide" else "period")
    indicator_column = shape.indicator_column or "(column name)"
    _examples(
        run,
        "bad_value",
        "_column",
        "raw_value",
        "is not a number or a known suppression/missing marker (add it to [values] markers if it is one)",
    )
    for k in LIMITS:
        column = getattr(shape, f"{k}_ci_column") or f"{k}_ci"
        _examples(
            run,
            f"bad_{k}",
            sql_literal(column),
            f"raw_{k}",
            f"is not a number or a known marker ({k} confidence limit)",
        )
    _examples(
        run,
        "bad_status",
        sql_literal(shape.status_column or "status"),
        "raw_status",
        f"is not a status ({', '.join(STATUSES)}) or a known marker",
    )
    _examples(run, "raw_period IS NULL", sql_literal(period_column), "''", "no period given")
    _period_problems(run, period_column)
    _examples(run, "indicator_id IS NULL", sql_literal(indicator_column), "''", "no indicator given")
    _indicator_problems(run, indicator_column)


def _period_problems(run: ImportRun, period_column: str) -> None:
    """One problem per distinct unreadable period, each saying how many rows share its reason."""
    shape = run.spec.shape
    found = run.rows("""SELECT raw_period, period_error, min(_row), arg_min(_column, _row), count(*)
                        FROM cells WHERE period_error IS NOT NULL AND raw_period IS NOT NULL
                        GROUP BY 1, 2 ORDER BY 1""")
    rows_per_error: dict[str, int] = {}
    texts_per_error: dict[str, int] = {}
    for _, error, _, _, rows in found:
        rows_per_error[error] = rows_per_error.get(error, 0) + rows
        texts_per_error[error] = texts_per_error.get(error, 0) + 1
    by_column = shape.form == "wide" and not shape.period_column and not run.spec.period
    for raw, error, row, column, _ in found:
        where = column if by_column else period_column
        run.problem(row, where, raw, f"period {error}", rows_per_error[error], texts_per_error[error])


def _indicator_problems(run: ImportRun, indicator_column: str) -> None:
    for raw, indicator_id in run.rows("SELECT raw, indicator_id FROM indicator_map"):
        if not ID_PATTERN.match(indicator_id or ""):
            run.problem(
                None,
                indicator_column,
                raw,
                f"gives indicator id {indicator_id!r}, which is not letters, digits, '_', "
                "'.' or '-' (map it in [indicators] rename)",
            )
    clashes = run.rows("SELECT indicator_id, list(raw ORDER BY raw) FROM indicator_map GROUP BY 1 HAVING count(*) > 1")
    for indicator_id, raws in clashes:
        run.problem(
            None,
            indicator_column,
            "; ".join(raws),
            f"all become indicator id {indicator_id!r}: give them distinct ids in [indicators] rename",
        )


def _duplicates(run: ImportRun) -> None:
    """The same council (or area), indicator and period twice: drop identical repeats if allowed."""
    spec, report = run.spec, run.report
    key = "coalesce(authority_code, 'area:' || area_name), indicator_id, period_label"
    keyed = "indicator_id IS NOT NULL AND period_label IS NOT NULL"
    # one cheap hash pass first; the windowed look-up below only runs when a key repeats
    if not run.scalar(f"SELECT count(*) - count(DISTINCT ({key})) FROM cells WHERE {keyed}"):
        return
    same = "coalesce(CAST(number AS VARCHAR), '') || '|' || coalesce(status, '') || '|' || " + " || '|' || ".join(
        f"coalesce(CAST({k}_ci AS VARCHAR), '')" for k in LIMITS
    )
    run.con.execute(f"""CREATE OR REPLACE TEMP TABLE duplicate_cells AS
        SELECT _row, _column, row_number() OVER (PARTITION BY {key} ORDER BY _row, _column) AS nth,
               count(DISTINCT {same}) OVER (PARTITION BY {key}) AS versions,
               first_value(_row) OVER (PARTITION BY {key} ORDER BY _row, _column) AS first_row
        FROM cells WHERE {keyed}""")
    report.duplicates = run.scalar("SELECT count(*) FROM duplicate_cells WHERE nth > 1")
    if not report.duplicates:
        return
    droppable = "versions = 1" if spec.duplicates == "drop_identical" else "false"
    report.duplicates_dropped = run.scalar(f"SELECT count(*) FROM duplicate_cells WHERE nth > 1 AND {droppable}")
    run.con.execute(f"""DELETE FROM cells WHERE (_row, _column) IN (
        SELECT (_row, _column) FROM duplicate_cells WHERE nth > 1 AND {droppable})""")
    conflicts = run.rows(f"""SELECT _row, _column, first_row, count(*) OVER () FROM duplicate_cells
        WHERE nth > 1 AND NOT ({droppable}) ORDER BY _row LIMIT {EXAMPLES_PER_PROBLEM}""")
    how = (
        "gives a different value"
        if spec.duplicates == "drop_identical"
        else '(set [values] duplicates = "drop_identical" to drop identical repeats)'
    )
    for row, column, first_row, count in conflicts:
        run.problem(row, column, None, f"repeats the council, indicator and period of row {first_row} {how}", count)


def _write_csvs(run: ImportRun) -> None:
    """values.csv (and comparators.csv when areas are kept), in the warehouse's own order.

    The ``source_*`` columns (extra to the contract, ignored by the load) trace a load problem
    back to the input cell; ``lower_ci``/``upper_ci`` are written only when the spec maps them.
    """
    limits = "lower_ci, upper_ci, " if run.spec.shape.has_ci else ""
    trace = "_row AS source_row, _column AS source_column, raw_value AS source_value"
    run.copy_csv(
        f"""SELECT authority_code, indicator_id, period_label AS period, number AS value, status, {limits}{trace}
            FROM cells WHERE outcome = 'matched' ORDER BY indicator_id, period_label, authority_code""",
        "values.csv",
    )
    if run.report.comparators_written:
        run.copy_csv(
            f"""SELECT indicator_id, period_label AS period, area_name, area_code, number AS value, status,
                       {limits}{trace}
                FROM cells WHERE outcome = 'aggregate' ORDER BY _row, _column""",
            "comparators.csv",
        )
