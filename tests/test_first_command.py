"""The first command a new user runs is clean and safe: no packaging warnings, the dashboard on
localhost only (no "Network URL"), and a theme whose text passes WCAG 2.2 AA contrast.

The contrast check here is arithmetic on the theme; the real-browser axe test checks the pages.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import psutil
import pytest

from tests.support.browser import ROOT, free_port

CONFIG = ROOT / ".streamlit" / "config.toml"
FADED_ALPHA = 0.6  # Streamlit draws captions, help and placeholders in textColor at 60% opacity
WHITE = "#ffffff"
STREAMLIT_LIGHT_WIDGET_BACKGROUND = "#f8f8f7"  # the light theme's secondaryBackgroundColor (selectboxes)


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two opaque colours (#rrggbb)."""
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def faded(colour: str, background: str, alpha: float = FADED_ALPHA) -> str:
    """``colour`` at ``alpha`` opacity over ``background``, as the opaque colour seen."""
    mix = [
        round(alpha * int(colour.lstrip("#")[i : i + 2], 16) + (1 - alpha) * int(background.lstrip("#")[i : i + 2], 16))
        for i in (0, 2, 4)
    ]
    return "#" + "".join(f"{c:02x}" for c in mix)


def test_contrast_arithmetic_matches_known_pairs():
    assert contrast("#000000", WHITE) == pytest.approx(21)
    assert contrast("#828180", WHITE) == pytest.approx(3.89, abs=0.01)  # Streamlit's default caption
    assert faded("#2f2d2b", WHITE) == "#828180"  # ...which is its default text at 60%


def test_theme_text_meets_wcag_aa_contrast():
    theme = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["theme"]
    for background in (WHITE, STREAMLIT_LIGHT_WIDGET_BACKGROUND):
        assert contrast(theme["textColor"], background) >= 4.5
        assert contrast(faded(theme["textColor"], background), background) >= 4.5, "captions and help text"
        assert contrast(theme["primaryColor"], background) >= 4.5, "selected tabs and links drawn in the accent"
        assert contrast(theme["linkColor"], background) >= 4.5


def test_licence_is_an_spdx_string_so_installs_print_no_deprecation():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"  # a TOML table here warns on every install
    requires = project["build-system"]["requires"]
    assert any(re.fullmatch(r"setuptools>=(\d+)", r) and int(r.split(">=")[1]) >= 77 for r in requires)


def _listening(pid: int) -> list[str]:
    found = []
    for proc in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        found += [c.laddr.ip for c in proc.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    return found


@pytest.mark.slow  # starts a streamlit server and waits for it
def test_streamlit_listens_on_localhost_only_and_prints_no_network_url(tmp_path):
    port = free_port()
    log = tmp_path / "out.txt"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and "URL:" not in log.read_text(errors="replace"):
                assert server.poll() is None, log.read_text(errors="replace")
                time.sleep(0.3)
            addresses = _listening(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=20)
    text = log.read_text(errors="replace")
    assert "URL:" in text, text
    assert "Network URL" not in text and "External URL" not in text, text
    assert addresses and set(addresses) <= {"127.0.0.1", "::1"}, addresses  # the config's address = "localhost"
    assert Path(CONFIG).read_text(encoding="utf-8").count('address = "localhost"') == 1
