"""Extract: read a source folder's CSV files into DuckDB staging tables, every cell as text.

Reading as text keeps every offending value so validation can quote it back with its row
number. A well-formed file is read by DuckDB in one strict pass. A file the contract reads
streamed (values.csv, ``FileSpec.streamed``) is only *scanned* here: one strict pass counts its
rows and lists its distinct periods, and the final sorted write reads the file itself
(``etl.valuewrite``); it is staged as text only when that write refuses a row or the scan
fails. When DuckDB refuses the file,
or the file holds a NUL byte, a streaming pass over its rows (:func:`_sort_rows`) finds every
misshapen row (wrong number of fields, bad quoting, bad UTF-8, NUL characters, rows over
``MAX_ROW_BYTES``), keeps the first examples and an exact count per problem, stops after
``MAX_REJECTED_ROWS`` and writes the well-formed rows to a clean copy, which DuckDB stages.

Memory stays flat whatever the input: DuckDB's own ``store_rejects`` keeps every bad line in
memory outside its memory limit (3 GB for 10 MB of short rows), so it is not used.
"""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import duckdb

from etl.contract import FILE_SPECS, FileSpec
from etl.problems import EXAMPLES_PER_PROBLEM, Problem
from etl.sqltext import sql_literal

__all__ = [
    "StagedFile",
    "SourceReadError",
    "stage_source",
    "stage_file",
    "read_csv_sql",
    "file_sha256",
    "source_files",
    "MAX_ROW_BYTES",
    "MAX_REJECTED_ROWS",
]

HASH_CHUNK = 1 << 20  # 1 MiB: large enough to hash a multi-GB file at disk speed
HEADER_BYTES = 64 * 1024  # a header row longer than this is not a contract header
MAX_ROW_BYTES = 2 * 1024 * 1024  # DuckDB's default max_line_size; contract rows are far shorter
# A file with this many misshapen rows is not in the contract's shape: reading on would only
# cost time, and the examples already show what to fix.
MAX_REJECTED_ROWS = 1_000
SHOWN_CHARS = 80  # how much of a rejected row the report quotes

SHORT_ROW = "row has fewer fields than the header"
LONG_ROW = "row has more fields than the header"
BAD_QUOTE = "a quoted field is not closed or has text after its closing quote"
BROKEN_LINE = "a line break inside a field that is not quoted"
NOT_UTF8 = "is not valid UTF-8 text; save the file as CSV UTF-8"
HAS_NUL = "holds a NUL character (the file may be binary or UTF-16); save the file as CSV UTF-8"
TOO_LONG = f"row is longer than {MAX_ROW_BYTES:,} bytes (a quote never closed, or not a CSV file)"


class SourceReadError(Exception):
    """A source folder cannot be read at all (missing folder, no contract files)."""


@dataclass
class StagedFile:
    """A contract file read into the staging table ``spec.table``.

    ``rejected_rows`` are the spreadsheet rows of the rows left out of the staging table (at most
    ``MAX_REJECTED_ROWS``); ``complete`` is False when reading stopped at that limit.
    ``streamed``: the file was scanned, not staged (its distinct periods are in
    ``spec.scan_table``); ``header`` is its header row, stripped; ``part`` the number it is
    kept under for the final write once checked (see ``etl.transform``).
    """

    spec: FileSpec
    path: Path
    sha256: str
    rows_read: int = 0
    rows_loaded: int = 0
    extra_columns: list[str] = field(default_factory=list)
    rejected_rows: list[int] = field(default_factory=list)
    complete: bool = True
    streamed: bool = False
    header: list[str] = field(default_factory=list)
    part: int | None = None


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks so memory stays flat."""
    return _hash_and_find_nul(path)[0]


def _hash_and_find_nul(path: Path) -> tuple[str, bool]:
    """The file's SHA-256 and whether it holds a NUL byte (DuckDB would store one as text)."""
    digest = hashlib.sha256()
    has_nul = False
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
            has_nul = has_nul or b"\x00" in chunk
    return digest.hexdigest(), has_nul


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


def _link_outside(path: Path) -> Problem | None:
    """A problem when ``path`` is a symbolic link to a file outside its folder (never read)."""
    if not path.is_symlink():
        return None
    target = path.resolve()
    if target.is_relative_to(path.parent.resolve()):
        return None
    return Problem(
        path.name,
        None,
        None,
        str(target),
        "is a link to a file outside the source folder; copy the file into the folder instead",
    )


def _read_header(path: Path, spec: FileSpec) -> list[str] | Problem:
    """The header row's column names, stripped; a Problem when there is no usable header.

    Only the header line must decode here: bad bytes further down are found by the row pass,
    which reports their row and column.
    """
    name = path.name
    with open(path, "rb") as handle:
        first = handle.read(HEADER_BYTES)
    required = ", ".join(spec.required)
    if not first.strip():
        return Problem(name, 1, required, None, "file is empty: no header row with the required columns")
    line = first.split(b"\n", 1)[0].removesuffix(b"\r")
    if first.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in line:
        return Problem(
            name,
            1,
            None,
            None,
            "file is UTF-16 or binary, not UTF-8 text (its header holds NUL bytes); save it as CSV UTF-8",
        )
    if b"\n" not in first and len(first) == HEADER_BYTES:
        return Problem(name, 1, None, None, f"header row is longer than {HEADER_BYTES:,} bytes: not a contract file")
    if b"\r" in line:
        return Problem(
            name, 1, None, None, "lines end with a carriage return only (old Mac format); save the file as CSV UTF-8"
        )
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
    try:
        header = next(csv.reader([header_line], strict=True), [])
    except csv.Error as exc:
        return Problem(name, 1, None, header_line[:SHOWN_CHARS], f"header row is not valid CSV ({exc})")
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


def stage_file(
    con: duckdb.DuckDBPyConnection, spec: FileSpec, path: Path, stream: bool = False
) -> tuple[StagedFile, list[Problem]]:
    """Read one contract file into the temporary table ``spec.table`` (all text, original order).

    The staging table keeps rows in file order, so ``rowid + 2`` is the row number a
    spreadsheet shows, counting past ``rejected_rows``. Returns the staged file and any
    structural problems found (at most ``EXAMPLES_PER_PROBLEM`` per problem, each with the
    exact count of rows that share it).

    With ``stream`` and a file the contract reads streamed, a well-formed file is scanned
    instead (``StagedFile.streamed``): its rows are counted and its distinct periods kept in
    ``spec.scan_table``, and nothing is staged.

    Raises:
        duckdb.Error: other than a refused CSV (out of memory, disk full...).
    """
    staged = StagedFile(spec, path, "")
    outside = _link_outside(path)
    if outside is not None:  # never open it: the source is what the folder holds
        return staged, [outside]
    read = _scan_text if stream and spec.streamed is not None else _stage_text
    # Hash in a thread while DuckDB reads the file (both release the GIL): 0.5 s off a 550 MB file.
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan = pool.submit(_hash_and_find_nul, path)
        problems, refused = read(con, staged)
        staged.sha256, has_nul = scan.result()
    if has_nul:  # DuckDB would keep a NUL as text: the row pass below names it
        staged.streamed = False
    if refused or (has_nul and not problems):
        problems = _stage_by_rows(con, staged)
    if not problems and staged.rows_read == 0:
        problems.append(
            Problem(spec.file_name, 2, ", ".join(spec.required), None, "file has a header but no data rows")
        )
    return staged, problems


def _checked_header(staged: StagedFile) -> list[Problem]:
    """Read and check the file's header into ``staged``; the problems with it (empty when usable)."""
    header = _read_header(staged.path, staged.spec)
    if isinstance(header, Problem):
        return [header]
    problems, staged.extra_columns = _header_problems(staged.spec, header)
    staged.header = header
    return problems


def _stage_text(con: duckdb.DuckDBPyConnection, staged: StagedFile) -> tuple[list[Problem], bool]:
    """Check the header and let DuckDB read the file strictly; returns (header problems, whether
    DuckDB refused the file's rows)."""
    problems = _checked_header(staged)
    if problems:
        return problems, False
    try:
        con.execute(_staging_sql(staged.spec, staged.header, staged.path, MAX_ROW_BYTES))
    except duckdb.InvalidInputException:
        return [], True
    staged.rows_read = con.execute(f"SELECT count(*) FROM {staged.spec.table}").fetchone()[0]
    return [], False


def _scan_text(con: duckdb.DuckDBPyConnection, staged: StagedFile) -> tuple[list[Problem], bool]:
    """Check the header, then count the rows per period text in one strict read (the reader
    checks every row's shape as staging would); returns (header problems, whether DuckDB refused
    the file's rows)."""
    problems = _checked_header(staged)
    if problems:
        return problems, False
    spec = staged.spec
    assert spec.period_column is not None  # the streamed write joins the file's periods
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {spec.scan_table} AS
                SELECT {spec.period_column}, count(*) AS rows
                FROM {read_csv_sql(staged.path, staged.header)} GROUP BY ALL"""
        )
    except duckdb.InvalidInputException:
        return [], True
    staged.rows_read = int(con.execute(f"SELECT coalesce(sum(rows), 0) FROM {spec.scan_table}").fetchone()[0])
    staged.streamed = True
    return [], False


def read_csv_sql(
    path: Path, header: list[str], types: dict[str, str] | None = None, max_line_size: int = MAX_ROW_BYTES
) -> str:
    """``read_csv(...)`` of a contract file: the header's columns by name, as text unless ``types``
    says otherwise, quoting as RFC 4180 and strict about every row's shape. Staging, the scan and
    the streamed write all read through this, so they accept the same files."""
    kinds = types or {}
    columns = "{" + ", ".join(f"{sql_literal(c)}: {sql_literal(kinds.get(c, 'VARCHAR'))}" for c in header) + "}"
    return f"""read_csv({sql_literal(str(path))},
            header = true, auto_detect = false, columns = {columns},
            delim = ',', quote = '"', escape = '"', strict_mode = true, max_line_size = {max_line_size})"""


def _staging_sql(spec: FileSpec, header: list[str], path: Path, max_line_size: int) -> str:
    # Optional columns the file lacks exist as NULLs, added in the same pass (no ALTER afterwards).
    absent = "".join(f", NULL::VARCHAR AS {c}" for c in spec.optional if c not in header)
    return f"""
        CREATE OR REPLACE TEMP TABLE {spec.table} AS
        SELECT *{absent} FROM {read_csv_sql(path, header, max_line_size=max_line_size)}
        """


def _scratch_dir(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The build's spill folder (beside the warehouse, not a RAM-backed /tmp), when it has one."""
    setting = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0] or ".")
    if not setting.is_absolute():
        return None
    setting.mkdir(parents=True, exist_ok=True)
    return setting


def _stage_by_rows(con: duckdb.DuckDBPyConnection, staged: StagedFile) -> list[Problem]:
    """Sort the file's rows into well-formed and rejected ones, stage the well-formed ones."""
    spec = staged.spec
    header = staged.header
    assert header  # the strict read got past the header
    # A plain file in the spill folder: the next load removes it should this process be killed.
    handle, name = tempfile.mkstemp(prefix="exemplar-clean-", suffix=".csv", dir=_scratch_dir(con))
    os.close(handle)
    clean = Path(name)
    try:
        tally = _sort_rows(staged.path, spec.file_name, header, clean)
        try:  # the clean copy's quotes are doubled, so its lines may be up to twice as long
            con.execute(_staging_sql(spec, header, clean, 2 * MAX_ROW_BYTES + 1024))
        except duckdb.InvalidInputException as exc:
            reason = str(exc).splitlines()[0].replace("Invalid Input Error: ", "")
            return [*tally.problems(), Problem(spec.file_name, None, None, None, f"cannot be read: {reason}")]
    finally:
        clean.unlink(missing_ok=True)
    staged.rejected_rows = tally.rejected_rows
    staged.complete = tally.stopped_at is None
    staged.rows_read = con.execute(f"SELECT count(*) FROM {spec.table}").fetchone()[0] + len(tally.rejected_rows)
    return tally.problems()


# -- the row-by-row pass ---------------------------------------------------------------------
class _RowTooLong(Exception):
    """Raised from inside csv.reader when a record outgrows MAX_ROW_BYTES."""


class _Lines:
    """Physical lines of a file for ``csv.reader``, and what is known about the current record.

    Lines are read as bytes, at most ``MAX_ROW_BYTES`` of a record at a time, so a file without
    line breaks is never pulled into memory whole; each line is decoded on its own, so a bad
    byte is pinned to its row and byte offset.
    """

    def __init__(self, handle: BinaryIO, offset: int):
        self.handle = handle
        self.offset = offset  # byte offset of the next line
        self.new_record()

    def new_record(self) -> None:
        """Forget the record just read: the next line starts a new one."""
        self.start = self.offset
        self.size = 0
        self.first_line = b""  # the record's first line (its start), decoded only for a report
        self.bad_bytes: tuple[int, bytes] | None = None  # offset and bytes of the first bad UTF-8
        self.has_nul = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        room = MAX_ROW_BYTES - self.size
        raw = self.handle.readline(room + 1)
        if not raw:
            raise StopIteration
        if not self.size:
            self.first_line = raw[:HEADER_BYTES]
        self.offset += len(raw)
        self.size += len(raw)
        if len(raw) > room:
            self._skip_rest_of_line(raw)
            raise _RowTooLong
        self.has_nul = self.has_nul or b"\x00" in raw
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if self.bad_bytes is None:
                self.bad_bytes = (self.offset - len(raw) + exc.start, raw[exc.start : exc.end])
            return raw.decode("utf-8", "replace")

    def _skip_rest_of_line(self, raw: bytes) -> None:
        while not raw.endswith(b"\n"):
            raw = self.handle.readline(HASH_CHUNK)
            if not raw:
                return
            self.offset += len(raw)

    @property
    def head(self) -> str:
        """The start of the current record as text (bad bytes replaced)."""
        return self.first_line.decode("utf-8", "replace")

    def at_end(self) -> bool:
        """Whether nothing is left to read."""
        here = self.handle.tell()
        more = self.handle.read(1)
        self.handle.seek(here)
        return not more


@dataclass
class _Tally:
    """What the row pass found: the first examples and an exact count per problem."""

    file: str
    header: list[str]
    examples: dict[tuple[str | None, str], list[Problem]] = field(default_factory=dict)
    counts: Counter[tuple[str | None, str]] = field(default_factory=Counter)
    rejected_rows: list[int] = field(default_factory=list)
    stopped_at: tuple[int, int] | None = None  # (row, byte offset) where reading stopped

    def reject(self, row: int, column: str | None, value: str, reason: str) -> None:
        """Count one rejected row, keeping it as an example while its problem has few."""
        key = (column, reason)
        self.counts[key] += 1
        self.rejected_rows.append(row)
        shown = self.examples.setdefault(key, [])
        if len(shown) < EXAMPLES_PER_PROBLEM:
            shown.append(Problem(self.file, row, column, value, reason))

    def problems(self) -> list[Problem]:
        """Every example, each carrying its problem's count, in row order; then the stop notice."""
        found = [
            Problem(p.file, p.row, p.column, p.value, p.reason, self.counts[key])
            for key, shown in self.examples.items()
            for p in shown
        ]
        found.sort(key=lambda p: p.row or 0)
        if self.stopped_at is not None:
            row, offset = self.stopped_at
            found.append(
                Problem(
                    self.file,
                    None,
                    None,
                    None,
                    f"reading stopped at row {row:,} (byte {offset:,}) after {MAX_REJECTED_ROWS:,} rejected rows; "
                    "the counts cover the rows before it. Fix the rows shown and validate again",
                    count=0,  # a notice about the file, not a rejected row
                )
            )
        return found

    @property
    def width(self) -> int:
        """How many fields a well-formed row has."""
        return len(self.header)

    def column(self, index: int) -> str:
        """The header's name for field ``index`` (0-based); any field past the header's last is
        named as the first extra one, so one kind of fault stays one problem."""
        return self.header[index] if index < self.width else f"field {self.width + 1} (the header has {self.width})"


def _open_field(text: str) -> int:
    """The 0-based field where ``text`` (one record's start) breaks the quoting rules, or where
    it ends still inside quotes."""
    index, quoted, at_start, i = 0, False, True, 0
    while i < len(text):
        char = text[i]
        if quoted:
            if char == '"':
                if text[i + 1 : i + 2] == '"':
                    i += 1
                else:
                    quoted = False
                    following = text[i + 1 : i + 2]
                    if following not in ("", ",", "\r", "\n"):
                        return index  # text after the closing quote
        elif char == '"' and at_start:
            quoted = True
        elif char == ",":
            index += 1
            at_start = True
            i += 1
            continue
        at_start = False
        i += 1
    return index


def _sort_rows(path: Path, file: str, header: list[str], clean: Path) -> _Tally:
    """Read ``path`` row by row: write well-formed rows to ``clean``, tally the others."""
    if csv.field_size_limit() <= MAX_ROW_BYTES:  # our own row limit must trip first
        csv.field_size_limit(MAX_ROW_BYTES + 1)
    tally = _Tally(file, header)
    with open(path, "rb") as handle, open(clean, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        lines = _Lines(handle, len(handle.readline(HEADER_BYTES)))
        reader = csv.reader(lines, strict=True)
        row = 1
        while True:
            if len(tally.rejected_rows) >= MAX_REJECTED_ROWS:
                if not lines.at_end():
                    tally.stopped_at = (row + 1, lines.offset)
                break
            lines.new_record()
            try:
                fields = next(reader)
            except StopIteration:
                break
            except _RowTooLong:
                row += 1
                tally.reject(row, tally.column(_open_field(lines.head)), _shown(lines.head), TOO_LONG)
                reader = csv.reader(lines, strict=True)  # start afresh on the next line
                continue
            except csv.Error as exc:
                row += 1
                if lines.bad_bytes is not None:  # undecodable bytes are the fault to fix first
                    tally.reject(row, *_encoding_problem(lines, tally))
                    continue
                reason = BROKEN_LINE if "new-line" in str(exc) else BAD_QUOTE
                tally.reject(row, tally.column(_open_field(lines.head)), _shown(lines.head), reason)
                continue
            if not fields:
                continue  # a blank line: DuckDB's strict read skips these too, so row numbers agree
            row += 1
            problem = _row_problem(fields, lines, tally)
            if problem is None:
                writer.writerow(fields)
            else:
                tally.reject(row, *problem)
    return tally


def _row_problem(fields: list[str], lines: _Lines, tally: _Tally) -> tuple[str | None, str, str] | None:
    """(column, value, reason) of what is wrong with a parsed row, or None when it is well formed."""
    if lines.bad_bytes is not None:
        return _encoding_problem(lines, tally, fields)
    if len(fields) < tally.width:
        return tally.column(len(fields)), _shown(lines.head), SHORT_ROW
    if len(fields) > tally.width:
        return tally.column(tally.width), _shown(lines.head), LONG_ROW
    if lines.has_nul:
        where = next(i for i, f in enumerate(fields) if "\x00" in f)
        return tally.column(where), _shown(fields[where]), HAS_NUL
    return None


def _encoding_problem(lines: _Lines, tally: _Tally, fields: list[str] | None = None) -> tuple[str, str, str]:
    """(column, value, reason) for a row with bytes that are not UTF-8: the value says which
    bytes and at which byte of the file, so a binary file is pinned to a place. Without the
    parsed ``fields`` the column is found by counting separators before the first bad byte."""
    assert lines.bad_bytes is not None
    offset, bad = lines.bad_bytes
    if fields is None:
        where = lines.head[: lines.head.find("\ufffd")].count(",")
    else:
        where = next((i for i, f in enumerate(fields) if "\ufffd" in f), 0)
    return tally.column(where), f"{bad.hex(' ')} at byte {offset:,}", NOT_UTF8


def _shown(text: str) -> str:
    return text.rstrip("\r\n")[:SHOWN_CHARS]


def stage_source(
    con: duckdb.DuckDBPyConnection, source_dir: Path, stream: bool = False
) -> tuple[list[StagedFile], list[Problem]]:
    """Stage every contract file in ``source_dir`` (with ``stream``, scan the streamed ones).

    Raises:
        SourceReadError: the folder is missing or holds no contract file.
    """
    staged, problems = [], []
    for spec, path in source_files(source_dir):
        one, found = stage_file(con, spec, path, stream)
        staged.append(one)
        problems.extend(found)
    return staged, problems
