"""Where the warehouse lives on disk, and how a new version is published atomically.

Layout beside the live path ``data/exemplar.duckdb`` (or ``$EXEMPLAR_WAREHOUSE``)::

    exemplar.duckdb              symlink to the published version (switched in one rename)
    exemplar.versions/           one immutable DuckDB file per published version
    exemplar.loads.jsonl         append-only log of every load attempt, failed ones included
    exemplar.inbox/              self-assessment submissions waiting for ``etl load-inbox``
    exemplar.lock                held by the one ETL process allowed to publish at a time

Published files are never modified, so the dashboard can read one while the ETL builds the
next; a crash (even ``kill -9``) before the final rename leaves the old version serving.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from etl import settings

__all__ = [
    "SCHEMA_VERSION",
    "WarehousePaths",
    "default_warehouse_path",
    "publish",
    "etl_lock",
    "new_version_id",
    "append_load_log",
    "read_load_log",
    "fsync_dir",
]

ENV_VAR = settings.WAREHOUSE.name
SCHEMA_VERSION = "4"  # bump when a table, view or macro changes shape: readers refuse older files
PROJECT_ROOT = settings.PROJECT_ROOT
DEFAULT_WAREHOUSE = settings.DEFAULT_WAREHOUSE
BUILDING_PREFIX = ".building-"  # files a crashed build left behind start with this
SPILL_DIR = ".spill"  # DuckDB's temp_directory for a build, inside the versions folder


def default_warehouse_path() -> Path:
    """The live warehouse path: ``$EXEMPLAR_WAREHOUSE`` or ``data/exemplar.duckdb``."""
    return settings.warehouse()


@dataclass(frozen=True)
class WarehousePaths:
    """Every path derived from one live warehouse path."""

    live: Path

    @classmethod
    def from_env(cls, path: str | Path | None = None) -> WarehousePaths:
        """Paths for ``path``, or for the environment's warehouse when ``path`` is None."""
        return cls(Path(path) if path else default_warehouse_path())

    @property
    def stem(self) -> str:
        return self.live.name.removesuffix(".duckdb")

    @property
    def versions_dir(self) -> Path:
        return self.live.parent / f"{self.stem}.versions"

    @property
    def load_log(self) -> Path:
        return self.live.parent / f"{self.stem}.loads.jsonl"

    @property
    def inbox(self) -> Path:
        return self.live.parent / f"{self.stem}.inbox"

    @property
    def lock_file(self) -> Path:
        return self.live.parent / f"{self.stem}.lock"

    def version_file(self, version: str) -> Path:
        """The immutable file that holds ``version``."""
        return self.versions_dir / f"{self.stem}-{version}.duckdb"

    def building_file(self, version: str) -> Path:
        """Where ``version`` is built before it is published."""
        return self.versions_dir / f"{BUILDING_PREFIX}{self.stem}-{version}.duckdb"

    def current_file(self) -> Path | None:
        """The published version file the live path points at, or None when nothing is published."""
        if not self.live.exists():
            return None
        return self.live.resolve()

    def current_version(self) -> str | None:
        """The version id of the published warehouse, or None."""
        current = self.current_file()
        if current is None:
            return None
        prefix = f"{self.stem}-"
        name = current.name.removesuffix(".duckdb")
        return name[len(prefix) :] if name.startswith(prefix) else name

    def published_versions(self) -> list[str]:
        """Every complete version on disk, oldest first."""
        if not self.versions_dir.exists():
            return []
        prefix = f"{self.stem}-"
        names = [p.name.removesuffix(".duckdb")[len(prefix) :] for p in self.versions_dir.glob(f"{prefix}*.duckdb")]
        return sorted(names)

    def remove_abandoned_builds(self) -> list[Path]:
        """Delete half-built files left by a crashed load; returns what was removed."""
        if not self.versions_dir.exists():
            return []
        removed = []
        for path in self.versions_dir.glob(f"{BUILDING_PREFIX}*"):
            path.unlink(missing_ok=True)
            removed.append(path)
        # DuckDB's spill files of a killed build: only the lock holder (the caller) spills here.
        spill = self.versions_dir / SPILL_DIR
        if spill.is_dir():
            for path in spill.iterdir():
                if path.is_file():
                    path.unlink(missing_ok=True)
                    removed.append(path)
        return removed


def new_version_id(now: dt.datetime | None = None) -> str:
    """A version id that sorts by time: ``20261130T101502.123456-3fa2c1``.

    Microseconds keep two loads in the same second in publishing order (loads are serialised
    by the ETL lock, so their start times differ).
    """
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S.%f}-{secrets.token_hex(3)}"


def fsync_dir(path: Path) -> None:
    """Make a rename or new file in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a file's contents to disk."""
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def publish(paths: WarehousePaths, built: Path, version: str) -> Path:
    """Publish the finished file ``built`` as ``version`` and point the live path at it.

    The switch is one ``rename`` of a symlink, so readers see the old or the new version,
    never a mix. Returns the published file.
    """
    final = paths.version_file(version)
    fsync_file(built)
    os.replace(built, final)
    fsync_dir(paths.versions_dir)
    point_live_at(paths, final)
    return final


def point_live_at(paths: WarehousePaths, target: Path) -> None:
    """Atomically switch the live symlink to ``target`` (relative, so the folder can move)."""
    link_tmp = paths.live.parent / f".{paths.live.name}.{secrets.token_hex(4)}.tmp"
    os.symlink(os.path.relpath(target, paths.live.parent), link_tmp)
    os.replace(link_tmp, paths.live)
    fsync_dir(paths.live.parent)


@contextlib.contextmanager
def etl_lock(paths: WarehousePaths, wait: bool = True) -> Iterator[None]:
    """Hold the warehouse's ETL lock so only one process builds and publishes at a time.

    Raises:
        BlockingIOError: ``wait`` is False and another ETL holds the lock.
    """
    paths.live.parent.mkdir(parents=True, exist_ok=True)
    with open(paths.lock_file, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def append_load_log(paths: WarehousePaths, record: dict[str, object]) -> None:
    """Append one load attempt to the append-only JSON-lines load log."""
    paths.live.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, default=str, sort_keys=True)
    with open(paths.load_log, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_load_log(paths: WarehousePaths) -> list[dict[str, object]]:
    """Every load attempt recorded so far, oldest first (a torn last line is skipped)."""
    if not paths.load_log.exists():
        return []
    records = []
    for line in paths.load_log.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            records.append(json.loads(line))
    return records
