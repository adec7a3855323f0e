"""``python -m etl load-inbox``: publish the self-assessment submissions councils uploaded.

The dashboard writes each checked upload into the inbox beside the warehouse (one folder per
submission: the exact uploaded file plus ``manifest.json``; see ``etl.submission``).
This module checks every pending submission again against the *published* framework, turns
the valid ones into contract ``responses.csv`` sources named ``submission-<council>-<round>``
(so a later submission for the same council and round replaces the earlier one's rows) and
publishes them all in one atomic ``load_sources`` call. Then it moves them to
``<inbox>/history/`` with an ``outcome.json``: every submission is kept. A submission that
fails is reported and left in the inbox; when the load itself fails nothing moves and the live
warehouse is unchanged.

Each submission is checked on its own, so a planted or damaged folder is refused without
holding back the genuine one beside it. Nothing outside the inbox is ever opened: folders and
files are read through ``etl.submission.read_manifest`` / ``read_stored_file`` (no links
followed, only the file name the app writes), the council must be in the published register
before anything is loaded, and ``outcome.json`` is written by rename, never through a link.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl.load import LoadResult, Source, load_sources
from etl.periods import PeriodError, parse_period
from etl.problems import format_problems
from etl.submission import (
    INCOMING_PREFIX,
    check_upload,
    framework_id,
    manifest_problems,
    read_manifest,
    read_stored_file,
    sha256_hex,
)
from etl.warehouse import WarehousePaths

__all__ = [
    "HISTORY_DIR",
    "OUTCOME_NAME",
    "InboxReport",
    "pending_submissions",
    "history_dir",
    "source_name",
    "load_inbox",
    "format_inbox_report",
]

HISTORY_DIR = "history"  # inside the inbox: processed submissions, never deleted
OUTCOME_NAME = "outcome.json"  # written into a submission's folder when it leaves the inbox
SOURCE_PREFIX = "submission-"  # dashboard/sql/sa_*.sql prefer these sources for their council+round
_SAFE_SOURCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # source names become folder names


@dataclass
class InboxReport:
    """What one ``load-inbox`` run did."""

    published: list[str] = field(default_factory=list)  # submission folder names loaded
    superseded: list[str] = field(default_factory=list)  # replaced by a later one in the same run
    failed: dict[str, list[str]] = field(default_factory=dict)  # folder name -> reasons
    version: str | None = None
    load: LoadResult | None = None

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failed


def history_dir(paths: WarehousePaths) -> Path:
    """Where processed submissions are kept."""
    return paths.inbox / HISTORY_DIR


def pending_submissions(paths: WarehousePaths) -> list[Path]:
    """Submission folders waiting in the inbox, oldest first (half-written ones are skipped).

    A link planted among them is listed too, so it is reported and refused, never followed.
    """
    if not paths.inbox.is_dir():
        return []
    folders = [
        p
        for p in paths.inbox.iterdir()
        if (p.is_symlink() or p.is_dir()) and p.name != HISTORY_DIR and not p.name.startswith((".", INCOMING_PREFIX))
    ]
    return sorted(folders, key=lambda p: p.name)  # names start with the UTC receive time


def source_name(council: str, round_label: str) -> str:
    """The source a council's submission for a round is stored under, e.g.
    ``submission-E08000025-2023-24``: one per council and round, so a later one replaces it."""
    return f"{SOURCE_PREFIX}{council}-{round_label.replace('/', '-').replace(' ', '-')}"


def _published_framework(paths: WarehousePaths) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """The published question framework, and every code the register knows (GSS, former GSS,
    register code) mapped to the council's authority code."""
    current = paths.current_file()
    if current is None:
        return None, {}
    # Attach from an in-memory database: opening the file directly would clash with a
    # read-only connection the dashboard holds in the same process (tests, one-box setups).
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ? AS published (READ_ONLY)", [str(current)])
        questions = con.execute(
            "SELECT question_id, theme, role, text, level_1, level_2, level_3, level_4, level_5 "
            "FROM published.questions ORDER BY question_id"
        ).df()
        codes = dict(con.execute("SELECT code, authority_code FROM published.ref.authority_codes").fetchall())
        return questions, codes
    finally:
        con.close()


@dataclass
class _Checked:
    folder: Path
    council: str
    round: str
    published: bool
    answers: pd.DataFrame


def _check_one(folder: Path, questions: pd.DataFrame, known_codes: dict[str, str]) -> tuple[_Checked | None, list[str]]:
    """Check one submission folder on its own: its manifest, its file, then its answers."""
    if folder.is_symlink():
        return None, ["the submission is a symbolic link, not a folder the app wrote; refused unread"]
    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError, RecursionError) as exc:
        return None, [f"unreadable submission: its manifest cannot be read ({type(exc).__name__}: {exc})"]
    problems = manifest_problems(manifest)
    if problems:
        return None, [f"manifest: {p}" for p in problems]
    council, round_text = str(manifest["council"]), str(manifest["round"])
    authority = known_codes.get(council.upper())
    if authority is None:
        return None, [f"council {council!r} is not an authority in the published register"]
    try:
        round_label = parse_period(round_text).label
    except PeriodError as exc:
        return None, [f"round {round_text!r} {exc}"]
    if not _SAFE_SOURCE.match(source_name(authority, round_label)):
        return None, [f"round {round_text!r} cannot name a source"]
    try:
        data = read_stored_file(folder, manifest)
    except (OSError, ValueError) as exc:
        return None, [f"unreadable submission: its stored file cannot be read ({type(exc).__name__}: {exc})"]
    if sha256_hex(data) != manifest["sha256"]:
        return None, ["the stored file does not match the sha256 in its manifest"]
    result = check_upload(data, str(manifest["file"]), council, round_label, questions)
    if not result.ok:
        return None, result.messages()
    # Keyed by the register's code, so 'bir', 'BIR' and E08000025 are one council, not three sources.
    return _Checked(folder, authority, round_label, bool(manifest["published"]), result.answers), []


def _write_source(root: Path, checked: _Checked) -> Source:
    name = source_name(checked.council, checked.round)
    folder = root / name
    folder.mkdir()
    frame = pd.DataFrame(
        {
            "authority_code": checked.council,
            "round": checked.round,
            "question_id": checked.answers["question_id"],
            "score": checked.answers["score"].astype(int).astype(str),
            "published": "true" if checked.published else "false",
        }
    )
    frame.to_csv(folder / "responses.csv", index=False)
    return Source.of(folder, name)


def _move_to_history(paths: WarehousePaths, folder: Path, outcome: dict[str, object]) -> None:
    # Written under a fresh name and renamed over outcome.json: a link planted there is
    # replaced, never written through.
    part = folder / f".{OUTCOME_NAME}.{secrets.token_hex(4)}"
    handle = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(json.dumps(outcome, indent=2, sort_keys=True))
    os.replace(part, folder / OUTCOME_NAME)
    target = history_dir(paths)
    target.mkdir(parents=True, exist_ok=True)
    os.rename(folder, target / folder.name)


def load_inbox(
    warehouse: str | Path | None = None,
    *,
    reference_dir: Path | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    keep_versions: int | None = None,
) -> InboxReport:
    """Check and publish every pending submission; returns what happened.

    Valid submissions are published together in one atomic load; the latest submission per
    council and round wins and earlier ones in the same run are kept as ``superseded``.

    Raises:
        OSError, duckdb.Error: unexpected failures (the live warehouse is still untouched).
    """
    paths = WarehousePaths.from_env(warehouse)
    report = InboxReport()
    pending = pending_submissions(paths)
    if not pending:
        return report
    questions, known_codes = _published_framework(paths)
    if questions is None or questions.empty:
        for folder in pending:
            report.failed[folder.name] = ["no published warehouse with a framework to check against"]
        return report
    if history_dir(paths).is_symlink():  # processed submissions would be moved out of the inbox
        for folder in pending:
            report.failed[folder.name] = [f"{history_dir(paths)} is a symbolic link; make it a folder in the inbox"]
        return report
    winners: dict[tuple[str, str], _Checked] = {}
    for folder in pending:  # oldest first, so a later submission replaces an earlier one
        checked, reasons = _check_one(folder, questions, known_codes)
        if checked is None:
            report.failed[folder.name] = reasons
            continue
        key = (checked.council, checked.round)
        if key in winners:
            report.superseded.append(winners[key].folder.name)
        winners[key] = checked
    if not winners:
        return report
    superseded = [f for f in pending if f.name in report.superseded]
    with tempfile.TemporaryDirectory(prefix="exemplar-inbox-") as tmp:
        sources = [_write_source(Path(tmp), c) for c in winners.values()]
        result = load_sources(sources, paths.live, reference_dir=reference_dir, keep_versions=keep_versions)
    report.load = result
    if not result.ok:
        reasons = [format_problems(result.problems)] if result.problems else [str(result.error)]
        for checked in winners.values():
            report.failed[checked.folder.name] = reasons
        report.superseded.clear()
        return report
    report.version = result.version
    stamp = now().isoformat()
    fw = framework_id(questions)
    for checked in winners.values():
        _move_to_history(
            paths,
            checked.folder,
            {
                "outcome": "published",
                "version": result.version,
                "processed_at": stamp,
                "source_name": source_name(checked.council, checked.round),
                "framework": fw,
            },
        )
        report.published.append(checked.folder.name)
    for folder in superseded:
        _move_to_history(
            paths,
            folder,
            {
                "outcome": "superseded",
                "version": result.version,
                "processed_at": stamp,
                "reason": "a later submission for the same council and round was published",
            },
        )
    return report


def format_inbox_report(report: InboxReport) -> str:
    """The report ``load-inbox`` prints: what was published, superseded and what failed, why."""
    lines = []
    if report.version:
        lines.append(f"Published data version {report.version} with {len(report.published)} submission(s):")
        lines += [f"  {name}" for name in report.published]
    for name in report.superseded:
        lines.append(f"Superseded by a later submission (kept in history): {name}")
    for name, reasons in report.failed.items():
        lines.append(f"FAILED, left in the inbox: {name}")
        lines += [f"  {reason}" for reason in reasons]
    if not lines:
        lines.append("The inbox is empty: nothing to load.")
    return "\n".join(lines)
