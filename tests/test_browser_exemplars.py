"""The Socitm analyst's journey in a real browser: `streamlit run` on localhost, the Exemplar
finder in headless Chromium; choose an authority type and a region, read the exemplars and
their reasons, change a theme weight, download the shortlist and check the file, reset the
weights, then open "What a transformed council looks like" from the finder's link.

Run alone with ``pytest -m browser tests/test_browser_exemplars.py``. Needs Debian's chromium
at /usr/bin/chromium; Playwright never downloads a browser. Screenshots at 1366 px and at
phone width (390 px) are kept in ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from dashboard.warehouse import FileWarehouse
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, served_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
UI_TIMEOUT_MS = 90_000  # page renders and reruns on 2 shared cores
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
TYPE, REGION = "Non-metropolitan district", "South East"
MAX_SHOT_HEIGHT = 16_000  # px: a whole page, short of chromium's limits


@pytest.fixture(scope="module")
def app_url(demo_warehouse, tmp_path_factory):
    """`streamlit run streamlit_app.py` on a free port against the demo warehouse; stopped after."""
    with served_app(demo_warehouse, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="module")
def data_version(demo_warehouse) -> str:
    wh = FileWarehouse(demo_warehouse)
    try:
        return wh.scalar_meta()["data_version"]
    finally:
        wh.close()


def _settled(page) -> None:
    """Wait until Streamlit's run is over (its status widget gone for a moment)."""
    page.wait_for_selector('[data-testid="stMain"]')
    quiet = 0
    while quiet < 3:
        quiet = 0 if page.locator('[data-testid="stStatusWidget"]').count() else quiet + 1
        page.wait_for_timeout(250)


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label`` as a user does: open, type, choose."""
    page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).first.click()
    _settled(page)


def _set_weight(page, theme: str, value: str) -> None:
    box = page.get_by_role("spinbutton", name=theme, exact=True)
    box.fill(value)
    box.press("Enter")
    _settled(page)


def _download(page, tmp_path: Path, name: str) -> pd.DataFrame:
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the shortlist (CSV)").click()
    target = tmp_path / f"{name}-{info.value.suggested_filename}"
    info.value.save_as(target)
    assert target.read_bytes().startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return pd.read_csv(target, encoding="utf-8-sig")


def _shoot(page, name: str) -> None:
    """The whole page as one image: Streamlit scrolls inside its main area, so the window is made
    as tall as the content for the shot (capped), then put back."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, MAX_SHOT_HEIGHT)})
    page.wait_for_timeout(1500)  # charts redraw at the new size
    _settled(page)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    page.set_viewport_size(size)
    _settled(page)


def test_the_analyst_chooses_reads_weighs_and_downloads_the_shortlist(app_url, data_version, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(accept_downloads=True, viewport=WIDE)
            page = context.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            expect.set_options(timeout=UI_TIMEOUT_MS)
            page.goto(f"{app_url}/exemplars")
            expect(page.get_by_role("heading", name="Exemplar finder")).to_be_visible()
            _settled(page)

            # choose: the authority type and the region, as a user does
            _choose(page, "Authority type", TYPE)
            _choose(page, "Region", REGION)
            heading = page.get_by_role("heading", name=re.compile(f"Exemplars: {TYPE}s in {REGION}"))
            expect(heading).to_be_visible()
            expect(page).to_have_url(re.compile("region=South"))
            assert not re.search(r"[?&](w_|wi_|k=|indicators=)", page.url)  # a short link: defaults left out

            # read: the exemplars by name, each with its reason in full; near misses say why
            answer = page.locator('[data-testid="stMarkdownContainer"] ol').first
            expect(answer).to_be_visible()
            items = answer.locator("li")
            assert items.count() >= 1
            first = items.first.inner_text()
            assert re.match(r"^.+: top quartile on \d+ of \d+ indicators; .*rank 1 of \d+", first), first
            misses = page.locator('[data-testid="stMarkdownContainer"] li', has_text="Missed: ")
            assert "(the rule needs " in misses.first.inner_text()
            _shoot(page, "exemplar-finder-1366.png")

            # weigh: one theme's weight up; the link records it; the shortlist carries it
            _set_weight(page, "Finance", "3")
            expect(page).to_have_url(re.compile(r"w_finance=3\.0"))
            weighted = _download(page, tmp_path, "weighted")
            assert "Finance=3" in weighted["about_theme_weights"].iloc[0]

            # reset: equal again, and the weight leaves the link
            page.get_by_role("button", name="Reset to equal").click()
            _settled(page)
            expect(page.get_by_role("spinbutton", name="Finance", exact=True)).to_have_value("1.00")
            assert "w_finance" not in page.url
            shortlist = _download(page, tmp_path, "equal")
            near_miss_count = misses.count()

            # the finder links on to the transformed-council page with the same group
            main = page.locator('[data-testid="stMain"]')  # the page's own link, not the menu's
            main.get_by_role("link", name=re.compile("What a transformed council looks like")).click()
            expect(page.get_by_role("heading", name="What a transformed council looks like")).to_be_visible()
            _settled(page)
            expect(page).to_have_url(re.compile("region=South"))
            expect(page.get_by_role("heading", name="Theme by theme")).to_be_visible()
            _shoot(page, "transformed-council-1366.png")
        finally:
            browser.close()

    # the file: the exemplars and near misses with their reasons, the weights and the data version
    assert set(shortlist["status"]) <= {"exemplar", "near miss"} and (shortlist["status"] == "exemplar").any()
    assert shortlist["reason"].str.len().gt(0).all()
    exemplars = shortlist[shortlist["status"] == "exemplar"]
    assert exemplars["council"].iloc[0] == first.split(": ")[0]  # the same first exemplar as the page
    near = shortlist[shortlist["status"] == "near miss"]
    assert len(near) == near_miss_count
    assert near["why_missed"].str.startswith("Missed: ").all() and exemplars["why_missed"].isna().all()
    about = shortlist.iloc[0]
    assert str(about["about_data_version"]) == data_version
    assert f"{TYPE}s in {REGION}" in about["about_peer_group"]
    assert "=1" in about["about_theme_weights"] and "Finance=3" not in about["about_theme_weights"]
    assert about["about_indicator_weights_not_1"] == "none"
    assert bool(about["about_synthetic_demo_data"]) is True


@pytest.mark.parametrize("path, name", [("exemplars", "exemplar-finder"), ("transformed", "transformed-council")])
def test_the_pages_are_usable_at_phone_width(app_url, path, name):
    """390 px: the answer and the sentences wrap, nothing runs off the side of the page."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PHONE)
            page.set_default_timeout(UI_TIMEOUT_MS)
            expect.set_options(timeout=UI_TIMEOUT_MS)
            page.goto(f"{app_url}/{path}?type={TYPE}&region={REGION}")
            _settled(page)
            expect(page.locator('[data-testid="stMain"] h1')).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            _shoot(page, f"{name}-390.png")
        finally:
            browser.close()
    assert width <= PHONE["width"], f"the page scrolls sideways: {width} px wide"
