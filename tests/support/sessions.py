"""One visitor's round through the app in headless Chromium: browse -> profile -> download.

Shared by the load tests (one process, and several behind nginx) and ``bench/multi_user.py``, so
every place drives the app, waits for a page to settle and looks for errors the same way.
Playwright's async API: each session is a browser context (its own cookies, so behind the proxy
its own route), all on one Chromium.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ERROR_SELECTORS",
    "STEP_TIMEOUT_MS",
    "STEPS",
    "Round",
    "settled",
    "page_errors",
    "browse_profile_download",
    "visitors",
]

STEP_TIMEOUT_MS = 90_000  # one page render under full load on two shared cores
IDLE_CHECKS = 3  # consecutive checks (0.3 s apart) without Streamlit's "running" widget
ERROR_SELECTORS = ['[data-testid="stException"]', '[data-testid="stAlertContentError"]']
STEPS = ("browse", "profile (clicked)", "profile", "download")  # what one round times, in order
DOWNLOAD_LABEL = "Download the peer comparison (CSV)"


@dataclass
class Round:
    """One browse -> profile -> download round: seconds per step, the CSV, any errors seen."""

    seconds: dict[str, float] = field(default_factory=dict)
    csv: bytes = b""
    errors: list[str] = field(default_factory=list)


async def settled(page) -> None:
    """Wait until the script run is over: the main area is there and nothing says 'running'."""
    await page.wait_for_selector('[data-testid="stMain"]', timeout=STEP_TIMEOUT_MS)
    idle, deadline = 0, time.monotonic() + STEP_TIMEOUT_MS / 1000
    while idle < IDLE_CHECKS and time.monotonic() < deadline:
        idle = 0 if await page.locator('[data-testid="stStatusWidget"]').count() else idle + 1
        await page.wait_for_timeout(300)


async def page_errors(page, where: str) -> list[str]:
    """What on the page says it failed: an exception or error box, or a traceback in the text."""
    found = []
    for selector in ERROR_SELECTORS:
        count = await page.locator(selector).count()
        if count:
            text = await page.locator(selector).first.inner_text(timeout=STEP_TIMEOUT_MS)
            found.append(f"{where}: {selector} x{count}: {text[:300]}")
    if "Traceback" in await page.locator("body").inner_text(timeout=STEP_TIMEOUT_MS):
        found.append(f"{where}: 'Traceback' on the page")
    return found


async def browse_profile_download(page, base: str, council: str, period: str, where: str) -> Round:
    """Open Browse, click through to the Council profile, open ``council``'s profile for
    ``period`` and download its peer comparison; returns the timings, the CSV and any errors.

    Raises:
        playwright's TimeoutError (or any browser error): a step did not finish in STEP_TIMEOUT_MS.
    """
    result = Round()

    async def step(name: str, action) -> None:
        began = time.monotonic()
        await action()
        await settled(page)
        result.seconds[name] = time.monotonic() - began
        result.errors += await page_errors(page, f"{where} {name}")

    async def open_browse() -> None:
        await page.goto(f"{base}/browse", timeout=STEP_TIMEOUT_MS)

    async def click_profile() -> None:
        await page.locator('[data-testid="stSidebarNavLink"]', has_text="Council profile").click(
            timeout=STEP_TIMEOUT_MS
        )
        await page.wait_for_selector('h1:has-text("Council profile")', timeout=STEP_TIMEOUT_MS)

    async def open_profile() -> None:
        await page.goto(f"{base}/profile?council={council}&period={period}", timeout=STEP_TIMEOUT_MS)

    await step("browse", open_browse)
    await step("profile (clicked)", click_profile)
    await step("profile", open_profile)
    began = time.monotonic()
    async with page.expect_download(timeout=STEP_TIMEOUT_MS) as info:
        await page.get_by_role("button", name=DOWNLOAD_LABEL).click(timeout=STEP_TIMEOUT_MS)
    download = await info.value
    result.csv = Path(await download.path()).read_bytes()
    result.seconds["download"] = time.monotonic() - began
    result.errors += await page_errors(page, f"{where} after download")
    return result


def visitors(live: Path, count: int) -> tuple[str, list[str], list[str]]:
    """(the latest period with values, every council with a value in it, ``count`` of those
    spread over the register: different types and nations) of the warehouse at ``live``."""
    import duckdb

    con = duckdb.connect(str(live), read_only=True)
    try:
        period = con.execute(
            "SELECT v.period FROM indicator_values v JOIN periods p USING (period) ORDER BY p.period_start DESC LIMIT 1"
        ).fetchone()[0]
        codes = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT authority_code FROM indicator_values WHERE period = ? ORDER BY 1", [period]
            ).fetchall()
        ]
    finally:
        con.close()
    return period, codes, codes[:: max(1, len(codes) // count)][:count]
