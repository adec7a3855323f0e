"""Crash safety: ``kill -9`` the ETL inside each stage of a load, at seeded random moments.

One test, run against a copy of the published demo warehouse, with a source large enough that
every stage takes measurable time (~100,000 values, each carrying the trial's marker). After
every kill:

- every version published before is still on disk, byte for byte, and the live one passes the
  integrity check (nothing published is ever lost or damaged);
- a load killed before its atomic switch left the symlink untouched and the old data serving;
  a load that got past it serves all of the new data, never a mix;
- at most one new version file appeared, and one that never went live is complete;
- the killed process holds no lock.

At least five kills must land mid-load. The next load then succeeds and leaves no half-built
file or spill file behind.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl.integrity import check_file
from etl.logs import read_stage_log
from etl.warehouse import BUILDING_PREFIX, SPILL_DIR, WarehousePaths, etl_lock
from tests.support.sources import write_source

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261130  # fixed so a failure can be replayed
KILLS = 10  # distinct stage-indexed kill points (a load has about ten stages)
INDICATORS = 25  # ~380 current councils x 25 indicators x 10 years: ~100,000 values, a few seconds
SOURCE = "crashsrc"
KEEP = "100"  # pruning is policy, not loss: keep every version here


def big_source(folder: Path, codes: list[str], marker: int) -> Path:
    """A moderately large source whose every value is ``marker``."""
    indicators = ["indicator_id,name,theme,unit,polarity,description,source"]
    indicators += [f"crash_{k:02d},Crash {k},Test,count,higher,Crash test,Test" for k in range(INDICATORS)]
    rows = ["authority_code,indicator_id,period,value"]
    for code in codes:
        for k in range(INDICATORS):
            rows.extend(f"{code},crash_{k:02d},{year}/{(year + 1) % 100:02d},{marker}" for year in range(2012, 2022))
    return write_source(
        folder / SOURCE, {"indicators.csv": "\n".join(indicators) + "\n", "values.csv": "\n".join(rows) + "\n"}
    )


def load_command(live: Path, folder: Path, reference_dir: Path) -> list[str]:
    return [
        sys.executable, "-m", "etl", "--warehouse", str(live), "--reference-dir", str(reference_dir),
        "--keep-versions", KEEP, "load", str(folder),
    ]  # fmt: skip


def snapshot(live: Path) -> dict[str, str]:
    """{version: sha256 of its file} for every published version: what must never be lost."""
    paths = WarehousePaths(live)
    return {v: hashlib.sha256(paths.version_file(v).read_bytes()).hexdigest() for v in paths.published_versions()}


def served(live: Path) -> tuple[set[float], int, int]:
    """The crash source's distinct values, its row count and every other source's row count."""
    con = duckdb.connect(str(live), read_only=True)
    try:
        markers = {r[0] for r in con.execute(
            "SELECT DISTINCT value FROM indicator_values WHERE source_name = ?", [SOURCE]).fetchall()}
        ours, others = con.execute(
            "SELECT count(*) FILTER (WHERE source_name = ?), count(*) FILTER (WHERE source_name <> ?) "
            "FROM indicator_values", [SOURCE, SOURCE]).fetchone()
        return markers, ours, others
    finally:
        con.close()


def kill_during(command: list[str], live: Path, stage_index: int, offset: float) -> tuple[int, str]:
    """Start a load, wait until ``stage_index`` of its stages have finished, sleep ``offset``, then
    SIGKILL it (unless it has finished). Returns its exit code and the last stage it finished."""
    logged = len(read_stage_log(live))
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(read_stage_log(live)) - logged < stage_index and child.poll() is None:
        assert time.monotonic() < deadline, "the load never reached the stage"
        time.sleep(0.005)
    time.sleep(offset)
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    stages = [r["stage"] for r in read_stage_log(live)[logged:]]
    return child.returncode, stages[-1] if stages else "startup"


@pytest.mark.slow
def test_kill_9_in_every_stage_of_a_load_never_damages_what_is_published(
    demo_warehouse, tmp_path, authorities, reference_dir
):
    shutil.copytree(demo_warehouse.parent, tmp_path / "wh", symlinks=True)
    live = tmp_path / "wh" / demo_warehouse.name
    paths = WarehousePaths(live)
    codes = list(authorities.loc[authorities["is_current"] & authorities["is_council"]
                                 & authorities["gss_code"].notna(), "gss_code"])
    expected_rows = len(codes) * INDICATORS * 10

    first = subprocess.run(load_command(live, big_source(tmp_path / "v1", codes, 1), reference_dir),
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    log = read_stage_log(live)
    durations = [r["duration_s"] for r in log if r["load_id"] == log[-1]["load_id"]]  # one full load's stages
    markers, rows, others = served(live)
    assert (markers, rows) == ({1.0}, expected_rows)

    rng = random.Random(SEED)
    points = sorted(rng.sample(range(len(durations) + 1), min(KILLS, len(durations) + 1)))
    killed_mid_load, reached = 0, []
    for trial, index in enumerate(points, start=2):
        before, target = snapshot(live), os.readlink(live)
        offset = rng.uniform(0, durations[index] if index < len(durations) else 0.02)
        command = load_command(live, big_source(tmp_path / f"v{trial}", codes, trial), reference_dir)
        code, last_stage = kill_during(command, live, index, offset)
        reached.append(last_stage)

        after = snapshot(live)
        assert all(after.get(v) == digest for v, digest in before.items()), "a published version was lost or changed"
        assert check_file(paths.current_file()) == []
        new = set(after) - set(before)
        assert len(new) <= 1
        now_markers, now_rows, now_others = served(live)
        assert now_others == others and now_rows == expected_rows  # old or new: never a mix
        if os.readlink(live) == target:  # killed before the switch: the old data serves
            assert code == -signal.SIGKILL, (code, last_stage)
            assert now_markers == markers
            killed_mid_load += 1
            # Killed between the file's rename and the symlink switch, a load leaves a complete
            # version that never went live: allowed, as long as it is whole.
            assert not new or check_file(paths.version_file(new.pop())) == []
        else:  # the load finished, or was killed just after its atomic switch: all new data
            assert now_markers == {float(trial)}
            assert paths.current_version() in new
            markers = now_markers
        with etl_lock(paths, wait=False):  # a killed process never keeps the lock
            pass
    assert killed_mid_load >= 5, reached

    final = subprocess.run(load_command(live, big_source(tmp_path / "final", codes, 99), reference_dir),
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert final.returncode == 0, (reached, final.stderr)
    assert check_file(paths.current_file()) == []
    assert served(live)[0] == {99.0}
    assert not [p.name for p in paths.versions_dir.iterdir() if p.name.startswith(BUILDING_PREFIX)], reached
    spill = paths.versions_dir / SPILL_DIR
    assert not spill.exists() or list(spill.iterdir()) == []
    print(f"\nkilled loads; last stage each had finished: {reached}")
