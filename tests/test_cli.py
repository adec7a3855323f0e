"""The ``python -m etl`` command line: load, validate, status, build-demo guards and exit codes."""

from __future__ import annotations

import hashlib
import os
import re

import pytest

from etl.cli import main
from etl.warehouse import WarehousePaths
from tests.support.sources import write_source

INDICATORS = ("indicator_id,name,theme,unit,polarity,description,source\n"
              "cli_pct,CLI share,Digital,%,higher,Share,Test\n")
VALUES = ("authority_code,indicator_id,period,value\n"
          "E06000001,cli_pct,2019/20,10\nE06000002,cli_pct,2019/20,20\nE06000003,cli_pct,2020/21,30\n")


@pytest.fixture
def source(tmp_path):
    return write_source(tmp_path / "cli_source", {"indicators.csv": INDICATORS, "values.csv": VALUES})


def run(capsys, warehouse_path, reference_dir, *args):
    code = main(["--warehouse", str(warehouse_path), "--reference-dir", str(reference_dir), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_status_before_anything_is_published(capsys, warehouse_path, reference_dir):
    code, out, _ = run(capsys, warehouse_path, reference_dir, "status")
    assert code == 0
    assert "Nothing published yet" in out


def test_load_then_status_shows_version_sources_counts_and_recent_loads(capsys, warehouse_path, reference_dir,
                                                                       source, tmp_path):
    code, out, _ = run(capsys, warehouse_path, reference_dir, "load", str(source))
    assert code == 0
    assert "cli_source/values.csv: 3 rows read, 3 loaded" in out
    version = re.search(r"Published data version (\S+)\.", out)[1]
    assert WarehousePaths(warehouse_path).current_version() == version

    bad = write_source(tmp_path / "broken", {"values.csv": VALUES + "E06000004,cli_pct,2019/20,abc\n"})
    assert run(capsys, warehouse_path, reference_dir, "load", str(bad))[0] == 1

    code, out, _ = run(capsys, warehouse_path, reference_dir, "status")
    assert code == 0
    assert f"Data version: {version}" in out
    for name, text in (("indicators.csv", INDICATORS), ("values.csv", VALUES)):
        digest = hashlib.sha256(text.encode()).hexdigest()
        line = next(line for line in out.splitlines() if f"cli_source/{name}" in line)
        assert digest[:16] in line
        assert f"{text.count(chr(10)) - 1:,} rows" in line
    assert re.search(r"indicator_values 3\b", out)
    recent = out.split("Recent loads:")[1].splitlines()
    assert any("published" in line and "cli_source" in line for line in recent)
    assert any("failed" in line and "broken" in line and "1 problem, 1 row rejected" in line for line in recent)


def test_source_name_option_stores_rows_under_that_name(capsys, warehouse_path, reference_dir, source):
    code, out, _ = run(capsys, warehouse_path, reference_dir, "load", "--source-name", "renamed", str(source))
    assert code == 0
    assert "renamed/values.csv" in out
    code, out, _ = run(capsys, warehouse_path, reference_dir, "status")
    assert "renamed/values.csv" in out and "cli_source/" not in out


def test_source_name_with_two_folders_is_an_error(capsys, warehouse_path, reference_dir, source):
    code, _, err = run(capsys, warehouse_path, reference_dir, "load", "--source-name", "x", str(source), str(source))
    assert code == 2 and "exactly one folder" in err
    assert WarehousePaths(warehouse_path).current_file() is None


def test_missing_folder_exits_2_naming_it(capsys, warehouse_path, reference_dir, tmp_path):
    code, _, err = run(capsys, warehouse_path, reference_dir, "load", str(tmp_path / "nowhere"))
    assert code == 2
    assert "nowhere: no such folder" in err


def test_validate_a_good_source_writes_nothing(capsys, warehouse_path, reference_dir, source):
    code, out, _ = run(capsys, warehouse_path, reference_dir, "validate", str(source))
    assert code == 0
    assert "Valid: every check passed" in out
    assert WarehousePaths(warehouse_path).current_file() is None


def test_build_demo_if_missing_leaves_a_published_warehouse_alone(capsys, warehouse_path, reference_dir, source):
    run(capsys, warehouse_path, reference_dir, "load", str(source))
    paths = WarehousePaths(warehouse_path)
    before = (paths.current_version(), paths.published_versions())
    code, out, _ = run(capsys, warehouse_path, reference_dir, "build-demo", "--if-missing")
    assert code == 0 and "already published" in out
    assert (paths.current_version(), paths.published_versions()) == before


def _mark_schema(paths: WarehousePaths, version: str) -> None:
    """Rewrite the published file's schema_version, as a warehouse built by older code has."""
    import duckdb

    con = duckdb.connect(str(paths.current_file()))
    try:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [version])
    finally:
        con.close()


@pytest.mark.slow  # builds the whole demo
def test_build_demo_if_missing_rebuilds_a_warehouse_of_an_older_schema(capsys, warehouse_path, reference_dir,
                                                                       source):
    run(capsys, warehouse_path, reference_dir, "load", str(source))
    paths = WarehousePaths(warehouse_path)
    _mark_schema(paths, "0")
    old = paths.current_version()
    code, out, _ = run(capsys, warehouse_path, reference_dir, "build-demo", "--if-missing")
    assert code == 0 and "schema version 0" in out
    assert paths.current_version() != old
    status = main(["--warehouse", str(warehouse_path), "status"])
    assert status == 0


def test_app_refuses_a_warehouse_of_an_older_schema_with_a_clear_message(capsys, warehouse_path, reference_dir,
                                                                         source, open_page):
    run(capsys, warehouse_path, reference_dir, "load", str(source))
    _mark_schema(WarehousePaths(warehouse_path), "0")
    at = open_page(warehouse_path, "home")
    assert any("schema version 0" in e.value and "build-default" in e.value for e in at.error)


def test_keep_versions_is_passed_down_not_left_in_the_environment(capsys, warehouse_path, reference_dir, source,
                                                                  monkeypatch):
    monkeypatch.delenv("EXEMPLAR_KEEP_VERSIONS", raising=False)
    for _ in range(4):
        code, _, err = run(capsys, warehouse_path, reference_dir, "--keep-versions", "2", "load", str(source))
        assert code == 0, err
    assert "EXEMPLAR_KEEP_VERSIONS" not in os.environ
    assert len(WarehousePaths(warehouse_path).published_versions()) == 2


def test_help_exits_0_and_a_bad_command_or_option_exits_2(capsys, warehouse_path, reference_dir):
    assert run(capsys, warehouse_path, reference_dir, "--help")[0] == 0
    code, _, err = run(capsys, warehouse_path, reference_dir, "unload")
    assert code == 2 and "No such command 'unload'" in err
    code, _, err = run(capsys, warehouse_path, reference_dir, "export", "--format", "xml", "out")
    assert code == 2 and "'xml' is not one of 'parquet', 'csv'" in err
    code, _, err = run(capsys, warehouse_path, reference_dir, "load")
    assert code == 2 and "Missing argument" in err


def test_import_hands_keep_versions_to_its_load(capsys, warehouse_path, reference_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("EXEMPLAR_KEEP_VERSIONS", raising=False)
    (tmp_path / "figures.csv").write_text("code,year,rate\nE08000025,2019-20,1.5\nE09000027,2019-20,2.5\n")
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'source_name = "kept"\n[councils]\ncolumn = "code"\nby = "gss"\n'
        '[shape]\nform = "long"\nindicator = "rate"\nperiod_column = "year"\nvalue_column = "rate"\n'
        '[indicators]\ndefaults = { theme = "T", unit = "%", polarity = "higher", description = "d", source = "s" }\n'
    )
    for _ in range(3):
        code, _, err = run(capsys, warehouse_path, reference_dir, "--keep-versions", "2", "import",
                           str(tmp_path / "figures.csv"), "--spec", str(spec))
        assert code == 0, err
    assert len(WarehousePaths(warehouse_path).published_versions()) == 2
