"""No markup from data or from the URL, in a real browser (issue 16 §3): `streamlit run` on the
hostile warehouse (tests/support/hostile_fixture.py: every name carries Markdown links and
images, raw HTML, KaTeX, colour directives, icon shortcodes and bare URLs), every page of the
navigation opened in headless Chromium with hostile values in its URL parameters too, and on
each: no link or image points at the hostile host, no KaTeX, no icon and no styled element is
made from data (a marker word is only ever shown inside its literal markup), charts hold no
links, and the pages that show data show the hostile text literally.

Run alone with ``pytest -m browser tests/test_browser_hostile.py``. Needs Debian's chromium at
/usr/bin/chromium; Playwright never downloads a browser.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode, urlsplit

import pytest

from dashboard.common.text import URL_BREAK
from tests.support.browser import (
    ROOT,
    launched_chromium,
    served_app,
)
from tests.support.hostile_fixture import (
    ANCHOR_MARK,
    BOLD_MARK,
    EVIL_HOST,
    LITERAL,
    RED_MARK,
    SPAN_MARK,
)

pytestmark = pytest.mark.browser

UI_TIMEOUT_MS = 90_000  # page renders on 2 shared cores
# Every page of the navigation, by its URL path ("" is the default page, Home).
PAGES = ["", *re.findall(r'url_path="([^"]+)"', (ROOT / "streamlit_app.py").read_text(encoding="utf-8"))]
# Pages that show no loaded names: fixed text (the method, accessibility, support), or only
# council and round pickers (submit: the questions are in the template it offers).
NO_DATA_PAGES = {"exemplar-method", "accessibility", "support", "submit"}
URL_VALUE = f"[Sign in again](https://{EVIL_HOST}/u) <img src=https://{EVIL_HOST}/u.png> :red[{RED_MARK}] $z^2$"
URL_KEYS = ("council", "indicator", "indicators", "theme", "period", "set", "region", "type", "nation", "round",
            "question", "q", "to", "from", "top", "trend", "peers", "predecessors", "reorg", "ranking", "k",
            "improvement", "compare", "group", "by")
# Each marker word is shown, when literally, inside its own markup; rendered, an element holds the
# word alone. So an element whose text has the marker but not the literal markup came from data.
LITERAL_AROUND = {
    BOLD_MARK: f"<b>{BOLD_MARK}</b>",
    SPAN_MARK: f"{SPAN_MARK}</span>",
    RED_MARK: f":red[{RED_MARK}]",
    ANCHOR_MARK: f"{ANCHOR_MARK}</a>",
}

URL_LITERAL = f"[Sign in again](https://{EVIL_HOST}/u)"  # how a notice must echo URL_VALUE
# What the main area shows: its text, and the chosen values of select boxes (kept in inputs).
SHOWN = """[document.querySelector('[data-testid="stMain"]').textContent,
  ...[...document.querySelectorAll('[data-testid="stMain"] input')].map(input => input.value)].join(" ")"""
FIND_LEAKS = """([host, literalAround]) => {
  const leaks = [];
  for (const el of document.querySelectorAll("a, area")) {
    const href = el.getAttribute("href") || el.getAttribute("xlink:href") || "";
    if (href.includes(host)) leaks.push(`link to ${href}: ${el.textContent.slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll("img, image, source, iframe, video, audio, object, embed")) {
    for (const attr of ["src", "srcset", "href", "xlink:href", "data"]) {
      const value = el.getAttribute(attr) || "";
      if (value.includes(host)) leaks.push(`${el.tagName} ${attr}=${value}`);
    }
  }
  for (const el of document.querySelectorAll("[style]")) {
    if ((el.getAttribute("style") || "").includes(host)) leaks.push(`style fetching ${el.getAttribute("style")}`);
  }
  for (const el of document.querySelectorAll(".katex, .katex-display, math")) {
    leaks.push(`KaTeX: ${el.textContent.slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll(".js-plotly-plot a")) {
    leaks.push(`link in a chart: ${el.textContent.slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll('[data-testid="stIconMaterial"]')) {
    if (el.textContent.trim() === "home") leaks.push("a :material/home: icon");
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (const [marker, literal] of Object.entries(literalAround)) {
      if (!node.nodeValue.includes(marker)) continue;
      // the block (paragraph, label, cell, chart text) holding this text: shown literally, it
      // holds the markup around the marker too
      const holder = node.parentElement;
      const block = holder.closest("p, li, label, td, th, h1, h2, h3, h4, h5, h6, summary, button, text, div");
      if (!block || !block.textContent.includes(literal)) {
        leaks.push(`${marker} styled in <${holder.tagName.toLowerCase()} style="${holder.getAttribute("style") || ""}">`);
      }
    }
  }
  return leaks;
}"""


@pytest.fixture(scope="module")
def app_url(hostile_live, tmp_path_factory):
    """`streamlit run streamlit_app.py` on a free port against the hostile warehouse; stopped after."""
    with served_app(hostile_live, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def _asks_evil_host(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host == EVIL_HOST or host.endswith(f".{EVIL_HOST}")


def _settled(page) -> None:
    """Wait until Streamlit's run is over (its status widget gone for a moment) and charts drew."""
    page.wait_for_selector('[data-testid="stMain"]')
    quiet = 0
    while quiet < 4:
        quiet = 0 if page.locator('[data-testid="stStatusWidget"]').count() else quiet + 1
        page.wait_for_timeout(300)


@pytest.mark.parametrize("hostile_url", [False, True], ids=["data", "data-and-url"])
@pytest.mark.parametrize("path", PAGES, ids=lambda p: p or "home")
def test_no_page_turns_data_or_url_text_into_markup(app_url, browser, path, hostile_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1366, "height": 900})
    fetched: list[str] = []
    context.on("request", lambda request: fetched.append(request.url) if _asks_evil_host(request.url) else None)
    try:
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        expect.set_options(timeout=UI_TIMEOUT_MS)
        query = "?" + urlencode({key: URL_VALUE for key in URL_KEYS}) if hostile_url else ""
        page.goto(f"{app_url}/{path}{query}")
        _settled(page)
        if not hostile_url and path not in NO_DATA_PAGES:
            # on a busy machine the run may start only after the status widget first looked quiet
            page.wait_for_function(
                f"() => ({SHOWN}).split({json.dumps(URL_BREAK)}).join('').includes({json.dumps(LITERAL)})"
            )
            _settled(page)
        assert page.locator('[data-testid="stException"]').count() == 0, page.locator("body").inner_text()
        leaks = page.evaluate(FIND_LEAKS, [EVIL_HOST, LITERAL_AROUND])
        assert leaks == [], leaks
        assert fetched == []  # the browser never asked the hostile host for anything
        shown = page.evaluate(SHOWN).replace(URL_BREAK, "")  # without the escaper's invisible break in URLs
        if not hostile_url and path not in NO_DATA_PAGES:  # hostile parameters may leave nothing to show
            assert LITERAL in shown, f"/{path} did not show the hostile names literally"
        notices = page.locator('[data-testid="stAlert"]').filter(has_text="is not available here").all_text_contents()
        assert all(URL_LITERAL in notice.replace(URL_BREAK, "") for notice in notices), notices
        if hostile_url and path == "profile":
            assert notices, "the profile said nothing about the unusable council in its link"
    finally:
        context.close()
