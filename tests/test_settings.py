"""etl.settings: every EXEMPLAR_* variable read in one place, when asked (not at import)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import reference, settings
from etl.warehouse import WarehousePaths


def test_each_setting_is_read_when_asked(monkeypatch, tmp_path):
    for setting in settings.SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)
    assert settings.warehouse() == settings.DEFAULT_WAREHOUSE
    assert settings.keep_versions() == settings.DEFAULT_KEEP_VERSIONS
    assert (settings.etl_memory(), settings.app_memory(), settings.log_level()) == ("1GB", "256MB", "INFO")
    assert settings.reference_dir() is None and settings.support_contact() is None

    monkeypatch.setenv("EXEMPLAR_WAREHOUSE", str(tmp_path / "elsewhere.duckdb"))
    monkeypatch.setenv("EXEMPLAR_KEEP_VERSIONS", " 9 ")
    monkeypatch.setenv("EXEMPLAR_ETL_MEMORY", "2GB")
    monkeypatch.setenv("EXEMPLAR_LOG_LEVEL", "debug")
    monkeypatch.setenv("EXEMPLAR_SUPPORT_CONTACT", "  ")  # blank means unset
    assert WarehousePaths.from_env().live == tmp_path / "elsewhere.duckdb"
    assert settings.keep_versions() == 9
    assert settings.etl_memory() == "2GB"
    assert settings.log_level() == "DEBUG"
    assert settings.support_contact() is None


def test_the_register_folder_override_and_its_default(monkeypatch, tmp_path):
    monkeypatch.delenv("EXEMPLAR_REFERENCE_DIR", raising=False)
    default = reference.default_reference_dir()
    assert (default / reference.REGISTER_FILE).exists()
    monkeypatch.setenv("EXEMPLAR_REFERENCE_DIR", str(tmp_path))
    assert reference.default_reference_dir() == Path(tmp_path)


def test_a_bad_keep_count_names_the_variable(monkeypatch):
    monkeypatch.setenv("EXEMPLAR_KEEP_VERSIONS", "lots")
    with pytest.raises(ValueError, match="EXEMPLAR_KEEP_VERSIONS must be a whole number, got 'lots'"):
        settings.keep_versions()

