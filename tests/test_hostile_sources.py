"""Hostile sources never show a traceback (issue 16 §2 and §5): each is refused with exit 1 (input)
or 2 (environment), a message naming the file, row and column where there is one, and the live
warehouse byte-for-byte as it was (sha256 of the live file before and after). A few run through
the real ``python -m etl`` process, the rest in-process."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from etl.cli import main
from etl.extract import MAX_REJECTED_ROWS
from etl.load import Source, load_sources
from etl.warehouse import WarehousePaths, read_load_log
from tests.support.sources import write_source

ROOT = Path(__file__).resolve().parent.parent
INDICATORS = (
    "indicator_id,name,theme,unit,polarity,description,source\n"
    "pct_online,Online share,Digital,%,higher,Share of transactions online,Test\n"
)
HEADER = "authority_code,indicator_id,period,value\n"
VALUES = HEADER + "E06000001,pct_online,2019/20,50.5\nE06000002,pct_online,2019/20,61\n"


def fingerprint(live: Path) -> tuple[str, str]:
    """What must not change: the live symlink's target and the sha256 of the file behind it."""
    return os.readlink(live), hashlib.sha256(live.resolve().read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def live(tmp_path_factory, reference_dir) -> Path:
    """A warehouse with two published versions of a good source (so a rollback has somewhere to go)."""
    path = tmp_path_factory.mktemp("hostile") / "exemplar.duckdb"
    good = write_source(tmp_path_factory.mktemp("good") / "council_data",
                        {"indicators.csv": INDICATORS, "values.csv": VALUES})
    for _ in range(2):
        result = load_sources([Source.of(good)], path, reference_dir=reference_dir, progress=False)
        assert result.outcome == "published", result.problems
    return path


def source(tmp_path: Path, **files: str | bytes) -> Path:
    return write_source(tmp_path / "council_data", {"indicators.csv": INDICATORS, "values.csv": VALUES, **files})


def run_cli(live: Path, reference_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EXEMPLAR_WAREHOUSE": str(live), "EXEMPLAR_REFERENCE_DIR": str(reference_dir)}
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def run_in_process(capsys, live: Path, reference_dir: Path, *args: str) -> tuple[int, str]:
    code = main(["--warehouse", str(live), "--reference-dir", str(reference_dir), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_refused(code: int, output: str, live: Path, before: tuple[str, str], *fragments: str) -> None:
    assert code == 1, output
    assert "Traceback" not in output
    for fragment in fragments:
        assert fragment in output, output
    assert fingerprint(live) == before


# -- through the real command line -------------------------------------------------------------
def test_a_10_mb_quoted_field_is_named_by_row_and_column(live, tmp_path, reference_dir):
    before = fingerprint(live)
    values = HEADER + 'E06000001,"' + "x" * 10_000_000 + '",2019/20,1\n'
    done = run_cli(live, reference_dir, "load", str(source(tmp_path, **{"values.csv": values})))
    assert_refused(done.returncode, done.stdout + done.stderr, live, before,
                   "values.csv, row 2, column indicator_id", "longer than")
    assert "AttributeError" not in done.stderr


def test_utf16_without_a_bom_is_one_problem_not_seven_missing_columns(live, tmp_path, reference_dir):
    before = fingerprint(live)
    folder = source(tmp_path, **{"values.csv": VALUES.encode("utf-16-le")})
    done = run_cli(live, reference_dir, "validate", str(folder))
    assert_refused(done.returncode, done.stderr, live, before, "values.csv, row 1", "UTF-16")
    assert "required column is missing" not in done.stderr


def test_rollback_to_an_empty_version_name_is_refused(live, reference_dir):
    before = fingerprint(live)
    attempts = len(read_load_log(WarehousePaths(live)))
    done = run_cli(live, reference_dir, "rollback", "")
    assert done.returncode == 2, done.stdout
    assert "no published version ''" in done.stderr and "Traceback" not in done.stderr
    assert fingerprint(live) == before
    assert len(read_load_log(WarehousePaths(live))) == attempts  # nothing was rolled back


def test_ten_megabytes_of_short_rows_stop_at_the_limit_with_exact_counts(live, tmp_path, reference_dir):
    before = fingerprint(live)
    rows = 10_000_000 // len("E06000001,pct\n")
    values = HEADER + "E06000001,pct\n" * rows
    done = run_cli(live, reference_dir, "load", str(source(tmp_path, **{"values.csv": values})))
    assert_refused(done.returncode, done.stderr, live, before,
                   "values.csv, row 2, column period", "fewer fields than the header",
                   f"({MAX_REJECTED_ROWS:,} rows)", f"reading stopped at row {MAX_REJECTED_ROWS + 2:,}")
    log = read_load_log(WarehousePaths(live))[-1]
    assert log["outcome"] == "failed" and log["rows_rejected"] == MAX_REJECTED_ROWS
    (record,) = [f for f in log["files"] if f["file"] == "values.csv"]
    assert record["rows_read"] == MAX_REJECTED_ROWS


# -- in-process ---------------------------------------------------------------------------------
def test_cr_only_line_endings_are_refused_naming_the_fix(live, tmp_path, capsys, reference_dir):
    before = fingerprint(live)
    folder = source(tmp_path, **{"values.csv": VALUES.replace("\n", "\r")})
    code, output = run_in_process(capsys, live, reference_dir, "load", str(folder))
    assert_refused(code, output, live, before, "values.csv, row 1", "carriage return only", "CSV UTF-8")


def test_a_nul_byte_inside_a_name_is_refused_at_its_cell(live, tmp_path, capsys, reference_dir):
    before = fingerprint(live)
    folder = source(tmp_path, **{"indicators.csv": INDICATORS.replace("Online share", "Online\x00share")})
    code, output = run_in_process(capsys, live, reference_dir, "load", str(folder))
    assert_refused(code, output, live, before, "indicators.csv, row 2, column name", "NUL")


def test_a_source_file_linked_to_a_file_outside_the_folder_is_refused(live, tmp_path, capsys, reference_dir):
    before = fingerprint(live)
    outside = write_source(tmp_path / "private", {"values.csv": VALUES.replace("50.5", "99")}) / "values.csv"
    folder = source(tmp_path)
    (folder / "values.csv").unlink()
    (folder / "values.csv").symlink_to(outside)
    code, output = run_in_process(capsys, live, reference_dir, "load", str(folder))
    assert_refused(code, output, live, before, "values.csv", "outside the source folder")
    assert hashlib.sha256(outside.read_bytes()).hexdigest() not in str(read_load_log(WarehousePaths(live))[-1])


def test_random_bytes_after_a_good_header_are_placed_by_row_and_byte(live, tmp_path, capsys, reference_dir):
    before = fingerprint(live)
    folder = source(tmp_path, **{"values.csv": HEADER.encode() + random.Random(5).randbytes(2_000_000)})
    code, output = run_in_process(capsys, live, reference_dir, "validate", str(folder))
    assert_refused(code, output, live, before, "values.csv, row 2, column", "at byte", "not valid UTF-8")
    assert "state machine" not in output


@pytest.mark.parametrize("limit", ["64MB", "200MB"])
def test_bad_rows_beyond_the_limit_report_the_same_whatever_the_memory_setting(
        live, tmp_path, capsys, reference_dir, monkeypatch, limit):
    monkeypatch.setenv("EXEMPLAR_ETL_MEMORY", limit)
    before = fingerprint(live)
    values = HEADER + "E06000001,pct_online,2019/20,1,extra\n" * (MAX_REJECTED_ROWS * 3)
    code, output = run_in_process(capsys, live, reference_dir, "load", str(source(tmp_path, **{"values.csv": values})))
    assert_refused(code, output, live, before, "values.csv, row 2, column field 5 (the header has 4)",
                   f"more fields than the header ({MAX_REJECTED_ROWS:,} rows)", "reading stopped")


def test_rows_after_rejected_ones_keep_their_spreadsheet_numbers(live, tmp_path, capsys, reference_dir):
    """Only five rejected rows are reported, but every one still shifts the rows after it."""
    before = fingerprint(live)
    values = HEADER + "E06000001,pct\n" * 12 + "E99999999,pct_online,2019/20,5\n"
    code, output = run_in_process(capsys, live, reference_dir, "load", str(source(tmp_path, **{"values.csv": values})))
    assert_refused(code, output, live, before, "(12 rows)",
                   "values.csv, row 14, column authority_code: 'E99999999': is not a known authority code")
