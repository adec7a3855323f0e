"""Running the real app for browser tests and benchmarks: one Streamlit server, Debian's chromium.

Used by the browser tests and by ``bench/`` scripts, so every place starts the app and the
browser the same way. Playwright never downloads a browser here: it launches Debian's chromium
at ``CHROMIUM`` with the flags this machine needs (no sandbox as root, no background network).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "ROOT", "chromium_installed", "free_port", "streamlit_app", "wait_healthy"]

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
