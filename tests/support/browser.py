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

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "ROOT", "chromium_installed", "free_port", "streamlit_app"]

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


def _wait_healthy(url: str, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"streamlit did not answer {url}/_stcore/health within {timeout_s:.0f} s")
        time.sleep(0.3)


@contextlib.contextmanager
def streamlit_app(warehouse: Path, log: IO[bytes] | int | None = subprocess.DEVNULL,
                  timeout_s: float = START_TIMEOUT_S) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``streamlit run streamlit_app.py`` headless on a free port against ``warehouse``.

    Yields ``(base_url, process)`` once the server answers its health check; stops it after.

    Raises:
        RuntimeError: the server exited or did not answer within ``timeout_s``.
    """
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
         "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "EXEMPLAR_WAREHOUSE": str(warehouse)},
        stdout=log, stderr=subprocess.STDOUT if log not in (None, subprocess.DEVNULL) else subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server, timeout_s)
        yield url, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
