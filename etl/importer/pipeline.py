"""Import one publisher's file: read, filter, reshape, match councils, clean values, write
contract CSVs to a temporary source folder, and hand that folder to
:func:`etl.load.load_sources` (the same validation and atomic publish as ``etl load``).

One :class:`~etl.importer.run.ImportRun` carries everything a step needs (the spec, the file, the register, the
working database, the report), so each step is a function of the run. The heavy lifting runs
inside an in-memory DuckDB database, so a million-row wide file needs neither a million Python
objects nor a pandas copy per step; Python only sees the distinct council names, indicator
names and period texts.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import duckdb

from etl.extract import file_sha256
from etl.importer.cells import slug, write_values
from etl.importer.councils import match_councils
from etl.importer.filters import apply_filters
from etl.importer.match import Matcher
from etl.importer.peersets import write_peer_sets
from etl.importer.read import read_into
from etl.importer.report import ImportReport
from etl.importer.run import ImportRun
from etl.importer.spec import Spec, read_spec
from etl.load import Source, load_sources
from etl.problems import Problem
from etl.sqltext import sql_literal

__all__ = ["ImportRun", "import_file", "prepare_import", "slug"]

IMPORT_MEMORY = os.environ.get("EXEMPLAR_IMPORT_MEMORY", "1GB")  # DuckDB spills beyond this


def import_file(
    data_path: str | Path,
    spec: Spec | str | Path,
    warehouse: str | Path | None = None,
    *,
    dry_run: bool = False,
    reference_dir: Path | None = None,
    matcher: Matcher | None = None,
    keep_versions: int | None = None,
) -> ImportReport:
    """Import ``data_path`` as ``spec`` says; returns the report (``report.ok`` tells success).

    ``keep_versions`` is handed to the load's pruning (None: the settings' count).

    Problems in the data (unmatched names, bad values, bad periods...) are in
    ``report.problems`` with file, row, column and reason; nothing is written then. With
    ``dry_run`` every check runs (including the load's own) and nothing is written either way.

    Raises:
        SpecError: the spec is invalid.
        ReadError: the file cannot be read or lacks a column the spec names.
    """
    data_path = Path(data_path)
    spec = spec if isinstance(spec, Spec) else read_spec(spec)
    with tempfile.TemporaryDirectory(prefix="exemplar-import-") as tmp:
        folder = Path(tmp) / spec.source_name
        report = prepare_import(data_path, spec, folder, reference_dir=reference_dir, matcher=matcher, dry_run=dry_run)
        if report.problems:
            return report
        # the import's own DuckDB is closed by now, so the load has the memory to itself
        started = time.perf_counter()
        result = load_sources(
            [Source.of(folder, spec.source_name)],
            warehouse,
            validate_only=dry_run,
            reference_dir=reference_dir,
            keep_versions=keep_versions,
        )
        report.seconds_load = time.perf_counter() - started
        report.outcome, report.version = result.outcome, result.version
        report.problems = [_origin(folder, p, data_path.name, spec) for p in result.problems]
        if result.problems:
            report.outcome = "failed"
    return report


def prepare_import(
    data_path: Path,
    spec: Spec,
    folder: Path,
    *,
    reference_dir: Path | None = None,
    matcher: Matcher | None = None,
    dry_run: bool = True,
) -> ImportReport:
    """Read, filter, reshape, match and clean ``data_path`` into contract CSVs in ``folder``
    (created), without loading them; problems are in the report.

    Raises:
        SpecError: the spec is invalid (an override names an unknown code).
        ReadError: the file cannot be read or lacks a column the spec names.
    """
    report = ImportReport(
        file=data_path.name,
        source_name=spec.source_name,
        kind=spec.kind,
        dry_run=dry_run,
        aggregates=spec.councils.aggregates,
    )
    matcher = (matcher or Matcher.from_register(reference_dir)).with_overrides(spec.councils.overrides)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET memory_limit = {sql_literal(IMPORT_MEMORY)}")
    con.execute("SET preserve_insertion_order = true")  # rowid must follow file order
    con.execute("SET enable_progress_bar = false")  # the report is the output, not DuckDB's bars
    try:
        run = ImportRun(spec, data_path, matcher, folder, report, con)
        options = spec.file
        run.columns = read_into(
            con,
            "raw_all",
            data_path,
            options.format,
            options.sheet,
            options.skip_rows,
            options.encoding,
            options.delimiter,
        )
        report.sha256 = file_sha256(data_path)
        report.rows_read = run.scalar("SELECT count(*) FROM raw_all")
        apply_filters(run)
        run.council_column = run.column(spec.councils.column, "councils.column")
        match_councils(run)
        if spec.kind == "values":
            write_values(run)
        else:
            write_peer_sets(run)
    finally:
        con.close()
    report.seconds_prepare = time.perf_counter() - started
    return report


# -- problems from the load, traced back to the input file --------------------------------------
_TRACED = ("values.csv", "comparators.csv", "peer_set_members.csv")  # generated files with source_* columns


def _origin(folder: Path, problem: Problem, file_name: str, spec: Spec) -> Problem:
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
    limits = {"lower_ci": spec.shape.lower_ci_column, "upper_ci": spec.shape.upper_ci_column}
    limit_column = limits.get(problem.column or "")
    if limit_column:
        return Problem(file_name, row, limit_column, problem.value, problem.reason, problem.count)
    if problem.column in ("value", "status") and isinstance(column, str) and column:
        shown = record.get("source_value") if problem.column == "value" else problem.value
        return Problem(file_name, row, column, shown, problem.reason, problem.count)
    return Problem(file_name, row, problem.column, problem.value, problem.reason, problem.count)
