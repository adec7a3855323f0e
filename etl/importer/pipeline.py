"""Import one publisher's file: read, reshape, match councils, clean values, write contract
CSVs to a temporary source folder, and hand that folder to :func:`etl.load.load_sources` (the
same validation and atomic publish as ``etl load``).

The heavy lifting runs inside an in-memory DuckDB database, so a million-row wide file needs
neither a million Python objects nor a pandas copy per step; Python only sees the distinct
council names, indicator names and period texts.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from etl.contract import STATUSES
from etl.extract import file_sha256
from etl.importer.match import Matcher, match_frame
from etl.importer.metadata import write_indicators
from etl.importer.peersets import write_peer_set
from etl.importer.read import read_frame, read_into, resolve_column
from etl.importer.report import ImportReport
from etl.importer.shape import build_long
from etl.importer.spec import Spec, read_spec
from etl.importer.values import value_sql
from etl.load import Source, load_sources
from etl.periods import PeriodError, parse_period
from etl.problems import EXAMPLES_PER_PROBLEM, Problem
from etl.sqltext import sql_identifier

__all__ = ["import_file", "slug"]

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")  # the contract's id rule
IMPORT_MEMORY = os.environ.get("EXEMPLAR_IMPORT_MEMORY", "1GB")  # DuckDB spills beyond this


def slug(text: str) -> str:
    """An id from a publisher's indicator text: ``Rent arrears (%)`` -> ``rent_arrears_pct``."""
    text = str(text).casefold().replace("%", " pct ").replace("£", " gbp ").replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def import_file(
    data_path: str | Path,
    spec: Spec | str | Path,
    warehouse: str | Path | None = None,
    *,
    dry_run: bool = False,
    reference_dir: Path | None = None,
    matcher: Matcher | None = None,
) -> ImportReport:
    """Import ``data_path`` as ``spec`` says; returns the report (``report.ok`` tells success).

    Problems in the data (unmatched names, bad values, bad periods...) are in
    ``report.problems`` with file, row, column and reason; nothing is written then. With
    ``dry_run`` every check runs (including the load's own) and nothing is written either way.

    Raises:
        SpecError: the spec is invalid.
        ReadError: the file cannot be read or lacks a column the spec names.
    """
    data_path = Path(data_path)
    spec = spec if isinstance(spec, Spec) else read_spec(spec)
    report = ImportReport(
        file=data_path.name,
        source_name=spec.source_name,
        kind=spec.kind,
        dry_run=dry_run,
        aggregates=spec.councils.aggregates,
    )
    matcher = (matcher or Matcher.from_register(reference_dir)).with_overrides(spec.councils.overrides)
    with tempfile.TemporaryDirectory(prefix="exemplar-import-") as tmp:
        folder = Path(tmp) / spec.source_name
        folder.mkdir()
        started = time.perf_counter()
        _prepare(data_path, spec, matcher, folder, report)
        report.seconds_prepare = time.perf_counter() - started
        if report.problems:
            return report
        # the import's own DuckDB is closed by now, so the load has the memory to itself
        started = time.perf_counter()
        result = load_sources(
            [Source.of(folder, spec.source_name)], warehouse, validate_only=dry_run, reference_dir=reference_dir
        )
        report.seconds_load = time.perf_counter() - started
        report.outcome, report.version = result.outcome, result.version
        report.problems = [_origin(folder, p, data_path.name) for p in result.problems]
        if result.problems:
            report.outcome = "failed"
    return report


def _prepare(data_path: Path, spec: Spec, matcher: Matcher, folder: Path, report: ImportReport) -> None:
    """Read, reshape, match and clean into contract CSVs in ``folder`` (problems into ``report``)."""
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{IMPORT_MEMORY}'")
    con.execute("SET preserve_insertion_order = true")  # rowid must follow file order
    con.execute("SET enable_progress_bar = false")  # the report is the output, not DuckDB's bars
    try:
        columns = read_into(
            con, "raw", data_path, spec.file_format, spec.sheet, spec.skip_rows, spec.encoding, spec.delimiter
        )
        report.sha256 = file_sha256(data_path)
        report.rows_read = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
        council_column = resolve_column(columns, spec.councils.column, data_path.name, "councils.column")
        _match_councils(con, spec, matcher, council_column, data_path.name, report)
        if spec.kind == "values":
            _values(con, spec, matcher, columns, council_column, data_path, folder, report)
        else:
            write_peer_set(con, spec, matcher, columns, council_column, data_path.name, folder, report)
    finally:
        con.close()


# -- councils ------------------------------------------------------------------------------------
def _match_councils(
    con: duckdb.DuckDBPyConnection,
    spec: Spec,
    matcher: Matcher,
    council_column: str,
    file_name: str,
    report: ImportReport,
) -> None:
    """Match each distinct council text once; creates temp table ``council_map``."""
    seen = (
        con.execute(f"""SELECT {sql_identifier(council_column)} AS raw, min(_row) AS first_row, count(*) AS rows
                           FROM raw GROUP BY 1""")
        .df()
        .astype(object)
    )
    seen["raw"] = seen["raw"].where(seen["raw"].notna(), None)  # NULL cells stay None, never "nan"
    frame = _match_texts(matcher, seen["raw"], spec.councils.by, spec, file_name)
    con.register("council_frame", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE council_map AS SELECT * FROM council_frame")
    con.unregister("council_frame")
    first = {t: int(r) for t, r in zip(seen["raw"], seen["first_row"], strict=True)}
    rows = {t: int(n) for t, n in zip(seen["raw"], seen["rows"], strict=True)}
    by_outcome = frame.assign(rows=frame["raw"].map(rows)).groupby("outcome")["rows"].sum().to_dict()
    report.rows_matched = int(by_outcome.get("matched", 0))
    report.rows_unmatched = int(by_outcome.get("unmatched", 0))
    report.rows_ambiguous = int(by_outcome.get("ambiguous", 0))
    report.rows_blank = int(by_outcome.get("blank", 0))
    report.rows_aggregate = int(by_outcome.get("aggregate", 0))
    report.matched_by = {str(k): int(v) for k, v in frame[frame["outcome"] == "matched"].groupby("how").size().items()}
    report.aggregate_areas = sorted(set(frame.loc[frame["outcome"] == "aggregate", "area_name"]))
    unmatched = frame[frame["outcome"] == "unmatched"].sort_values("raw", key=lambda s: s.astype(str))
    ambiguous = frame[frame["outcome"] == "ambiguous"].sort_values("raw", key=lambda s: s.astype(str))
    report.unmatched = [(str(t), rows.get(t, 0)) for t in unmatched["raw"]]
    report.ambiguous = [(str(t), c) for t, c in zip(ambiguous["raw"], ambiguous["candidates"], strict=True)]
    if spec.councils.skip_unmatched:
        return
    what = "name" if spec.councils.by == "name" else "code"
    for text in unmatched["raw"]:
        report.problems.append(
            Problem(
                file_name,
                first.get(text),
                council_column,
                str(text),
                f"is not a council {what} the register knows (set skip_unmatched = true "
                "to leave such rows out, or add an override)",
                len(unmatched),
            )
        )
    deferred = spec.councils.by_period and spec.kind == "values"  # settled per row's period later
    for text, candidates in zip(ambiguous["raw"], ambiguous["candidates"], strict=True):
        if not deferred:
            report.problems.append(
                Problem(
                    file_name,
                    first.get(text),
                    council_column,
                    str(text),
                    f"is ambiguous, could be {candidates}: settle it with [councils] overrides or by_period = true",
                    len(ambiguous),
                )
            )
    if report.rows_blank:
        row = min(int(first[t]) for t in frame.loc[frame["outcome"] == "blank", "raw"])
        report.problems.append(Problem(file_name, row, council_column, "", "no council given", report.rows_blank))


def _match_texts(matcher: Matcher, texts: pd.Series, by: str, spec: Spec, file_name: str) -> pd.DataFrame:
    """Match texts by name, a code kind, or through the spec's lookup file."""
    if by != "lookup":
        return match_frame(matcher, texts, by)
    lookup = spec.councils.lookup
    assert lookup is not None  # parse_spec requires it with by = "lookup"
    table = read_frame(lookup.file)
    source = resolve_column(list(table.columns), lookup.from_column, lookup.file.name, "councils.lookup.from")
    target = resolve_column(list(table.columns), lookup.to_column, lookup.file.name, "councils.lookup.to")
    mapping = {str(k).strip(): v for k, v in zip(table[source], table[target], strict=True) if k is not None}
    found = match_frame(matcher, pd.Series(list(mapping.values()), dtype=object), lookup.to_by).set_index("raw")
    rows = []
    for raw in texts:
        key = None if raw is None else str(raw).strip()
        if key is None or key == "":
            rows.append({"raw": raw, "outcome": "blank"})
        elif key not in mapping:
            rows.append({"raw": raw, "outcome": "unmatched", "how": f"not in {lookup.file.name}"})
        else:
            hit = found.loc[mapping[key]].to_dict() if mapping[key] in found.index else {"outcome": "unmatched"}
            rows.append({**hit, "raw": raw, "how": "lookup" if hit.get("outcome") == "matched" else hit.get("how")})
    columns = ["raw", "outcome", "authority_code", "area_name", "area_code", "candidates", "how", "candidate_codes"]
    return pd.DataFrame(rows, columns=columns).astype(object).where(lambda f: f.notna(), None)


# -- values --------------------------------------------------------------------------------------
def _values(
    con: duckdb.DuckDBPyConnection,
    spec: Spec,
    matcher: Matcher,
    columns: list[str],
    council_column: str,
    data_path: Path,
    folder: Path,
    report: ImportReport,
) -> None:
    """Reshape, check and write values.csv, comparators.csv and indicators.csv into ``folder``."""
    file_name = data_path.name
    meta_columns = set()
    if spec.indicators.columns and spec.indicators.file is None:  # metadata in the data file itself
        meta_columns = {
            resolve_column(columns, c, file_name, f"indicators.columns.{k}")
            for k, c in spec.indicators.columns.items()
            if k != "indicator"
        }
    build_long(con, spec, columns, council_column, meta_columns, file_name)
    con.execute("CREATE OR REPLACE TEMP TABLE value_markers (marker VARCHAR, status VARCHAR)")
    con.executemany("INSERT INTO value_markers VALUES (?, ?)", list(spec.markers.items()))
    _map_periods(con, file_name, spec, report)
    _map_indicators(con, spec, report)
    _settle_by_period(con, spec, matcher, council_column, file_name, report)
    sql = value_sql("l.value")
    keep_aggregates = spec.councils.aggregates == "keep"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE cells AS
        SELECT l._row, l._column, l.value AS raw_value, l.status AS raw_status,
               CASE WHEN pc.authority_code IS NOT NULL THEN 'matched' ELSE c.outcome END AS outcome,
               coalesce(c.authority_code, pc.authority_code) AS authority_code, c.area_name, c.area_code,
               i.indicator_id, p.period_label, p.period_error, l.period AS raw_period,
               {sql["number"]} AS number,
               coalesce(CASE WHEN lower(trim(l.status)) IN ({", ".join(f"'{s}'" for s in STATUSES)})
                             THEN lower(trim(l.status)) END,
                        ms.status, {sql["status"]}) AS status,
               {sql["bad"]} AS bad_value,
               (trim(coalesce(l.status, '')) <> '' AND ms.status IS NULL
                AND lower(trim(l.status)) NOT IN ({", ".join(f"'{s}'" for s in STATUSES)})) AS bad_status
        FROM (SELECT *, {sql["plain"]} AS plain_value FROM long_cells l) l
        LEFT JOIN council_map c ON c.raw = l.council
        LEFT JOIN period_councils pc ON pc.raw = l.council AND pc.period = l.period
        LEFT JOIN indicator_map i ON i.raw = l.indicator
        LEFT JOIN period_map p ON p.raw = l.period
        LEFT JOIN value_markers mk ON mk.marker = lower(trim(l.value))
        LEFT JOIN value_markers ms ON ms.marker = lower(trim(l.status))
        WHERE c.outcome = 'matched' OR pc.authority_code IS NOT NULL
           OR (c.outcome = 'aggregate' AND {keep_aggregates})""")
    report.cells = con.execute("SELECT count(*) FROM long_cells").fetchall()[0][0]
    _cell_problems(con, file_name, spec, report)
    _duplicates(con, file_name, spec, report)
    counts = con.execute("""SELECT count(*) FILTER (WHERE outcome = 'matched'),
                                   count(*) FILTER (WHERE outcome = 'aggregate'),
                                   count(*) FILTER (WHERE status = 'suppressed'),
                                   count(*) FILTER (WHERE status = 'missing') FROM cells""").fetchall()[0]
    report.values_written, report.comparators_written, report.suppressed, report.missing = counts
    if not spec.indicators.existing:
        write_indicators(con, spec, data_path, folder, report)
    if report.problems:
        return
    # source_* columns (extra to the contract, ignored by the load) trace a load problem back;
    # rows go in the warehouse's own order (indicator, period), which the load writes fastest
    con.execute(f"""COPY (SELECT authority_code, indicator_id, period_label AS period, number AS value, status,
                                 _row AS source_row, _column AS source_column, raw_value AS source_value
                          FROM cells WHERE outcome = 'matched' ORDER BY indicator_id, period_label, authority_code)
                    TO '{folder / "values.csv"}' (HEADER, DELIMITER ',')""")
    if report.comparators_written:
        con.execute(f"""COPY (SELECT indicator_id, period_label AS period, area_name, area_code,
                                     number AS value, status, _row AS source_row, _column AS source_column,
                                     raw_value AS source_value
                              FROM cells WHERE outcome = 'aggregate' ORDER BY _row, _column)
                        TO '{folder / "comparators.csv"}' (HEADER, DELIMITER ',')""")


def _settle_by_period(
    con: duckdb.DuckDBPyConnection,
    spec: Spec,
    matcher: Matcher,
    council_column: str,
    file_name: str,
    report: ImportReport,
) -> None:
    """With ``by_period``: an ambiguous name in a row whose period only one candidate council
    existed in (register dates) means that council. Creates temp table ``period_councils``;
    pairs still ambiguous become problems (unless skip_unmatched)."""
    con.execute("CREATE OR REPLACE TEMP TABLE period_councils (raw VARCHAR, period VARCHAR, authority_code VARCHAR)")
    if not spec.councils.by_period:
        return
    pairs = con.execute("""SELECT l.council, l.period, c.candidate_codes, c.candidates, p.period_label,
                                  p.period_start, p.period_end, min(l._row), count(*)
                           FROM long_cells l JOIN council_map c ON c.raw = l.council
                           LEFT JOIN period_map p ON p.raw = l.period
                           WHERE c.outcome = 'ambiguous' GROUP BY ALL ORDER BY 8""").fetchall()
    settled, unsettled = [], 0
    for text, period, codes, candidates, label, start, end, row, cells in pairs:
        alive = [c for c in (codes or "").split(",") if c and start and matcher.existed(c, start, end)]
        if len(alive) == 1:
            settled.append((text, period, alive[0]))
            report.settled_by_period += cells
            continue
        unsettled += 1
        if not spec.councils.skip_unmatched:
            report.problems.append(
                Problem(
                    file_name,
                    row,
                    council_column,
                    str(text),
                    f"is ambiguous in {label or period}, could be {candidates}: settle it with [councils] overrides",
                    len(pairs),
                )
            )
    if settled:
        con.executemany("INSERT INTO period_councils VALUES (?, ?, ?)", settled)


def _map_periods(con: duckdb.DuckDBPyConnection, file_name: str, spec: Spec, report: ImportReport) -> None:
    rows: list[tuple[object, ...]] = []
    for (raw,) in con.execute("SELECT DISTINCT period FROM long_cells").fetchall():
        try:
            period = parse_period(raw or "")
            rows.append((raw, period.label, period.start, period.end, None))
        except PeriodError as exc:
            rows.append((raw, None, None, None, str(exc)))
    frame = pd.DataFrame(rows, columns=["raw", "period_label", "period_start", "period_end", "period_error"]).astype(
        object
    )
    con.register("period_frame", frame)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE period_map AS SELECT raw::VARCHAR AS raw, period_label::VARCHAR AS "
        "period_label, period_start::DATE AS period_start, period_end::DATE AS period_end, "
        "period_error::VARCHAR AS period_error FROM period_frame"
    )
    con.unregister("period_frame")
    ok = frame.dropna(subset=["period_label"]).sort_values("period_start")
    report.periods = list(dict.fromkeys(ok["period_label"]))


def _map_indicators(con: duckdb.DuckDBPyConnection, spec: Spec, report: ImportReport) -> None:
    rows = []
    for (raw,) in con.execute("SELECT DISTINCT indicator FROM long_cells WHERE indicator IS NOT NULL").fetchall():
        text = raw.strip()
        rows.append((raw, spec.indicators.rename.get(text) or (text if spec.indicators.ids == "as_is" else slug(text))))
    frame = pd.DataFrame(rows, columns=["raw", "indicator_id"]).astype("string")
    con.register("indicator_frame", frame)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE indicator_map AS SELECT raw::VARCHAR AS raw, "
        "indicator_id::VARCHAR AS indicator_id FROM indicator_frame"
    )
    con.unregister("indicator_frame")
    report.indicators = sorted(set(frame["indicator_id"]))


def _examples(
    con: duckdb.DuckDBPyConnection,
    where: str,
    file_name: str,
    column_sql: str,
    value_sql_: str,
    reason: str,
    problems: list[Problem],
) -> None:
    """Append up to EXAMPLES_PER_PROBLEM problems for cells matching ``where``."""
    count = con.execute(f"SELECT count(*) FROM cells WHERE {where}").fetchall()[0][0]
    if not count:
        return
    for row, column, value in con.execute(
        f"SELECT _row, {column_sql}, {value_sql_} FROM cells WHERE {where} "
        f"ORDER BY _row, _column LIMIT {EXAMPLES_PER_PROBLEM}"
    ).fetchall():
        problems.append(Problem(file_name, row, column, value, reason, count))


def _cell_problems(con: duckdb.DuckDBPyConnection, file_name: str, spec: Spec, report: ImportReport) -> None:
    shape = spec.shape
    period_column = shape.period_column or ("(column name)" if shape.form == "wide" else "period")
    indicator_column = shape.indicator_column or "(column name)"
    problems = report.problems
    _examples(
        con,
        "bad_value",
        file_name,
        "_column",
        "raw_value",
        "is not a number or a known suppression/missing marker (add it to [values] markers if it is one)",
        problems,
    )
    _examples(
        con,
        "bad_status",
        file_name,
        f"'{shape.status_column or 'status'}'",
        "raw_status",
        f"is not a status ({', '.join(STATUSES)}) or a known marker",
        problems,
    )
    _examples(con, "raw_period IS NULL", file_name, f"'{period_column}'", "''", "no period given", problems)
    for raw, error in con.execute(
        "SELECT DISTINCT raw_period, period_error FROM cells "
        "WHERE period_error IS NOT NULL AND raw_period IS NOT NULL ORDER BY 1"
    ).fetchall():
        row, column = con.execute(
            "SELECT _row, _column FROM cells WHERE raw_period = ? ORDER BY _row LIMIT 1", [raw]
        ).fetchall()[0]
        where = column if shape.form == "wide" and not shape.period_column and not spec.period else period_column
        problems.append(Problem(file_name, row, where, raw, f"period {error}"))
    _examples(con, "indicator_id IS NULL", file_name, f"'{indicator_column}'", "''", "no indicator given", problems)
    bad_ids = con.execute("SELECT raw, indicator_id FROM indicator_map").fetchall()
    for raw, indicator_id in bad_ids:
        if not ID_PATTERN.match(indicator_id or ""):
            problems.append(
                Problem(
                    file_name,
                    None,
                    indicator_column,
                    raw,
                    f"gives indicator id {indicator_id!r}, which is not letters, digits, '_', "
                    "'.' or '-' (map it in [indicators] rename)",
                )
            )
    clashes = con.execute(
        "SELECT indicator_id, list(raw ORDER BY raw) FROM indicator_map GROUP BY 1 HAVING count(*) > 1"
    ).fetchall()
    for indicator_id, raws in clashes:
        problems.append(
            Problem(
                file_name,
                None,
                indicator_column,
                "; ".join(raws),
                f"all become indicator id {indicator_id!r}: give them distinct ids in [indicators] rename",
            )
        )


def _duplicates(con: duckdb.DuckDBPyConnection, file_name: str, spec: Spec, report: ImportReport) -> None:
    """The same council (or area), indicator and period twice: drop identical repeats if allowed."""
    key = "coalesce(authority_code, 'area:' || area_name), indicator_id, period_label"
    keyed = "indicator_id IS NOT NULL AND period_label IS NOT NULL"
    # one cheap hash pass first; the windowed look-up below only runs when a key repeats
    repeats = con.execute(f"SELECT count(*) - count(DISTINCT ({key})) FROM cells WHERE {keyed}").fetchall()[0][0]
    if not repeats:
        return
    con.execute(f"""CREATE OR REPLACE TEMP TABLE duplicate_cells AS
        SELECT _row, _column, row_number() OVER (PARTITION BY {key} ORDER BY _row, _column) AS nth,
               count(*) OVER (PARTITION BY {key}) AS copies,
               count(DISTINCT coalesce(CAST(number AS VARCHAR), '') || '|' || coalesce(status, ''))
                   OVER (PARTITION BY {key}) AS versions,
               first_value(_row) OVER (PARTITION BY {key} ORDER BY _row, _column) AS first_row
        FROM cells WHERE indicator_id IS NOT NULL AND period_label IS NOT NULL""")
    report.duplicates = con.execute("SELECT count(*) FROM duplicate_cells WHERE nth > 1").fetchall()[0][0]
    if not report.duplicates:
        return
    droppable = "versions = 1" if spec.duplicates == "drop_identical" else "false"
    report.duplicates_dropped = con.execute(
        f"SELECT count(*) FROM duplicate_cells WHERE nth > 1 AND {droppable}"
    ).fetchall()[0][0]
    con.execute(f"""DELETE FROM cells WHERE (_row, _column) IN (
        SELECT (_row, _column) FROM duplicate_cells WHERE nth > 1 AND {droppable})""")
    conflicts = con.execute(f"""SELECT _row, _column, first_row, count(*) OVER () FROM duplicate_cells
        WHERE nth > 1 AND NOT ({droppable}) ORDER BY _row LIMIT {EXAMPLES_PER_PROBLEM}""").fetchall()
    how = (
        "gives a different value"
        if spec.duplicates == "drop_identical"
        else '(set [values] duplicates = "drop_identical" to drop identical repeats)'
    )
    for row, column, first_row, count in conflicts:
        report.problems.append(
            Problem(
                file_name,
                row,
                column,
                None,
                f"repeats the council, indicator and period of row {first_row} {how}",
                count,
            )
        )


# -- problems from the load, traced back to the input file --------------------------------------
_TRACED = ("values.csv", "comparators.csv", "peer_set_members.csv")  # generated files with source_* columns


def _origin(folder: Path, problem: Problem, file_name: str) -> Problem:
    """A load problem in a generated CSV, re-pointed at the input file's row, column and cell."""
    path = folder / problem.file
    if problem.file not in _TRACED or problem.row is None or not path.is_file():
        return Problem(
            f"{file_name} ({problem.file})", problem.row, problem.column, problem.value, problem.reason, problem.count
        )
    con = duckdb.connect()
    try:
        found = con.execute(
            "SELECT * FROM read_csv(?, header = true, all_varchar = true) LIMIT 1 OFFSET ?",
            [str(path), problem.row - 2],
        ).df()
    except duckdb.Error:
        return problem
    finally:
        con.close()
    if found.empty:
        return problem
    record = found.iloc[0].to_dict()
    row = int(record["source_row"])
    column = record.get("source_column")
    if problem.column in ("value", "status") and isinstance(column, str) and column:
        shown = record.get("source_value") if problem.column == "value" else problem.value
        return Problem(file_name, row, column, shown, problem.reason, problem.count)
    return Problem(file_name, row, problem.column, problem.value, problem.reason, problem.count)
