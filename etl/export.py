"""Export every table of the live warehouse as Parquet or CSV files, for other tools.

Self-assessment answers leave only through the ``published_responses`` view (exported as a
table of that name): the raw ``responses`` table, which holds unpublished answers, is withheld,
and so is the whole ``private`` schema (what only the operator sees about files holding
unpublished answers: their hashes, rows and loads; see ``etl.provenance``).

One file per table, named after its schema-qualified name with ``__`` for the dot
(``ref.authorities`` -> ``ref__authorities.parquet``; tables in the main schema keep their
plain name, ``indicator_values.parquet``), plus ``manifest.json`` naming the data version,
each file's row count and its SHA-256. The export reads one resolved version file, so a
publish during the export cannot mix two versions; files are written under temporary
names and renamed into place, the manifest last, so a reader that waits for the manifest
never sees a half-written table.

A Parquet export also gets ``exemplar.duckdb``: a tiny DuckDB file holding only views over the
Parquet files (by absolute path). Point ``EXEMPLAR_WAREHOUSE`` at it and the dashboard serves
the export exactly as it serves the warehouse, so app replicas on other machines can read one
export on shared storage. Export each version to its own folder: the views name their files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.provenance import PRIVATE_SCHEMA
from etl.sqltext import sql_identifier, sql_literal
from etl.warehouse import WarehousePaths

__all__ = ["FORMATS", "ExportResult", "export_warehouse", "export_file_name", "MANIFEST", "VIEWS_FILE"]

FORMATS = ("parquet", "csv")
MANIFEST = "manifest.json"  # written last: its presence means the export is complete
VIEWS_FILE = "exemplar.duckdb"  # views over the Parquet files: a warehouse the dashboard can open
# Unpublished self-assessment answers never leave the warehouse, nor does anything about the files
# that hold them; published_responses carries the published answers.
WITHHELD_TABLES = frozenset({("main", "responses")})
WITHHELD_SCHEMAS = frozenset({PRIVATE_SCHEMA})
EXPORTED_VIEWS = (("main", "published_responses"),)
COPY_OPTIONS = {
    "parquet": "FORMAT parquet, COMPRESSION zstd",  # zstd: small files that every Parquet reader opens
    "csv": "FORMAT csv, HEADER true",  # plain RFC 4180 for tools; Excel downloads live in the app
}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the data version and {table: (file, rows)}."""

    data_version: str
    directory: Path
    tables: dict[str, tuple[Path, int]]


def export_file_name(schema: str, table: str, fmt: str) -> str:
    """The file a table is exported to: ``ref__authorities.parquet``, ``indicators.csv``."""
    stem = table if schema == "main" else f"{schema}__{table}"
    return f"{stem}.{fmt}"


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """The tables and views an export writes: every table but the withheld ones, plus the exported views."""
    tables = [
        (s, t)
        for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() ORDER BY schema_name, table_name"
        ).fetchall()
        if (s, t) not in WITHHELD_TABLES and s not in WITHHELD_SCHEMAS
    ]
    views = {
        (s, v)
        for s, v in con.execute(
            "SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = current_database()"
        ).fetchall()
    }
    return tables + [view for view in EXPORTED_VIEWS if view in views]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_warehouse(directory: str | Path, fmt: str = "parquet", warehouse: str | Path | None = None) -> ExportResult:
    """Write every table of the live warehouse into ``directory`` as ``fmt`` files.

    Raises:
        ValueError: ``fmt`` is not parquet or csv.
        FileNotFoundError: nothing is published at the warehouse path.
        duckdb.Error, OSError: the warehouse cannot be read or the directory written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    paths = WarehousePaths.from_env(warehouse)
    source = paths.current_file()
    if source is None or not source.is_file():
        raise FileNotFoundError(f"no warehouse is published at {paths.live}")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(source), read_only=True)
    try:
        version = dict(con.execute("SELECT key, value FROM meta").fetchall()).get("data_version", "")
        written: dict[str, tuple[Path, int]] = {}
        for schema, table in _tables(con):
            final = out / export_file_name(schema, table, fmt)
            tmp = final.with_name(f".{final.name}.tmp")
            # Identifiers come from the catalogue, not from users; quoted all the same.
            con.execute(
                f"COPY {sql_identifier(schema)}.{sql_identifier(table)} TO {sql_literal(tmp)} ({COPY_OPTIONS[fmt]})"
            )
            rows = con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()
            os.replace(tmp, final)
            written[table if schema == "main" else f"{schema}.{table}"] = (final, int(rows[0] if rows else 0))
    finally:
        con.close()
    if fmt == "parquet":
        _write_views(out, written)
    _write_manifest(out, version, fmt, source, written)
    return ExportResult(version, out, written)


def _write_views(out: Path, written: dict[str, tuple[Path, int]]) -> None:
    """``exemplar.duckdb`` with one view per table over its Parquet file, renamed into place."""
    tmp = out / f".{VIEWS_FILE}.tmp"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        for name, (file, _rows) in written.items():
            schema, _, table = name.rpartition(".")
            if schema:
                con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            qualified = f"{sql_identifier(schema)}.{sql_identifier(table)}" if schema else sql_identifier(table)
            con.execute(f"CREATE VIEW {qualified} AS SELECT * FROM read_parquet({sql_literal(file.resolve())})")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, out / VIEWS_FILE)


def _write_manifest(out: Path, version: str, fmt: str, source: Path, written: dict[str, tuple[Path, int]]) -> None:
    manifest = {
        "data_version": version,
        "format": fmt,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source_file": source.name,
        "tables": {
            name: {"file": file.name, "rows": rows, "sha256": _sha256(file)} for name, (file, rows) in written.items()
        },
    }
    tmp = out / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, out / MANIFEST)
