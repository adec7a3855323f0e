"""The real thing on real figures: `streamlit run` on the default warehouse, the Council profile of
a real council in headless Chromium, showing the figure ONS published.

The council, indicator and value are read from the vendored ONS file in the test (its latest
published claimant count for Birmingham), never typed in by hand. Run alone with
``pytest -m browser tests/test_browser_default.py``; needs Debian's chromium.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest

from etl.periods import parse_period
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, served_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ONS = ROOT / "data" / "sources" / "ons-local-statistics"
ARTIFACTS = ROOT / "test-artifacts"
UI_TIMEOUT_MS = 90_000  # first render of the default warehouse on 2 shared cores
COUNCIL, INDICATOR = "E08000025", "Claimant Count"  # Birmingham; an indicator every council has


@pytest.fixture(scope="module")
def published() -> dict[str, object]:
    """The latest value ONS publishes for the council and indicator, with how the page shows it."""
    con = duckdb.connect()
    try:
        period, value = con.execute(
            f"""SELECT period, observation FROM read_parquet('{ONS / "observations.parquet"}')
                WHERE areacd = ? AND indicator = ? AND observation IS NOT NULL
                ORDER BY period DESC LIMIT 1""",
            [COUNCIL, INDICATOR],
        ).fetchone()
    finally:
        con.close()
    with (ONS / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        meta = next(row for row in csv.DictReader(handle) if row["indicator"] == INDICATOR)
    decimals = int(meta["decimal_places"])
    return {
        "period": parse_period(period).label,
        "name": meta["label"],
        "theme": meta["topic"][:1].upper() + meta["topic"][1:],
        "shown": f"{value:,.{decimals}f}",
    }


@pytest.fixture(scope="module")
def app_url(default_warehouse, tmp_path_factory):
    """`streamlit run streamlit_app.py` on a free port against the default warehouse; killed after."""
    with served_app(default_warehouse, tmp_path_factory) as url:
        yield url


def test_the_profile_of_a_real_council_shows_the_figure_ons_published(app_url, published):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.set_default_timeout(UI_TIMEOUT_MS)
            expect.set_options(timeout=UI_TIMEOUT_MS)
            page.goto(f"{app_url}/profile?council={COUNCIL}&period={published['period']}&theme={published['theme']}")
            expect(page.get_by_role("heading", name=f"Birmingham in {published['period']}")).to_be_visible()
            # the table draws on a canvas; its cells are also in the page as a grid for screen
            # readers, where the indicator's row holds the published value
            name = page.locator('td[role="gridcell"]').get_by_text(str(published["name"]), exact=True)
            row = page.locator('tr[role="row"]').filter(has=name)
            expect(row).to_have_count(1)
            # the number as ONS gives it, followed by the indicator's unit when it has one
            shown = re.compile(rf"^{re.escape(str(published['shown']))}( \S.*)?$")
            expect(row.locator('td[role="gridcell"]').get_by_text(shown)).to_have_count(1)
            # a page of real figures carries no synthetic-data warning
            expect(page.get_by_text("synthetic", exact=False)).to_have_count(0)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "profile-real.png"), full_page=True)
        finally:
            browser.close()
