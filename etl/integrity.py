"""Integrity checks a warehouse file must pass before it is published (and any time after)."""

from __future__ import annotations

from pathlib import Path

import duckdb

__all__ = ["REQUIRED_TABLES", "integrity_problems", "check_file"]

REQUIRED_TABLES = (
    "ref.authorities",
    "ref.authority_names",
    "ref.authority_codes",
    "ref.reference_sources",
    "indicators",
    "periods",
    "indicator_values",
    "questions",
    "responses",
    "source_files",
    "load_history",
    "meta",
)
REQUIRED_META = ("data_version", "published_at", "schema_version", "is_demo")

# Each query returns offending rows; an empty result means the rule holds.
RULES = {
    "a value's indicator is not in indicators": "SELECT DISTINCT v.indicator_id FROM (SELECT DISTINCT indicator_id FROM indicator_values) v "
    "ANTI JOIN indicators i USING (indicator_id) LIMIT 5",
    "a value's period is not in periods": "SELECT DISTINCT v.period FROM (SELECT DISTINCT period FROM indicator_values) v "
    "ANTI JOIN periods p USING (period) LIMIT 5",
    "a value's authority is not in ref.authorities": "SELECT v.authority_code FROM (SELECT DISTINCT authority_code FROM indicator_values) v "
    "ANTI JOIN ref.authorities a USING (authority_code) LIMIT 5",
    "a response's question is not in questions": "SELECT DISTINCT question_id FROM responses ANTI JOIN questions USING (question_id) LIMIT 5",
    "a response's score is outside 1-5": "SELECT score FROM responses WHERE score NOT BETWEEN 1 AND 5 LIMIT 5",
    "a polarity is not higher, lower or neutral": "SELECT polarity FROM indicators WHERE polarity NOT IN ('higher', 'lower', 'neutral') LIMIT 5",
}


def integrity_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Everything wrong with the warehouse behind ``con``; an empty list means it is sound."""
    present = {
        f"{schema}.{name}" if schema != "main" else name
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    missing = [t for t in REQUIRED_TABLES if t not in present]
    if missing:
        return [f"missing table {t}" for t in missing]
    problems = []
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    problems += [f"meta has no {key}" for key in REQUIRED_META if key not in meta]
    if not con.execute("SELECT count(*) FROM ref.authorities").fetchone()[0]:
        problems.append("ref.authorities is empty")
    for rule, sql in RULES.items():
        rows = con.execute(sql).fetchall()
        if rows:
            problems.append(f"{rule}: {', '.join(str(r[0]) for r in rows)}")
    return problems


def check_file(path: Path) -> list[str]:
    """Open ``path`` read-only and return its integrity problems (a file that will not open is one)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        return [f"cannot open {path}: {exc}"]
    try:
        return integrity_problems(con)
    except duckdb.Error as exc:
        return [f"cannot read {path}: {exc}"]
    finally:
        con.close()
