"""Load: build a new warehouse version from the last published one plus new sources, then publish.

The build happens in a new file; the live path switches to it in one rename only after
validation and the integrity check pass. A failure at any point leaves the live warehouse
exactly as it was, and every attempt is appended to the load log.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from tqdm import tqdm

from etl import reference
from etl.extract import StagedFile, stage_source
from etl.history import prune_versions
from etl.integrity import check_file, integrity_problems
from etl.logs import StageLog
from etl.problems import Problem
from etl.sqltext import sql_literal
from etl.transform import (
    append_incoming_comparators,
    append_incoming_peer_members,
    append_incoming_responses,
    create_incoming_tables,
    defer_incoming_values,
    deferred_values,
    insert_indicators,
    insert_peer_sets,
    insert_questions,
    record_periods,
)
from etl.validate import (
    KEY_COLUMNS,
    build_period_map,
    duplicate_value_problems,
    repeated_stored_values,
    validate_staged,
)
from etl.warehouse import SCHEMA_VERSION, SPILL_DIR, WarehousePaths, append_load_log, etl_lock, new_version_id, publish

__all__ = ["Source", "LoadResult", "load_sources", "SCHEMA_VERSION", "ETL_MEMORY_ENV"]

SCHEMA_SQL = Path(__file__).with_name("sql") / "schema.sql"
MACROS_SQL = Path(__file__).with_name("sql") / "macros.sql"  # the dashboard's shared rules, after the schema
ETL_MEMORY_ENV = "EXEMPLAR_ETL_MEMORY"
DEFAULT_ETL_MEMORY = "1GB"  # leaves headroom under the 2 GB peak target; DuckDB spills beyond it


@dataclass(frozen=True)
class Source:
    """A folder of contract files and the name its rows are stored under."""

    path: Path
    name: str
    synthetic: bool = False

    @classmethod
    def of(cls, path: str | Path, name: str | None = None, synthetic: bool = False) -> Source:
        """A source named after its folder unless ``name`` is given."""
        folder = Path(path)
        return cls(folder, name or folder.resolve().name, synthetic)


@dataclass
class LoadResult:
    """What a load or validation did: its outcome, problems, version and row counts."""

    load_id: str
    outcome: str  # published | validated | failed
    problems: list[Problem] = field(default_factory=list)
    version: str | None = None
    files: list[dict[str, object]] = field(default_factory=list)
    error: str | None = None

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
) -> LoadResult:
    """Validate ``sources`` and, unless ``validate_only``, publish a new warehouse version.

    A loaded source replaces every row previously loaded under the same source name; rows
    from other sources are kept. Returns a LoadResult; validation problems do not raise.

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
            _build(paths, build, version, sources, result, reference_dir, progress, stages)
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
                stages.done(rows=len(prune_versions(paths)))  # never the live one, never the newest N
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
        },
    )


def _connect_for_build(build: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(build))
    con.execute(f"SET memory_limit = '{os.environ.get(ETL_MEMORY_ENV, DEFAULT_ETL_MEMORY)}'")
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
) -> None:
    steps = tqdm(
        total=3 + 2 * len(sources), desc="load", unit="step", disable=(not progress) if progress is not None else None
    )
    con = _connect_for_build(build)
    try:
        stages.start("reference")
        con.execute(SCHEMA_SQL.read_text())
        con.execute(MACROS_SQL.read_text())  # persistent macros bind to the tables just created
        _insert_reference(con, reference_dir)
        stages.done(rows=con.execute("SELECT count(*) FROM ref.authorities").fetchone()[0])
        steps.update()
        stages.start("previous")
        replaced = [s.name for s in sources]
        _attach_previous(con, paths)
        _keep_previous_definitions(con, replaced)
        create_incoming_tables(con)
        problems: list[Problem] = []
        for source in sources:
            steps.set_postfix_str(source.name)
            stages.start(f"stage:{source.name}")
            staged, found = stage_source(con, source.path)
            stages.done(rows=sum(f.rows_read for f in staged), outcome="rejected" if found else "ok")
            steps.update()
            stages.start(f"validate:{source.name}")
            found += _validate_and_transform(con, source, staged, found)
            stages.done(rows=sum(f.rows_loaded for f in staged), outcome="rejected" if found else "ok")
            problems += found
            result.files += [_file_record(source, f) for f in staged]
            steps.update()
        if problems:
            raise _Rejected(problems)
        stages.start("write")
        _write_final_tables(con, replaced)
        repeated = _repeated_values(con)
        if repeated:
            for record in result.files:  # nothing of this attempt is loaded after all
                record["rows_loaded"] = 0
            raise _Rejected(repeated)
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
    files = [
        base / reference.REGISTER_FILE,
        base / reference.NAMES_FILE,
        base / reference.GSS_FILE,
        base / reference.DEPRIVATION_FILE,
    ]
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


def _keep_previous_definitions(con: duckdb.DuckDBPyConnection, replaced: list[str]) -> None:
    """Copy indicators and questions from sources not being replaced; index what is known."""
    con.execute(
        "INSERT INTO indicators SELECT * FROM prev.indicators WHERE NOT list_contains(?, source_name)", [replaced]
    )
    con.execute(
        "INSERT INTO questions SELECT * FROM prev.questions WHERE NOT list_contains(?, source_name)", [replaced]
    )
    con.execute("CREATE OR REPLACE TEMP TABLE kept_indicators AS SELECT indicator_id, source_name FROM indicators")
    con.execute("CREATE OR REPLACE TEMP TABLE kept_questions AS SELECT question_id, source_name FROM questions")
    if _prev_has(con, "peer_sets"):  # versions published before peer sets existed lack the table
        con.execute(
            "INSERT INTO peer_sets SELECT * FROM prev.peer_sets WHERE NOT list_contains(?, source_name)", [replaced]
        )
    con.execute("CREATE OR REPLACE TEMP TABLE kept_peer_sets AS SELECT set_id, source_name FROM peer_sets")


def _prev_has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the previous version holds ``table`` (older versions predate some tables)."""
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'prev' AND schema_name = 'main' AND table_name = ?",
            [table],
        ).fetchone()[0]
    )


def _refresh_known(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE known_indicators AS SELECT indicator_id, min_value, max_value FROM indicators"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE known_questions AS SELECT question_id FROM questions")


def _validate_and_transform(
    con: duckdb.DuckDBPyConnection, source: Source, staged: list[StagedFile], structural: list[Problem]
) -> list[Problem]:
    """Validate each staged file in contract order and append its rows; returns new problems.

    A file whose header was unusable is skipped; one with rejected rows is still checked
    (so every fault is reported at once) but never appended.
    """
    by_name = {f.spec.file_name: f for f in staged}
    problems: list[Problem] = []
    for file_name in (
        "indicators.csv",
        "questions.csv",
        "values.csv",
        "responses.csv",
        "comparators.csv",
        "peer_sets.csv",
        "peer_set_members.csv",
    ):
        staged_file = by_name.get(file_name)
        own = [p for p in structural if p.file == file_name]
        if staged_file is None or any(p.row in (None, 1) for p in own):
            continue
        if file_name == "values.csv":
            build_period_map(con, "stage_values", "period", "values_periods")
        if file_name == "responses.csv":
            build_period_map(con, "stage_responses", "round", "responses_periods")
        if file_name == "comparators.csv":
            build_period_map(con, "stage_comparators", "period", "comparators_periods")
        if file_name == "peer_set_members.csv":  # members may only join sets this source defines
            con.execute(
                "CREATE OR REPLACE TEMP TABLE known_peer_sets AS SELECT set_id, kind FROM peer_sets "
                "WHERE source_name = ?",
                [source.name],
            )
        _refresh_known(con)
        found = validate_staged(con, file_name, sorted(p.row for p in own if p.row))
        problems += found
        if not found and not own:
            staged_file.rows_loaded = _append(con, file_name, source.name)
    return problems


def _append(con: duckdb.DuckDBPyConnection, file_name: str, source_name: str) -> int:
    if file_name == "indicators.csv":
        return insert_indicators(con, source_name)
    if file_name == "questions.csv":
        return insert_questions(con, source_name)
    if file_name == "values.csv":
        record_periods(con, "values_periods")
        return defer_incoming_values(con, source_name)
    if file_name == "comparators.csv":
        return append_incoming_comparators(con, source_name)
    if file_name == "peer_sets.csv":
        return insert_peer_sets(con, source_name)
    if file_name == "peer_set_members.csv":
        return append_incoming_peer_members(con, source_name)
    record_periods(con, "responses_periods")
    return append_incoming_responses(con, source_name)


def _write_final_tables(con: duckdb.DuckDBPyConnection, replaced: list[str]) -> None:
    """Write values and responses sorted for the dashboard: kept rows plus incoming rows."""
    _insert_values_sorted(con, replaced)
    con.execute(
        """INSERT INTO responses
           SELECT * FROM (
               SELECT * FROM prev.responses WHERE NOT list_contains(?, source_name)
               UNION ALL SELECT * FROM incoming_responses)
           ORDER BY round_start, question_id, authority_code""",
        [replaced],
    )
    for table, incoming, order in (
        ("comparator_values", "incoming_comparators", "indicator_id, period_start, area_name"),
        ("peer_set_members", "incoming_peer_members", "set_id, authority_code, rank"),
    ):
        kept = (
            f"SELECT * FROM prev.{table} WHERE NOT list_contains($replaced, source_name) UNION ALL "
            if _prev_has(con, table)
            else ""
        )
        con.execute(
            f"INSERT INTO {table} SELECT * FROM ({kept}SELECT * FROM {incoming}) ORDER BY {order}",
            {"replaced": replaced} if kept else None,
        )
    con.execute(
        """INSERT INTO periods
           SELECT period, any_value(period_start), any_value(period_end), any_value(period_kind)
           FROM (SELECT * FROM prev.periods UNION ALL SELECT * FROM incoming_periods)
           WHERE period IN (SELECT DISTINCT period FROM indicator_values)
              OR period IN (SELECT DISTINCT round FROM responses)
           GROUP BY period ORDER BY any_value(period_start)"""
    )


def _insert_values_sorted(con: duckdb.DuckDBPyConnection, replaced: list[str]) -> None:
    """Write kept and incoming values in one sorted insert (indicator, period, authority).

    One sort of 16M rows (spilling past the memory limit) measured ~2x faster than sorting
    slices of the indicator list: each slice re-reads and re-joins every staged row.
    """
    incoming = "".join(f" UNION ALL SELECT * FROM {view}" for view in ["incoming_values", *deferred_values(con)])
    con.execute(
        f"""INSERT INTO indicator_values
            SELECT * FROM (
                SELECT * FROM prev.indicator_values WHERE NOT list_contains(?, source_name){incoming})
            ORDER BY indicator_id, period_start, period, authority_code""",
        [replaced],
    )


def _repeated_values(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """Repeated (authority, indicator, period) keys among the values just written, as problems
    naming each kept file's rows; empty when every key is unique (the usual, cheap case)."""
    if not repeated_stored_values(con):
        return []
    problems: list[Problem] = []
    for view in deferred_values(con):
        number = view.rsplit("_", 1)[1]
        source_name = con.execute(f"SELECT source_name FROM {view} LIMIT 1").fetchone()[0]
        problems += duplicate_value_problems(con, f"stage_values_{number}", f"values_periods_{number}", source_name)
    return problems or [
        Problem(
            "values.csv",
            None,
            KEY_COLUMNS["values.csv"],
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
    con.execute(
        "INSERT INTO source_files SELECT * FROM prev.source_files WHERE NOT list_contains(?, source_name)", [replaced]
    )
    con.execute(
        "INSERT INTO load_history SELECT * FROM prev.load_history WHERE NOT list_contains(?, source_name)", [replaced]
    )
    synthetic = {s.name: s.synthetic for s in sources}
    for record in result.files:
        con.execute(
            "INSERT INTO source_files VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                record["source"],
                record["file"],
                record["sha256"],
                record["rows_loaded"],
                version,
                now,
                synthetic[str(record["source"])],
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
    is_demo = con.execute("SELECT coalesce(bool_or(is_synthetic), false) FROM source_files").fetchone()[0]
    meta = {
        "data_version": version,
        "published_at": now.isoformat(timespec="seconds") + "Z",
        "schema_version": SCHEMA_VERSION,
        "is_demo": "true" if is_demo else "false",
        "built_by": f"etl {time.strftime('%Y-%m-%d')}",
    }
    con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
