"""The real thing: `streamlit run` on localhost, the Council profile page in headless Chromium,
a council picked by typing into the menu, and the peer-comparison CSV downloaded and read.

Run alone with ``pytest -m browser tests/test_browser_download.py``. Needs Debian's chromium
at /usr/bin/chromium (``apt-get install -y chromium``); Playwright never downloads a browser.
A screenshot of the page is kept in ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, chromium_installed, streamlit_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
UI_TIMEOUT_MS = 60_000  # page renders and reruns on 2 shared cores
GLASGOW = "S12000049"


@pytest.fixture(scope="module")
def app_url(demo_warehouse, tmp_path_factory):
    """`streamlit run streamlit_app.py` on a free port against the demo warehouse; killed after."""
    if not chromium_installed():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    with log_path.open("wb") as log, streamlit_app(demo_warehouse, log=log) as (url, _server):
        yield url


def test_profile_download_in_chromium(app_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            expect.set_options(timeout=UI_TIMEOUT_MS)
            page.goto(f"{app_url}/profile?period=2024/25&group=type_nation")
            expect(page.get_by_role("heading", name="Council profile")).to_be_visible()

            # pick a council the way a user does: open the menu, type, choose
            menu = page.locator('[data-testid="stSelectbox"]').filter(has_text="Council").first
            menu.click()
            page.keyboard.type("Glasgow City")
            page.get_by_role("option", name="Glasgow City").first.click()
            expect(page.get_by_role("heading", name="Glasgow City in 2024/25")).to_be_visible()
            expect(page).to_have_url(re.compile(f"council={GLASGOW}"))  # the choice is in the URL
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "profile-page.png"), full_page=True)

            with page.expect_download() as download_info:
                page.get_by_role("button", name="Download the peer comparison (CSV)").click()
            download = download_info.value
            target = tmp_path / download.suggested_filename
            download.save_as(target)
        finally:
            browser.close()

    assert download.suggested_filename == f"peer-comparison-{GLASGOW}-2024-25-type-nation.csv"
    raw = target.read_bytes()
    assert raw.startswith("\ufeff".encode())
    frame = pd.read_csv(target)
    assert len(frame) == 28  # one row per demo indicator
    assert set(frame["council_code"]) == {GLASGOW} and set(frame["council_name"]) == {"Glasgow City"}
    assert set(frame["period"]) == {"2024/25"}
    assert "Scottish unitary authorities in Scotland" in frame["about_peer_group"].iloc[0]
    assert frame["about_peer_group_size"].iloc[0] == 32
    for column in ("about_rank_method", "about_data_version", "about_generated_at",
                   "about_peer_group_members"):
        assert frame[column].notna().all(), column
    ranked = frame[frame["polarity"] != "neutral"].dropna(subset=["rank"])
    assert ranked["rank"].between(1, 32).all() and pd.api.types.is_numeric_dtype(frame["value"])
    assert (ARTIFACTS / "profile-page.png").stat().st_size > 10_000
