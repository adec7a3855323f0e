"""Published versions: history lists them, rollback switches back atomically, prune keeps N."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl import cli, history
from etl.load import Source, load_sources
from etl.warehouse import WarehousePaths
from tests.support.sources import write_source

COUNCILS = ["E08000025", "E09000033", "S12000036", "W06000015"]  # Birmingham, Westminster, Edinburgh, Cardiff
INDICATORS = (
    "indicator_id,name,theme,unit,polarity,description,source\n{id},Test {id},Testing,%,higher,A test indicator,Tests\n"
)


def _source(folder: Path, indicator: str, councils: list[str], base: float) -> Path:
    """A tiny contract source: one indicator, one value per council for 2023/24."""
    values = "authority_code,indicator_id,period,value\n" + "".join(
        f"{code},{indicator},2023/24,{base + i}\n" for i, code in enumerate(councils)
    )
    return write_source(folder, {"indicators.csv": INDICATORS.format(id=indicator), "values.csv": values})


def _value_rows(file: Path) -> int:
    con = duckdb.connect(str(file), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM indicator_values").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def three_versions(tmp_path_factory, reference_dir) -> tuple[Path, list[str], list[int]]:
    """A warehouse with three published versions: alpha(2 rows), alpha(3 rows), +beta(4 rows).

    Returns the live path, the versions oldest first and the indicator_values rows each holds.
    """
    root = tmp_path_factory.mktemp("history")
    live = root / "wh" / "exemplar.duckdb"
    loads = [
        Source.of(_source(root / "a1" / "alpha", "alpha_pct", COUNCILS[:2], 10), "alpha"),
        Source.of(_source(root / "a2" / "alpha", "alpha_pct", COUNCILS[:3], 20), "alpha"),
        Source.of(_source(root / "b" / "beta", "beta_pct", COUNCILS, 30), "beta"),
    ]
    versions = []
    for source in loads:
        result = load_sources([source], live, reference_dir=reference_dir)
        assert result.outcome == "published", result.problems or result.error
        versions.append(result.version)
    return live, versions, [2, 3, 3 + 4]


@pytest.fixture
def warehouse_copy(three_versions, tmp_path) -> tuple[Path, list[str], list[int]]:
    """A private copy of the three-version warehouse (the live symlink is relative)."""
    live, versions, rows = three_versions
    shutil.copytree(live.parent, tmp_path / "wh", symlinks=True)
    return tmp_path / "wh" / live.name, versions, rows


def test_history_lists_every_version_with_its_rows_and_the_live_one(three_versions):
    live, versions, rows = three_versions
    listed = history.list_versions(live)
    assert [v.version for v in listed] == versions
    assert [v.row_counts["indicator_values"] for v in listed] == rows
    assert [v.is_live for v in listed] == [False, False, True]
    assert [v.sources for v in listed] == [["alpha"], ["alpha"], ["alpha", "beta"]]
    assert all(v.published_at and v.error is None for v in listed)


def test_history_command_stars_the_live_version(three_versions, capsys):
    live, versions, _ = three_versions
    assert cli.main(["--warehouse", str(live), "history"]) == 0
    out = capsys.readouterr().out
    starred = [line for line in out.splitlines() if line.startswith("*")]
    assert len(starred) == 1 and versions[-1] in starred[0]
    assert all(v in out for v in versions)


def test_rollback_defaults_to_the_previous_version_and_readers_see_it(warehouse_copy):
    live, versions, rows = warehouse_copy
    before, after = history.rollback(live)
    assert (before, after) == (versions[2], versions[1])
    assert WarehousePaths(live).current_version() == versions[1]
    assert _value_rows(live) == rows[1]  # opening the live path now reads the earlier data
    history.rollback(live)
    assert WarehousePaths(live).current_version() == versions[0]
    with pytest.raises(history.RollbackError, match="no version earlier"):
        history.rollback(live)
    assert WarehousePaths(live).current_version() == versions[0]


def test_rollback_to_a_named_version_and_forward_again(warehouse_copy, capsys):
    live, versions, rows = warehouse_copy
    assert cli.main(["--warehouse", str(live), "rollback", versions[0]]) == 0
    assert _value_rows(live) == rows[0]
    assert cli.main(["--warehouse", str(live), "rollback", versions[2]]) == 0
    assert _value_rows(live) == rows[2]
    assert "rolled_back" in WarehousePaths(live).load_log.read_text()


def test_rollback_refuses_an_unknown_or_damaged_version_and_leaves_live_alone(warehouse_copy, capsys):
    live, versions, _ = warehouse_copy
    paths = WarehousePaths(live)
    assert cli.main(["--warehouse", str(live), "rollback", "20200101T000000-000000"]) == 2
    assert "no published version" in capsys.readouterr().err
    damaged = paths.version_file(versions[1])
    damaged.write_bytes(damaged.read_bytes()[:4096])  # truncated: not a usable DuckDB file
    with pytest.raises(history.RollbackError, match="integrity"):
        history.rollback(live, versions[1])
    assert paths.current_version() == versions[2]
    assert _value_rows(live) == 7


def test_a_load_after_rollback_builds_on_the_rolled_back_version(warehouse_copy, tmp_path, reference_dir):
    live, versions, _ = warehouse_copy
    history.rollback(live, versions[0])  # alpha with 2 rows, no beta
    gamma = Source.of(_source(tmp_path / "g" / "gamma", "gamma_pct", COUNCILS[:1], 5), "gamma")
    result = load_sources([gamma], live, reference_dir=reference_dir)
    assert result.outcome == "published"
    assert _value_rows(live) == 2 + 1


def test_publish_prunes_to_the_newest_n(warehouse_copy, tmp_path, reference_dir, monkeypatch):
    live, versions, _ = warehouse_copy
    monkeypatch.setenv(history.KEEP_ENV, "2")
    gamma = Source.of(_source(tmp_path / "g" / "gamma", "gamma_pct", COUNCILS[:1], 5), "gamma")
    result = load_sources([gamma], live, reference_dir=reference_dir)
    paths = WarehousePaths(live)
    assert paths.published_versions() == [versions[2], result.version]
    assert paths.current_version() == result.version


def test_prune_never_deletes_the_live_version(warehouse_copy):
    live, versions, _ = warehouse_copy
    paths = WarehousePaths(live)
    history.rollback(live, versions[0])
    assert history.prune(live, keep=2) == []  # v1 is live, v2 and v3 are the newest two
    history.rollback(live, versions[1])
    removed = history.prune(live, keep=2)
    assert removed == [paths.version_file(versions[0])]
    assert paths.published_versions() == versions[1:]
    assert _value_rows(live) == 3


def test_prune_command_takes_the_keep_flag(warehouse_copy, capsys, monkeypatch):
    live, versions, _ = warehouse_copy
    monkeypatch.delenv(history.KEEP_ENV, raising=False)  # main() sets it for this process: undo after
    assert cli.main(["--warehouse", str(live), "--keep-versions", "2", "prune"]) == 0
    assert WarehousePaths(live).published_versions() == versions[1:]
    assert "Pruned 1" in capsys.readouterr().out


@given(st.sets(st.integers(0, 60), max_size=20), st.integers(0, 25), st.data())
def test_versions_to_prune_keeps_the_newest_n_and_the_live_one(ids, keep, data):
    versions = [f"2026{i:04d}" for i in sorted(ids)]
    live = data.draw(st.sampled_from(versions)) if versions else None
    doomed = history.versions_to_prune(list(reversed(versions)), live, keep)
    kept = [v for v in versions if v not in doomed]
    newest = set(versions[-keep:]) if keep else set()
    assert set(kept) == newest | ({live} if live else set())
    assert set(doomed) <= set(versions)


def test_keep_count_reads_the_environment(monkeypatch):
    monkeypatch.delenv(history.KEEP_ENV, raising=False)
    assert history.keep_count() == history.DEFAULT_KEEP
    monkeypatch.setenv(history.KEEP_ENV, "9")
    assert history.keep_count() == 9
    monkeypatch.setenv(history.KEEP_ENV, "1")
    assert history.keep_count() == 2  # the version before the live one always survives
    monkeypatch.setenv(history.KEEP_ENV, "lots")
    with pytest.raises(ValueError, match=history.KEEP_ENV):
        history.keep_count()


def test_a_page_run_reads_one_version_while_a_rollback_switches_live(warehouse_copy):
    """What a page run sees: pinned at its start, so a switch mid-run cannot mix two versions."""
    import threading

    from dashboard.warehouse import FileWarehouse

    live, versions, rows = warehouse_copy
    wh = FileWarehouse(live)
    seen: dict[str, object] = {}

    def page_run() -> None:
        wh.pin()  # what ui.open_warehouse does at the top of every page
        seen["before"] = wh.query("meta")
        history.rollback(live, versions[0])  # a switch lands mid-render
        seen["after"] = wh.query("meta")

    def next_run() -> None:
        wh.pin()
        seen["next"] = wh.query("meta")

    try:
        for target in (page_run, next_run):  # each page run is its own script thread
            thread = threading.Thread(target=target)
            thread.start()
            thread.join()
    finally:
        wh.close()
    version = {name: dict(zip(f["key"], f["value"], strict=True))["data_version"] for name, f in seen.items()}
    assert version["before"] == version["after"] == versions[2]
    assert version["next"] == versions[0]


def test_a_query_on_an_older_version_survives_newer_versions_opening(warehouse_copy):
    """Pages pinned to an old version keep working while other sessions open newer ones."""
    from dashboard.warehouse import OPEN_VERSIONS, FileWarehouse

    live, versions, rows = warehouse_copy
    paths = WarehousePaths(live)
    wh = FileWarehouse(live)
    try:
        # A page on the oldest version has its cursor ready when the other versions are opened
        # by other sessions (more versions than the app keeps open), then runs its query.
        cursor = wh._connection(paths.version_file(versions[0])).cursor()
        for version in versions[1:]:
            wh._connection(paths.version_file(version))
        assert len(versions) > OPEN_VERSIONS
        assert cursor.execute("SELECT count(*) FROM indicator_values").fetchone()[0] == rows[0]
        cursor.close()
    finally:
        wh.close()
