"""Benchmark: the Exemplar finder and "What a transformed council looks like" in headless Chromium.

Usage::

    python bench/exemplar_pages_browser.py                     # the published warehouse (data/exemplar.duckdb)
    python bench/exemplar_pages_browser.py --warehouse PATH --repeats 3
    python bench/exemplar_pages_browser.py --baseline DIR      # also an older checkout, in the same run

``--baseline DIR`` starts a second server from another checkout of the repository (e.g.
``git worktree add`` or ``git archive REV | tar -x -C DIR``) against the same warehouse and
times the same pages there, alternating page by page with this one, so both sides see the same
machine load; it prints the ratio this / baseline (pages the baseline lacks are skipped).

What it does:

1. Starts ``streamlit run`` on a free port against the warehouse (``tests/support/browser.py``,
   the one launcher the browser tests use) and opens each page once to warm Python's imports.
2. For each page and each repeat, opens it in a **fresh browser context** (a new session: the
   page's own session state is empty, Streamlit's shared caches are whatever earlier sessions
   left) -- "first visit" -- then reloads the same address in that session -- "repeat".
3. A page has settled when Streamlit's "running" status has gone and the page has not changed
   for ``QUIET_MS``; the time reported is from navigation start to the page's last change
   (a MutationObserver notes it), so the quiet wait itself is not counted.
4. Prints each page's first-visit and repeat medians against the targets (2.5 s / 1.5 s on 2
   cores) and the load average, which must be read beside the figures: the machine is shared.

The first page is the finder on its default (the largest peer group: 164 non-metropolitan
districts on the demo). Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app  # noqa: E402  (after the path)

PAGES = {  # name -> address (path and query) of the page as a reader opens it
    "Exemplar finder": "/exemplars",
    "What a transformed council looks like": "/transformed",
}
EXTRA = {"Support (floor)": "/support", "Indicator": "/indicator"}  # for comparison, with --page
FIRST_TARGET_S, REPEAT_TARGET_S = 2.5, 1.5  # the targets on 2 cores
QUIET_MS = 1500  # no change for this long after the run ends: the page has settled
TIMEOUT_S = 120  # one page on a busy machine
VIEWPORT = {"width": 1366, "height": 900}

# Notes the time of every change to the page, so "settled at" is the last change, not the wait.
WATCH_CHANGES = """
window.__lastChange = performance.now();
new MutationObserver(() => { window.__lastChange = performance.now(); })
  .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


def settle_seconds(page) -> float:
    """Wait until the run is over and the page is quiet; seconds from navigation to its last change."""
    deadline = time.monotonic() + TIMEOUT_S
    page.wait_for_selector('[data-testid="stMain"]', timeout=TIMEOUT_S * 1000)
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count()
        quiet = page.evaluate("performance.now() - window.__lastChange")
        if not running and quiet >= QUIET_MS:
            break
        page.wait_for_timeout(100)
    else:
        raise TimeoutError("the page did not settle")
    return float(page.evaluate("window.__lastChange")) / 1000


def time_page(browser, url: str) -> tuple[float, float]:
    """(first visit, repeat) seconds for ``url`` in a fresh context."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(WATCH_CHANGES)
    page = context.new_page()
    try:
        page.goto(url, timeout=TIMEOUT_S * 1000)
        first = settle_seconds(page)
        page.goto(url, timeout=TIMEOUT_S * 1000)
        repeat = settle_seconds(page)
        errors = page.locator('[data-testid="stException"]').count()
        if errors:
            raise RuntimeError(f"{url} shows {errors} exception(s)")
    finally:
        context.close()
    return first, repeat


def _launcher(checkout: Path):
    """``streamlit_app`` of another checkout (its tests/support/browser.py runs its own app)."""
    spec = importlib.util.spec_from_file_location("baseline_browser", checkout / "tests" / "support" / "browser.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"{checkout} has no tests/support/browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.streamlit_app


def _has_page(checkout: Path, path: str) -> bool:
    """Whether ``checkout``'s navigation declares the page at ``path``."""
    app = (checkout / "streamlit_app.py").read_text(encoding="utf-8")
    return f'url_path="{path.split("?")[0].strip("/")}"' in app


def _line(name: str, runs: list[tuple[float, float]]) -> tuple[float, float, str]:
    first = statistics.median(r[0] for r in runs)
    repeat = statistics.median(r[1] for r in runs)
    detail = " ".join(f"{r[0]:.2f}" for r in runs) + " / " + " ".join(f"{r[1]:.2f}" for r in runs)
    return first, repeat, detail


def main() -> int:
    """Run the benchmark; prints one line per page (and per side with ``--baseline``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, default=ROOT / "data" / "exemplar.duckdb")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--page", action="append", help="only these pages (by address, e.g. /exemplars)")
    parser.add_argument("--baseline", type=Path, help="another checkout to time in the same run")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    pages = {n: p for n, p in {**PAGES, **EXTRA}.items() if p.split("?")[0] in (args.page or PAGES.values())}
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with contextlib.ExitStack() as stack:
        base, _server = stack.enter_context(streamlit_app(args.warehouse))
        old = None
        if args.baseline:
            old, _old_server = stack.enter_context(_launcher(args.baseline.resolve())(args.warehouse))
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        sides = {"this": base} | ({"baseline": old} if old else {})
        for side, url in sides.items():  # warm each server's imports and caches once
            for path in pages.values():
                if side == "this" or _has_page(args.baseline, path):
                    time_page(browser, url + path)
        print(f"{'page':42} {'side':9} {'first p50':>10} {'repeat p50':>11}  all first / all repeat (s)")
        for name, path in pages.items():
            runs: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
            for _ in range(args.repeats):  # alternate, so both sides see the same load
                for side, url in sides.items():
                    if side == "this" or _has_page(args.baseline, path):
                        runs[side].append(time_page(browser, url + path))
            for side, timed in runs.items():
                if not timed:
                    continue
                first, repeat, detail = _line(name, timed)
                verdict = "ok" if first <= FIRST_TARGET_S and repeat <= REPEAT_TARGET_S else "OVER TARGET"
                print(f"{name:42} {side:9} {first:10.2f} {repeat:11.2f}  {detail}  {verdict if side == 'this' else ''}")
            if runs.get("baseline"):
                ours, theirs = _line(name, runs["this"]), _line(name, runs["baseline"])
                print(f"{'':42} {'ratio':9} {ours[0] / theirs[0]:10.2f} {ours[1] / theirs[1]:11.2f}  this / baseline")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
