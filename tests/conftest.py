"""Shared fixtures: the real register, a demo warehouse built once per run, fresh warehouse paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import reference
from etl.load import Source, load_sources
from etl.warehouse import WarehousePaths


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The real published register, deprivation and boundaries vendored in the repository's data/reference."""
    path = reference.default_reference_dir()
    assert (path / reference.REGISTER_FILE).exists(), f"reference data missing at {path}"
    return path


@pytest.fixture(scope="session")
def authorities(reference_dir):
    """The project's table of authorities built from the real register."""
    return reference.read_authorities(reference_dir)


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory, authorities) -> Path:
    """The synthetic demo source (contract CSVs), generated once per test run."""
    from etl import demo

    folder = tmp_path_factory.mktemp("demo-source") / demo.DEMO_SOURCE_NAME
    folder.mkdir()
    return demo.write_demo_source(folder, authorities)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory, demo_source, reference_dir) -> Path:
    """A published demo warehouse (live path). Read-only for tests: never load into it."""
    from etl import demo

    live = tmp_path_factory.mktemp("demo-warehouse") / "exemplar.duckdb"
    result = load_sources([Source.of(demo_source, demo.DEMO_SOURCE_NAME, synthetic=True)], live,
                          reference_dir=reference_dir)
    assert result.ok, result.problems
    return live


@pytest.fixture
def warehouse_path(tmp_path) -> Path:
    """A fresh, empty live warehouse path for a test that loads data."""
    return tmp_path / "wh" / "exemplar.duckdb"


@pytest.fixture
def paths(warehouse_path) -> WarehousePaths:
    """The derived paths (versions, load log, inbox, lock) of ``warehouse_path``."""
    return WarehousePaths(warehouse_path)


def query_warehouse(live: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of ``sql`` run on the published warehouse at ``live``, opened read-only and closed."""
    import duckdb

    con = duckdb.connect(str(live), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def write_source(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write a source folder from {file name: text or bytes}; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture(scope="session")
def sa_live(tmp_path_factory, authorities, reference_dir) -> Path:
    """The self-assessment fixture warehouse (tests/sa_fixture.py), built once; copy before loading."""
    import sa_fixture

    return sa_fixture.build_warehouse(tmp_path_factory.mktemp("sa-fixture"), authorities, reference_dir)


@pytest.fixture(scope="session")
def sa_parts(authorities) -> dict:
    """Which councils play which part in the self-assessment fixture."""
    import sa_fixture

    return sa_fixture.layout(authorities)


@pytest.fixture(scope="session")
def sa_questions(sa_live):
    """The fixture's published question framework."""
    from dashboard import selfassessment as sa
    from dashboard.data import Warehouse

    wh = Warehouse(sa_live)
    try:
        return sa.framework(wh)
    finally:
        wh.close()
