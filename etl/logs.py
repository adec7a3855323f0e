"""Structured stage logging for the ETL: one JSON line per stage of a load.

Each line says which load and stage it was, how long it took, how many rows it handled and
how it ended::

    {"ts": "...", "load_id": "20261130T101502-3fa2c1", "stage": "validate:demo",
     "duration_s": 0.41, "rows": 224000, "outcome": "ok", "error": null}

Lines go to ``<stem>.stages.jsonl`` beside the live warehouse (append-only, like the load
log) and to the ``exemplar.etl`` logger, so an operator can ship them with any log collector.
The calls in ``load.py`` are deliberately flat (``start``/``done``/``fail``) so the build code
keeps its shape: a failure is logged against whichever stage was running.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path
from typing import Any

__all__ = ["StageLog", "stage_log_path", "read_stage_log", "LOGGER_NAME"]

LOGGER_NAME = "exemplar.etl"  # one name so operators can route ETL lines on their own
logger = logging.getLogger(LOGGER_NAME)


def stage_log_path(live: Path) -> Path:
    """The JSON-lines stage log that belongs to the live warehouse path ``live``."""
    return live.parent / f"{live.name.removesuffix('.duckdb')}.stages.jsonl"


class StageLog:
    """Times the stages of one load and writes one JSON line as each ends.

    ``start(stage)`` opens a stage (closing any open one as ``ok``), ``done(rows=...)`` closes
    it, ``fail(exc)`` closes it as failed. Logging never raises: a full disk must not turn a
    clean failure report into a second error.
    """

    def __init__(self, live: Path, load_id: str) -> None:
        self.path = stage_log_path(live)
        self.load_id = load_id
        self._stage: str | None = None
        self._started = 0.0

    def start(self, stage: str) -> None:
        """Begin timing ``stage``; an unfinished previous stage is recorded as ok."""
        if self._stage is not None:
            self.done()
        self._stage = stage
        self._started = time.perf_counter()

    def done(self, rows: int | None = None, outcome: str = "ok") -> None:
        """End the running stage with ``outcome`` (``ok``, ``rejected``...) and its row count."""
        if self._stage is None:
            return
        self._write(self._stage, rows, outcome, None)
        self._stage = None

    def fail(self, exc: BaseException) -> None:
        """End the running stage as failed, naming the exception."""
        if self._stage is None:
            return
        self._write(self._stage, None, "failed", f"{type(exc).__name__}: {exc}")
        self._stage = None

    def _write(self, stage: str, rows: int | None, outcome: str, error: str | None) -> None:
        record: dict[str, Any] = {
            "ts": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "load_id": self.load_id,
            "stage": stage,
            "duration_s": round(time.perf_counter() - self._started, 4),
            "rows": rows,
            "outcome": outcome,
            "error": error,
        }
        line = json.dumps(record, default=str, sort_keys=True)
        logger.info(line)
        try:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:  # the load's own outcome matters more than its log line
            logger.warning("could not write stage log %s: %s", self.path, exc)


def read_stage_log(live: Path) -> list[dict[str, Any]]:
    """Every stage line recorded for ``live`` so far, oldest first (a torn last line is skipped)."""
    path = stage_log_path(live)
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records
