"""Every page in headless Chromium, checked as WCAG 2.2 AA asks: its own browser title, no axe-core
violation in the app's own content, the keyboard's order, and a phone-width profile whose charts
keep clear of their legends.

axe-core (npm, pinned in tests/axe; ``make axe``) runs on each settled page twice: on the main
area, which must have no violation at all, and on Streamlit's own sidebar and header, whose
findings must each be listed in the accessibility statement (``KNOWN_FRAMEWORK_ISSUES``) with
the framework's version; a new one fails here until it is documented. Every page's findings are
written to ``test-artifacts/axe-results.json``.

Run alone with ``pytest -m browser tests/test_browser_accessibility.py``.
"""

from __future__ import annotations

import json

import pytest
import streamlit

from dashboard.about.accessibility import CHECKED_WITH_STREAMLIT, KNOWN_FRAMEWORK_ISSUES
from tests.support.axe import audit, axe_installed, describe
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    chromium_installed,
    page_paths,
    settle,
    streamlit_app,
    watch_changes,
)

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
PAGES = page_paths()
RESULTS: dict[str, dict] = {}  # page -> findings, written out by the last test


@pytest.fixture(scope="module")
def browser_app(demo_warehouse, tmp_path_factory):
    """`streamlit run` on the demo warehouse and one headless chromium; both stopped after."""
    if not chromium_installed():
        pytest.skip(f"{CHROMIUM} is not installed (make browser)")
    assert axe_installed(), "axe-core is not installed: run `make axe` (npm ci in tests/axe)"
    from playwright.sync_api import sync_playwright

    log_path = tmp_path_factory.mktemp("streamlit-a11y") / "server.log"
    with log_path.open("wb") as log, streamlit_app(demo_warehouse, log=log) as (url, _server), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield url, browser
        finally:
            browser.close()


def open_settled(browser, url: str, width: int = 1366, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    watch_changes(page)
    page.goto(url)
    settled = settle(page)
    assert settled.seconds is not None, f"{url} never settled"
    assert not settled.error, f"{url} shows an exception"
    return context, page


@pytest.mark.parametrize("path", list(PAGES), ids=lambda p: p or "home")
def test_page_has_its_own_title_and_no_axe_violation_in_its_content(browser_app, path):
    url, browser = browser_app
    context, page = open_settled(browser, f"{url}/{path}")
    try:
        assert page.title() == f"{PAGES[path]} — Exemplar"  # WCAG 2.4.2: each page titled
        own, chrome = audit(page)
    finally:
        context.close()
    RESULTS[path or "home"] = {
        "own": [f.rule for f in own],
        "chrome": [f.rule for f in chrome],
        "details": describe(own + chrome),
    }
    assert not own, f"axe-core: violations in the app's own content of /{path}:\n{describe(own)}"
    undocumented = sorted({f.rule for f in chrome} - set(KNOWN_FRAMEWORK_ISSUES))
    assert not undocumented, (
        f"axe-core rules broken in Streamlit's own chrome on /{path} that the accessibility statement "
        f"does not list (dashboard/about/accessibility.py): {undocumented}\n{describe(chrome)}"
    )


def test_the_statement_names_the_framework_version_it_was_checked_with():
    assert CHECKED_WITH_STREAMLIT == streamlit.__version__, (
        "re-run the axe check and review KNOWN_FRAMEWORK_ISSUES for this Streamlit version"
    )


def test_keyboard_order_follows_the_visual_order_of_the_choices(browser_app):
    url, browser = browser_app
    context, page = open_settled(browser, f"{url}/profile")
    try:
        labels = ["Council", "Period", "Peer group", "Theme"]
        boxes = {label: page.get_by_role("combobox", name=label).bounding_box() for label in labels}
        visual = sorted(labels, key=lambda label: (round(boxes[label]["y"] / 20), boxes[label]["x"]))
        assert visual == labels  # laid out left to right in one row
        page.get_by_role("combobox", name="Council").focus()
        reached = ["Council"]
        for _ in range(len(labels) - 1):
            page.keyboard.press("Tab")
            reached.append(page.evaluate("() => document.activeElement.getAttribute('aria-label')"))
        assert reached == visual  # Tab moves through the choices as they read
    finally:
        context.close()


def _overlaps(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("width", [390, 1366])
def test_profile_summary_and_spine_chart_are_usable_and_legends_clear(browser_app, width):
    url, browser = browser_app
    context, page = open_settled(browser, f"{url}/profile", width=width, height=2400)
    try:
        assert page.get_by_text("At a glance").is_visible()
        metrics = page.locator('[data-testid="stMetric"]')
        assert metrics.count() == 6
        for i in range(metrics.count()):
            box = metrics.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width  # no card runs off the screen
        chart = page.locator('[data-testid="stPlotlyChart"]').first
        chart.scroll_into_view_if_needed()
        chart_box = chart.bounding_box()
        assert chart_box["width"] <= width and chart_box["height"] > 200
        legend = chart.locator("g.legend").bounding_box()
        plot = chart.locator("g.cartesianlayer, .bglayer rect, .nsewdrag").first.bounding_box()
        assert legend and plot and not _overlaps(legend, plot), (legend, plot)
        annotations = chart.locator("g.annotation")
        words = [annotations.nth(i).bounding_box() for i in range(annotations.count())]
        assert all(not _overlaps(legend, w) for w in words), (legend, words)  # "Worse / median / Better" stay clear
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"profile-{width}px.png"), full_page=True)
    finally:
        context.close()


def test_zz_write_axe_results():
    """Every page's axe findings as JSON, for the accessibility statement and the report."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-results.json").write_text(
        json.dumps({"streamlit": streamlit.__version__, "pages": RESULTS}, indent=2), encoding="utf-8"
    )
    assert RESULTS or not chromium_installed()
