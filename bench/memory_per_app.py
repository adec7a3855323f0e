"""Benchmark: resident memory of one ``streamlit run`` app process serving the demo warehouse.

Usage::

    python bench/memory_per_app.py                    # builds the demo into bench-output/memory-demo/
    python bench/memory_per_app.py --warehouse PATH   # measure against another published warehouse
    python bench/memory_per_app.py --sessions 5       # also hold 5 browser sessions open at the end

What it does: starts ``streamlit run streamlit_app.py`` headless on a free port against the
warehouse, reads the process tree's resident memory (psutil RSS) once the server is up and
idle (the baseline), then opens every page declared in ``streamlit_app.py`` once in headless
Chromium, one after another, and reads the RSS after each. Finally it opens ``--sessions``
pages at once (the profile page) and reads the RSS with them all connected. Prints MB and the
ratio to the idle baseline measured in the same run, plus the peak (``VmHWM``).

This is the figure docs/operations.md uses to size replicas: memory per app process, not per
user. Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app  # noqa: E402  (after the path)

OUTPUT = ROOT / "bench-output"
PAGE_TIMEOUT_MS = 120_000  # the first page also warms DuckDB and plotly; two shared cores are slow
SETTLE_CHECKS = 4  # consecutive idle checks (0.25 s apart) before a page counts as rendered
MB = 1024**2


def url_paths() -> list[str]:
    """Every page's url_path, in the order streamlit_app.py declares them."""
    # "" is the default (home) page, which has no url_path of its own.
    return ["", *re.findall(r'url_path="([^"]+)"', (ROOT / "streamlit_app.py").read_text())]


def tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, peak RSS) in bytes of process ``pid`` and its children."""
    rss = peak = 0
    root = psutil.Process(pid)
    for proc in [root, *root.children(recursive=True)]:
        try:
            rss += proc.memory_info().rss
            with open(f"/proc/{proc.pid}/status") as status:
                peak += next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
        except (psutil.Error, OSError, StopIteration):
            continue
    return rss, peak


def build_demo() -> Path:
    """The demo warehouse under bench-output (built once, then reused)."""
    live = OUTPUT / "memory-demo" / "exemplar.duckdb"
    if not live.exists():
        subprocess.run(
            [sys.executable, "-m", "etl", "--warehouse", str(live), "build-demo"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return live


def wait_rendered(page) -> None:
    """Wait until the page's script has run: app shell present, no 'running' indicator for a moment."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=PAGE_TIMEOUT_MS)
    idle, deadline = 0, time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while idle < SETTLE_CHECKS and time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        idle = 0 if running else idle + 1
        page.wait_for_timeout(250)


def main() -> int:
    """Run the measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, help="published live path (default: the demo)")
    parser.add_argument("--sessions", type=int, default=5, help="pages held open at once at the end")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    live = args.warehouse or build_demo()
    with streamlit_app(live) as (base, app):
        time.sleep(2)  # let the server settle before the baseline
        baseline, _ = tree_memory(app.pid)
        print(f"warehouse {live}  ({live.resolve().stat().st_size / MB:.1f} MB file)")
        print(f"{'after':<32} {'RSS MB':>8} {'x idle':>7}")
        print(f"{'server idle (baseline)':<32} {baseline / MB:8.1f} {1.0:7.2f}")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                for path in url_paths():
                    page.goto(f"{base}/{path}", timeout=PAGE_TIMEOUT_MS)
                    wait_rendered(page)
                    rss, _ = tree_memory(app.pid)
                    print(f"{'page ' + path:<32} {rss / MB:8.1f} {rss / baseline:7.2f}")
                after_pages, _ = tree_memory(app.pid)
                pages = [browser.new_page() for _ in range(args.sessions)]
                for extra in pages:
                    extra.goto(f"{base}/profile", timeout=PAGE_TIMEOUT_MS)
                for extra in pages:
                    wait_rendered(extra)
                rss, peak = tree_memory(app.pid)
                print(f"{f'{args.sessions} more sessions open':<32} {rss / MB:8.1f} {rss / baseline:7.2f}")
            finally:
                browser.close()
        print(
            f"\nOne app process after loading every page once: {after_pages / MB:.0f} MB RSS "
            f"({after_pages / baseline:.2f}x its idle {baseline / MB:.0f} MB); "
            f"with {args.sessions} more sessions: {rss / MB:.0f} MB; peak {peak / MB:.0f} MB."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
