"""The dashboard's only door to the warehouse: named questions, answered read-only.

This is the one module that imports duckdb. Every query is a named ``.sql`` file in a feature's
``sql/`` folder (``dashboard/<feature>/sql/<name>.sql``; names are unique across features, so a
query is found by its name alone) run with parameters, never user text pasted into SQL. Rules
several queries share (which councils belong to a period, the polarity-aware rank, the quartile
band...) are persistent macros of the warehouse itself (``etl/sql/macros.sql``), so no query
copies them.

Features take a :class:`Warehouse` (anything that answers named queries and says its meta facts);
two implementations:

- :class:`FileWarehouse`: the published warehouse. Connections are opened read-only on the
  *resolved* version file, so a newly published warehouse is picked up on the next call without
  a restart, and each call runs on its own cursor, so sessions' threads never share one
  connection. Results are cached per data version in a bounded cache.
- :class:`FrameWarehouse`: the same queries on a private in-memory DuckDB built from pandas
  frames (property tests, benchmarks of the SQL itself), with the same schema and macros.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd

import etl
from dashboard.common.logs import log_error
from etl.warehouse import WarehousePaths

__all__ = [
    "Warehouse",
    "WarehouseUnavailable",
    "FileWarehouse",
    "FrameWarehouse",
    "warehouse",
    "sql_text",
    "query_files",
    "SCHEMA_SQL",
    "MACROS_SQL",
]

DASHBOARD_DIR = Path(__file__).resolve().parent
ETL_SQL_DIR = Path(etl.__file__).resolve().parent / "sql"
SCHEMA_SQL = ETL_SQL_DIR / "schema.sql"  # the warehouse's tables and views
MACROS_SQL = ETL_SQL_DIR / "macros.sql"  # the shared rules, applied right after the schema
OPEN_VERSIONS = 2  # the newest version plus the one in-flight queries may still be reading
RESULT_CACHE_SIZE = 512  # query results kept per process; each is a small peer-group frame
READ_MEMORY_LIMIT = os.environ.get("EXEMPLAR_APP_MEMORY", "256MB")  # keeps the app under 500 MB


class WarehouseUnavailable(RuntimeError):
    """The warehouse is missing, unreadable or not a warehouse; the message says which."""


class Warehouse(Protocol):
    """What every feature needs from a warehouse: named queries and the version's meta facts."""

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        """The result of the named query run with ``params``.

        Raises:
            KeyError: there is no query of that name.
            WarehouseUnavailable: the warehouse cannot answer.
        """
        ...

    def scalar_meta(self) -> dict[str, str]:
        """The meta facts of the version (data_version, published_at, is_demo, schema_version)."""
        ...


@functools.cache
def query_files() -> dict[str, Path]:
    """Every named query: ``{name: path}`` over ``dashboard/*/sql/*.sql``.

    Raises:
        RuntimeError: two features hold a query of the same name (a name must find one file).
    """
    found: dict[str, Path] = {}
    for path in sorted(DASHBOARD_DIR.glob("*/sql/*.sql")):
        if path.stem in found:
            raise RuntimeError(f"query name {path.stem!r} is used twice: {found[path.stem]} and {path}")
        found[path.stem] = path
    return found


@functools.cache
def sql_text(name: str) -> str:
    """The text of the named query (``dashboard/<feature>/sql/<name>.sql``).

    Raises:
        KeyError: there is no query of that name.
    """
    path = query_files().get(name)
    if path is None:
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


class FileWarehouse:
    """Read-only access to the published warehouse at ``path`` (default: the environment's)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.paths = WarehousePaths.from_env(path)
        self._lock = threading.Lock()
        self._connections: OrderedDict[Path, duckdb.DuckDBPyConnection] = OrderedDict()
        self._cache: OrderedDict[tuple[Any, ...], pd.DataFrame] = OrderedDict()
        self._pinned = threading.local()  # per script-run thread: the version its queries read

    # -- connections -------------------------------------------------------------------------
    def pin(self) -> Path:
        """Resolve the live version now and answer this thread's later queries from it.

        ``common.page.open_warehouse`` calls this at the top of every page run, so one run's
        queries (and the data version its downloads name) all come from one version even when a
        publish lands mid-render; the next run pins again and sees the new version.

        Raises:
            WarehouseUnavailable: nothing is published at the path.
        """
        self._pinned.file = None
        self._pinned.file = self.current_file()
        return self._pinned.file

    def current_file(self) -> Path:
        """The version file this thread pinned, else the one the live path points at now.

        Raises:
            WarehouseUnavailable: nothing is published at the path.
        """
        pinned = getattr(self._pinned, "file", None)
        if pinned is not None and pinned.is_file():
            return pinned
        current = self.paths.current_file()
        if current is None or not current.is_file():
            raise WarehouseUnavailable(
                f"No warehouse is published at {self.paths.live}. Build the demo with "
                "`python -m etl build-demo` or load data with `python -m etl load DIR`."
            )
        return current

    def _connection(self, file: Path) -> duckdb.DuckDBPyConnection:
        with self._lock:
            con = self._connections.get(file)
            if con is None:
                try:
                    # The limit is SET after connecting, not passed as config: DuckDB refuses a
                    # second connection to one file with a different config in the same process
                    # (the DuckDB CLI or a test opening the file plainly would otherwise fail).
                    con = duckdb.connect(str(file), read_only=True)
                    con.execute(f"SET memory_limit = '{READ_MEMORY_LIMIT}'")
                except duckdb.Error as exc:
                    raise WarehouseUnavailable(f"The warehouse file {file} cannot be opened: {exc}") from exc
                self._connections[file] = con
                while len(self._connections) > OPEN_VERSIONS:
                    # Dropped, not closed: another session's query may be about to run on a cursor
                    # of it (closing would fail that page); the file is released with its last cursor.
                    self._connections.popitem(last=False)
            self._connections.move_to_end(file)
            return con

    # -- queries ---------------------------------------------------------------------------
    def query(self, name: str, **params: Any) -> pd.DataFrame:
        """Run the named query with ``params`` against the current version; cached per version.

        Raises:
            KeyError: there is no query of that name.
            WarehouseUnavailable: the warehouse is missing or cannot be read.
        """
        file = self.current_file()
        key = (str(file), name, tuple(sorted((k, _hashable(v)) for k, v in params.items())))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached.copy()
        try:
            frame = self._run(file, sql_text(name), params)
        except WarehouseUnavailable as exc:
            log_error("query failed", exc, query=name, params=params, file=str(file))
            raise
        with self._lock:
            self._cache[key] = frame
            while len(self._cache) > RESULT_CACHE_SIZE:
                self._cache.popitem(last=False)
        return frame.copy()

    def _run(self, file: Path, sql: str, params: dict[str, Any]) -> pd.DataFrame:
        cursor = self._connection(file).cursor()
        try:
            return cursor.execute(sql, params or None).df()
        except duckdb.Error as exc:
            raise WarehouseUnavailable(f"The warehouse could not answer ({type(exc).__name__}): {exc}") from exc
        finally:
            cursor.close()

    def scalar_meta(self) -> dict[str, str]:
        """The warehouse's meta facts (data_version, published_at, is_demo, ...)."""
        frame = self.query("meta")
        return dict(zip(frame["key"], frame["value"], strict=True))

    def is_demo(self) -> bool:
        """True when any loaded source is the synthetic demo."""
        return self.scalar_meta().get("is_demo") == "true"

    def clear_cache(self) -> None:
        """Forget cached results (connections stay open), so a benchmark times real queries."""
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        """Close every open connection (tests; the app keeps them for its lifetime)."""
        with self._lock:
            for con in self._connections.values():
                con.close()
            self._connections.clear()
            self._cache.clear()


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(value)
    return value


@functools.cache
def _shared(path: str) -> FileWarehouse:
    return FileWarehouse(path)


def warehouse(path: str | Path | None = None) -> FileWarehouse:
    """The process-wide FileWarehouse for ``path`` (default: ``$EXEMPLAR_WAREHOUSE``)."""
    return _shared(str(WarehousePaths.from_env(path).live))


class FrameWarehouse:
    """The same named queries run on a private in-memory DuckDB built from pandas frames.

    For property tests and benchmarks of the SQL itself: ``tables`` maps a table name (e.g.
    ``indicator_values``, ``ref.authorities``) to its frame; every other table of the schema is
    there, empty, and the warehouse macros are created over them, exactly as in a published
    version. Not cached: frames may change between calls. ``meta`` is what :meth:`scalar_meta`
    returns.
    """

    def __init__(self, tables: dict[str, pd.DataFrame], meta: dict[str, str] | None = None) -> None:
        self._con = duckdb.connect(":memory:")
        self._meta = dict(meta or {})
        self._con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        for name, frame in tables.items():
            self._con.register("_frame", frame)
            # names are ours, not user text; the frame's columns replace the schema's
            self._con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _frame")
            self._con.unregister("_frame")
        self._con.execute(MACROS_SQL.read_text(encoding="utf-8"))  # macros bind to the tables above

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        """Run the named query with ``params`` on the in-memory tables."""
        cursor = self._con.cursor()
        try:
            return cursor.execute(sql_text(name), params or None).df()
        finally:
            cursor.close()

    def scalar_meta(self) -> dict[str, str]:
        """The meta facts given at construction."""
        return dict(self._meta)

    def close(self) -> None:
        """Close the in-memory database."""
        self._con.close()
