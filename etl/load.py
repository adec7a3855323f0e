"""Load: build a new warehouse version from the last published one plus new sources, then publish.

The build happens in a new file; the live path switches to it in one rename only after
validation and the integrity check pass. A failure at any point leaves the live warehouse
exactly as it was, and every attempt is appended to the load log.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from tqdm import tqdm

from etl import reference, settings
from etl.contract import CONTRACT, FILE_SPECS, VALUES, contents_sql
from etl.extract import StagedFile, stage_file, stage_source
from etl.history import prune_versions
from etl.integrity import check_file, integrity_problems
from etl.lifespan import OutsideLife, outside_life_summary
from etl.logs import StageLog
from etl.problems import Problem
from etl.provenance import withhold_private
from etl.sqltext import sql_literal
from etl.transform import create_incoming_tables, deferred_values, restage_streamed, store_checked
from etl.validate import build_period_map, duplicate_value_problems, repeated_stored_values, validate_staged
from etl.valuewrite import StreamRefused, write_sorted_values
from etl.warehouse import SCHEMA_VERSION, SPILL_DIR, WarehousePaths, append_load_log, etl_lock, new_version_id, publish

__all__ = ["Source", "LoadResult", "load_sources", "SCHEMA_VERSION", "ETL_MEMORY_ENV"]

SQL_DIR = Path(__file__).with_name("sql")
SCHEMA_SQL = SQL_DIR / "schema.sql"
# Persistent warehouse macros (the dashboard's shared SQL rules), applied right after the schema
# whenever a version file is created: they bind to the tables just created.
MACROS_SQL = SQL_DIR / "macros.sql"
ETL_MEMORY_ENV = settings.ETL_MEMORY.name  # default 1GB: headroom under the 2 GB peak target; DuckDB spills beyond it


@dataclass(frozen=True)
class Source:
    """A folder of contract files and the name its rows are stored under.

    ``synthetic``: its figures are invented (the demo), which every page and download showing
    them says; ``publisher`` and ``licence`` say who published real figures and how they may be
    used (recorded with each file, shown beside them).
    """

    path: Path
    name: str
    synthetic: bool = False
    publisher: str | None = None
    licence: str | None = None

    @classmethod
    def of(
        cls,
        path: str | Path,
        name: str | None = None,
        synthetic: bool = False,
        publisher: str | None = None,
        licence: str | None = None,
    ) -> Source:
        """A source named after its folder unless ``name`` is given."""
        folder = Path(path)
        return cls(folder, name or folder.resolve().name, synthetic, publisher, licence)


@dataclass
class LoadResult:
    """What a load or validation did: its outcome, problems, version and row counts."""

    load_id: str
    outcome: str  # published | validated | failed
    problems: list[Problem] = field(default_factory=list)
    version: str | None = None
    files: list[dict[str, object]] = field(default_factory=list)
    error: str | None = None
    outside_life: OutsideLife | None = None  # the loaded sources' values outside their council's life

    @property
    def ok(self) -> bool:
        return self.outcome in ("published", "validated")


class _Rejected(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def load_sources(
    sources: Sequence[Source],
    warehouse: str | Path | None = None,
    *,
    validate_only: bool = False,
    reference_dir: Path | None = None,
    progress: bool | None = None,
    keep_versions: int | None = None,
    stream: bool = True,
) -> LoadResult:
    """Validate ``sources`` and, unless ``validate_only``, publish a new warehouse version.

    A loaded source replaces every row previously loaded under the same source name; rows
    from other sources are kept. After a publish, versions beyond the newest ``keep_versions``
    (default ``$EXEMPLAR_KEEP_VERSIONS`` or 5) are pruned. Returns a LoadResult; validation
    problems do not raise. ``stream``: read values.csv in one pass into the sorted write
    (``etl.valuewrite``); False stages and checks it as text first, the path a fault takes
    (same outcome, slower; for comparing the two).

    Raises:
        SourceReadError: a source folder is missing or holds no contract file.
        OSError, duckdb.Error: unexpected failures (the live warehouse is still untouched).
    """
    paths = WarehousePaths.from_env(warehouse)
    with etl_lock(paths):
        paths.versions_dir.mkdir(parents=True, exist_ok=True)
        paths.remove_abandoned_builds()
        version = new_version_id()
        build = paths.building_file(version)
        result = LoadResult(load_id=version, outcome="failed")
        started = dt.datetime.now(dt.UTC)
        stages = StageLog(paths.live, version)
        try:
            _build(paths, build, version, sources, result, reference_dir, progress, stages, stream)
            if validate_only:
                result.outcome = "validated"
            else:
                stages.start("integrity_file")
                problems = check_file(build)
                if problems:
                    raise RuntimeError("integrity check failed: " + "; ".join(problems))
                stages.start("publish")
                publish(paths, build, version)
                result.outcome = "published"
                result.version = version
                stages.start("prune")
                stages.done(rows=len(prune_versions(paths, keep_versions)))  # never the live one, never the newest N
        except _Rejected as rejected:
            result.problems = rejected.problems
        except BaseException as exc:
            stages.fail(exc)
            result.error = f"{type(exc).__name__}: {exc}"
            _log(paths, result, sources, started)
            raise
        finally:
            build.unlink(missing_ok=True)
            build.with_name(build.name + ".wal").unlink(missing_ok=True)
        _log(paths, result, sources, started)
        return result


def _log(paths: WarehousePaths, result: LoadResult, sources: Sequence[Source], started: dt.datetime) -> None:
    rejected_rows = sum(p.count for p in {(p.file, p.column, p.reason): p for p in result.problems}.values())
    append_load_log(
        paths,
        {
            "load_id": result.load_id,
            "started_at": started.isoformat(),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(),
            "sources": [{"name": s.name, "path": str(s.path)} for s in sources],
            "files": result.files,
            "outcome": result.outcome,
            "version": result.version,
            "problems": len(result.problems),
            "rows_rejected": rejected_rows,
            "error": result.error,
            "outside_life": _outside_life_record(result.outside_life),
        },
    )


def _outside_life_record(found: OutsideLife | None) -> dict[str, int] | None:
    if found is None:
        return None
    return {
        "after_abolition": found.after_abolition,
        "before_creation": found.before_creation,
        "overlap_pairs": found.overlap_pairs,
    }


def _connect_for_build(build: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(build))
    con.execute(f"SET memory_limit = {sql_literal(settings.etl_memory())}")
    con.execute(f"SET temp_directory = {sql_literal(build.parent / SPILL_DIR)}")
    con.execute("SET preserve_insertion_order = true")  # staging rowid must follow file order
    return con


def _build(
    paths: WarehousePaths,
    build: Path,
    version: str,
    sources: Sequence[Source],
    result: LoadResult,
    reference_dir: Path | None,
    progress: bool | None,
    stages: StageLog,
    stream: bool = True,
) -> None:
    steps = tqdm(
        total=3 + 2 * len(sources), desc="load", unit="step", disable=(not progress) if progress is not None else None
    )
    con = _connect_for_build(build)
    try:
        stages.start("reference")
        _create_schema(con)
        _insert_reference(con, reference_dir)
        stages.done(rows=con.execute("SELECT count(*) FROM ref.authorities").fetchone()[0])
        steps.update()
        stages.start("previous")
        replaced = [s.name for s in sources]
        _attach_previous(con, paths)
        _keep_previous_definitions(con, replaced)
        create_incoming_tables(con)
        problems: list[Problem] = []
        loaded: list[tuple[Source, StagedFile]] = []
        for source in sources:
            steps.set_postfix_str(source.name)
            stages.start(f"stage:{source.name}")
            staged, found = stage_source(con, source.path, stream)
            stages.done(rows=sum(f.rows_read for f in staged), outcome="rejected" if found else "ok")
            steps.update()
            stages.start(f"validate:{source.name}")
            found += _validate_and_transform(con, source, staged, found)
            stages.done(rows=sum(f.rows_loaded for f in staged), outcome="rejected" if found else "ok")
            problems += found
            loaded += [(source, f) for f in staged]
            result.files = [_file_record(s, f) for s, f in loaded]
            steps.update()
        if problems:  # the streamed files are not checked yet: check them too, to report all at once
            problems += _check_streamed(con, loaded, stages)
            result.files = [_file_record(s, f) for s, f in loaded]
            raise _Rejected(problems)
        stages.start("write")
        try:
            _write_final_tables(con, replaced)
        except StreamRefused:  # a streamed file needs the staged checks: they name its rows
            stages.done(outcome="refused")
            refused = _check_streamed(con, loaded, stages)
            result.files = [_file_record(s, f) for s, f in loaded]
            if refused:
                raise _Rejected(refused) from None
            stages.start("write")  # the checks passed what the one-pass test could not: write staged
            _write_final_tables(con, replaced)
        repeated = _repeated_values(con, loaded)
        if repeated:
            for record in result.files:  # nothing of this attempt is loaded after all
                record["rows_loaded"] = 0
            raise _Rejected(repeated)
        result.outside_life = outside_life_summary(con, sources=replaced)
        _write_provenance(con, sources, result, version)
        stages.done(rows=con.execute("SELECT count(*) FROM indicator_values").fetchone()[0])
        steps.update()
        stages.start("integrity")
        found_integrity = integrity_problems(con)
        if found_integrity:
            raise RuntimeError("integrity check failed: " + "; ".join(found_integrity))
        stages.start("checkpoint")
        con.execute("CHECKPOINT")
        stages.done()
        steps.update()
    finally:
        con.close()
        steps.close()


def _insert_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path | None) -> None:
    for table, frame in _reference_frames(reference_dir).items():
        con.register("reference_frame", frame)
        columns = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM reference_frame")
        con.unregister("reference_frame")


def _reference_frames(reference_dir: Path | None) -> dict[str, pd.DataFrame]:
    """The ref tables built from the register, reused while its files are unchanged."""
    base = (reference_dir or reference.default_reference_dir()).resolve()
    files = [*(base / name for name in reference.REFERENCE_FILES), reference.CORRECTIONS_FILE]
    stamp = tuple(f.stat().st_mtime_ns if f.exists() else None for f in files)
    return _read_reference_frames(base, stamp)


@functools.lru_cache(maxsize=2)  # building the frames takes ~1 s; a process may load many times
def _read_reference_frames(base: Path, stamp: tuple[int | None, ...]) -> dict[str, pd.DataFrame]:
    return {
        "ref.authorities": reference.read_authorities(base),
        "ref.authority_names": reference.read_authority_names(base),
        "ref.authority_codes": reference.read_authority_codes(base),
        "ref.reference_sources": pd.DataFrame(reference.REFERENCE_SOURCES),
    }


def _create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The tables and views of a new version file, then the persistent macros."""
    con.execute(SCHEMA_SQL.read_text())
    con.execute(MACROS_SQL.read_text())


def _attach_previous(con: duckdb.DuckDBPyConnection, paths: WarehousePaths) -> None:
    """Attach the published version read-only as ``prev`` (an empty stand-in when there is none)."""
    current = paths.current_file()
    if current is not None and current.exists():
        con.execute("ATTACH ? AS prev (READ_ONLY)", [str(current)])
        return
    build_db = con.execute("SELECT current_database()").fetchone()[0]
    con.execute("ATTACH ':memory:' AS prev")
    con.execute("USE prev")
    con.execute(SCHEMA_SQL.read_text())
    con.execute(f'USE "{build_db}"')


def _columns(con: duckdb.DuckDBPyConnection, database: str, table: str) -> list[str]:
    """The columns of ``database.main.table`` in order; empty when there is no such table."""
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' "
        "AND table_name = ? ORDER BY column_index",
        [database, table],
    ).fetchall()
    return [r[0] for r in rows]


def _kept_rows(con: duckdb.DuckDBPyConnection, table: str, computed: tuple[str, ...] = ()) -> str | None:
    """SELECT of the previous version's rows of ``table`` from sources not being reloaded.

    Column by column of this schema (minus ``computed`` ones, which the caller derives), so a
    version of an older schema carries its data over: a column it lacks is NULL, a table it
    lacks gives None. Binds ``$replaced`` (the reloaded source names).
    """
    before = set(_columns(con, "prev", table))
    if not before:
        return None
    build_db = con.execute("SELECT current_database()").fetchone()[0]
    now = [c for c in _columns(con, build_db, table) if c not in computed]
    select = ", ".join(c if c in before else f"NULL AS {c}" for c in now)
    return f"SELECT {select} FROM prev.{table} WHERE NOT list_contains($replaced, source_name)"


def _keep_previous_definitions(con: duckdb.DuckDBPyConnection, replaced: list[str]) -> None:
    """Copy the definitions (indicators, questions, peer sets) of sources not being replaced, and
    note who owns each id (``kept_<table>``), so another source cannot redefine it."""
    for spec in CONTRACT:
        if spec.defines is None or spec.storage is None:
            continue
        table = spec.storage.table
        kept = _kept_rows(con, table)
        if kept is not None:  # versions published before peer sets existed lack the table
            con.execute(f"INSERT INTO {table} BY NAME {kept}", {"replaced": replaced})
        con.execute(f"CREATE OR REPLACE TEMP TABLE kept_{table} AS SELECT {spec.defines}, source_name FROM {table}")


def _validate_and_transform(
    con: duckdb.DuckDBPyConnection, source: Source, staged: list[StagedFile], structural: list[Problem]
) -> list[Problem]:
    """Validate each staged file in contract order and store its rows; returns new problems.

    A file whose header was unusable is skipped; one with rejected rows is still checked
    (so every fault is reported at once) but never stored. A streamed file only gets its period
    map here: its rows are checked by the final write that reads them.
    """
    by_name = {f.spec.file_name: f for f in staged}
    problems: list[Problem] = []
    for spec in CONTRACT:
        staged_file = by_name.get(spec.file_name)
        own = [p for p in structural if p.file == spec.file_name]
        if staged_file is None or any(p.row in (None, 1) for p in own):
            continue
        table = spec.scan_table if staged_file.streamed else spec.table
        if spec.period_column:
            build_period_map(con, table, spec.period_column, spec.periods_table)
        found = [] if staged_file.streamed else validate_staged(con, spec, staged_file.rejected_rows, source.name)
        problems += found
        if not found and not own:
            staged_file.rows_loaded = store_checked(con, staged_file, source.name)
            if spec.defines is not None and spec.storage is not None:
                # the ids are this source's now: a later source of the same load may not redefine them
                stored = spec.storage.table
                con.execute(
                    f"INSERT INTO kept_{stored} SELECT {spec.defines}, source_name FROM {stored} WHERE source_name = ?",
                    [source.name],
                )
    return problems


def _check_streamed(
    con: duckdb.DuckDBPyConnection, loaded: list[tuple[Source, StagedFile]], stages: StageLog
) -> list[Problem]:
    """Go back to each streamed file: stage it as text and run every check of the contract on it,
    against the indicators known when it was read. Returns the problems (file, row, column,
    reason); a file without any is kept staged for the write instead (``restage_streamed``).
    """
    problems: list[Problem] = []
    for source, staged in loaded:
        if not staged.streamed or staged.part is None:
            continue
        spec = staged.spec
        stages.start(f"validate:{source.name}")
        again, found = stage_file(con, spec, staged.path)
        if not any(p.row in (None, 1) for p in found):
            assert spec.period_column is not None
            build_period_map(con, spec.table, spec.period_column, spec.periods_table)
            known = f"{spec.stem}_indicators_{staged.part}"
            found += validate_staged(con, spec, again.rejected_rows, source.name, indicators=known)
        staged.streamed, staged.rejected_rows = False, again.rejected_rows
        if found:
            staged.rows_loaded = 0
            problems += found
        else:
            staged.rows_loaded = restage_streamed(con, spec, source.name, staged.part)
        stages.done(rows=staged.rows_loaded, outcome="rejected" if found else "ok")
    return problems


def _write_final_tables(con: duckdb.DuckDBPyConnection, replaced: list[str]) -> None:
    """Write the collected files sorted for the dashboard: kept rows plus incoming rows."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE all_periods AS
           SELECT period, any_value(period_start) AS period_start, any_value(period_end) AS period_end,
                  any_value(period_kind) AS period_kind
           FROM (SELECT period, period_start, period_end, period_kind FROM prev.periods
                 UNION ALL SELECT * FROM incoming_periods)
           GROUP BY period"""
    )
    _insert_values_sorted(con, replaced)
    for spec in CONTRACT:
        storage = spec.storage
        if storage is None or storage.sort is None or storage.deferred is not None:
            continue
        kept = _kept_rows(con, storage.table)
        rows = (
            f"{kept} UNION ALL BY NAME SELECT * FROM {storage.incoming}"
            if kept
            else f"SELECT * FROM {storage.incoming}"
        )
        con.execute(
            f"INSERT INTO {storage.table} BY NAME SELECT * FROM ({rows}) ORDER BY {storage.sort}",
            {"replaced": replaced} if kept else None,
        )
    con.execute(
        """INSERT INTO periods
           SELECT * FROM all_periods
           WHERE period IN (SELECT DISTINCT period FROM indicator_values)
              OR period IN (SELECT DISTINCT round FROM responses)
           ORDER BY period_start"""
    )


def _insert_values_sorted(con: duckdb.DuckDBPyConnection, replaced: list[str]) -> None:
    """Write kept and incoming values in one sorted insert (indicator, period, authority): see
    ``etl.valuewrite``, which reads streamed files itself.

    Raises:
        StreamRefused: a streamed file holds a row that needs the staged checks.
    """
    storage = VALUES.storage
    assert storage is not None
    write_sorted_values(con, _kept_rows(con, storage.table, computed=("outside_life",)), replaced)


def _repeated_values(con: duckdb.DuckDBPyConnection, loaded: list[tuple[Source, StagedFile]]) -> list[Problem]:
    """Repeated (authority, indicator, period) keys among the values just written, as problems
    naming each kept file's rows; empty when every key is unique (the usual, cheap case). A
    streamed file is staged again to find its rows."""
    if not repeated_stored_values(con):
        return []
    problems: list[Problem] = []
    for source, staged in loaded:
        if staged.streamed:
            spec = staged.spec
            stage_file(con, spec, staged.path)
            assert spec.period_column is not None
            build_period_map(con, spec.table, spec.period_column, spec.periods_table)
            problems += duplicate_value_problems(con, spec.table, spec.periods_table, source.name)
    for view in deferred_values(con):
        number = view.rsplit("_", 1)[1]
        source_name = con.execute(f"SELECT source_name FROM {view} LIMIT 1").fetchone()[0]
        problems += duplicate_value_problems(
            con, f"{VALUES.table}_{number}", f"{VALUES.periods_table}_{number}", source_name
        )
    assert VALUES.unique_key is not None
    return problems or [
        Problem(
            VALUES.file_name,
            None,
            VALUES.unique_key.columns,
            None,
            "the same authority, indicator and period is loaded twice",
        )
    ]


def _file_record(source: Source, staged: StagedFile) -> dict[str, object]:
    return {
        "source": source.name,
        "file": staged.spec.file_name,
        "sha256": staged.sha256,
        "rows_read": staged.rows_read,
        "rows_loaded": staged.rows_loaded,
    }


def _write_provenance(
    con: duckdb.DuckDBPyConnection, sources: Sequence[Source], result: LoadResult, version: str
) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    replaced = [s.name for s in sources]
    for table in ("source_files", "load_history"):
        kept = _kept_rows(con, table)
        if kept is not None:
            con.execute(f"INSERT INTO {table} BY NAME {kept}", {"replaced": replaced})
    # files recorded by a version that did not say what each file holds
    con.execute(f"UPDATE source_files SET holds = {contents_sql('file_name')} WHERE holds IS NULL")
    by_name = {s.name: s for s in sources}
    for record in result.files:
        source = by_name[str(record["source"])]
        con.execute(
            """INSERT INTO source_files (source_name, file_name, sha256, rows_loaded, load_id, loaded_at,
                                         is_synthetic, holds, publisher, licence)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                record["source"],
                record["file"],
                record["sha256"],
                record["rows_loaded"],
                version,
                now,
                source.synthetic,
                FILE_SPECS[str(record["file"])].holds,
                source.publisher,
                source.licence,
            ],
        )
        con.execute(
            "INSERT INTO load_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 'published')",
            [
                version,
                now,
                now,
                record["source"],
                record["file"],
                record["sha256"],
                record["rows_read"],
                record["rows_loaded"],
            ],
        )
    withhold_private(con, replaced)  # before anything below reads source_files
    is_demo = con.execute("SELECT coalesce(bool_or(is_synthetic), false) FROM source_files").fetchone()[0]
    meta = {
        "data_version": version,
        "published_at": now.isoformat(timespec="seconds") + "Z",
        "schema_version": SCHEMA_VERSION,
        "is_demo": "true" if is_demo else "false",
        "built_by": f"etl {time.strftime('%Y-%m-%d')}",
    }
    con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
