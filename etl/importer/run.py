"""One import in progress (:class:`ImportRun`): what every step of the pipeline reads and writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from etl.importer.match import Matcher
from etl.importer.read import resolve_column
from etl.importer.report import ImportReport
from etl.importer.spec import Spec
from etl.problems import Problem
from etl.sqltext import sql_identifier, sql_literal

__all__ = ["ImportRun"]


@dataclass
class ImportRun:
    """One import in progress: what every step reads and writes.

    ``con`` is the import's own in-memory DuckDB (temp view ``raw`` holds the file's rows the
    filters keep); ``folder`` receives the contract CSVs; problems go into ``report``.
    """

    spec: Spec
    data_path: Path
    matcher: Matcher
    folder: Path
    report: ImportReport
    con: duckdb.DuckDBPyConnection
    columns: list[str] = field(default_factory=list)
    council_column: str = ""
    lookup_map: dict[str, Any] | None = None  # councils.lookup, read once

    @property
    def file_name(self) -> str:
        """The data file's name, as problems quote it."""
        return self.data_path.name

    def column(self, wanted: str, key: str) -> str:
        """The file's column for the spec's ``wanted`` name (``key`` is the spec option naming it).

        Raises:
            ReadError: the file has no such column.
        """
        return resolve_column(self.columns, wanted, self.file_name, key)

    def problem(
        self,
        row: int | None,
        column: str | None,
        value: object,
        reason: str,
        count: int = 1,
        distinct: int = 0,
        file: str | None = None,
    ) -> None:
        """Record a problem in the data file (or ``file``)."""
        shown = None if value is None else str(value)
        self.report.problems.append(Problem(file or self.file_name, row, column, shown, reason, count, distinct))

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """The first column of the first row of ``sql``."""
        return self.con.execute(sql, params or []).fetchall()[0][0]

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Every row of ``sql`` as tuples."""
        return self.con.execute(sql, params or []).fetchall()

    def table(self, name: str, frame: pd.DataFrame, casts: dict[str, str] | None = None) -> None:
        """Temp table ``name`` (a name of ours, never data) from ``frame``; ``casts`` types columns."""
        self.con.register("_step_frame", frame)
        casts = casts or {}
        picked = ", ".join(
            f"{sql_identifier(c)}::{casts[c]} AS {sql_identifier(c)}" if c in casts else sql_identifier(c)
            for c in frame.columns
        )
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {picked} FROM _step_frame")
        self.con.unregister("_step_frame")

    def copy_csv(self, select: str, file_name: str) -> None:
        """Write the rows of ``select`` to ``file_name`` in the contract folder."""
        self.con.execute(f"COPY ({select}) TO {sql_literal(str(self.folder / file_name))} (HEADER, DELIMITER ',')")
