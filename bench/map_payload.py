"""Measure what the maps cost to send: bytes of the map's figure and of the whole page load, for
the UK, nations and regions, on Browse and Exemplars across the UK.

Usage::

    python bench/map_payload.py                          # the published warehouse ($EXEMPLAR_WAREHOUSE)
    python bench/map_payload.py --warehouse PATH         # another one (e.g. a demo built for the run)
    python bench/map_payload.py --no-browser             # figure sizes only (AppTest), no Chromium

For each view it prints:

- **map figure**: the bytes of the map's plotly JSON exactly as Streamlit ships it (the
  ``PlotlyChart`` element's spec, read from an AppTest run of the page);
- **detail**: the boundaries' detail the page chose (fine for a region, coarse for the UK);
- **page, websocket**: every websocket frame the browser received while the page loaded and
  settled in headless Chromium (all elements: tables, heatmaps, the map), and whether any
  request left the app's own address.

Not a test: sizes depend on the data loaded; the issue's target is well under 1 MB for a UK map.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app  # noqa: E402  (after the path)

VIEWS = [  # (page label, page file, URL path, query string)
    ("Browse, UK", "browse", "browse", ""),
    ("Browse, England", "browse", "browse", "nation=England"),
    ("Browse, Scotland", "browse", "browse", "nation=Scotland"),
    ("Browse, Wales", "browse", "browse", "nation=Wales"),
    ("Browse, South East", "browse", "browse", "region=South+East"),
    ("Browse, London", "browse", "browse", "region=London"),
    ("Exemplars across the UK, UK", "exemplar_overview", "exemplar-overview", ""),
    ("Exemplars across the UK, Scotland", "exemplar_overview", "exemplar-overview", "nation=Scotland"),
    ("Exemplars across the UK, North West", "exemplar_overview", "exemplar-overview", "nation=England&region=North+West"),
]
SETTLE_MS = 3000  # after the map's shapes are drawn, let the rest of the page arrive
DRAW_TIMEOUT_MS = 120_000  # two busy cores


def figure_bytes(page: str, query: str) -> tuple[int, str]:
    """Bytes of the page's last plotly chart (the map) and the detail named in its caption."""
    from tests.support import apptest

    params = dict(part.split("=", 1) for part in query.split("&") if part)
    at = apptest.open_page(page, **{k: v.replace("+", " ") for k, v in params.items()})
    spec = at.get("plotly_chart")[-1].proto.spec
    captions = " ".join(c.value for c in at.caption)
    detail = "fine" if "as published" in captions else "coarse" if "simplified" in captions else "?"
    json.loads(spec)  # it is the JSON the browser gets
    return len(spec.encode()), detail


def page_bytes(base: str, path: str, query: str, browser) -> tuple[int, int, list[str]]:
    """(websocket bytes received, SVG paths drawn, requests that left the app) for one page load."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    frames: list[int] = []
    outside: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))))
    page.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:")) else outside.append(r.url))
    page.goto(f"{base}/{path}?{query}" if query else f"{base}/{path}")
    page.wait_for_function("document.querySelectorAll('.choroplethlayer path').length > 0", timeout=DRAW_TIMEOUT_MS)
    page.wait_for_timeout(SETTLE_MS)
    paths = page.locator(".choroplethlayer path").count()
    context.close()
    return sum(frames), paths, outside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, default=None, help="a published warehouse (default: the app's)")
    parser.add_argument("--no-browser", action="store_true", help="figure sizes only")
    args = parser.parse_args()
    if args.warehouse:
        os.environ["EXEMPLAR_WAREHOUSE"] = str(args.warehouse)
    warehouse = Path(os.environ.get("EXEMPLAR_WAREHOUSE", ROOT / "data" / "exemplar.duckdb"))
    print(f"warehouse: {warehouse}; load average {os.getloadavg()[0]:.1f}")
    sizes = {label: figure_bytes(page, query) for label, page, _, query in VIEWS}

    loads: dict[str, tuple[int, int, list[str]]] = {}
    if not args.no_browser:
        from playwright.sync_api import sync_playwright

        with streamlit_app(warehouse) as (base, _server), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for label, _, path, query in VIEWS:
                started = time.monotonic()
                loads[label] = page_bytes(base, path, query, browser)
                print(f"  measured {label} in {time.monotonic() - started:.1f} s", file=sys.stderr)
            browser.close()

    print("| view | map figure (KB) | detail | councils drawn | page, websocket (KB) | requests outside the app |")
    print("|---|---:|---|---:|---:|---:|")
    for label, *_ in VIEWS:
        figure, detail = sizes[label]
        ws, paths, outside = loads.get(label, (0, 0, []))
        drawn = str(paths) if label in loads else "–"
        page = f"{ws / 1000:,.0f}" if label in loads else "–"
        print(f"| {label} | {figure / 1000:,.0f} | {detail} | {drawn} | {page} | {len(outside)} |")


if __name__ == "__main__":
    main()
