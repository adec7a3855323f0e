"""Checking an uploaded self-assessment template, and handing it to the ETL's inbox.

The app never writes the warehouse: a checked upload is written, byte for byte, into the inbox
folder beside it (``WarehousePaths.inbox``), with a manifest; ``python -m etl load-inbox``
reads it back with :func:`read_manifest` and :func:`read_stored_file` (which never follow a
link out of the submission's folder), checks it again with :func:`check_upload` and publishes
it through the atomic load path.

What the check refuses, besides wrong answers: formulas anywhere (in any cell of any sheet, or
text a spreadsheet would run as one, by the one rule in :mod:`etl.formulas`), macros, hidden
sheets, rows or columns (what is read must be what the officer sees), external links, data
connections, embedded objects and defined names; cells longer than Excel allows; and a score
that is anything but one of the characters 1-5. Each problem is reported once per kind with
its first examples and an exact count, so a hostile file cannot flood the page.

This module is pure Python (no Streamlit, no DuckDB) so the ETL and tests call exactly the
function the page calls.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import stat
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from etl.formulas import starts_like_formula
from etl.periods import PeriodError, parse_period

__all__ = [
    "MAX_UPLOAD_BYTES",
    "MAX_UNZIPPED_BYTES",
    "MAX_CELL_CHARS",
    "EXAMPLES_PER_PROBLEM",
    "ACCEPTED_SUFFIXES",
    "MACRO_SUFFIXES",
    "REQUIRED_COLUMNS",
    "MANIFEST_NAME",
    "SubmissionProblem",
    "CheckResult",
    "check_upload",
    "framework_id",
    "sha256_hex",
    "write_to_inbox",
    "read_manifest",
    "manifest_problems",
    "read_stored_file",
]

MAX_UPLOAD_BYTES = 1_000_000  # a filled template is ~20 kB; 1 MB leaves room, stops abuse
MAX_UNZIPPED_BYTES = 20_000_000  # an .xlsx is a zip: refuse one that inflates far beyond a template
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell: no template cell comes near it
MAX_MANIFEST_BYTES = 64_000  # the app writes ~400 bytes; anything far larger was not written by it
EXAMPLES_PER_PROBLEM = 5  # per kind of problem: enough to see the pattern, few enough for a page
ACCEPTED_SUFFIXES = (".csv", ".xlsx")  # the two formats the template is offered in
# Excel formats that can carry macros (or are binary and cannot be checked cell by cell).
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xls", ".xlam")
REQUIRED_COLUMNS = ("council", "round", "framework", "question_id", "score")
MANIFEST_NAME = "manifest.json"
INCOMING_PREFIX = ".incoming-"  # a submission still being written; load-inbox skips it
LEVEL_COLUMNS = [f"level_{i}" for i in range(1, 6)]
SHEET_NAME = "Self-assessment"  # the sheet the upload check reads (else the first sheet)
FRAMEWORK_ID_LENGTH = 12  # hex digits: plenty to tell frameworks apart, short enough to read
SHOWN_CHARS = 40  # how much of an offending cell a problem quotes
_CODE = re.compile(r"^[A-Za-z0-9-]{1,12}$")  # authority codes: GSS or register codes
_SCORE = re.compile(r"[1-5]")  # a score is one of these characters; not ٣, ３, 3e0 or 4.99999999999999999
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
STORED_NAMES = {suffix: f"submission{suffix}" for suffix in ACCEPTED_SUFFIXES}  # what write_to_inbox names a file
# Workbook parts that fetch, link or run something from elsewhere: never in a filled template.
REFUSED_PARTS = (
    ("xl/externallinks/", "links to other workbooks (external links)"),
    ("xl/connections.xml", "data connections"),
    ("xl/querytables/", "web or database queries"),
    ("xl/embeddings/", "embedded objects"),
    ("xl/activex/", "ActiveX controls"),
)
FORMULA_CELL = "cell holds a formula; type the value instead"
FORMULA_TEXT = "cell starts like a formula; formulas are not accepted"
TOO_LONG = f"cell holds more than {MAX_CELL_CHARS:,} characters (Excel's limit)"


@dataclass(frozen=True)
class SubmissionProblem:
    """One thing wrong with an upload: the spreadsheet row (header = 1; None for the whole
    file), the column, the offending value and the reason. ``count`` is how many places share
    the problem (the same column and reason) when this is one of its examples."""

    row: int | None
    column: str | None
    value: str
    reason: str
    count: int = 1

    def message(self) -> str:
        """The problem as one sentence naming the row and column."""
        where = "File" if self.row is None else f"Row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = f" ({self.value!r})" if self.value else ""
        return f"{where}{shown}: {self.reason}"


@dataclass
class CheckResult:
    """The outcome of :func:`check_upload`: the problems, or the answers to store.

    ``problems`` holds the first ``EXAMPLES_PER_PROBLEM`` examples of each kind of problem, each
    carrying the exact ``count`` of its kind; ``problem_count`` is the exact total.
    """

    problems: list[SubmissionProblem] = field(default_factory=list)
    answers: pd.DataFrame = field(default_factory=pd.DataFrame)
    council: str = ""
    round: str = ""

    @property
    def ok(self) -> bool:
        """True when the upload can be submitted."""
        return not self.problems

    @property
    def problem_count(self) -> int:
        """How many problems the file has in all (not only the examples kept)."""
        return sum({(p.column, p.reason): p.count for p in self.problems}.values())

    def messages(self) -> list[str]:
        """Every example as a sentence, in row order (file-wide problems first), then one line
        per kind of problem with more places than examples shown."""
        ordered = sorted(self.problems, key=lambda p: (p.row is not None, p.row or 0))
        lines = [p.message() for p in ordered]
        kinds: dict[tuple[str | None, str], list[SubmissionProblem]] = {}
        for problem in self.problems:
            kinds.setdefault((problem.column, problem.reason), []).append(problem)
        for (column, reason), shown in kinds.items():
            more = shown[0].count - len(shown)
            if more > 0:
                where = f" in column {column}" if column else ""
                lines.append(f"{more:,} more place(s){where} with the same problem: {reason}")
        return lines


class _Found:
    """Collects problems: the first examples of each kind and an exact count per kind."""

    def __init__(self) -> None:
        self.examples: dict[tuple[str | None, str], list[SubmissionProblem]] = {}
        self.counts: Counter[tuple[str | None, str]] = Counter()

    def add(self, problem: SubmissionProblem) -> None:
        key = (problem.column, problem.reason)
        self.counts[key] += 1
        shown = self.examples.setdefault(key, [])
        if len(shown) < EXAMPLES_PER_PROBLEM:
            shown.append(problem)

    def extend(self, problems: Iterable[SubmissionProblem]) -> None:
        for problem in problems:
            self.add(problem)

    def __bool__(self) -> bool:
        return bool(self.counts)

    def problems(self) -> list[SubmissionProblem]:
        """The examples, each carrying its kind's count."""
        return [
            SubmissionProblem(p.row, p.column, p.value, p.reason, self.counts[key])
            for key, shown in self.examples.items()
            for p in shown
        ]


# -- reading ---------------------------------------------------------------------------------
@dataclass
class _Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row, {column: text})


def framework_id(questions: pd.DataFrame) -> str:
    """A short fingerprint of the framework: its question ids and texts (order-independent).

    Two frameworks with the same questions worded the same way share an id; adding, removing
    or rewording a question changes it, so a template filled for an old framework is caught.
    """
    pairs = sorted(zip(questions["question_id"].astype(str), questions["text"].astype(str), strict=True))
    digest = hashlib.sha256("\n".join(f"{q}\t{t}" for q, t in pairs).encode("utf-8")).hexdigest()
    return f"fw-{digest[:FRAMEWORK_ID_LENGTH]}"


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as hex."""
    return hashlib.sha256(data).hexdigest()


def _file_problem(reason: str, value: str = "") -> SubmissionProblem:
    return SubmissionProblem(None, None, value, reason)


def _column_name(header: list[str] | None, index: int) -> str:
    """The header's name for column ``index`` (0-based), or its position when it has none
    (``header`` is None while the header row itself is read)."""
    if header is None:
        return str(index + 1)
    if index < len(header) and header[index]:
        return header[index]
    return f"{index + 1} (no header)"


def _cell_problems(row: int, column: str, text: str) -> Iterator[SubmissionProblem]:
    """What is wrong with one cell's text wherever it sits: too long, or a formula."""
    if len(text) > MAX_CELL_CHARS:
        yield SubmissionProblem(row, column, text[:SHOWN_CHARS], TOO_LONG)
    elif starts_like_formula(text):
        yield SubmissionProblem(row, column, text[:SHOWN_CHARS], FORMULA_TEXT)


def _header_problems(header: list[str]) -> Iterator[SubmissionProblem]:
    seen: set[str] = set()
    for name in header:
        if name and name in seen:  # the later copy would silently win: refuse rather than guess
            yield SubmissionProblem(1, name, name, "column appears twice in the header")
        seen.add(name)


def _records(text: str) -> Iterator[tuple[int, list[str] | str]]:
    """(spreadsheet row, cells) per CSV record, or (row, reason) where a record cannot be read."""
    reader = csv.reader(io.StringIO(text, newline=""))
    row = 0
    while True:
        row += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the reader's own field limit is above MAX_CELL_CHARS
            yield row, TOO_LONG if "field larger" in str(exc) else f"not readable as CSV ({exc})"
            continue
        yield row, record


def _read_csv(data: bytes, found: _Found) -> _Table | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        found.add(_file_problem("wrong encoding: the file looks like UTF-16 or binary; save it as CSV UTF-8"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        found.add(
            _file_problem(
                f"wrong encoding: byte {exc.start + 1} is not UTF-8; save the file as 'CSV UTF-8 (comma delimited)'"
            )
        )
        return None
    header: list[str] | None = None
    rows = []
    for row, record in _records(text):
        if isinstance(record, str):
            found.add(SubmissionProblem(row, None, "", record))
            continue
        for index, cell in enumerate(record):
            found.extend(_cell_problems(row, _column_name(header, index), cell))
        if header is None:
            header = [h.strip() for h in record]
            found.extend(_header_problems(header))
            continue
        rows.append((row, {h: (record[i] if i < len(record) else "") for i, h in enumerate(header) if h}))
    if header is None:
        return None
    return _Table(header, rows)


def _cell_text(value: object) -> str:
    """A cell's value as text. Whole numbers arrive as ``int`` (Excel writes ``<v>4</v>``); a
    stored ``4.0``, ``3e0`` or ``4.99999999999999999`` arrives as a float and stays visibly one,
    so it is never taken for a score."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _zip_problems(data: bytes) -> list[SubmissionProblem]:
    """Problems visible in the workbook's zip listing, before openpyxl parses anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = [name.lower() for name in archive.namelist()]
        inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return [_file_problem("not a readable .xlsx workbook (the file is damaged or is another format renamed)")]
    if any(name.endswith("vbaproject.bin") for name in names):
        return [_file_problem("the workbook contains macros (vbaProject.bin); save it as a plain .xlsx without macros")]
    if inflated > MAX_UNZIPPED_BYTES:
        return [
            _file_problem(
                f"the workbook unpacks to {inflated:,} bytes, more than "
                f"{MAX_UNZIPPED_BYTES:,}; upload the template as downloaded"
            )
        ]
    return [
        _file_problem(f"the workbook contains {what}; remove them and upload the template again")
        for prefix, what in REFUSED_PARTS
        if any(name.startswith(prefix) for name in names)
    ]


def _workbook_problems(book: Any) -> Iterator[SubmissionProblem]:
    """Hidden sheets and defined names: refused, so what is read is what the officer sees."""
    for sheet in [*book.worksheets, *book.chartsheets]:
        if sheet.sheet_state != "visible":
            yield _file_problem(
                "the workbook has a hidden sheet; delete it (answers are read only from what you see)", sheet.title
            )
    names = [name for name, defn in book.defined_names.items() if defn.is_reserved is None]
    for sheet in book.worksheets:
        names += list(sheet.defined_names)
    if names:
        yield _file_problem(
            "the workbook has defined names; delete them (Formulas > Name Manager)", ", ".join(names)[:SHOWN_CHARS]
        )


def _formula_cells(book: Any, answer_sheet: Any) -> Iterator[SubmissionProblem]:
    """Every formula in every sheet (a DDE or WEBSERVICE formula runs wherever it sits)."""
    for sheet in book.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":
                    where = (
                        cell.column_letter
                        if sheet is answer_sheet
                        else f"{cell.column_letter} of sheet {sheet.title!r}"
                    )
                    formula = getattr(cell.value, "text", cell.value)
                    yield SubmissionProblem(cell.row, where, str(formula)[:SHOWN_CHARS], FORMULA_CELL)


def _hidden_lines(sheet: Any) -> Iterator[SubmissionProblem]:
    hidden_rows = [str(n) for n, dim in sheet.row_dimensions.items() if dim.hidden]
    hidden_columns = [letter for letter, dim in sheet.column_dimensions.items() if dim.hidden]
    for kind, which in (("rows", hidden_rows), ("columns", hidden_columns)):
        if which:
            yield _file_problem(
                f"the answer sheet has hidden {kind}; unhide them (answers are read only from what you see)",
                ", ".join(which)[:SHOWN_CHARS],
            )


def _read_xlsx(data: bytes, found: _Found) -> _Table | None:
    from openpyxl import load_workbook  # only needed for Excel uploads

    refused = _zip_problems(data)
    if refused:
        found.extend(refused)
        return None
    try:
        book = load_workbook(io.BytesIO(data), read_only=False, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        found.add(_file_problem(f"not a readable .xlsx workbook ({type(exc).__name__})"))
        return None
    if not book.worksheets:
        found.add(_file_problem("the workbook has no sheet to read"))
        return None
    sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
    found.extend(_workbook_problems(book))
    found.extend(_hidden_lines(sheet))
    found.extend(_formula_cells(book, sheet))
    header: list[str] | None = None
    rows = []
    for cells in sheet.iter_rows():
        texts = ["" if cell.data_type == "f" else _cell_text(cell.value) for cell in cells]
        for index, text in enumerate(texts):
            found.extend(_cell_problems(cells[0].row, _column_name(header, index), text))
        if header is None:
            header = [text.strip() for text in texts]
            found.extend(_header_problems(header))
            continue
        rows.append((cells[0].row, {h: texts[i] for i, h in enumerate(header) if h and i < len(texts)}))
    if header is None:
        return None
    return _Table(header, rows)


def _read(data: bytes, filename: str, found: _Found) -> _Table | None:
    suffix = Path(filename).suffix.lower()
    if suffix in MACRO_SUFFIXES:
        found.add(
            _file_problem(
                f"{suffix} files can hold macros or cannot be checked; upload the template as .xlsx or .csv", filename
            )
        )
        return None
    if suffix not in ACCEPTED_SUFFIXES:
        found.add(_file_problem("only .csv and .xlsx templates are accepted", filename))
        return None
    if suffix == ".xlsx":
        return _read_xlsx(data, found)
    if data.startswith(b"PK\x03\x04"):
        found.add(
            _file_problem(
                "this .csv file is really a zip or Excel workbook; save it as CSV UTF-8 or upload it as .xlsx", filename
            )
        )
        return None
    return _read_csv(data, found)


# -- checking --------------------------------------------------------------------------------
def _canonical_round(text: str) -> str | None:
    try:
        return parse_period(text.strip()).label
    except PeriodError:
        return None


def check_upload(data: bytes, filename: str, council: str, round: str, questions: pd.DataFrame) -> CheckResult:
    """Check an uploaded, filled template for ``council`` and ``round`` against the current
    framework ``questions`` (the ``sa_questions`` frame). Never raises for bad input.

    Every kind of problem is collected (unknown or repeated question, missing answer, score
    not one of 1-5, wrong council, round or framework, formulas, macros, hidden sheets, rows
    or columns, external links, defined names, over-long cells, empty, oversized or wrongly
    encoded file), with its first examples and exact count. When there is none, ``answers``
    holds ``question_id, theme, role, question, score, meaning`` (the level descriptor of the
    chosen score) in framework order.
    """
    round_label = _canonical_round(round) or round
    result = CheckResult(council=council, round=round_label)
    found = _Found()
    rows: list[tuple[int, dict[str, str]]] = []
    if not data:
        found.add(_file_problem("the file is empty"))
    elif len(data) > MAX_UPLOAD_BYTES:
        found.add(_file_problem(f"the file is {len(data):,} bytes; the limit is {MAX_UPLOAD_BYTES:,} bytes"))
    else:
        rows = _check_table(_read(data, filename, found), found, council, round_label, questions)
    result.problems = found.problems()
    if result.ok:
        result.answers = _answers(rows, questions)
    return result


def _check_table(
    table: _Table | None, found: _Found, council: str, round_label: str, questions: pd.DataFrame
) -> list[tuple[int, dict[str, str]]]:
    """Add the table's problems to ``found``; returns its answered rows."""
    if table is None:
        if not found:
            found.add(_file_problem("the file is empty: it has no header row"))
        return []
    missing = [c for c in REQUIRED_COLUMNS if c not in table.header]
    if missing:
        found.add(SubmissionProblem(1, ", ".join(missing), "", "required column(s) missing from the header row"))
        return []
    rows = [(n, r) for n, r in table.rows if any(v.strip() for v in r.values())]
    if not rows:
        found.add(_file_problem("the file is empty: it has a header but no answers"))
        return []
    found.extend(_row_problems(rows, council, round_label, questions))
    found.extend(_framework_problems(rows, questions))
    return rows


def _row_problems(
    rows: list[tuple[int, dict[str, str]]], council: str, round_label: str, questions: pd.DataFrame
) -> Iterator[SubmissionProblem]:
    known = set(questions["question_id"].astype(str))
    fw = framework_id(questions)
    first_row: dict[str, int] = {}
    for row, values in rows:
        qid = values.get("question_id", "").strip()
        score = values.get("score", "").strip()
        yield from _identity_problems(row, values, council, round_label, fw)
        if not qid:
            yield SubmissionProblem(row, "question_id", "", "missing question id")
        elif qid not in known:
            yield SubmissionProblem(
                row, "question_id", qid[:SHOWN_CHARS], "unknown question: not in the current framework"
            )
        elif qid in first_row:
            yield SubmissionProblem(row, "question_id", qid, f"question answered twice (first on row {first_row[qid]})")
        else:
            first_row[qid] = row
        if not score:
            yield SubmissionProblem(row, "score", "", "missing answer: give a score from 1 to 5")
        elif not _SCORE.fullmatch(score):
            yield SubmissionProblem(
                row, "score", score[:SHOWN_CHARS], "score must be a whole number from 1 to 5, written as one digit"
            )


def _identity_problems(
    row: int, values: Mapping[str, str], council: str, round_label: str, fw: str
) -> Iterator[SubmissionProblem]:
    given_council = values.get("council", "").strip()
    if given_council.upper() != council.upper():
        reason = (
            f"wrong council: this upload is for {council}" if given_council else f"missing council: fill in {council}"
        )
        yield SubmissionProblem(row, "council", given_council[:SHOWN_CHARS], reason)
    given_round = values.get("round", "").strip()
    if _canonical_round(given_round) != round_label:
        reason = (
            f"wrong round: this upload is for round {round_label}"
            if given_round
            else f"missing round: fill in {round_label}"
        )
        yield SubmissionProblem(row, "round", given_round[:SHOWN_CHARS], reason)
    given_fw = values.get("framework", "").strip()
    if given_fw != fw:
        yield SubmissionProblem(
            row,
            "framework",
            given_fw[:SHOWN_CHARS],
            f"wrong framework: the current framework is {fw}; download a new template",
        )


def _framework_problems(rows: list[tuple[int, dict[str, str]]], questions: pd.DataFrame) -> Iterator[SubmissionProblem]:
    present = {values.get("question_id", "").strip() for _, values in rows}
    for q in questions["question_id"].astype(str):
        if q not in present:
            yield _file_problem(
                f"wrong framework: question {q} of the current framework is not in the "
                "file (every question needs a row and a score)",
                q,
            )


def _answers(rows: list[tuple[int, dict[str, str]]], questions: pd.DataFrame) -> pd.DataFrame:
    scores = {values["question_id"].strip(): int(values["score"].strip()) for _, values in rows}
    frame = questions[["question_id", "theme", "role", "text", *LEVEL_COLUMNS]].copy()
    frame["score"] = frame["question_id"].map(scores).astype(int)
    frame["meaning"] = [row[f"level_{row['score']}"] for _, row in frame.iterrows()]
    return frame.rename(columns={"text": "question"})[
        ["question_id", "theme", "role", "question", "score", "meaning"]
    ].reset_index(drop=True)


# -- the inbox -------------------------------------------------------------------------------
def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def write_to_inbox(
    inbox: Path,
    data: bytes,
    filename: str,
    council: str,
    round: str,
    framework: str,
    published: bool = True,
    now: dt.datetime | None = None,
) -> Path:
    """Write a checked upload into ``inbox``: a new folder holding the exact bytes and a
    ``manifest.json`` (council, round, sha256, time, original name, framework, published).

    The folder is assembled under a hidden name and renamed into place, so ``load-inbox``
    never sees a half-written submission. Returns the submission folder.

    Raises:
        ValueError: ``council`` is not a code-shaped value or the file type is not accepted.
    """
    if not _CODE.match(council):
        raise ValueError(f"not an authority code: {council!r}")
    suffix = Path(filename).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise ValueError(f"not an accepted file type: {suffix!r}")
    now = now or dt.datetime.now(dt.UTC)
    digest = sha256_hex(data)
    name = f"{now:%Y%m%dT%H%M%S%f}Z-{_slug(council)}-{_slug(round)}-{digest[:8]}"
    inbox.mkdir(parents=True, exist_ok=True)
    staging = inbox / f"{INCOMING_PREFIX}{secrets.token_hex(6)}"
    staging.mkdir()
    stored = STORED_NAMES[suffix]
    (staging / stored).write_bytes(data)
    manifest = {
        "council": council,
        "round": round,
        "sha256": digest,
        "size": len(data),
        "received_at": now.isoformat(),
        "original_filename": Path(filename).name[:200],
        "file": stored,
        "framework": framework,
        "published": bool(published),
    }
    (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    for path in staging.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    final = inbox / name
    os.rename(staging, final)
    return final


def _read_inside(folder: Path, name: str, limit: int) -> bytes:
    """The bytes of the regular file ``name`` directly inside ``folder``, at most ``limit``.

    Neither the folder nor the file may be a link (both are opened with ``O_NOFOLLOW``, the file
    relative to the open folder, so nothing outside can be swapped in between); a FIFO or device
    is refused without blocking.

    Raises:
        OSError, ValueError: missing, a link, not a regular file, or larger than ``limit``.
    """
    if name in ("", ".", "..") or Path(name).name != name or "\x00" in name:
        raise ValueError(f"{name!r} is not a plain file name")
    directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
    finally:
        os.close(directory)
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{name} is not a regular file")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} is larger than {limit:,} bytes")
    return data


def read_manifest(folder: Path) -> dict[str, object]:
    """The manifest of the submission in ``folder``, read without following links.

    Raises:
        OSError, ValueError, RecursionError: the manifest is missing, a link, too large, not
        valid JSON or not a JSON object.
    """
    manifest = json.loads(_read_inside(folder, MANIFEST_NAME, MAX_MANIFEST_BYTES).decode("utf-8"))
    if not isinstance(manifest, dict):
        raise ValueError("the manifest is not a JSON object")
    return manifest


def manifest_problems(manifest: Mapping[str, object]) -> list[str]:
    """What makes ``manifest`` unlike one :func:`write_to_inbox` writes (empty when it is alike)."""
    problems = []
    council = manifest.get("council")
    if not isinstance(council, str) or not _CODE.match(council):
        problems.append(f"council {council!r} is not an authority code")
    if not isinstance(manifest.get("round"), str) or not str(manifest.get("round")).strip():
        problems.append(f"round {manifest.get('round')!r} is not a round")
    if manifest.get("file") not in STORED_NAMES.values():
        problems.append(f"file {manifest.get('file')!r} is not one the app stores ({', '.join(STORED_NAMES.values())})")
    if not isinstance(manifest.get("sha256"), str) or not _SHA256.match(str(manifest.get("sha256"))):
        problems.append("sha256 is not a SHA-256 in hex")
    if not isinstance(manifest.get("published"), bool):  # "false" as text must never mean published
        problems.append(f"published {manifest.get('published')!r} is not true or false")
    if not isinstance(manifest.get("framework", ""), str):
        problems.append("framework is not text")
    return problems


def read_stored_file(folder: Path, manifest: Mapping[str, object]) -> bytes:
    """The uploaded file a checked ``manifest`` names, read from ``folder`` without following links.

    Raises:
        OSError, ValueError: as :func:`read_manifest`; also when it is over ``MAX_UPLOAD_BYTES``.
    """
    return _read_inside(folder, str(manifest["file"]), MAX_UPLOAD_BYTES)
