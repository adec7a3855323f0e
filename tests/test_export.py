"""`etl export`: every table of the live warehouse as Parquet or CSV, faithful to the data."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import export

ROOT = Path(__file__).resolve().parent.parent


def _tables(live: Path) -> dict[str, pd.DataFrame]:
    """What an export must hold, read straight from DuckDB: every base table except the raw
    responses (unpublished answers never leave), plus the published_responses view."""
    con = duckdb.connect(str(live), read_only=True)
    try:
        names = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND NOT (table_schema = 'main' AND table_name = 'responses') "
            "UNION ALL SELECT 'main', 'published_responses'"
        ).fetchall()
        return {(t if s == "main" else f"{s}.{t}"): con.execute(f'SELECT * FROM "{s}"."{t}"').df() for s, t in names}
    finally:
        con.close()


def _data_version(live: Path) -> str:
    con = duckdb.connect(str(live), read_only=True)
    try:
        return con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse_tables(demo_warehouse) -> dict[str, pd.DataFrame]:
    return _tables(demo_warehouse)


def test_parquet_export_holds_every_table_exactly(demo_warehouse, warehouse_tables, tmp_path):
    result = export.export_warehouse(tmp_path / "out", "parquet", demo_warehouse)
    assert set(result.tables) == set(warehouse_tables)
    assert (tmp_path / "out" / "ref__authorities.parquet").is_file()
    for name, expected in warehouse_tables.items():
        file = tmp_path / "out" / (name.replace(".", "__") + ".parquet")
        got = pd.read_parquet(file)
        assert list(got.columns) == list(expected.columns), name
        assert len(got) == len(expected), name
        for column in expected.select_dtypes("datetime").columns:  # Parquet DATE reads back as date objects
            got[column] = pd.to_datetime(got[column]).astype(expected[column].dtype)
        for column in expected.columns[expected.isna().all()]:  # an all-empty text column reads back as NaN
            assert got[column].isna().all(), (name, column)
            got[column] = expected[column]
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False, obj=name
        )


def test_manifest_names_the_version_rows_and_checksums(demo_warehouse, warehouse_tables, tmp_path):
    export.export_warehouse(tmp_path, "parquet", demo_warehouse)
    manifest = json.loads((tmp_path / export.MANIFEST).read_text())
    assert manifest["data_version"] == _data_version(demo_warehouse)
    assert {n: t["rows"] for n, t in manifest["tables"].items()} == {n: len(f) for n, f in warehouse_tables.items()}
    for entry in manifest["tables"].values():
        assert hashlib.sha256((tmp_path / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    assert not list(tmp_path.glob(".*.tmp"))  # nothing half-written left behind


def test_csv_export_through_the_command_line(demo_warehouse, warehouse_tables, tmp_path):
    out = tmp_path / "csv"
    run = subprocess.run(
        [sys.executable, "-m", "etl", "--warehouse", str(demo_warehouse), "export", "--format", "csv", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert {p.name for p in out.glob("*.csv")} == {n.replace(".", "__") + ".csv" for n in warehouse_tables}
    values = pd.read_csv(out / "indicator_values.csv", dtype={"period": str})
    expected = warehouse_tables["indicator_values"]
    assert len(values) == len(expected)
    assert values["value"].sum() == pytest.approx(expected["value"].sum())
    assert values["authority_code"].tolist() == expected["authority_code"].tolist()
    authorities = pd.read_csv(out / "ref__authorities.csv", dtype=str, keep_default_na=False)
    assert sorted(authorities["authority_code"]) == sorted(warehouse_tables["ref.authorities"]["authority_code"])


def test_export_of_nothing_published_fails_clearly(tmp_path, capsys):
    from etl import cli

    code = cli.main(["--warehouse", str(tmp_path / "none" / "exemplar.duckdb"), "export", str(tmp_path / "x")])
    assert code == 2
    assert "no warehouse is published" in capsys.readouterr().err
    with pytest.raises(ValueError, match="format"):
        export.export_warehouse(tmp_path / "x", "xlsx", tmp_path / "none" / "exemplar.duckdb")


def test_the_dashboard_serves_a_parquet_export_like_the_warehouse(demo_warehouse, tmp_path):
    """Replicas on shared storage: EXEMPLAR_WAREHOUSE -> <export>/exemplar.duckdb (views over Parquet)."""
    from dashboard.warehouse import FileWarehouse

    export.export_warehouse(tmp_path / "shared", "parquet", demo_warehouse)
    from_export = FileWarehouse(tmp_path / "shared" / export.VIEWS_FILE)
    from_warehouse = FileWarehouse(demo_warehouse)
    try:
        for name in ("meta", "overview_counts", "councils_by_nation", "indicators_by_theme"):
            pd.testing.assert_frame_equal(from_export.query(name), from_warehouse.query(name), obj=name)
    finally:
        from_export.close()
        from_warehouse.close()


def test_no_unpublished_answer_leaves_in_an_export(demo_warehouse, tmp_path):
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        unpublished, published = con.execute(
            "SELECT count(*) FILTER (WHERE NOT published), count(*) FILTER (WHERE published) FROM responses"
        ).fetchone()
    finally:
        con.close()
    assert unpublished > 0  # the demo holds private answers, so this test can fail
    result = export.export_warehouse(tmp_path / "out", "parquet", demo_warehouse)
    assert "responses" not in result.tables
    exported = pd.read_parquet(result.tables["published_responses"][0])
    assert len(exported) == published
    assert not any(file.stem == "responses" for file in (tmp_path / "out").iterdir())
