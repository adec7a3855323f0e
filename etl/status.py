"""What the published warehouse holds, and the recent load attempts: for ``etl status``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from etl.lifespan import outside_life_summary
from etl.provenance import operator_source_files
from etl.warehouse import WarehousePaths, read_load_log

__all__ = ["warehouse_status", "format_status", "COUNTED_TABLES"]

COUNTED_TABLES = ("ref.authorities", "indicators", "periods", "indicator_values", "questions", "responses")
RECENT_LOADS = 10  # enough to see a pattern of failures without scrolling


def warehouse_status(warehouse: str | Path | None = None) -> dict[str, Any]:
    """Data version, meta, source files with hashes (private ones too, flagged), row counts, the values outside their
    council's life (an ``etl.lifespan.OutsideLife``; None for a file of an older schema) and the
    last load attempts."""
    paths = WarehousePaths.from_env(warehouse)
    status: dict[str, Any] = {
        "warehouse": str(paths.live),
        "published": False,
        "recent_loads": read_load_log(paths)[-RECENT_LOADS:],
    }
    current = paths.current_file()
    if current is None:
        return status
    con = duckdb.connect(str(current), read_only=True)
    try:
        status["published"] = True
        status["file"] = str(current)
        status["meta"] = dict(con.execute("SELECT key, value FROM meta ORDER BY key").fetchall())
        status["row_counts"] = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED_TABLES}
        status["source_files"] = con.execute(operator_source_files(con)).fetchall()
        marked = con.execute(  # files of schema 2 and older have no outside_life column
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = 'indicator_values' "
            "AND column_name = 'outside_life'"
        ).fetchone()[0]
        status["outside_life"] = outside_life_summary(con) if marked else None
    finally:
        con.close()
    return status


def format_status(status: dict[str, Any]) -> str:
    """The status as lines for a terminal."""
    lines = [f"Warehouse: {status['warehouse']}"]
    if not status["published"]:
        lines.append("Nothing published yet: run `python -m etl build-demo` or `python -m etl load DIR`.")
    else:
        meta = status["meta"]
        lines.append(
            f"Data version: {meta.get('data_version')}  published {meta.get('published_at')}"
            f"{'  (synthetic demo data)' if meta.get('is_demo') == 'true' else ''}"
        )
        lines.append("Rows: " + ", ".join(f"{t} {n:,}" for t, n in status["row_counts"].items()))
        lines.append("Sources:")
        for source, file, sha, rows, load_id, private in status["source_files"]:
            lines.append(
                f"  {source}/{file}  {rows:,} rows  sha256 {sha[:16]}…  load {load_id}"
                f"{'  (unpublished answers: on no page, in no export)' if private else ''}"
            )
        if status["outside_life"] is not None:
            lines += status["outside_life"].describe()
    lines.append("Recent loads:")
    for load in status["recent_loads"]:
        names = ", ".join(s["name"] for s in load.get("sources", []))
        lines.append(
            f"  {load['finished_at'][:19]}  {load['outcome']:<9}  {names}"
            f"{_problem_count(load)}"
            f"{'  ' + load['error'] if load.get('error') else ''}"
        )
    return "\n".join(lines)


def _problem_count(load: dict[str, Any]) -> str:
    """``  3 problems, 120 rows rejected`` for a load that had problems; empty otherwise."""
    count = int(load.get("problems") or 0)
    if not count:
        return ""
    rejected = int(load.get("rows_rejected") or 0)
    return f"  {count} problem{'s' if count != 1 else ''}" + (
        f", {rejected:,} row{'s' if rejected != 1 else ''} rejected" if rejected else ""
    )
