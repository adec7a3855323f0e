"""Shared fixtures: the real register, a demo warehouse built once per run, fresh warehouse paths,
and the AppTest page opener. Builders (source folders, fixture warehouses) live in tests/support."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from etl import reference
from etl.load import Source, load_sources
from etl.warehouse import WarehousePaths
from tests.support import apptest, peer_fixture, sa_fixture

# `make test-fast` runs hypothesis tests without an explicit example count on fewer examples.
settings.register_profile("fast", max_examples=20)


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


@pytest.fixture(scope="session")
def default_build(tmp_path_factory, reference_dir):
    """The default warehouse (real ONS figures and similar areas, computed neighbours, synthetic
    self-assessment answers) built once per run: ``(live path, DefaultBuild)``. Read-only."""
    from etl.default_build import build_default, format_build

    live = tmp_path_factory.mktemp("default-warehouse") / "exemplar.duckdb"
    built = build_default(live, reference_dir=reference_dir)
    assert built.ok, format_build(built)
    return live, built


@pytest.fixture(scope="session")
def default_warehouse(default_build) -> Path:
    """The published default warehouse (live path) of ``default_build``. Read-only."""
    return default_build[0]


@pytest.fixture
def warehouse_path(tmp_path) -> Path:
    """A fresh, empty live warehouse path for a test that loads data."""
    return tmp_path / "wh" / "exemplar.duckdb"


@pytest.fixture
def paths(warehouse_path) -> WarehousePaths:
    """The derived paths (versions, load log, inbox, lock) of ``warehouse_path``."""
    return WarehousePaths(warehouse_path)


@pytest.fixture
def open_page(monkeypatch):
    """``open_page(live, page, **params)``: the app on warehouse ``live``, on ``page`` (a path
    under dashboard/views, or its stem) with ``params`` in the URL, run once without an exception.
    Downloads are kept: ``tests.support.apptest.downloads(at)``."""
    apptest.keep_downloads(monkeypatch)

    def _open(live: Path, page: str, **params: str):
        monkeypatch.setenv("EXEMPLAR_WAREHOUSE", str(live))
        return apptest.open_page(page, **params)

    return _open


@pytest.fixture(scope="session")
def peer_live(tmp_path_factory, reference_dir) -> Path:
    """The hand-made peer fixture warehouse (tests/support/peer_fixture.py), built once. Read-only."""
    folder = tmp_path_factory.mktemp("peer-fixture")
    return peer_fixture.build(folder / "src", folder / "wh" / "exemplar.duckdb", reference_dir)


@pytest.fixture(scope="session")
def sa_root(tmp_path_factory) -> Path:
    """Where the self-assessment fixture's source files and warehouse are written."""
    return tmp_path_factory.mktemp("sa-fixture")


@pytest.fixture(scope="session")
def sa_live(sa_root, authorities, reference_dir) -> Path:
    """The self-assessment fixture warehouse (tests/support/sa_fixture.py), built once; copy before loading."""
    return sa_fixture.build_warehouse(sa_root, authorities, reference_dir)


@pytest.fixture(scope="session")
def sa_parts(authorities) -> dict:
    """Which councils play which part in the self-assessment fixture."""
    return sa_fixture.layout(authorities)


@pytest.fixture(scope="session")
def sa_questions(sa_live):
    """The fixture's published question framework."""
    from dashboard.selfassessment import results
    from dashboard.warehouse import FileWarehouse

    wh = FileWarehouse(sa_live)
    try:
        return results.framework(wh)
    finally:
        wh.close()


@pytest.fixture(scope="session")
def hostile_live(tmp_path_factory, authorities, reference_dir) -> Path:
    """The hostile-names warehouse (tests/support/hostile_fixture.py), built once. Read-only."""
    from tests.support import hostile_fixture

    return hostile_fixture.build(tmp_path_factory.mktemp("hostile-names"), authorities, reference_dir)


@pytest.fixture(scope="session")
def matcher():
    """The register matcher for the importer tests, built once (reading the register is the slow part)."""
    from etl.importer.match import Matcher

    return Matcher.from_register()
