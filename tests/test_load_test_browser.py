"""Load test with a real browser: ten pages at once click browse -> profile -> download while
the ETL publishes new versions (one load fails validation) underneath them.

Pass: no page ever shows an error or a traceback, and every downloaded CSV is complete and
matches exactly one published version: its ``about_data_version`` names a version that was
published, its rows are that version's indicators, the council's values are that version's
values, and the peer median of the version-marked indicator is that version's median of the
listed peer group (computed here with pandas from the version file).
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.warehouse import WarehousePaths
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app
from tests.support.sessions import browse_profile_download, visitors
from tests.support.sources import write_source

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
PAGES = 10  # browser contexts open at once, one council each
MIN_CYCLES = 2  # browse -> profile -> download rounds per page, at least
DEADLINE_S = 170  # the whole run stays under ~4 minutes with setup on two shared cores
DOWNLOADS_BETWEEN_LOADS = 2  # each publish waits for this many new downloads, so reads span versions
WAIT_FOR_READERS_S = 90  # ...but never longer than this (a slow machine still gets its loads)
MARK = "loadtest_pct"  # the indicator whose values say which load wrote them
LOADS = [1, 2, "bad", 3]  # three new versions and one load that fails validation
MEMBER_SEPARATOR = " "  # as dashboard/peer_exports.py joins about_peer_group_members


@dataclass
class Run:
    """What happened during the load test, for the assertions and the report."""

    published: dict[str, int] = field(default_factory=dict)  # version -> load number k
    failed_loads: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    downloads: list[tuple[str, str, bytes]] = field(default_factory=list)  # (page, council, csv)
    cycles: dict[str, int] = field(default_factory=dict)
    timeline: list[str] = field(default_factory=list)  # "t+12s k=1 published", for the report


def _mark_source(folder: Path, codes: list[str], period: str, k: int | str) -> Path:
    """The ``loadtest`` source: one indicator whose every value encodes the load number ``k``."""
    indicators = (
        "indicator_id,name,theme,unit,polarity,description,source\n"
        f"{MARK},Load test marker,Load test,count,higher,Which load wrote this,Tests\n"
    )
    rows = [f"{code},{MARK},{period},{(k if k != 'bad' else 9) * 1000 + i}" for i, code in enumerate(codes)]
    if k == "bad":
        rows[len(rows) // 2] = f"{codes[len(rows) // 2]},{MARK},{period},not-a-number"
    return write_source(
        folder / "loadtest",
        {
            "indicators.csv": indicators,
            "values.csv": "authority_code,indicator_id,period,value\n" + "\n".join(rows) + "\n",
        },
    )


def _load(live: Path, source: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etl", "--warehouse", str(live), "load", str(source), "--source-name", "loadtest"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "EXEMPLAR_KEEP_VERSIONS": "50"},
    )


def _published_version(run: subprocess.CompletedProcess[str]) -> str:
    found = re.search(r"Published data version (\S+)\.", run.stdout)
    assert run.returncode == 0 and found, run.stderr
    return found.group(1)


@pytest.fixture(scope="module")
def setup(demo_warehouse, tmp_path_factory):
    """A private copy of the demo plus the marker source (k=0), its councils and period, and the
    councils the pages visit."""
    root = tmp_path_factory.mktemp("load-test")
    shutil.copytree(demo_warehouse.parent, root / "wh", symlinks=True)
    live = root / "wh" / demo_warehouse.name
    period, codes, councils = visitors(live, PAGES)
    first = _published_version(_load(live, _mark_source(root / "k0", codes, period, 0)))
    return live, root, codes, period, first, councils


@pytest.fixture(scope="module")
def app(setup):
    """``streamlit run`` headless on a free port against the copy; killed at teardown."""
    with streamlit_app(setup[0], timeout_s=60) as (base, _server):
        yield base


async def _worker(
    browser, base: str, name: str, council: str, period: str, run: Run, etl_done: threading.Event, deadline: float
) -> None:
    context = await browser.new_context(accept_downloads=True)
    page = await context.new_page()
    cycles = 0
    try:
        while True:
            # Keep clicking while the ETL publishes, then one more round on the final version.
            etl_was_done = etl_done.is_set()
            done = await browse_profile_download(page, base, council, period, f"{name} #{cycles}")
            run.errors += done.errors
            run.downloads.append((name, council, done.csv))
            cycles += 1
            if cycles >= MIN_CYCLES and (etl_was_done or time.monotonic() > deadline):
                break
    except Exception as exc:  # a timeout or a crash is a failure of this page, recorded with context
        run.errors.append(f"{name}: {type(exc).__name__}: {str(exc)[-800:]}")
    finally:
        run.cycles[name] = cycles
        await context.close()


def _wait_for_downloads(run: Run, count: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while len(run.downloads) < count and time.monotonic() < deadline and not run.errors:
        time.sleep(0.2)


def _etl_thread(
    live: Path, root: Path, codes: list[str], period: str, run: Run, started: threading.Event, done: threading.Event
) -> None:
    try:
        started.wait(timeout=120)
        began = time.monotonic()
        for k in LOADS:
            # Paced by the readers, not the clock: on an idle machine the loads would otherwise all
            # land before the first page finished, and every download would see one version.
            _wait_for_downloads(run, len(run.downloads) + DOWNLOADS_BETWEEN_LOADS, WAIT_FOR_READERS_S)
            result = _load(live, _mark_source(root / f"k{k}", codes, period, k))
            if k == "bad":
                assert result.returncode == 1 and "not-a-number" in result.stderr, result.stderr
                run.failed_loads.append(result.stderr.splitlines()[0] if result.stderr else "")
            else:
                run.published[_published_version(result)] = int(k)
            run.timeline.append(f"t+{time.monotonic() - began:.0f}s load {k} {'failed' if k == 'bad' else 'published'}")
            time.sleep(0.5)
    except Exception as exc:
        run.errors.append(f"etl: {type(exc).__name__}: {exc}")
    finally:
        done.set()


async def _drive(
    base: str, councils: list[str], period: str, run: Run, started: threading.Event, etl_done: threading.Event
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            deadline = time.monotonic() + DEADLINE_S
            tasks = [
                _worker(browser, base, f"page{i}", code, period, run, etl_done, deadline)
                for i, code in enumerate(councils)
            ]
            started.set()
            await asyncio.gather(*tasks)
        finally:
            await browser.close()


def _expected(file: Path, council: str, period: str, members: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """That version's indicators with the council's value, and the marker's values of ``members``."""
    con = duckdb.connect(str(file), read_only=True)
    try:
        indicators = con.execute(
            "SELECT i.indicator_id, v.value FROM indicators i LEFT JOIN indicator_values v "
            "ON v.indicator_id = i.indicator_id AND v.period = ? AND v.authority_code = ?",
            [period, council],
        ).df()
        marker = con.execute(
            "SELECT authority_code, value FROM indicator_values WHERE indicator_id = ? "
            "AND period = ? AND value IS NOT NULL",
            [MARK, period],
        ).df()
    finally:
        con.close()
    return indicators, marker[marker["authority_code"].isin(members)]["value"]


def _verify(csv: bytes, council: str, period: str, paths: WarehousePaths, versions: dict[str, int]) -> str:
    """Assert one download is complete and is exactly one published version; returns the version."""
    frame = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", dtype={"period": str})
    found = frame["about_data_version"].unique().tolist()
    assert len(found) == 1 and found[0] in versions, (found, sorted(versions))
    version = found[0]
    members = str(frame["about_peer_group_members"].iloc[0]).split(MEMBER_SEPARATOR)
    indicators, marker_values = _expected(paths.version_file(version), council, period, members)
    assert sorted(frame["indicator_id"]) == sorted(indicators["indicator_id"]), version
    assert (frame["council_code"] == council).all()
    got = frame.set_index("indicator_id")["value"].astype(float)
    want = indicators.set_index("indicator_id")["value"].astype(float)
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)
    marker = frame.set_index("indicator_id").loc[MARK]
    assert marker["value"] // 1000 == versions[version]  # the marker names the load that wrote it
    assert marker["peer_median"] == pytest.approx(marker_values.median())
    return version


def test_ten_pages_click_through_while_versions_are_published(setup, app):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make browser`")
    live, root, codes, period, first, councils = setup
    paths = WarehousePaths(live)
    run = Run(published={first: 0})
    started, etl_done = threading.Event(), threading.Event()
    etl = threading.Thread(target=_etl_thread, args=(live, root, codes, period, run, started, etl_done))
    began = time.monotonic()
    etl.start()
    asyncio.run(_drive(app, councils, period, run, started, etl_done))
    etl.join(timeout=300)
    elapsed = time.monotonic() - began

    seen: dict[str, int] = {}
    for _page, council, csv in run.downloads:
        version = _verify(csv, council, period, paths, run.published)
        seen[f"load {run.published[version]}"] = seen.get(f"load {run.published[version]}", 0) + 1
    print(
        f"\nload test: {PAGES} pages, {sum(run.cycles.values())} browse->profile->download rounds "
        f"in {elapsed:.0f} s; versions published during the run: {len(run.published) - 1} "
        f"(+1 failed load: {run.failed_loads}); {run.timeline}; downloads per version: {seen}; errors: {run.errors}"
    )
    assert not run.errors, "\n".join(run.errors)
    assert len(run.published) == 1 + 3 and len(run.failed_loads) == 1
    assert len(run.downloads) >= PAGES * MIN_CYCLES
    assert len(seen) >= 2, seen  # the pages really were reading while versions changed
    assert paths.current_version() == max(run.published, key=lambda v: run.published[v])
