"""Benchmark: every page on a warehouse of one million distinct indicators against the demo.

Usage::

    python bench/size_limits.py                        # 1,000,000 indicators x 3 councils x 2 periods
    python bench/size_limits.py --indicators 20000     # a quicker, smaller run
    python bench/size_limits.py --pages profile,exemplars --timeout 60

What it does:

1. Generates (or reuses) a contract-format source with ``bench/etl_bench.py``'s generator: one
   million indicators in six themes, each with values for three councils in two periods (few
   values per indicator: it is the indicator count that the pages must cope with). Loads it with
   the real ETL (``etl.load.load_sources``) into ``bench-output/sizes-<N>/`` (kept and reused
   while it holds the expected rows) and prints the load time. The demo warehouse is built (or
   reused) the way ``bench/query_bench.py`` builds it.
2. Runs every page of ``streamlit_app.py`` headless in Streamlit's AppTest, each page in a fresh
   child process per warehouse (so the peak memory is that page's: ``VmHWM`` of the child, which
   includes the ~200 MB of Python, Streamlit and pandas every app process carries), demo and
   large side by side, page after page, so both see the same machine load.
3. Prints per page: seconds and peak memory on each warehouse, the ratios large / demo, and
   whether the page showed an error or did not finish within ``--timeout``.

The limits the pages keep to are the constants of ``dashboard/common/limits.py``. Not a test:
the figures depend on the machine; both sides are measured in the same run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "bench-output"
COUNCILS = 3  # values per indicator and period: few, so the warehouse stays a few million rows
PERIODS = 2
DEFAULT_INDICATORS = 1_000_000  # the finding: one million distinct indicators
DEFAULT_TIMEOUT_S = 120  # a page still running after this long is reported as a timeout

# Runs one page in AppTest in a child process and reports its time, peak memory and what it showed.
CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
page, timeout = sys.argv[2], float(sys.argv[3])
from streamlit.testing.v1 import AppTest
from tests.support import apptest
import dashboard.views  # imports before the clock starts on both warehouses

at = AppTest.from_file(str(apptest.APP), default_timeout=timeout)
outcome = "ok"
started = time.perf_counter()
try:
    stem = apptest.Path(apptest.page_path(page)).stem
    if stem not in apptest._URL_PATHS and stem != apptest._DEFAULT_PAGE:
        at.run()
        started = time.perf_counter()  # the navigation run is not the page's work
    at.switch_page(apptest.page_path(page)).run()
    if at.exception:
        outcome = "exception: " + str(at.exception[0].value)[:200]
    elif at.error:
        outcome = "error shown: " + str(at.error[0].value)[:200]
except RuntimeError as exc:  # AppTest's own timeout
    outcome = "timeout" if "timed out" in str(exc).lower() else f"failed: {exc}"[:200]
seconds = time.perf_counter() - started
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "outcome": " ".join(outcome.split())}))
"""


def _module(name: str) -> Any:
    """``bench/<name>.py`` as a module (its generators and builders are reused, not copied)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"bench/{name}.py is missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def build_large(indicators: int) -> Path:
    """The published warehouse of ``indicators`` distinct indicators, loaded by the real ETL unless present."""
    from etl.load import Source, load_sources

    query_bench = _module("query_bench")
    rows = COUNCILS * indicators * PERIODS
    live = OUTPUT / f"sizes-{indicators}" / "exemplar.duckdb"
    if query_bench.value_rows(live) == rows:
        print(f"reusing {live} ({indicators:,} indicators, {rows:,} value rows)")
        return live
    source = _module("etl_bench").generate(OUTPUT / f"source-sizes-{indicators}", COUNCILS, indicators, PERIODS)
    started = time.perf_counter()
    result = load_sources([Source.of(source, "bench")], live, progress=False)
    if result.outcome != "published":
        raise SystemExit(f"loading the source failed: {[p.describe() for p in result.problems[:5]]}")
    print(f"loaded {indicators:,} indicators ({rows:,} value rows) with the ETL in "
          f"{time.perf_counter() - started:.1f}s -> {live}")
    return live


def page_stems() -> list[str]:
    """Every page file of ``streamlit_app.py``, in the order it declares them."""
    text = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    return re.findall(r'st\.Page\("dashboard/views/([a-z_]+)\.py"', text)


def run_page(page: str, live: Path, timeout: float) -> dict:
    """One page in a fresh child process on warehouse ``live``: seconds, peak bytes, outcome."""
    env = os.environ | {"EXEMPLAR_WAREHOUSE": str(live)}
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), page, str(timeout)], env=env,
                              capture_output=True, text=True, check=False, timeout=timeout + 60)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "peak_bytes": None, "outcome": "timeout (killed)"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"seconds": None, "peak_bytes": None, "outcome": f"crashed: {done.stderr.strip()[-200:]}"}
    return json.loads(lines[-1])


def _ratio(large: float | None, small: float | None) -> str:
    return "-" if not large or not small else f"{large / small:.1f}x"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _mb(value: int | None) -> str:
    return "-" if value is None else f"{value / 1e6:,.0f}"


def main() -> int:
    """Build (or reuse) both warehouses, run every page on each, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=DEFAULT_INDICATORS)
    parser.add_argument("--pages", help="comma-separated page files (default: every page), e.g. profile,browse")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per page run")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    try:
        from dashboard.common import limits

        print(f"limits: {limits.describe_limits()}")
    except ImportError:  # a checkout from before the limits (to measure what they changed)
        print("limits: none")
    large = build_large(args.indicators)
    demo = _module("query_bench").build_demo()
    pages = args.pages.split(",") if args.pages else page_stems()
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores; timeout {args.timeout:g}s per page")
    header = f"{'page':<20} {'demo s':>7} {'large s':>8} {'ratio':>6} {'demo MB':>8} {'large MB':>9} {'ratio':>6}  outcome"
    print(header)
    for page in pages:
        small = run_page(page, demo, args.timeout)
        big = run_page(page, large, args.timeout)
        outcome = big["outcome"] if small["outcome"] == "ok" else f"demo {small['outcome']}; large {big['outcome']}"
        print(f"{page:<20} {_seconds(small['seconds']):>7} {_seconds(big['seconds']):>8} "
              f"{_ratio(big['seconds'], small['seconds']):>6} {_mb(small['peak_bytes']):>8} "
              f"{_mb(big['peak_bytes']):>9} {_ratio(big['peak_bytes'], small['peak_bytes']):>6}  {outcome}",
              flush=True)
    print(f"load average after {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
