"""Benchmark: the profile and indicator pages' queries on a 16-million-row warehouse against the demo.

Usage::

    python bench/query_bench.py               # 400 councils x 2,000 indicators x 20 periods
    python bench/query_bench.py --repeats 3   # fewer timings per query
    python bench/query_bench.py --skip-memory # timings only, no app process

What it does:

1. Reuses (or generates) the contract-format source of ``bench/etl_bench.py`` in
   ``bench-output/source-16000000`` and loads it once with ``etl.load.load_sources`` into
   ``bench-output/query-16m/`` (kept and reused while it holds the expected rows). The demo
   warehouse is built the same way into ``bench-output/query-demo/``. Both are git-ignored.
2. For a few councils and two peer-group kinds, resolves each peer group exactly as the pages
   do (``dashboard.peers.resolve_peer_group``) and times every named query of the profile page
   (``peer_profile``, ``peer_ranked_values``) and the indicator page (``peer_ranked_values``,
   ``peer_trend``) through ``dashboard.warehouse.FileWarehouse`` with its result cache cleared, so each
   timing is a real query on a warm connection. Prints p50 per query on both warehouses and the
   ratio 16M / demo (target: at most 2). The demo has 28 indicators and the 16M warehouse 2,000,
   so the profile is reported twice: (a) the profile of 28 indicators at 16M (spread evenly
   through the table, as a theme's ids are, the worst case for skipping row groups) against the
   demo's whole 28-indicator profile (target: ratio at most 1.5; also printed, for information,
   for 28 ids next to each other in the table's sort order, as ids sharing a prefix), and (b) the whole
   2,000-indicator profile at 16M (target: p50 under 100 ms).
3. Starts ``streamlit run`` headless on a free port against the 16M warehouse, opens the
   profile and indicator pages in headless Chromium, and reads the app process's peak resident
   memory (``VmHWM``, via psutil's process tree; target: under 500 MB).

Not a test: the figures depend on the machine; both sides are measured in the same run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dashboard.peers.groups import PeerGroup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app  # noqa: E402  (after the path)

OUTPUT = ROOT / "bench-output"
SIZES = {"councils": 400, "indicators": 2000, "periods": 20}  # the 16M-row warehouse
RATIO_TARGET = 2.0  # the target: p50 on 16M rows at most twice the demo's
PROFILE_RATIO_TARGET = 1.5  # the same 28 indicators' profile at 16M rows against the demo's
FULL_PROFILE_TARGET_S = 0.100  # the whole 2,000-indicator profile at 16M rows: p50 under 100 ms
PROFILE_INDICATORS = 28  # the demo's indicator count
MEMORY_TARGET_BYTES = 500 * 1024**2  # the target: the app process under 500 MB
# Councils of different types and nations, so peer groups range from 6 to ~180 members.
COUNCILS = ["E08000025", "E10000016", "W06000015", "S12000049", "E07000178"]
GROUP_KINDS = ["type_nation", "region"]  # the default kind and a mixed-type kind
PAGE_SETTLE_SECONDS = 3.0  # after the table appears, let the rest of the page finish rendering


def _etl_bench() -> Any:
    """bench/etl_bench.py as a module, to share its generated 16M source (same files, one copy)."""
    spec = importlib.util.spec_from_file_location("etl_bench", ROOT / "bench" / "etl_bench.py")
    if spec is None or spec.loader is None:
        raise SystemExit("bench/etl_bench.py is missing: it generates the 16M-row source")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def value_rows(live: Path) -> int:
    """Rows of indicator_values in the published warehouse at ``live`` (0 when none)."""
    from dashboard.warehouse import FileWarehouse, WarehouseUnavailable

    if not live.exists():
        return 0
    wh = FileWarehouse(live)
    try:
        return int(wh.query("overview_counts")["value_rows"].iloc[0])
    except WarehouseUnavailable:
        return 0
    finally:
        wh.close()


def build_16m() -> Path:
    """The published 16M-row warehouse, loaded from the ETL benchmark's source unless present."""
    from etl.load import Source, load_sources

    rows = SIZES["councils"] * SIZES["indicators"] * SIZES["periods"]
    live = OUTPUT / "query-16m" / "exemplar.duckdb"
    if value_rows(live) == rows:
        print(f"reusing {live} ({rows:,} value rows)")
        return live
    bench = _etl_bench()
    source = bench.generate(OUTPUT / f"source-{rows}", SIZES["councils"], SIZES["indicators"],
                            SIZES["periods"])
    started = time.perf_counter()
    result = load_sources([Source.of(source, "bench")], live, progress=False)
    if result.outcome != "published":
        raise SystemExit(f"loading the 16M source failed: {[p.describe() for p in result.problems[:5]]}")
    print(f"loaded {live} in {time.perf_counter() - started:.0f}s")
    return live


def build_demo() -> Path:
    """The published demo warehouse (the baseline), built from the demo generator unless present."""
    from etl import demo, reference
    from etl.load import Source, load_sources

    live = OUTPUT / "query-demo" / "exemplar.duckdb"
    if value_rows(live) > 0:
        return live
    source = demo.write_demo_source(OUTPUT / "query-demo-source" / demo.DEMO_SOURCE_NAME,
                                    reference.read_authorities())
    result = load_sources([Source.of(source, demo.DEMO_SOURCE_NAME, synthetic=True)], live, progress=False)
    if result.outcome != "published":
        raise SystemExit(f"building the demo warehouse failed: {result.problems[:5]}")
    return live


@dataclass
class Case:
    """One page view: a peer group, a period and an indicator."""

    group: PeerGroup
    period: str
    indicator: str
    profile_ids: list[str] | None  # PROFILE_INDICATORS ids spread through the table (None: all there are)
    block_ids: list[str] | None  # PROFILE_INDICATORS ids next to each other in the sort order


def cases(wh) -> list[Case]:
    """The page views to time on ``wh``: each council x group kind, latest period, a ranked indicator."""
    from dashboard.common.periods import value_periods
    from dashboard.peers import statistics as peer_statistics
    from dashboard.peers.groups import PeerGroupSpec, resolve_peer_group

    period = value_periods(wh)[0]
    indicators = peer_statistics.indicator_list(wh)
    ranked = indicators[indicators["polarity"] != "neutral"]["indicator_id"].tolist()
    indicator = ranked[len(ranked) // 2]
    ids = sorted(indicators["indicator_id"])
    step = len(ids) // PROFILE_INDICATORS
    profile_ids = ids[::step][:PROFILE_INDICATORS] if step > 1 else None  # the demo: all 28
    block_ids = ids[len(ids) // 2 :][:PROFILE_INDICATORS] if step > 1 else None
    return [Case(resolve_peer_group(wh, PeerGroupSpec(kind, code, period=period)), period, indicator, profile_ids, block_ids)
            for code in COUNCILS for kind in GROUP_KINDS]


PROFILE_28 = f"peer_profile, {PROFILE_INDICATORS} ind."  # (a): the same indicator count on both sides
PROFILE_28_BLOCK = f"  {PROFILE_INDICATORS} adjacent ids (info)"  # the same, ids sorting together
PROFILE_ALL = "peer_profile, all ind."  # (b): 28 on the demo, 2,000 at 16M
QUERIES = (PROFILE_28, PROFILE_28_BLOCK, PROFILE_ALL, "peer_ranked_values", "peer_trend")


# The named queries each page runs for one view, as the pages call them (dashboard.peers.statistics).
def _queries(case: Case) -> dict[str, tuple[str, dict]]:
    group, codes = case.group, case.group.codes
    from dashboard.common.bands import MIN_BAND_N

    # every indicator asked for on one page (the app pages by PROFILE_PAGE_SIZE; this measures the query)
    profile = {"codes": codes, "council": group.spec.council, "period": case.period, "min_band_n": MIN_BAND_N,
               "theme": "", "limit": 10**9, "offset": 0}
    return {
        PROFILE_28: ("peer_profile", profile | {"indicators": case.profile_ids}),
        PROFILE_28_BLOCK: ("peer_profile", profile | {"indicators": case.block_ids}),
        PROFILE_ALL: ("peer_profile", profile | {"indicators": None}),
        "peer_ranked_values": ("peer_ranked_values", {"codes": codes, "indicator": case.indicator,
                                                      "periods": [case.period]}),
        "peer_trend": ("peer_trend", {"codes": codes, "council": group.spec.council,
                                      "indicator": case.indicator}),
    }


def time_queries(lives: dict[str, Path], repeats: int) -> dict[str, dict[str, list[float]]]:
    """Seconds per run of each named query over every case on each warehouse, uncached, on a
    warm connection. Runs are interleaved (demo, 16M, demo, ...) so load from other processes
    on a shared machine hits both sides alike."""
    from dashboard.warehouse import FileWarehouse

    whs = {label: FileWarehouse(live) for label, live in lives.items()}
    timings: dict[str, dict[str, list[float]]] = {label: {} for label in lives}
    try:
        views = {label: cases(wh) for label, wh in whs.items()}
        for label, wh in whs.items():  # warm-up: open the connection, touch the files
            for case in views[label]:
                for name, params in _queries(case).values():
                    wh.query(name, **params)
        for _ in range(repeats):
            for index in range(len(COUNCILS) * len(GROUP_KINDS)):
                for query in QUERIES:
                    for label, wh in whs.items():
                        name, params = _queries(views[label][index])[query]
                        wh.clear_cache()
                        started = time.perf_counter()
                        wh.query(name, **params)
                        timings[label].setdefault(query, []).append(time.perf_counter() - started)
    finally:
        for wh in whs.values():
            wh.close()
    return timings


def _loads(averages: tuple[float, float, float]) -> str:
    return "/".join(f"{a:.1f}" for a in averages)


def _peak_rss(pid: int) -> int:
    """Peak resident memory (bytes) of process ``pid`` and its children, from /proc's VmHWM."""
    import psutil  # type: ignore[import-untyped]

    total = 0
    for proc in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) * 1024
    return total


def app_peak_memory(live: Path, council: str, indicator: str) -> tuple[int, list[str]]:
    """Run the app on ``live``, open the profile and indicator pages in Chromium; return the
    app's peak RSS in bytes and what each page showed (title, or the error)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    seen = []
    with streamlit_app(live) as (base, app):
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            for path in (f"profile?council={council}", f"indicator?council={council}&indicator={indicator}"):
                page.goto(f"{base}/{path}", timeout=120_000)
                try:
                    # tables behind a closed tab are attached but not visible
                    page.wait_for_selector('[data-testid="stDataFrame"]', state="attached", timeout=180_000)
                    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=180_000)
                    time.sleep(PAGE_SETTLE_SECONDS)
                    seen.append(f"{path}: {page.locator('h1').first.inner_text(timeout=5_000)}")
                except PlaywrightError as exc:  # a page that never renders a table is reported, not fatal
                    seen.append(f"{path}: no table ({type(exc).__name__})")
            browser.close()
        return _peak_rss(app.pid), seen


def main() -> int:
    """Build or reuse both warehouses, time the pages' queries, measure the app; print figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per query and case")
    parser.add_argument("--skip-memory", action="store_true", help="do not start the app")
    args = parser.parse_args()

    big, small = build_16m(), build_demo()
    load_before = os.getloadavg()
    timings = time_queries({"demo": small, "16M": big}, args.repeats)
    demo_times, big_times = timings["demo"], timings["16M"]
    ok = True
    print(f"\nqueries: {len(COUNCILS)} councils x {len(GROUP_KINDS)} peer-group kinds x "
          f"{args.repeats} runs, uncached, demo and 16M interleaved; load average "
          f"{_loads(load_before)} before, {_loads(os.getloadavg())} after")
    print(f"{'query':<26} {'demo p50':>10} {'16M p50':>10} {'ratio':>7}  target")
    for label in QUERIES:
        demo_p50, big_p50 = statistics.median(demo_times[label]), statistics.median(big_times[label])
        ratio = big_p50 / demo_p50
        if label == PROFILE_28_BLOCK:  # information: how much the spread of the ids costs
            print(f"{label:<26} {demo_p50 * 1000:>8.1f}ms {big_p50 * 1000:>8.1f}ms {ratio:>7.2f}")
            continue
        if label == PROFILE_ALL:  # 71x the demo's rows: judged on its own time, not a ratio
            met, target = big_p50 < FULL_PROFILE_TARGET_S, f"16M p50 < {FULL_PROFILE_TARGET_S * 1000:.0f} ms"
        else:
            limit = PROFILE_RATIO_TARGET if label == PROFILE_28 else RATIO_TARGET
            met, target = ratio <= limit, f"ratio <= {limit:g}"
        ok &= met
        print(f"{label:<26} {demo_p50 * 1000:>8.1f}ms {big_p50 * 1000:>8.1f}ms {ratio:>7.2f}  "
              f"{target}: {'MET' if met else 'MISSED'}")
    if not args.skip_memory:
        peak, seen = app_peak_memory(big, COUNCILS[0], "ind_01000")
        ok &= peak < MEMORY_TARGET_BYTES
        print(f"app on 16M rows: peak RSS {peak / 1024**2:,.0f} MiB (target < 500 MiB); pages: {seen}")
    print(json.dumps({"targets_met": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
