"""Benchmark: how long every page takes to settle in a real browser, first visit and repeat.

Usage::

    python bench/page_speed.py                     # the default warehouse (what `make dashboard` serves)
    python bench/page_speed.py --warehouse PATH    # another published warehouse
    python bench/page_speed.py --pages profile,exemplars --repeats 3

What it does: starts ``streamlit run streamlit_app.py`` headless against the warehouse (the
launcher the browser tests use, ``tests/support/browser.py``), opens Debian's chromium, warms
the server and the browser's cache with one page that reads no indicator (the accessibility
statement: Python imports and Streamlit's own scripts, not any page's work), then opens every
page of ``streamlit_app.py`` in a new tab of one browser context (tabs share the HTTP cache, as a
returning reader's browser does):

- **first visit**: the first time the server renders that page (its cached queries are cold);
- **repeat**: the same address again in a new tab (a new session; cached work is warm), the
  median of ``--repeats`` visits.

A page has **settled** (``tests.support.browser.settle``) when the script run is over
(Streamlit's "running" indicator gone), every chart has drawn and nothing in the page has
changed for a moment; the time is from the navigation's start to the last change, so the quiet
wait itself is not counted.

It prints each page's times, the slowest page, the machine's load average before and after, and
MET or MISSED against the targets (every page under :data:`FIRST_TARGET_S` on a first visit and
:data:`REPEAT_TARGET_S` on repeat, on 2 cores). Not a test: the figures depend on the machine
and on what else runs on it; run it when the load average is low.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from etl import settings  # noqa: E402  (after the path)
from tests.support.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    SETTLE_TIMEOUT_S,
    Settled,
    page_paths,
    settle,
    streamlit_app,
    watch_changes,
)

FIRST_TARGET_S = 2.5  # issue 13: every page's first visit on 2 cores
REPEAT_TARGET_S = 1.5  # ... and a repeat visit
VIEWPORT = {"width": 1366, "height": 900}  # a common office laptop screen
WARM_UP_PAGE = "accessibility"  # reads no indicator: warms imports and the browser cache only


def default_warehouse() -> Path:
    """The warehouse `make dashboard` serves, built by the same make target when missing."""
    live = settings.warehouse()
    if not live.exists():
        subprocess.run(["make", "demo"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return live


def visit(context, url: str) -> Settled:
    """Open ``url`` in a new tab of ``context`` and wait until it has settled; the tab is closed after."""
    page = context.new_page()
    watch_changes(page)
    try:
        page.goto(url, wait_until="commit", timeout=SETTLE_TIMEOUT_S * 1000)
        return settle(page)
    finally:
        page.close()


def seconds(visits: list[Settled]) -> float | None:
    """The median settle time of ``visits``; None when any did not settle."""
    times = [v.seconds for v in visits]
    return None if any(t is None for t in times) else statistics.median(t for t in times if t is not None)


def show(value: float | None) -> str:
    """Seconds with two decimals, or "timeout"."""
    return "timeout" if value is None else f"{value:.2f}"


def main() -> int:
    """Run the measurement and print the table; exit 0 whatever the verdict (it is not a test)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, help="published live path (default: the dashboard's own)")
    parser.add_argument("--pages", help="comma-separated url paths (default: every page; 'home' for Home)")
    parser.add_argument("--repeats", type=int, default=2, help="repeat visits per page (median shown)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    live = args.warehouse or default_warehouse()
    paths = list(page_paths())
    if args.pages:
        wanted = {"" if p == "home" else p for p in args.pages.split(",")}
        paths = [p for p in paths if p in wanted]
    load_before = os.getloadavg()
    first: dict[str, Settled] = {}
    repeat: dict[str, list[Settled]] = {}
    with streamlit_app(live) as (base, _server), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT)
            visit(context, f"{base}/{WARM_UP_PAGE}")
            for path in paths:
                first[path] = visit(context, f"{base}/{path}")
            for path in paths:
                repeat[path] = [visit(context, f"{base}/{path}") for _ in range(args.repeats)]
        finally:
            browser.close()
    load_after = os.getloadavg()

    print(f"warehouse {live.resolve()}")
    print(
        f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, after {load_after[0]:.2f} "
        f"{load_after[1]:.2f} (1 and 5 min), {os.cpu_count()} cores"
    )
    print(f"{'page':<22} {'first s':>8} {'repeat s':>9} {'charts':>7} {'elements':>9}  verdict")
    missed = []
    for path in paths:
        name = path or "home"
        once, again = first[path].seconds, seconds(repeat[path])
        ok = once is not None and again is not None and once < FIRST_TARGET_S and again < REPEAT_TARGET_S
        error = " (error shown)" if first[path].error else ""
        if not ok:
            missed.append(name)
        print(
            f"{name:<22} {show(once):>8} {show(again):>9} {first[path].charts:>7} {first[path].nodes:>9}  "
            f"{'MET' if ok else 'MISSED'}{error}"
        )
    slowest = max(paths, key=lambda p: first[p].seconds if first[p].seconds is not None else float("inf"))
    print(f"\nslowest first visit: {slowest or 'home'} ({show(first[slowest].seconds)} s)")
    verdict = "MET" if not missed else f"MISSED ({', '.join(missed)})"
    print(f"targets: first visit < {FIRST_TARGET_S} s, repeat < {REPEAT_TARGET_S} s on every page: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
