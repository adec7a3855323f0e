"""Faults: the warehouse missing, unreadable or truncated; a build that fails its integrity
check; the disk filling up; a corrupted inbox submission. (A load killed at random points:
tests/test_crash.py.)

In every case the app says what is wrong without a traceback, and nothing published is lost:
the live version and every earlier version are still on disk, readable and unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.selfassessment.template import template_frame
from etl import load
from etl.integrity import check_file
from etl.load import Source, load_sources
from etl.logs import read_stage_log
from etl.submission import framework_id, write_to_inbox
from etl.warehouse import BUILDING_PREFIX, WarehousePaths, read_load_log
from tests.support.apptest import new_app
from tests.support.sources import write_source

ROOT = Path(__file__).resolve().parent.parent
PAGES = re.findall(r'st\.Page\(\s*"([^"]+)"', (ROOT / "streamlit_app.py").read_text())
TRACEBACK = "Traceback (most recent call last)"
TINY_INDICATORS = (
    "indicator_id,name,theme,unit,polarity,description,source\n"
    "fault_pct,Fault test,Testing,%,higher,A test indicator,Tests\n"
)
TINY_VALUES = (
    "authority_code,indicator_id,period,value\n"
    "E08000025,fault_pct,2023/24,1\nE09000033,fault_pct,2023/24,2\nW06000015,fault_pct,2023/24,3\n"
)


# -- helpers ------------------------------------------------------------------------------------
def copy_warehouse(live: Path, folder: Path) -> Path:
    """A private copy of a published warehouse (its live symlink is relative)."""
    shutil.copytree(live.parent, folder, symlinks=True)
    return folder / live.name


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(live: Path) -> dict[str, str]:
    """{version: sha256 of its file} for every published version: what must never be lost."""
    paths = WarehousePaths(live)
    return {v: sha256(paths.version_file(v)) for v in paths.published_versions()}


def assert_nothing_published_lost(live: Path, before: dict[str, str]) -> None:
    after = snapshot(live)
    for version, digest in before.items():
        assert after.get(version) == digest, f"published version {version} was lost or changed"
    assert check_file(WarehousePaths(live).current_file()) == []


def etl(
    *args: str, env: dict[str, str] | None = None, limit_bytes: int | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m etl`` in a child process, optionally with a file-size limit (a full disk)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        preexec_fn=limit if limit_bytes else None,
    )


def app_at(live: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("EXEMPLAR_WAREHOUSE", str(live))
    return new_app()


def page_texts(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in (at.error, at.warning, at.info, at.markdown, at.title) for e in kind)


def visit_every_page(at: AppTest) -> dict[str, AppTest]:
    """Run the app, then every declared page; returns {page: the AppTest after it ran}."""
    seen = {}
    at.run()
    for page in PAGES:
        at.switch_page(page)
        at.run()
        assert not at.exception, f"{page}: {[e.value for e in at.exception]}"
        assert TRACEBACK not in page_texts(at), page
        seen[page] = at
    return seen


@pytest.fixture
def live_copy(demo_warehouse, tmp_path) -> Path:
    return copy_warehouse(demo_warehouse, tmp_path / "wh")


# -- the app ------------------------------------------------------------------------------------
def test_missing_warehouse_every_page_says_so_without_a_traceback(tmp_path, monkeypatch):
    at = app_at(tmp_path / "nowhere" / "exemplar.duckdb", monkeypatch)
    at.run()
    assert any("not available" in e.value and "build-demo" in e.value for e in at.error)
    for page in PAGES:
        at.switch_page(page)
        at.run()
        assert not at.exception, f"{page}: {[e.value for e in at.exception]}"
        uses_warehouse = "open_warehouse" in (ROOT / page).read_text()
        if uses_warehouse:
            assert any("not available" in e.value for e in at.error), page
        else:  # pages that need no data keep working
            assert not at.error and (at.title or at.markdown), page


@pytest.mark.parametrize("damage", ["garbage", "truncated", "dangling"])
def test_unreadable_or_truncated_warehouse_gives_a_clear_message_then_recovers(live_copy, monkeypatch, damage):
    paths = WarehousePaths(live_copy)
    good = paths.current_file()
    broken = paths.version_file("29990101T000000-bad000")
    if damage == "garbage":  # root reads through chmod 000, so "unreadable" = not a database
        broken.write_bytes(b"this is not a DuckDB file\n" * 4096)
    elif damage == "truncated":
        broken.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    os.remove(paths.live)
    os.symlink(os.path.relpath(broken, paths.live.parent), paths.live)  # dangling when not written

    at = app_at(live_copy, monkeypatch)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("not available" in e.value or "could not answer" in e.value for e in at.error)
    assert TRACEBACK not in page_texts(at)

    os.remove(paths.live)  # the operator rolls back: the same running app serves again
    os.symlink(os.path.relpath(good, paths.live.parent), paths.live)
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]


# -- the ETL ------------------------------------------------------------------------------------
def test_etl_refuses_to_publish_a_build_that_fails_its_integrity_check(live_copy, tmp_path, monkeypatch, reference_dir):
    before, version = snapshot(live_copy), WarehousePaths(live_copy).current_version()
    real_check = load.check_file

    def corrupt_then_check(build: Path) -> list[str]:
        """The seam: damage the finished build the way a bad disk would, then really check it."""
        data = build.read_bytes()
        build.write_bytes(data[: len(data) // 3])
        return real_check(build)

    monkeypatch.setattr(load, "check_file", corrupt_then_check)
    source = write_source(tmp_path / "tiny", {"indicators.csv": TINY_INDICATORS, "values.csv": TINY_VALUES})
    with pytest.raises(RuntimeError, match="integrity check failed"):
        load_sources([Source.of(source, "tiny")], live_copy, reference_dir=reference_dir)
    paths = WarehousePaths(live_copy)
    assert paths.current_version() == version
    assert snapshot(live_copy) == before
    assert not list(paths.versions_dir.glob(f"{BUILDING_PREFIX}*"))
    assert read_load_log(paths)[-1]["outcome"] == "failed"
    failed = [s for s in read_stage_log(live_copy) if s["outcome"] == "failed"]
    assert failed and failed[-1]["stage"] == "integrity_file"


@pytest.mark.slow  # ETL subprocesses and full loads
def test_disk_filling_up_during_a_build_leaves_live_untouched(live_copy, demo_source, tmp_path):
    before, paths = snapshot(live_copy), WarehousePaths(live_copy)
    version = paths.current_version()
    size = paths.current_file().stat().st_size
    run = etl(
        "--warehouse", str(live_copy), "load", str(demo_source), "--source-name", "demo", limit_bytes=size // 4
    )  # the build needs about the live file's size
    assert run.returncode != 0
    assert "error:" in run.stderr and TRACEBACK not in run.stderr, run.stderr
    assert paths.current_version() == version
    assert_nothing_published_lost(live_copy, before)
    assert snapshot(live_copy) == before  # and no half file was published beside them
    assert not list(paths.versions_dir.glob(f"{BUILDING_PREFIX}*.duckdb"))
    again = etl("--warehouse", str(live_copy), "load", str(demo_source), "--source-name", "demo")
    assert again.returncode == 0, again.stderr
    assert paths.current_version() != version and check_file(paths.current_file()) == []


def test_a_corrupted_inbox_submission_is_refused_and_the_good_one_published(live_copy):
    paths = WarehousePaths(live_copy)
    before = snapshot(live_copy)
    con = duckdb.connect(str(live_copy), read_only=True)
    questions = con.execute("SELECT * FROM questions ORDER BY question_id").df()
    responses_before = con.execute("SELECT count(*) FROM responses").fetchone()[0]
    con.close()

    def submission(council: str) -> bytes:
        frame = template_frame(questions, council, "2025")
        frame["score"] = "3"
        return frame.to_csv(index=False).encode("utf-8")

    fw = framework_id(questions)
    good = write_to_inbox(paths.inbox, submission("E08000025"), "birmingham.csv", "E08000025", "2025", fw)
    flipped = write_to_inbox(paths.inbox, submission("E09000033"), "westminster.csv", "E09000033", "2025", fw)
    stored = flipped / "submission.csv"
    stored.write_bytes(stored.read_bytes()[:-40])  # truncated after it was received
    garbled = write_to_inbox(paths.inbox, submission("W06000015"), "cardiff.csv", "W06000015", "2025", fw)
    (garbled / "manifest.json").write_bytes(b"\x00{not json")

    run = etl("--warehouse", str(live_copy), "load-inbox")
    assert run.returncode != 0
    assert flipped.name in run.stderr and garbled.name in run.stderr
    assert "sha256" in run.stderr and "unreadable submission" in run.stderr
    assert TRACEBACK not in run.stderr
    assert flipped.is_dir() and garbled.is_dir() and not good.exists()  # the bad ones wait in the inbox
    assert_nothing_published_lost(live_copy, before)
    con = duckdb.connect(str(live_copy), read_only=True)
    try:
        published = con.execute(
            "SELECT authority_code, count(*) FROM responses WHERE round = '2025' "
            "AND source_name LIKE 'submission-%' GROUP BY 1"
        ).fetchall()
        total = con.execute("SELECT count(*) FROM responses").fetchone()[0]
    finally:
        con.close()
    assert published == [("E08000025", len(questions))]
    assert total == responses_before + len(questions)
    assert json.loads((paths.inbox / "history" / good.name / "outcome.json").read_text())["outcome"] == "published"
