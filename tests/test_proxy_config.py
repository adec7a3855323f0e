"""The nginx configuration the proxy test runs: nginx accepts it, and docs/operations.md shows it
as it is (so the documented file is the tested one)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.proxy import NGINX, TEMPLATE, nginx_installed, render_config

ROOT = Path(__file__).resolve().parent.parent


def test_the_operations_guide_shows_the_template_the_test_runs():
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert f"```nginx\n{TEMPLATE.read_text(encoding='utf-8')}```" in guide


def test_nginx_accepts_the_rendered_configuration(tmp_path):
    if not nginx_installed():
        pytest.fail("Debian's nginx is missing: run `make nginx`")
    config = tmp_path / "nginx.conf"
    config.write_text(render_config("127.0.0.1:8080", ["127.0.0.1:8501", "127.0.0.1:8502"], tmp_path))
    checked = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(config)],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    assert "hash $exemplar_route consistent" in config.read_text()


def test_a_field_left_in_the_template_is_refused(tmp_path, monkeypatch):
    broken = tmp_path / "broken.template"
    broken.write_text(TEMPLATE.read_text() + "\n# {{missing}}\n")
    monkeypatch.setattr("tests.support.proxy.TEMPLATE", broken)
    with pytest.raises(ValueError, match="unfilled field"):
        render_config("127.0.0.1:8080", ["127.0.0.1:8501"], tmp_path)
