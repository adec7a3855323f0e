"""Atomic publish: a separate process queries the live warehouse in a loop while three loads run
(the second fails validation). Every query succeeds and sees one whole version, never the
failed load's data and never a mix of two versions.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl.load import Source, load_sources
from etl.warehouse import WarehousePaths, read_load_log
from tests.support.sources import write_source

ROOT = Path(__file__).resolve().parent.parent
FAILED_MARKER = 999.0  # the value the failing load carries; no reader may ever see it
COUNCILS = [f"E0600{n:04d}" for n in range(1, 41)]  # 40 real unitary codes E06000001..E06000040
INDICATORS = ("indicator_id,name,theme,unit,polarity,description,source\n"
              "marker,Marker,Test,count,neutral,Which load wrote this,Test\n"
              + "".join(f"filler_{k},Filler {k},Test,count,higher,Bulk,Test\n" for k in range(10)))

# The reader resolves the live symlink before every query, as the dashboard does, and opens a
# fresh read-only connection: each answer comes from exactly one published file.
READER = r"""
import duckdb, json, os, sys, time
live, stop = sys.argv[1], sys.argv[2]
queries, failures, pairs = 0, [], {}
deadline = time.monotonic() + 300
while not os.path.exists(stop) and time.monotonic() < deadline:
    try:
        con = duckdb.connect(os.path.realpath(live), read_only=True)
        try:
            version = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]
            low, high, rows = con.execute(
                "SELECT min(value), max(value), count(*) FROM indicator_values WHERE indicator_id = 'marker'"
            ).fetchone()
            fillers = con.execute(
                "SELECT count(DISTINCT value) FROM indicator_values WHERE indicator_id LIKE 'filler%'"
            ).fetchone()[0]
        finally:
            con.close()
        queries += 1
        if low != high or fillers != 1 or low not in [float(v) for v in pairs.get(version, [low])]:
            failures.append(f"mixed data in {version}: marker {low}..{high}, {fillers} filler values")
        pairs.setdefault(version, sorted({low}))
    except Exception as exc:
        failures.append(f"{type(exc).__name__}: {exc}")
print(json.dumps({"queries": queries, "failures": failures, "pairs": pairs}))
"""


def source(folder: Path, marker: float, bad: bool = False) -> Path:
    """A source whose every value is ``marker`` (so a reader can tell versions apart)."""
    rows = ["authority_code,indicator_id,period,value"]
    for year in range(2010, 2022):
        period = f"{year}/{(year + 1) % 100:02d}"
        for code in COUNCILS:
            rows.append(f"{code},marker,{period},{marker}")
            rows.extend(f"{code},filler_{k},{period},{marker}" for k in range(10))
    if bad:
        rows.append(f"E99999999,marker,2019/20,{marker}")  # unknown authority: validation fails
    return write_source(folder / "atomic", {"indicators.csv": INDICATORS, "values.csv": "\n".join(rows) + "\n"})


@pytest.mark.slow  # readers race real loads for seconds
def test_reader_never_fails_and_never_sees_a_failed_or_mixed_load(tmp_path, warehouse_path, reference_dir):
    first = load_sources([Source.of(source(tmp_path / "s1", 1.0))], warehouse_path,
                         reference_dir=reference_dir, progress=False)
    assert first.outcome == "published"
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(warehouse_path), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)  # let the reader start querying the first version
        outcomes = []
        for n, (marker, bad) in enumerate([(2.0, False), (FAILED_MARKER, True), (3.0, False)], start=2):
            result = load_sources([Source.of(source(tmp_path / f"s{n}", marker, bad))], warehouse_path,
                                  reference_dir=reference_dir, progress=False)
            outcomes.append(result.outcome)
            time.sleep(0.5)
        time.sleep(1.0)  # the reader must also see the last version
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    report = json.loads(out)

    assert outcomes == ["published", "failed", "published"]
    assert report["failures"] == []
    assert report["queries"] >= 20
    markers_seen = {v for values in report["pairs"].values() for v in values}
    assert FAILED_MARKER not in markers_seen
    assert markers_seen <= {1.0, 2.0, 3.0}
    assert 3.0 in markers_seen
    # every version the reader met is one the ETL published
    published = {e["version"] for e in read_load_log(WarehousePaths(warehouse_path)) if e["outcome"] == "published"}
    assert set(report["pairs"]) <= published
    assert read_load_log(WarehousePaths(warehouse_path))[2]["outcome"] == "failed"
