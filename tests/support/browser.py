"""Running the real app for browser tests and benchmarks: one Streamlit server, Debian's chromium.

Used by the browser tests and by ``bench/`` scripts, so every place starts the app and the
browser the same way. Playwright never downloads a browser here: it launches Debian's chromium
at ``CHROMIUM`` with the flags this machine needs (no sandbox as root, no background network).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "ROOT",
    "Settled",
    "chromium_installed",
    "free_port",
    "launched_chromium",
    "page_paths",
    "served_app",
    "settle",
    "streamlit_app",
    "wait_healthy",
    "watch_changes",
]

ROOT = Path(__file__).resolve().parents[2]  # the repository (this file is tests/support/browser.py)
CHROMIUM = "/usr/bin/chromium"  # Debian's package (`make browser`)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
START_TIMEOUT_S = 90  # for `streamlit run` to pass its health check on two busy cores


def chromium_installed() -> bool:
    """True when Debian's chromium is at ``CHROMIUM``."""
    return Path(CHROMIUM).exists()


def free_port() -> int:
    """A localhost TCP port nothing is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, server: subprocess.Popen[bytes], timeout_s: float, what: str = "streamlit") -> None:
    """Return once ``url``'s Streamlit health check answers 200 (directly or through a proxy).

    Raises:
        RuntimeError: ``server`` (``what``) exited, or no answer came within ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer {url}/_stcore/health within {timeout_s:.0f} s")
        time.sleep(0.3)


@contextlib.contextmanager
def streamlit_app(warehouse: Path, log: IO[bytes] | int | None = subprocess.DEVNULL,
                  timeout_s: float = START_TIMEOUT_S,
                  env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``streamlit run streamlit_app.py`` headless on a free port against ``warehouse``, with
    ``env`` added to the environment (e.g. the cookie secret replicas share).

    Yields ``(base_url, process)`` once the server answers its health check; stops it after.

    Raises:
        RuntimeError: the server exited or did not answer within ``timeout_s``.
    """
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
         "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, **(env or {}), "EXEMPLAR_WAREHOUSE": str(warehouse)},
        stdout=log, stderr=subprocess.STDOUT if log not in (None, subprocess.DEVNULL) else subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server, timeout_s)
        yield url, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# -- when a page has settled -------------------------------------------------------------------
QUIET_MS = 600  # no change in the page for this long (after the script run ended) counts as settled
POLL_MS = 50  # how often the page is asked whether it is still running
SETTLE_TIMEOUT_S = 120  # a page that has not settled by then is reported as not settled

# Records the time of the last change anywhere in the document (nodes, text, attributes), so the
# settle time is when the page stopped changing, not when the harness noticed.
_LAST_CHANGE_SCRIPT = """
window.__lastChange = performance.now();
new MutationObserver(() => { window.__lastChange = performance.now(); })
  .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""
_PAGE_STATE_SCRIPT = """() => ({
  running: document.querySelector('[data-testid="stStatusWidget"]') !== null,
  main: document.querySelector('[data-testid="stMain"]') !== null,
  charts: document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
  drawn: document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg').length,
  skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
  lastChange: window.__lastChange,
  now: performance.now(),
  nodes: document.getElementsByTagName('*').length,
  exception: document.querySelector('[data-testid="stException"]') !== null,
})"""


@dataclass(frozen=True)
class Settled:
    """A page load: seconds from navigation to its last change (None: never settled), how many
    charts and elements it holds, and whether it shows an exception."""

    seconds: float | None
    charts: int
    nodes: int
    error: bool


def watch_changes(page: Any) -> None:
    """Make every document ``page`` loads record the time of its last change (call before goto)."""
    page.add_init_script(_LAST_CHANGE_SCRIPT)


def settle(page: Any, timeout_s: float = SETTLE_TIMEOUT_S) -> Settled:
    """Wait until ``page`` (with :func:`watch_changes`) has settled: the script run is over (no
    "running" indicator, no skeleton), every chart has drawn, and nothing has changed for
    :data:`QUIET_MS`. The time is from the navigation's start to the last change."""
    deadline = time.monotonic() + timeout_s
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        state = page.evaluate(_PAGE_STATE_SCRIPT)
        quiet = state["now"] - state["lastChange"] >= QUIET_MS
        ready = state["main"] and not state["running"] and not state["skeletons"]
        if ready and quiet and state["drawn"] >= state["charts"]:
            return Settled(state["lastChange"] / 1000, state["charts"], state["nodes"], state["exception"])
        page.wait_for_timeout(POLL_MS)
    return Settled(None, state.get("charts", 0), state.get("nodes", 0), state.get("exception", False))


def page_paths() -> dict[str, str]:
    """Every page of ``streamlit_app.py``: ``{url path: title}`` in the order it declares them
    ("" is the default page, Home)."""
    text = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    pages = {}
    for call in re.findall(r"st\.Page\((.*?)\)", text, flags=re.S):
        title = re.search(r'title="([^"]+)"', call)
        path = re.search(r'url_path="([^"]+)"', call)
        pages["" if path is None else path.group(1)] = title.group(1) if title else ""
    return pages


@contextlib.contextmanager
def served_app(warehouse: Path, tmp_path_factory: Any) -> Iterator[str]:
    """The app on ``warehouse`` for one browser-test module: skips the module when chromium is
    missing, keeps the server's log in a temporary folder (for a failing test's report) and
    yields the app's address; the server is stopped after."""
    if not chromium_installed():
        import pytest  # here, so the benchmarks that share this module need no pytest

        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    with log_path.open("wb") as log, streamlit_app(warehouse, log=log) as (url, _server):
        yield url


@contextlib.contextmanager
def launched_chromium() -> Iterator[Any]:
    """Debian's chromium through Playwright with this machine's flags; closed after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
