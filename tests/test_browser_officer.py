"""A council officer's journey in a real browser: choose the council, read the summary, download
the report (Excel) and the peer comparison (CSV, then as a workbook and as CSVW metadata, which
the server builds when clicked), check the files, and print the summary.

`streamlit run` on localhost and Debian's chromium (headless); Playwright never downloads a
browser. Run alone with ``pytest -m browser tests/test_browser_officer.py``. Screenshots of each
step and the printed PDF are kept in ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    served_app,
    settle,
    watch_changes,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
UI_TIMEOUT_MS = 60_000  # page renders and reruns on 2 shared cores
GLASGOW = "S12000049"
SCOTTISH_UNITARIES = 32  # Glasgow's peer group: Scottish unitary authorities
KEY_COLUMNS = ["Indicator", "Value", "Peer median", "Rank", "Band", "Change", "Direction", "Trend", "Details"]


@pytest.fixture(scope="module")
def app_url(demo_warehouse, tmp_path_factory):
    """`streamlit run streamlit_app.py` on a free port against the demo warehouse; killed after."""
    with served_app(demo_warehouse, tmp_path_factory) as url:
        yield url


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"officer-{name}.png"
    page.screenshot(path=str(path))
    return path


def download(page, button: str, folder: Path, within=None) -> Path:
    with page.expect_download() as info:
        (within or page).get_by_role("button", name=button).click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def test_council_officer_journey(app_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(accept_downloads=True, viewport={"width": 1366, "height": 1600})
            page = context.new_page()
            watch_changes(page)
            page.set_default_timeout(UI_TIMEOUT_MS)
            expect.set_options(timeout=UI_TIMEOUT_MS)

            # 1. open the profile and choose the council the way a person does: open, type, pick
            page.goto(f"{app_url}/profile")
            expect(page.get_by_role("heading", name="Council profile", exact=True)).to_be_visible()
            page.get_by_role("combobox", name="Council").click()
            page.keyboard.type("Glasgow City")
            page.get_by_role("option", name="Glasgow City").first.click()
            expect(page.get_by_role("heading", name="Glasgow City in 2024/25")).to_be_visible()
            expect(page).to_have_url(re.compile(f"council={GLASGOW}"))  # the choice is in the URL
            settle(page)
            shot(page, "1-chosen")

            # 2. read the summary: one sentence, six counts, the spine chart with its legend
            sentence = page.get_by_text(re.compile(r"Of \d+ indicators with a band, Glasgow City is in the top"))
            expect(sentence).to_be_visible()
            cards = page.locator('[data-testid="stMetric"]')
            expect(cards).to_have_count(6)
            counts = [int(cards.nth(i).locator('[data-testid="stMetricValue"]').inner_text()) for i in range(4)]
            assert sum(counts) > 0
            chart = page.locator('[data-testid="stPlotlyChart"]').first
            chart.scroll_into_view_if_needed()
            expect(chart.locator("g.legend")).to_contain_text("Top quartile")
            expect(chart.locator("g.legend")).to_contain_text("Peer median")
            shot(page, "2-summary")

            # 3. the table fits the page: no sideways scrolling at 1366 px, every key column shown
            table = page.locator('[data-testid="stDataFrame"]').filter(has_text="Direction").first
            table.scroll_into_view_if_needed()
            widths = table.evaluate(
                "t => { const s = t.querySelector('.dvn-scroller'); return [s.scrollWidth, s.clientWidth]; }"
            )
            assert widths[0] <= widths[1] + 1, f"the table scrolls sideways: {widths}"
            headers = table.evaluate("t => [...t.querySelectorAll('[role=columnheader]')].map(h => h.textContent)")
            assert [h for h in headers if h in KEY_COLUMNS] == KEY_COLUMNS, headers
            shot(page, "3-table")

            # 4. the report and the CSV
            report = download(page, "Download the report (Excel)", tmp_path)
            csv = download(page, "Download the peer comparison (CSV)", tmp_path)
            beside = page.locator(".st-key-profile_download_formats")  # the forms beside the comparison's CSV
            workbook = download(page, "Excel workbook", tmp_path, within=beside)
            csvw = download(page, "CSV metadata (CSVW)", tmp_path, within=beside)
            beside.scroll_into_view_if_needed()
            shot(page, "3-downloads")  # the three forms side by side

            # 5. the print view: the summary and chart, no choices, saved as PDF
            page.get_by_text("Print view").first.click()
            expect(page).to_have_url(re.compile("print=1"))
            settle(page)
            page.emulate_media(media="print")
            expect(page.locator('[class*="st-key-print_hidden_choices"]')).to_be_hidden()
            expect(page.get_by_text(re.compile(r"Of \d+ indicators with a band"))).to_be_visible()
            expect(page.locator('[data-testid="stTable"]').first).to_be_visible()  # every row, not a scrolled grid
            shot(page, "4-print-view")
            pdf = page.pdf(path=str(ARTIFACTS / "officer-profile-print.pdf"), format="A4", print_background=True)
        finally:
            browser.close()

    assert pdf.startswith(b"%PDF")
    assert all((ARTIFACTS / f"officer-{name}.png").stat().st_size > 10_000
               for name in ("1-chosen", "2-summary", "3-table", "4-print-view"))

    # the report: summary, comparison, peer group by name, methods in words, notes
    assert report.name == f"council-profile-{GLASGOW}-2024-25-type-nation.xlsx"
    book = load_workbook(report)
    assert book.sheetnames == ["Summary", "Comparison", "Peer group", "Methods", "Notes"]
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Council"] == f"Glasgow City ({GLASGOW})" and summary["Period"] == "2024/25"
    assert [summary[band] for band in ("Top quartile", "Second quartile", "Third quartile", "Bottom quartile")] == counts
    comparison = pd.DataFrame(list(book["Comparison"].iter_rows(min_row=2, values_only=True)),
                              columns=[c.value for c in book["Comparison"][1]])
    assert len(comparison) == 28  # one row per demo indicator
    assert comparison["Value"].map(lambda v: v is None or isinstance(v, int | float)).all()  # numbers stay numbers
    members = [row[0] for row in book["Peer group"].iter_rows(min_row=2, values_only=True)]
    assert len(members) == SCOTTISH_UNITARIES and "Glasgow City" in members and "Aberdeen City" in members
    notes = dict(book["Notes"].iter_rows(min_row=2, values_only=True))
    assert notes["Synthetic demo data"].startswith("Yes") and notes["Data version"]

    # the CSV: Excel-safe, the same figures, the group with its names
    assert csv.name == f"peer-comparison-{GLASGOW}-2024-25-type-nation.csv"
    assert csv.read_bytes().startswith("\ufeff".encode())
    frame = pd.read_csv(csv)
    assert len(frame) == 28
    assert set(frame["council_code"]) == {GLASGOW} and set(frame["council_name"]) == {"Glasgow City"}
    assert set(frame["period"]) == {"2024/25"}
    assert "Scottish unitary authorities in Scotland" in frame["about_peer_group"].iloc[0]
    assert frame["about_peer_group_size"].iloc[0] == SCOTTISH_UNITARIES
    assert sorted(frame["about_peer_group_member_names"].iloc[0].split("; ")) == sorted(members)
    for column in ("about_rank_method", "about_data_version", "about_generated_at", "about_peer_group_members"):
        assert frame[column].notna().all(), column
    ranked = frame[frame["polarity"] != "neutral"].dropna(subset=["rank"])
    assert ranked["rank"].between(1, SCOTTISH_UNITARIES).all() and pd.api.types.is_numeric_dtype(frame["value"])
    by_name = comparison.set_index("Indicator")
    for row in frame.dropna(subset=["value"]).itertuples():  # the report and the CSV agree
        assert by_name.at[row.indicator_name, "Value"] == pytest.approx(row.value, abs=0.051)

    # the same comparison as a workbook (rows as in the CSV, the about columns as notes) and as CSVW
    assert workbook.name == csv.name.removesuffix(".csv") + ".xlsx"
    book = load_workbook(workbook)
    assert book.sheetnames == ["Data", "Notes"]
    rows = list(book["Data"].iter_rows(values_only=True))
    assert list(rows[0]) == [c for c in frame.columns if not c.startswith("about_")] and len(rows) - 1 == len(frame)
    values = [row[rows[0].index("value")] for row in rows[1:]]
    assert values == pytest.approx([None if pd.isna(v) else v for v in frame["value"]])  # numbers as numbers
    notes = dict(book["Notes"].iter_rows(min_row=2, values_only=True))
    assert sorted(notes["Peer group member names"].split("; ")) == sorted(members)
    assert notes["Data version"] == frame["about_data_version"].iloc[0]
    assert csvw.name == f"{csv.name}-metadata.json"
    metadata = json.loads(csvw.read_text(encoding="utf-8"))
    assert metadata["url"] == csv.name and [c["titles"] for c in metadata["tableSchema"]["columns"]] == list(frame)
    assert {c["titles"]: c["datatype"] for c in metadata["tableSchema"]["columns"]}["value"] == "number"
