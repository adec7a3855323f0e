"""Crash safety: ``kill -9`` the ETL at seeded random moments during a load; the live warehouse
still opens, passes the integrity check and serves the old data, and the next load succeeds
and clears what the killed builds left behind.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl.integrity import check_file
from etl.warehouse import BUILDING_PREFIX, SPILL_DIR, WarehousePaths, read_load_log
from tests.support.sources import write_source

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261130  # fixed so a failure can be replayed
TRIALS = 8
INDICATOR_COUNT = 25  # 400-ish councils x 25 indicators x 10 years: ~100,000 values, a few seconds


def big_source(folder: Path, codes: list[str], marker: int) -> Path:
    """A moderately large source whose every value carries ``marker`` in its last decimal."""
    indicators = ["indicator_id,name,theme,unit,polarity,description,source"]
    indicators += [f"crash_{k:02d},Crash {k},Test,count,higher,Crash test,Test" for k in range(INDICATOR_COUNT)]
    rows = ["authority_code,indicator_id,period,value"]
    for code in codes:
        for k in range(INDICATOR_COUNT):
            rows.extend(f"{code},crash_{k:02d},{year}/{(year + 1) % 100:02d},{marker}"
                        for year in range(2012, 2022))
    return write_source(folder / "crashsrc", {"indicators.csv": "\n".join(indicators) + "\n",
                                              "values.csv": "\n".join(rows) + "\n"})


def run_load(folder: Path, live: Path, reference_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "EXEMPLAR_WAREHOUSE": str(live), "EXEMPLAR_REFERENCE_DIR": str(reference_dir)}
    return subprocess.Popen([sys.executable, "-m", "etl", "load", str(folder)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def live_markers(live: Path) -> tuple[str, set[float], int]:
    con = duckdb.connect(str(live), read_only=True)
    try:
        version = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]
        markers = {r[0] for r in con.execute("SELECT DISTINCT value FROM indicator_values").fetchall()}
        rows = con.execute("SELECT count(*) FROM indicator_values").fetchone()[0]
        return version, markers, rows
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_during_load_leaves_the_old_warehouse_serving(tmp_path, warehouse_path, authorities, reference_dir):
    codes = list(authorities.loc[authorities["is_current"] & authorities["is_council"]
                                 & authorities["gss_code"].notna(), "gss_code"])
    paths = WarehousePaths(warehouse_path)
    started = time.monotonic()
    first = run_load(big_source(tmp_path / "v1", codes, 1), warehouse_path, reference_dir)
    assert first.wait(timeout=600) == 0, first.stderr.read()
    full_load = time.monotonic() - started  # how long an uninterrupted load of this size takes
    old_version, old_markers, old_rows = live_markers(warehouse_path)
    assert old_markers == {1.0} and old_rows == len(codes) * INDICATOR_COUNT * 10

    rng = random.Random(SEED)
    killed_mid_load = 0
    for trial in range(TRIALS):
        target = os.readlink(warehouse_path)
        process = run_load(big_source(tmp_path / f"v{trial + 2}", codes, trial + 2), warehouse_path, reference_dir)
        time.sleep(rng.uniform(0.05, 0.6) * full_load)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed_mid_load += 1
        process.wait(timeout=600)

        assert check_file(warehouse_path) == []
        version, markers, rows = live_markers(warehouse_path)
        published = [e for e in read_load_log(paths) if e["outcome"] == "published"]
        if process.returncode == -signal.SIGKILL and version == old_version:
            assert os.readlink(warehouse_path) == target  # the symlink was not touched
            assert (markers, rows) == (old_markers, old_rows)
        else:  # the load finished (or was killed just after its atomic switch): all new data
            assert version == published[-1]["version"] or os.readlink(warehouse_path) != target
            assert markers == {float(trial + 2)} and rows == old_rows
            old_version, old_markers = version, markers
    assert killed_mid_load >= 5

    final = run_load(big_source(tmp_path / "final", codes, 99), warehouse_path, reference_dir)
    assert final.wait(timeout=600) == 0, final.stderr.read()
    assert check_file(warehouse_path) == []
    assert live_markers(warehouse_path)[1] == {99.0}
    leftovers = [p.name for p in paths.versions_dir.iterdir() if p.name.startswith(BUILDING_PREFIX)]
    assert leftovers == []
    spill = paths.versions_dir / SPILL_DIR
    assert not spill.exists() or list(spill.iterdir()) == []
