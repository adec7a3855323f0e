"""Extract: read a source folder's CSV files into DuckDB staging tables, every cell as text.

Reading as text keeps every offending value so validation can quote it back with its row
number. Structural faults (wrong number of fields, bad quoting, bad UTF-8) are caught here
and returned as problems rather than raised.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.contract import FILE_SPECS, FileSpec
from etl.problems import Problem
from etl.sqltext import sql_literal

__all__ = ["StagedFile", "SourceReadError", "stage_source", "file_sha256", "source_files"]

HASH_CHUNK = 1 << 20  # 1 MiB: large enough to hash a multi-GB file at disk speed
REJECT_REASONS = {
    "MISSING COLUMNS": "row has fewer fields than the header",
    "TOO MANY COLUMNS": "row has more fields than the header",
    "UNQUOTED VALUE": "a quoted field is not closed or has text after its closing quote",
    "INVALID ENCODING": "text is not valid UTF-8",
    "LINE SIZE OVER MAXIMUM": "row is longer than the reader allows",
}


class SourceReadError(Exception):
    """A source folder cannot be read at all (missing folder, no contract files)."""


@dataclass
class StagedFile:
    """A contract file read into the staging table ``spec.table``."""

    spec: FileSpec
    path: Path
    sha256: str
    rows_read: int = 0
    rows_loaded: int = 0
    extra_columns: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks so memory stays flat."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def source_files(source_dir: Path) -> list[tuple[FileSpec, Path]]:
    """The contract files present in ``source_dir``, in load order (indicators first).

    Raises:
        SourceReadError: the folder does not exist or holds none of the contract files.
    """
    if not source_dir.is_dir():
        raise SourceReadError(f"{source_dir}: no such folder")
    found = [(spec, source_dir / name) for name, spec in FILE_SPECS.items() if (source_dir / name).is_file()]
    if not found:
        names = ", ".join(FILE_SPECS)
        raise SourceReadError(f"{source_dir}: holds none of the contract files ({names})")
    return found


def _read_header(path: Path, spec: FileSpec) -> list[str] | Problem:
    """The header row's column names, stripped; a Problem when there is no usable header.

    Only the header line must decode here: bad bytes further down are found by the CSV reader,
    which reports their row and column.
    """
    name = path.name
    with open(path, "rb") as handle:
        first = handle.read(64 * 1024)
    required = ", ".join(spec.required)
    if not first.strip():
        return Problem(name, 1, required, None, "file is empty: no header row with the required columns")
    line = first.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        header_line = line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        field_no = line[: exc.start].count(b",") + 1
        return Problem(
            name,
            1,
            f"field {field_no} of the header",
            line[exc.start : exc.start + 4].hex(" "),
            "header is not UTF-8 encoded text",
        )
    header = next(csv.reader(io.StringIO(header_line)), [])
    return [column.strip() for column in header]


def _header_problems(spec: FileSpec, header: list[str]) -> tuple[list[Problem], list[str]]:
    problems = []
    seen: set[str] = set()
    for number, column in enumerate(header, start=1):
        if column in seen:
            problems.append(Problem(spec.file_name, 1, column, column, "column appears twice in the header"))
        seen.add(column)
        if not column:
            problems.append(
                Problem(spec.file_name, 1, f"field {number} of the header", "", "header has an empty column name")
            )
    for column in spec.required:
        if column not in seen:
            problems.append(Problem(spec.file_name, 1, column, None, "required column is missing"))
    extras = [c for c in header if c and c not in spec.columns]
    return problems, extras


def _rejected_rows(con: duckdb.DuckDBPyConnection, spec: FileSpec, rejects: str, header: list[str]) -> list[Problem]:
    """One problem per rejected line (the reader lists a short row once per missing field)."""
    rows = con.execute(
        f"""SELECT line, min(column_idx), arg_min(column_name, column_idx), arg_min(error_type, column_idx),
                   any_value(csv_line)
            FROM {rejects} GROUP BY line ORDER BY line"""
    ).fetchall()
    problems = []
    for line, index, column, kind, raw in rows:
        if column is None:  # an extra field has no column name: say where it is instead
            column = f"field {index} (the header has {len(header)})"
        problems.append(
            Problem(
                spec.file_name,
                int(line),
                column,
                (raw or "").rstrip("\r\n")[:80],
                REJECT_REASONS.get(kind, kind.lower()),
            )
        )
    return problems


_LINE_IN_ERROR = re.compile(r"Line:\s*(\d+)")


def stage_file(con: duckdb.DuckDBPyConnection, spec: FileSpec, path: Path) -> tuple[StagedFile, list[Problem]]:
    """Read one contract file into the temporary table ``spec.table`` (all text, original order).

    The staging table keeps rows in file order, so ``rowid + 2`` is the row number a
    spreadsheet shows. Returns the staged file and any structural problems found.
    """
    # Hash in a thread while DuckDB reads the file (both release the GIL): 0.5 s off a 550 MB file.
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(file_sha256, path)
        staged, problems = _stage_text(con, spec, path)
        staged.sha256 = digest.result()
    return staged, problems


def _stage_text(con: duckdb.DuckDBPyConnection, spec: FileSpec, path: Path) -> tuple[StagedFile, list[Problem]]:
    staged = StagedFile(spec, path, "")
    header = _read_header(path, spec)
    if isinstance(header, Problem):
        return staged, [header]
    problems, staged.extra_columns = _header_problems(spec, header)
    if problems:
        return staged, problems
    columns = "{" + ", ".join(f"{sql_literal(c)}: 'VARCHAR'" for c in header) + "}"
    # Optional columns the file lacks exist as NULLs, added in the same pass (no ALTER afterwards).
    absent = "".join(f", NULL::VARCHAR AS {c}" for c in spec.optional if c not in header)
    rejects = f"rejects_{spec.table}"
    con.execute(f"DROP TABLE IF EXISTS {rejects}")
    con.execute(f"DROP TABLE IF EXISTS {rejects}_scan")
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {spec.table} AS
            SELECT *{absent} FROM read_csv({sql_literal(str(path))},
                header = true, auto_detect = false, columns = {columns},
                delim = ',', quote = '"', escape = '"', strict_mode = true,
                store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{rejects}_scan')
            """
        )
    except duckdb.Error as exc:
        match = _LINE_IN_ERROR.search(str(exc))
        reason = str(exc).splitlines()[0].replace("Invalid Input Error: ", "")
        return staged, [Problem(spec.file_name, int(match[1]) if match else None, None, None, reason)]
    problems = _rejected_rows(con, spec, rejects, header)
    # Every data row is either staged or rejected (one problem per rejected line).
    staged.rows_read = con.execute(f"SELECT count(*) FROM {spec.table}").fetchone()[0] + len(problems)
    if staged.rows_read == 0:
        problems.append(
            Problem(spec.file_name, 2, ", ".join(spec.required), None, "file has a header but no data rows")
        )
    return staged, problems


def stage_source(con: duckdb.DuckDBPyConnection, source_dir: Path) -> tuple[list[StagedFile], list[Problem]]:
    """Stage every contract file in ``source_dir``.

    Raises:
        SourceReadError: the folder is missing or holds no contract file.
    """
    staged, problems = [], []
    for spec, path in source_files(source_dir):
        one, found = stage_file(con, spec, path)
        staged.append(one)
        problems.extend(found)
    return staged, problems
