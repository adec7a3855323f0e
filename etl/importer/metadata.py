"""Indicator metadata for an import: from inline definitions, metadata files (or metadata columns
of the data file) and defaults, with polarity mapped from the publisher's words.

Several metadata files are joined on the indicator column (each names the indicator the way the
data file does): a field is read from the first file holding its column, so a publisher's
metadata file and a table of our own (polarity and its reason, say) describe one indicator.
Writes ``indicators.csv`` into the import's contract folder; problems name the metadata file,
row and column that gave the value (or "spec" for inline definitions and defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from etl.importer.read import ReadError, read_frame, resolve_column
from etl.importer.run import ImportRun
from etl.importer.spec import DEFAULT_POLARITY, METADATA_FIELDS, Spec
from etl.problems import Problem
from etl.sqltext import sql_identifier

__all__ = ["REQUIRED_METADATA", "MetadataTable", "con_columns", "metadata_tables", "write_indicators"]

REQUIRED_METADATA = ("theme", "unit", "source")  # name and description default to the indicator text


@dataclass
class MetadataTable:
    """One metadata table: its name (as problems quote it), the fields it gives (field -> its
    column), and its rows by the indicator's text (each a record of fields plus ``_row``)."""

    name: str
    fields: dict[str, str] = field(default_factory=dict)
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)


def con_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The input file's columns (the temp view ``raw`` without ``_row``)."""
    return [r[0] for r in con.execute("DESCRIBE raw").fetchall() if r[0] != "_row"]


def metadata_tables(con: duckdb.DuckDBPyConnection, spec: Spec, data_path: Path) -> list[MetadataTable]:
    """The metadata tables the spec names, in order: its metadata files, else the data file's
    own metadata columns (once per distinct combination); none without ``columns``.

    Raises:
        ReadError: a file is unreadable, lacks the indicator column, or no file holds a column
            the spec maps.
    """
    columns = spec.indicators.columns
    if not columns:
        return []
    if not spec.indicators.files:  # the data file itself: only its metadata columns
        wanted = [
            resolve_column(con_columns(con), c, data_path.name, f"indicators.columns.{k}") for k, c in columns.items()
        ]
        picked = ", ".join(sql_identifier(c) for c in dict.fromkeys(wanted))
        frame = con.execute(f"SELECT {picked}, min(_row) AS _row FROM raw GROUP BY ALL ORDER BY _row").df()
        frame = frame.astype(object).where(frame.notna(), None)
        return [_table(data_path.name, frame, columns)]
    tables, given = [], set()
    for path in spec.indicators.files:
        frame = read_frame(path, None, spec.indicators.sheet, spec.indicators.skip_rows)
        mine = {k: c for k, c in columns.items() if k not in given and _has_column(frame, c)}
        table = _table(path.name, frame, {**mine, "indicator": columns["indicator"]})
        given |= set(table.fields)
        tables.append(table)
    absent = [k for k in columns if k != "indicator" and k not in given]
    if absent:
        names = ", ".join(p.name for p in spec.indicators.files)
        raise ReadError(
            f"{names}: indicators.columns.{absent[0]} names column {columns[absent[0]]!r}, which no metadata file holds"
        )
    return tables


def _has_column(frame: pd.DataFrame, column: str) -> bool:
    try:
        resolve_column(list(frame.columns), column, "", "")
    except ReadError:
        return False
    return True


def _table(name: str, frame: pd.DataFrame, columns: dict[str, str]) -> MetadataTable:
    """``frame``'s rows by indicator text, with the mapped columns renamed to field names."""
    renamed = {
        resolve_column(list(frame.columns), column, name, f"indicators.columns.{field_}"): field_
        for field_, column in columns.items()
    }
    frame = frame[[*renamed, "_row"]].rename(columns=renamed)
    frame = frame[frame["indicator"].notna()]
    rows: dict[str, dict[str, Any]] = {}
    for record in frame.to_dict("records"):
        rows.setdefault(str(record["indicator"]).strip(), {str(k): v for k, v in record.items()})
    return MetadataTable(name, {f: c for f, c in columns.items() if f != "indicator"}, rows)


def _value_and_origin(
    field_: str, text: str, indicator_id: str, inline: dict[str, Any] | None, tables: list[MetadataTable]
) -> tuple[Any, tuple[str, int | None, str]]:
    """A field's value for one indicator and where it came from (file, row, column): an inline
    definition first, then the metadata table giving the field ("spec" when none does)."""
    if inline is not None and inline.get(field_) not in (None, ""):
        return inline[field_], ("spec", None, field_)
    for table in tables:
        if field_ not in table.fields:
            continue
        record = table.rows.get(text) or table.rows.get(indicator_id)
        if record is not None:
            return record.get(field_), (table.name, record.get("_row"), table.fields[field_])
        return None, (table.name, None, table.fields[field_])
    return None, ("spec", None, field_)


def write_indicators(run: ImportRun) -> None:
    """Build indicators.csv from inline definitions, metadata tables and defaults."""
    con, spec, report = run.con, run.spec, run.report
    tables = metadata_tables(con, spec, run.data_path)
    inline = {str(d["indicator"]).strip(): d for d in spec.indicators.define}
    rows = []
    for raw, indicator_id in con.execute(
        "SELECT raw, indicator_id FROM indicator_map ORDER BY indicator_id"
    ).fetchall():
        text = raw.strip()
        definition = inline.get(text) or inline.get(indicator_id)
        row: dict[str, Any] = {"indicator_id": indicator_id}
        origin: dict[str, tuple[str, int | None, str]] = {}
        for field_ in METADATA_FIELDS:
            value, origin[field_] = _value_and_origin(field_, text, indicator_id, definition, tables)
            if value is None or str(value).strip() == "":
                value = spec.indicators.defaults.get(field_)
            value = None if value is None else str(value).strip()
            row[field_] = spec.indicators.mapped(field_, value)
        row["name"] = row["name"] or text
        row["description"] = row["description"] or row["name"]
        missing = [f for f in REQUIRED_METADATA if not row[f]]
        if missing:
            file_name, line, _ = origin[missing[0]]
            report.problems.append(
                Problem(
                    file_name,
                    line,
                    ", ".join(missing),
                    text,
                    "indicator has no " + " or ".join(missing) + " (give it in the metadata or [indicators] defaults)",
                )
            )
        polarity = (row["polarity"] or "").strip().casefold()
        mapped = spec.indicators.polarity_map.get(polarity) or DEFAULT_POLARITY.get(polarity)
        if not mapped:
            file_name, line, column = origin["polarity"]
            report.problems.append(
                Problem(
                    file_name,
                    line,
                    column,
                    row["polarity"],
                    f"polarity of {text!r} is not understood: map this word in "
                    "[indicators] polarity_map (to higher, lower or neutral)",
                )
            )
        row["polarity"] = mapped
        rows.append(row)
    if report.problems:
        return
    pd.DataFrame(rows, columns=["indicator_id", *METADATA_FIELDS]).to_csv(run.folder / "indicators.csv", index=False)
