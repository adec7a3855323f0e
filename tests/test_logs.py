"""Structured logs: one JSON line per ETL stage; one JSON line with context per app error."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from dashboard.common.logs import LOGGER_NAME, _JsonLines
from dashboard.warehouse import FileWarehouse, WarehouseUnavailable
from etl.load import Source, load_sources
from etl.logs import read_stage_log, stage_log_path
from tests.support.apptest import new_app
from tests.support.sources import write_source

ROOT = Path(__file__).resolve().parent.parent
INDICATORS = "indicator_id,name,theme,unit,polarity,description,source\nlog_pct,Log test,Testing,%,higher,d,Tests\n"
VALUES = "authority_code,indicator_id,period,value\nE08000025,log_pct,2023/24,1\nE09000033,log_pct,2023/24,{second}\n"
BUILD_STAGES = ["reference", "previous", "stage:logs", "validate:logs", "write", "integrity", "checkpoint"]


def test_a_published_load_writes_one_json_line_per_stage(warehouse_path, tmp_path, reference_dir):
    source = write_source(tmp_path / "logs", {"indicators.csv": INDICATORS, "values.csv": VALUES.format(second=2)})
    result = load_sources([Source.of(source, "logs")], warehouse_path, reference_dir=reference_dir)
    assert result.outcome == "published"
    lines = stage_log_path(warehouse_path).read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line is a JSON object on its own
    assert [r["stage"] for r in records] == [*BUILD_STAGES, "integrity_file", "publish", "prune"]
    assert {r["load_id"] for r in records} == {result.version}
    assert all(r["outcome"] == "ok" and r["duration_s"] >= 0 and r["error"] is None for r in records)
    by_stage = {r["stage"]: r for r in records}
    data_rows = sum(len((source / f).read_text().splitlines()) - 1 for f in ("indicators.csv", "values.csv"))
    assert by_stage["stage:logs"]["rows"] == data_rows
    assert by_stage["validate:logs"]["rows"] == data_rows
    assert by_stage["write"]["rows"] == 2  # indicator_values in the new version


def test_a_rejected_load_marks_the_stage_and_never_reaches_publish(warehouse_path, tmp_path, reference_dir):
    source = write_source(tmp_path / "logs", {"indicators.csv": INDICATORS, "values.csv": VALUES.format(second="x")})
    result = load_sources([Source.of(source, "logs")], warehouse_path, reference_dir=reference_dir)
    assert result.outcome == "failed" and result.problems
    records = read_stage_log(warehouse_path)
    assert records[-1]["stage"] == "validate:logs" and records[-1]["outcome"] == "rejected"
    assert "publish" not in {r["stage"] for r in records}
    # values.csv is checked by the write that reads it: the write stopped at the bad row
    # ("refused", nothing written), then the staged checks named the row
    assert [r["outcome"] for r in records if r["stage"] == "write"] == ["refused"]


@pytest.fixture
def app_log(caplog):
    """The app logger's records (it does not propagate to the root logger)."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def test_the_app_logs_a_missing_warehouse_with_its_context(tmp_path, monkeypatch, app_log):
    missing = tmp_path / "none" / "exemplar.duckdb"
    monkeypatch.setenv("EXEMPLAR_WAREHOUSE", str(missing))
    at = new_app()
    at.query_params["council"] = "E08000025"
    at.run()
    assert not at.exception
    records = [r for r in app_log.records if r.name == LOGGER_NAME]
    assert records, "no error was logged"
    context = records[-1].context
    assert records[-1].getMessage() == "warehouse unavailable"
    assert context["warehouse"] == str(missing)
    assert context["query"] == {"council": "E08000025"} and context["session"] and context["page"]
    assert "WarehouseUnavailable" in context["traceback"]
    line = json.loads(_JsonLines().format(records[-1]))  # the line that reaches the journal
    assert line["event"] == "warehouse unavailable" and line["level"] == "ERROR"


def test_a_failing_query_is_logged_with_its_name_and_parameters(demo_warehouse, tmp_path, app_log):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(demo_warehouse.resolve().read_bytes()[:100_000])
    wh = FileWarehouse(broken)
    try:
        with pytest.raises(WarehouseUnavailable):
            wh.query("meta")
    finally:
        wh.close()
    context = next(r.context for r in app_log.records if r.getMessage() == "query failed")
    assert context["query"] == "meta" and context["params"] == {} and context["file"] == str(broken)
