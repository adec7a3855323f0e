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
from collections.abc import Sequence
from dataclasses import dataclass
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
from etl.load import LoadResult, Source, load_sources
from etl.problems import Problem
from etl.sqltext import sql_literal

__all__ = ["ImportJob", "ImportRun", "import_file", "import_files", "prepare_import", "slug"]

IMPORT_MEMORY = os.environ.get("EXEMPLAR_IMPORT_MEMORY", "1GB")  # DuckDB spills beyond this


@dataclass(frozen=True)
class ImportJob:
    """One file to import and the spec (or the spec file's path) that maps it."""

    data_path: Path
    spec: Spec | Path


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
    job = ImportJob(Path(data_path), spec if isinstance(spec, Spec) else Path(spec))
    reports, _ = import_files(
        [job], warehouse, dry_run=dry_run, reference_dir=reference_dir, matcher=matcher, keep_versions=keep_versions
    )
    return reports[0]


def import_files(
    jobs: Sequence[ImportJob],
    warehouse: str | Path | None = None,
    *,
    extra_sources: Sequence[Source] = (),
    dry_run: bool = False,
    reference_dir: Path | None = None,
    matcher: Matcher | None = None,
    keep_versions: int | None = None,
) -> tuple[list[ImportReport], LoadResult | None]:
    """Import several files, plus ``extra_sources`` (contract folders), as **one** new version:
    all of them are published together or none is.

    Returns one report per job (in order) and the load's result (None when a file's own
    problems stopped it before the load). A problem the joint load finds is traced back to the
    file it came from: each imported file is then checked alone, so its report names its rows.

    Raises:
        SpecError: a spec is invalid.
        ReadError: a file cannot be read or lacks a column its spec names.
        ValueError: two jobs store their rows under the same source name.
    """
    specs = [job.spec if isinstance(job.spec, Spec) else read_spec(job.spec) for job in jobs]
    names = [spec.source_name for spec in specs] + [source.name for source in extra_sources]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"source name {repeated[0]!r} is given twice: each file needs its own source_name")
    matcher = matcher or Matcher.from_register(reference_dir)
    with tempfile.TemporaryDirectory(prefix="exemplar-import-") as tmp:
        folders = [Path(tmp) / spec.source_name for spec in specs]
        reports = [
            prepare_import(job.data_path, spec, folder, reference_dir=reference_dir, matcher=matcher, dry_run=dry_run)
            for job, spec, folder in zip(jobs, specs, folders, strict=True)
        ]
        if any(report.problems for report in reports):
            return reports, None
        sources = [
            Source.of(folder, spec.source_name, publisher=spec.publisher, licence=spec.licence)
            for spec, folder in zip(specs, folders, strict=True)
        ]
        # the imports' own DuckDBs are closed by now, so the load has the memory to itself
        started = time.perf_counter()
        result = load_sources(
            [*sources, *extra_sources],
            warehouse,
            validate_only=dry_run,
            reference_dir=reference_dir,
            keep_versions=keep_versions,
        )
        seconds = time.perf_counter() - started
        for report in reports:
            report.seconds_load = seconds
            report.outcome, report.version = result.outcome, result.version
        if result.problems:
            for report in reports:
                report.outcome = "failed"
            paths = [job.data_path for job in jobs]
            if len(sources) == 1 and not extra_sources:
                reports[0].problems = [_origin(folders[0], p, paths[0].name, specs[0]) for p in result.problems]
            else:
                _trace_problems(reports, sources, specs, paths, result, warehouse, reference_dir)
    return reports, result


def _trace_problems(
    reports: list[ImportReport],
    sources: list[Source],
    specs: list[Spec],
    data_paths: list[Path],
    result: LoadResult,
    warehouse: str | Path | None,
    reference_dir: Path | None,
) -> None:
    """Put a joint load's problems on the reports of the files they came from: each imported
    file is checked alone (nothing written); problems no single file has (two sources defining
    one indicator, an extra source's own) go on the first report as the load gave them."""
    for report, source, spec, path in zip(reports, sources, specs, data_paths, strict=True):
        alone = load_sources([source], warehouse, validate_only=True, reference_dir=reference_dir, progress=False)
        report.problems = [_origin(source.path, p, path.name, spec) for p in alone.problems]
    if not any(report.problems for report in reports):
        reports[0].problems = list(result.problems)


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
