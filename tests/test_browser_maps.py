"""The maps in a real browser: `streamlit run` on localhost, Browse for a region and Exemplars
across the UK in headless Chromium, at desktop and phone width.

Checks that every council of the view is drawn as its own SVG path, that the browser asks
nothing of any address but the app's (no tile server, no CDN: plotly's world outlines included),
and keeps screenshots of each map in ``test-artifacts/`` (git-ignored) for a person to look at.
Run alone with ``pytest -m browser tests/test_browser_maps.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tests.support.browser import (
    launched_chromium,
    served_app,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
UI_TIMEOUT_MS = 120_000  # a page with a UK map renders on 2 shared cores
SETTLE_MS = 2_000  # after the shapes are drawn, for the legend and the rest of the page
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
PERIOD_START, PERIOD_END = dt.date(2024, 4, 1), dt.date(2025, 3, 31)  # the demo's latest period


@pytest.fixture(scope="module")
def app_url(demo_warehouse, tmp_path_factory):
    """`streamlit run streamlit_app.py` on a free port against the demo warehouse; stopped after."""
    with served_app(demo_warehouse, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def lower_tier_councils(authorities: pd.DataFrame) -> pd.DataFrame:
    """Councils of the demo's latest period that are not county councils (those overlap their
    districts, so the map draws the districts)."""
    frame = authorities[authorities["is_council"] & (authorities["tier"] != "combined")]
    start = pd.to_datetime(frame["start_date"]).dt.date.fillna(dt.date.min)
    end = pd.to_datetime(frame["end_date"]).dt.date.fillna(dt.date.max)
    return frame[(start <= PERIOD_END) & (end > PERIOD_START) & (frame["tier"] != "county")]


def open_map(browser, url: str, viewport: dict, expected_paths: int, shot: str) -> tuple[int, list[str], int]:
    """Open ``url``, wait until ``expected_paths`` council shapes are drawn, keep a screenshot of
    the map (``<shot>.png``) and of the page around it; return (SVG paths drawn, requests that
    left the app, websocket bytes received)."""
    base = url.split("/", 3)[:3]
    origin = "/".join(base)
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    outside: list[str] = []
    frames: list[int] = []
    page.on("request", lambda r: None if r.url.startswith((origin, "data:", "blob:")) else outside.append(r.url))
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))))
    try:
        page.goto(url)
        page.wait_for_function(
            f"document.querySelectorAll('.choroplethlayer path').length >= {expected_paths}", timeout=UI_TIMEOUT_MS
        )
        page.wait_for_timeout(SETTLE_MS)
        paths = page.locator(".choroplethlayer path").count()
        ARTIFACTS.mkdir(exist_ok=True)
        chart = page.locator('[data-testid="stPlotlyChart"]').filter(has=page.locator(".choroplethlayer"))
        chart.scroll_into_view_if_needed()
        chart.screenshot(path=str(ARTIFACTS / f"{shot}.png"))
        page.screenshot(path=str(ARTIFACTS / f"{shot}-page.png"))
    finally:
        context.close()
    return paths, outside, sum(frames)


@pytest.mark.parametrize(("viewport", "suffix"), [(DESKTOP, ""), (PHONE, "-phone")])
def test_browse_draws_each_council_of_a_region_offline(app_url, browser, authorities, viewport, suffix):
    london = lower_tier_councils(authorities).query("region == 'London' and is_current")
    paths, outside, received = open_map(
        browser, f"{app_url}/browse?nation=England&region=London", viewport, len(london), f"browse-map-london{suffix}"
    )
    assert paths == len(london) == 33
    assert outside == []
    assert received < 250_000  # a region's map is small: fine shapes of 33 councils and the table
    assert (ARTIFACTS / f"browse-map-london{suffix}.png").stat().st_size > 10_000


@pytest.mark.parametrize(("viewport", "suffix"), [(DESKTOP, ""), (PHONE, "-phone")])
def test_exemplars_across_the_uk_draws_every_council_offline(app_url, browser, authorities, viewport, suffix):
    councils = lower_tier_councils(authorities)
    paths, outside, _ = open_map(browser, f"{app_url}/exemplar-overview", viewport, len(councils),
                                 f"exemplars-uk-map{suffix}")
    assert paths == len(councils)
    assert outside == []


def test_exemplars_across_the_uk_zooms_to_a_region_and_maps_an_enabler(app_url, browser, authorities):
    north_west = lower_tier_councils(authorities).query("region == 'North West'")
    paths, outside, _ = open_map(
        browser, f"{app_url}/exemplar-overview?nation=England&region=North+West&show=council", DESKTOP,
        len(north_west), "exemplars-north-west-enabler-map",
    )
    assert paths == len(north_west)
    assert outside == []
