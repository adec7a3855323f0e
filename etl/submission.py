"""Checking an uploaded self-assessment template, and handing it to the ETL's inbox.

The app never writes the warehouse: a checked upload is written, byte for byte, into the inbox
folder beside it (``WarehousePaths.inbox``), with a manifest; ``python -m etl load-inbox``
checks it again with :func:`check_upload` and publishes it through the atomic load path.

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
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl.periods import PeriodError, parse_period

__all__ = [
    "MAX_UPLOAD_BYTES",
    "MAX_UNZIPPED_BYTES",
    "ACCEPTED_SUFFIXES",
    "MACRO_SUFFIXES",
    "REQUIRED_COLUMNS",
    "MANIFEST_NAME",
    "SubmissionProblem",
    "CheckResult",
    "check_upload",
    "sha256_hex",
    "write_to_inbox",
    "read_manifest",
]

MAX_UPLOAD_BYTES = 1_000_000  # a filled template is ~20 kB; 1 MB leaves room, stops abuse
MAX_UNZIPPED_BYTES = 20_000_000  # an .xlsx is a zip: refuse one that inflates far beyond a template
ACCEPTED_SUFFIXES = (".csv", ".xlsx")  # the two formats the template is offered in
# Excel formats that can carry macros (or are binary and cannot be checked cell by cell).
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xls", ".xlam")
REQUIRED_COLUMNS = ("council", "round", "framework", "question_id", "score")
FORMULA_STARTS = ("=", "+", "@")  # what makes a spreadsheet run a cell as a formula
MANIFEST_NAME = "manifest.json"
INCOMING_PREFIX = ".incoming-"  # a submission still being written; load-inbox skips it
LEVEL_COLUMNS = [f"level_{i}" for i in range(1, 6)]
SHEET_NAME = "Self-assessment"  # the sheet the upload check reads (else the first sheet)
FRAMEWORK_ID_LENGTH = 12  # hex digits: plenty to tell frameworks apart, short enough to read
_CODE = re.compile(r"^[A-Za-z0-9-]{1,12}$")  # authority codes: GSS or register codes


@dataclass(frozen=True)
class SubmissionProblem:
    """One thing wrong with an upload: the spreadsheet row (header = 1; None for the whole
    file), the column, the offending value and the reason."""

    row: int | None
    column: str | None
    value: str
    reason: str

    def message(self) -> str:
        """The problem as one sentence naming the row and column."""
        where = "File" if self.row is None else f"Row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = f" ({self.value!r})" if self.value else ""
        return f"{where}{shown}: {self.reason}"


@dataclass
class CheckResult:
    """The outcome of :func:`check_upload`: every problem, or the answers to store."""

    problems: list[SubmissionProblem] = field(default_factory=list)
    answers: pd.DataFrame = field(default_factory=pd.DataFrame)
    council: str = ""
    round: str = ""

    @property
    def ok(self) -> bool:
        """True when the upload can be submitted."""
        return not self.problems

    def messages(self) -> list[str]:
        """Every problem as a sentence, in row order (file-wide problems first)."""
        ordered = sorted(self.problems, key=lambda p: (p.row is not None, p.row or 0))
        return [p.message() for p in ordered]


# -- reading ---------------------------------------------------------------------------------
@dataclass
class _Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row, {column: text})
    formula_cells: list[tuple[int, str, str]] = field(default_factory=list)


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


def _read_csv(data: bytes) -> tuple[_Table | None, list[SubmissionProblem]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        return None, [_file_problem("wrong encoding: the file looks like UTF-16 or binary; save it as CSV UTF-8")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            _file_problem(
                f"wrong encoding: byte {exc.start + 1} is not UTF-8; save the file as 'CSV UTF-8 (comma delimited)'"
            )
        ]
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records:
        return None, []
    header = [h.strip() for h in records[0]]
    rows = []
    for index, record in enumerate(records[1:], start=2):  # a spreadsheet shows the header as row 1
        values = {h: (record[i] if i < len(record) else "") for i, h in enumerate(header) if h}
        rows.append((index, values))
    return _Table(header, rows), []


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores every number as a float: 3.0 is the whole number 3
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes) -> tuple[_Table | None, list[SubmissionProblem]]:
    from openpyxl import load_workbook  # only needed for Excel uploads

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return None, [_file_problem("not a readable .xlsx workbook (the file is damaged or is another format renamed)")]
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None, [
            _file_problem("the workbook contains macros (vbaProject.bin); save it as a plain .xlsx without macros")
        ]
    if inflated > MAX_UNZIPPED_BYTES:
        return None, [
            _file_problem(
                f"the workbook unpacks to {inflated:,} bytes, more than "
                f"{MAX_UNZIPPED_BYTES:,}; upload the template as downloaded"
            )
        ]
    try:
        book = load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        return None, [_file_problem(f"not a readable .xlsx workbook ({type(exc).__name__})")]
    sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
    all_rows = list(sheet.iter_rows())
    if not all_rows:
        return None, []
    header = [_cell_text(c.value).strip() for c in all_rows[0]]
    rows, formulas = [], []
    for cells in all_rows[1:]:
        values = {}
        for i, cell in enumerate(cells):
            if i >= len(header) or not header[i]:
                continue
            if cell.data_type == "f":
                formulas.append((cell.row, header[i], str(cell.value)))
            values[header[i]] = _cell_text(cell.value)
        rows.append((cells[0].row, values))
    return _Table(header, rows, formulas), []


def _read(data: bytes, filename: str) -> tuple[_Table | None, list[SubmissionProblem]]:
    suffix = Path(filename).suffix.lower()
    if suffix in MACRO_SUFFIXES:
        return None, [
            _file_problem(
                f"{suffix} files can hold macros or cannot be checked; upload the template as .xlsx or .csv", filename
            )
        ]
    if suffix not in ACCEPTED_SUFFIXES:
        return None, [_file_problem("only .csv and .xlsx templates are accepted", filename)]
    if suffix == ".xlsx":
        return _read_xlsx(data)
    if data.startswith(b"PK\x03\x04"):
        return None, [
            _file_problem(
                "this .csv file is really a zip or Excel workbook; save it as CSV UTF-8 or upload it as .xlsx", filename
            )
        ]
    return _read_csv(data)


# -- checking --------------------------------------------------------------------------------
def _canonical_round(text: str) -> str | None:
    try:
        return parse_period(text.strip()).label
    except PeriodError:
        return None


def check_upload(data: bytes, filename: str, council: str, round: str, questions: pd.DataFrame) -> CheckResult:
    """Check an uploaded, filled template for ``council`` and ``round`` against the current
    framework ``questions`` (the ``sa_questions`` frame). Never raises for bad input.

    Every problem is collected (unknown or repeated question, missing answer, score not a
    whole number 1-5, wrong council, round or framework, formulas, macros, empty, oversized or
    wrongly encoded file). When there is none, ``answers`` holds ``question_id, theme, role,
    question, score, meaning`` (the level descriptor of the chosen score) in framework order.
    """
    round_label = _canonical_round(round) or round
    result = CheckResult(council=council, round=round_label)
    if not data:
        result.problems.append(_file_problem("the file is empty"))
        return result
    if len(data) > MAX_UPLOAD_BYTES:
        result.problems.append(
            _file_problem(f"the file is {len(data):,} bytes; the limit is {MAX_UPLOAD_BYTES:,} bytes")
        )
        return result
    table, problems = _read(data, filename)
    result.problems += problems
    if table is None:
        if not problems:
            result.problems.append(_file_problem("the file is empty: it has no header row"))
        return result
    missing = [c for c in REQUIRED_COLUMNS if c not in table.header]
    if missing:
        result.problems.append(
            SubmissionProblem(1, ", ".join(missing), "", "required column(s) missing from the header row")
        )
        return result
    rows = [(n, r) for n, r in table.rows if any(v.strip() for v in r.values())]
    if not rows:
        result.problems.append(_file_problem("the file is empty: it has a header but no answers"))
        return result
    result.problems += _formula_problems(table, rows)
    result.problems += _row_problems(rows, council, round_label, questions)
    result.problems += _framework_problems(rows, questions)
    if result.ok:
        result.answers = _answers(rows, questions)
    return result


def _formula_problems(table: _Table, rows: list[tuple[int, dict[str, str]]]) -> list[SubmissionProblem]:
    found = [
        SubmissionProblem(row, column, text, "cell holds a formula; type the value instead")
        for row, column, text in table.formula_cells
    ]
    seen = {(row, column) for row, column, _ in table.formula_cells}
    for row, values in rows:
        for column, text in values.items():
            if (row, column) not in seen and text.lstrip().startswith(FORMULA_STARTS):
                found.append(
                    SubmissionProblem(row, column, text[:40], "cell starts like a formula; formulas are not accepted")
                )
    return found


def _row_problems(
    rows: list[tuple[int, dict[str, str]]], council: str, round_label: str, questions: pd.DataFrame
) -> list[SubmissionProblem]:
    known = set(questions["question_id"].astype(str))
    fw = framework_id(questions)
    first_row: dict[str, int] = {}
    found: list[SubmissionProblem] = []
    for row, values in rows:
        qid = values.get("question_id", "").strip()
        score = values.get("score", "").strip()
        found += _identity_problems(row, values, council, round_label, fw)
        if not qid:
            found.append(SubmissionProblem(row, "question_id", "", "missing question id"))
        elif qid not in known:
            found.append(SubmissionProblem(row, "question_id", qid, "unknown question: not in the current framework"))
        elif qid in first_row:
            found.append(
                SubmissionProblem(row, "question_id", qid, f"question answered twice (first on row {first_row[qid]})")
            )
        else:
            first_row[qid] = row
        if not score:
            found.append(SubmissionProblem(row, "score", "", "missing answer: give a score from 1 to 5"))
        elif not _whole_score(score):
            found.append(SubmissionProblem(row, "score", score, "score must be a whole number from 1 to 5"))
    return found


def _identity_problems(
    row: int, values: Mapping[str, str], council: str, round_label: str, fw: str
) -> list[SubmissionProblem]:
    found = []
    given_council = values.get("council", "").strip()
    if given_council.upper() != council.upper():
        reason = (
            f"wrong council: this upload is for {council}" if given_council else f"missing council: fill in {council}"
        )
        found.append(SubmissionProblem(row, "council", given_council, reason))
    given_round = values.get("round", "").strip()
    if _canonical_round(given_round) != round_label:
        reason = (
            f"wrong round: this upload is for round {round_label}"
            if given_round
            else f"missing round: fill in {round_label}"
        )
        found.append(SubmissionProblem(row, "round", given_round, reason))
    given_fw = values.get("framework", "").strip()
    if given_fw != fw:
        found.append(
            SubmissionProblem(
                row, "framework", given_fw, f"wrong framework: the current framework is {fw}; download a new template"
            )
        )
    return found


def _whole_score(text: str) -> bool:
    try:
        number = float(text)
    except ValueError:
        return False
    return number.is_integer() and 1 <= number <= 5


def _framework_problems(rows: list[tuple[int, dict[str, str]]], questions: pd.DataFrame) -> list[SubmissionProblem]:
    present = {values.get("question_id", "").strip() for _, values in rows}
    absent = [q for q in questions["question_id"].astype(str) if q not in present]
    return [
        _file_problem(
            f"wrong framework: question {q} of the current framework is not in the "
            "file (every question needs a row and a score)",
            q,
        )
        for q in absent
    ]


def _answers(rows: list[tuple[int, dict[str, str]]], questions: pd.DataFrame) -> pd.DataFrame:
    scores = {values["question_id"].strip(): int(float(values["score"])) for _, values in rows}
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
    stored = f"submission{suffix}"
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


def read_manifest(folder: Path) -> dict[str, object]:
    """The manifest of the submission in ``folder``.

    Raises:
        OSError, ValueError: the manifest is missing or not valid JSON.
    """
    return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
