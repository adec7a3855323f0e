"""Published versions: list them, roll the live warehouse back, prune the old ones.

Every publish leaves an immutable file in ``<stem>.versions/``; the live path is a symlink
to one of them. Rolling back is therefore one atomic symlink switch (the same one publish
uses), and pruning only ever deletes files the live path does not point at.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from etl import settings
from etl.integrity import check_file
from etl.provenance import operator_source_files
from etl.status import COUNTED_TABLES
from etl.warehouse import WarehousePaths, append_load_log, etl_lock, point_live_at

__all__ = [
    "KEEP_ENV",
    "DEFAULT_KEEP",
    "VersionInfo",
    "RollbackError",
    "keep_count",
    "list_versions",
    "format_history",
    "versions_to_prune",
    "prune_versions",
    "prune",
    "rollback",
]

KEEP_ENV = settings.KEEP_VERSIONS.name
DEFAULT_KEEP = settings.DEFAULT_KEEP_VERSIONS
# A reader may resolve the live link just before a publish switches it and open that file a
# moment later, so the version published before the live one must survive the prune.
MIN_KEEP = 2
logger = logging.getLogger("exemplar.etl")


class RollbackError(RuntimeError):
    """The requested rollback cannot be done (unknown version, nothing earlier, fails integrity)."""


@dataclass(frozen=True)
class VersionInfo:
    """One published version file and what it holds."""

    version: str
    file: Path
    is_live: bool
    published_at: str | None = None
    sources: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    size_bytes: int = 0
    error: str | None = None  # set when the file cannot be read


def keep_count(keep: int | None = None) -> int:
    """How many versions to keep: ``keep``, else ``$EXEMPLAR_KEEP_VERSIONS``, else 5 (at least 2).

    Raises:
        ValueError: the value is not a whole number.
    """
    if keep is None:
        keep = settings.keep_versions()
    return max(keep, MIN_KEEP)


def _describe(paths: WarehousePaths, version: str, live: str | None) -> VersionInfo:
    file = paths.version_file(version)
    info = VersionInfo(version=version, file=file, is_live=version == live)
    try:
        info = replace(info, size_bytes=file.stat().st_size)
        con = duckdb.connect(str(file), read_only=True)
    except (OSError, duckdb.Error) as exc:
        return replace(info, error=f"{type(exc).__name__}: {exc}")
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        listed = operator_source_files(con)
        sources = [r[0] for r in con.execute(f"SELECT DISTINCT source_name FROM ({listed}) ORDER BY 1").fetchall()]
        counts = {t: int(_scalar(con, f"SELECT count(*) FROM {t}")) for t in COUNTED_TABLES}
    except duckdb.Error as exc:
        return replace(info, error=f"{type(exc).__name__}: {exc}")
    finally:
        con.close()
    return replace(info, published_at=meta.get("published_at"), sources=sources, row_counts=counts)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    return row[0] if row else None


def list_versions(warehouse: str | Path | None = None) -> list[VersionInfo]:
    """Every published version of the warehouse, oldest first, with the live one marked."""
    paths = WarehousePaths.from_env(warehouse)
    live = paths.current_version()
    return [_describe(paths, v, live) for v in paths.published_versions()]


def format_history(versions: list[VersionInfo]) -> str:
    """The versions as lines for a terminal, newest first, the live one starred."""
    if not versions:
        return "Nothing published yet: run `python -m etl build-demo` or `python -m etl load DIR`."
    lines = ["  version                 published             sources  rows"]
    for info in reversed(versions):
        mark = "*" if info.is_live else " "
        if info.error:
            lines.append(f"{mark} {info.version:<22}  unreadable: {info.error}")
            continue
        rows = ", ".join(f"{t} {n:,}" for t, n in info.row_counts.items())
        lines.append(
            f"{mark} {info.version:<22}  {info.published_at or '?':<20}  {', '.join(info.sources) or '-'}  {rows}"
        )
    lines.append("(* = live)")
    return "\n".join(lines)


def versions_to_prune(versions: list[str], live: str | None, keep: int) -> list[str]:
    """The versions to delete: all but the newest ``keep`` (ids sort by time), never ``live``."""
    newest = set(sorted(versions)[-keep:]) if keep > 0 else set()
    return [v for v in sorted(versions) if v not in newest and v != live]


def prune_versions(paths: WarehousePaths, keep: int | None = None) -> list[Path]:
    """Delete versions beyond the newest ``keep`` (the live one always stays); returns the files.

    The caller must hold the ETL lock (``load_sources`` does, after a publish).
    """
    doomed = versions_to_prune(paths.published_versions(), paths.current_version(), keep_count(keep))
    removed = []
    for version in doomed:
        file = paths.version_file(version)
        try:
            file.unlink(missing_ok=True)
            file.with_name(file.name + ".wal").unlink(missing_ok=True)
        except OSError as exc:  # a stuck old file must not fail the publish that just succeeded
            logger.warning("could not prune %s: %s", file, exc)
            continue
        removed.append(file)
    return removed


def prune(warehouse: str | Path | None = None, keep: int | None = None) -> list[Path]:
    """Take the ETL lock and prune old versions of the warehouse; returns the deleted files."""
    paths = WarehousePaths.from_env(warehouse)
    with etl_lock(paths):
        return prune_versions(paths, keep)


def _previous(versions: list[str], live: str | None) -> str:
    earlier = [v for v in versions if live is None or v < live]
    if not earlier:
        raise RollbackError(f"there is no version earlier than the live one ({live})")
    return earlier[-1]


def rollback(warehouse: str | Path | None = None, version: str | None = None) -> tuple[str | None, str]:
    """Point the live warehouse at ``version`` (default: the one before the live one).

    The target must pass the integrity check; the switch is one atomic symlink rename, so
    readers see the old or the new version, never neither. Returns (from, to).

    Raises:
        RollbackError: no such version, nothing earlier, or the target fails its integrity check.
    """
    paths = WarehousePaths.from_env(warehouse)
    with etl_lock(paths):
        versions = paths.published_versions()
        live = paths.current_version()
        # Only an absent version means 'the previous one': an empty name is a name, and unknown.
        target = _previous(versions, live) if version is None else version
        if target not in versions:
            known = ", ".join(reversed(versions[-DEFAULT_KEEP:])) or "none"
            raise RollbackError(f"no published version {target!r} (newest: {known})")
        file = paths.version_file(target)
        problems = check_file(file)
        if problems:
            raise RollbackError(f"version {target} fails its integrity check: {'; '.join(problems)}")
        if target != live:
            point_live_at(paths, file)
        now = dt.datetime.now(dt.UTC).isoformat()
        append_load_log(
            paths,
            {
                "load_id": f"rollback-{target}",
                "started_at": now,
                "finished_at": now,
                "sources": [],
                "files": [],
                "outcome": "rolled_back",
                "version": target,
                "from_version": live,
                "problems": 0,
                "rows_rejected": 0,
                "error": None,
            },
        )
    return live, target
