"""Indicator metadata for an import: from inline definitions, a metadata file (or metadata
columns of the data file) and defaults, with polarity mapped from the publisher's words.

Writes ``indicators.csv`` into the import's contract folder; problems name the metadata file,
row and column (or "spec" for inline definitions and defaults).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from etl.importer.read import read_frame, resolve_column
from etl.importer.run import ImportRun
from etl.importer.spec import DEFAULT_POLARITY, METADATA_FIELDS, Spec
from etl.problems import Problem
from etl.sqltext import sql_identifier

__all__ = ["REQUIRED_METADATA", "con_columns", "metadata_rows", "write_indicators"]

REQUIRED_METADATA = ("theme", "unit", "source")  # name and description default to the indicator text


def con_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The input file's columns (the temp view ``raw`` without ``_row``)."""
    return [r[0] for r in con.execute("DESCRIBE raw").fetchall() if r[0] != "_row"]


def metadata_rows(con: duckdb.DuckDBPyConnection, spec: Spec, data_path: Path) -> tuple[pd.DataFrame, str]:
    """Metadata rows (contract field names, plus ``indicator`` and ``_row``) and their file name."""
    columns = spec.indicators.columns
    if not columns:
        return pd.DataFrame(columns=["indicator", "_row"]), data_path.name
    if spec.indicators.file is not None:
        frame = read_frame(spec.indicators.file, None, spec.indicators.sheet, spec.indicators.skip_rows)
        name = spec.indicators.file.name
    else:  # the data file itself: only its metadata columns, once per distinct combination
        name = data_path.name
        wanted = [resolve_column(con_columns(con), c, name, f"indicators.columns.{k}") for k, c in columns.items()]
        picked = ", ".join(sql_identifier(c) for c in dict.fromkeys(wanted))
        frame = con.execute(f"SELECT {picked}, min(_row) AS _row FROM raw GROUP BY ALL ORDER BY _row").df()
        frame = frame.astype(object).where(frame.notna(), None)
    renamed = {
        resolve_column(list(frame.columns), column, name, f"indicators.columns.{field_}"): field_
        for field_, column in columns.items()
    }
    frame = frame[[*renamed, "_row"]].rename(columns=renamed)
    frame = frame[frame["indicator"].notna()]
    return frame.drop_duplicates(subset=[c for c in frame.columns if c != "_row"]), name


def write_indicators(run: ImportRun) -> None:
    """Build indicators.csv from inline definitions, a metadata file or columns, and defaults."""
    con, spec, report = run.con, run.spec, run.report
    meta, meta_file = metadata_rows(con, spec, run.data_path)
    inline = {str(d["indicator"]).strip(): d for d in spec.indicators.define}
    by_text: dict[str, dict] = {}
    for record in meta.to_dict("records"):
        by_text.setdefault(str(record["indicator"]).strip(), record)
    rows = []
    for raw, indicator_id in con.execute(
        "SELECT raw, indicator_id FROM indicator_map ORDER BY indicator_id"
    ).fetchall():
        text = raw.strip()
        found = inline.get(text) or inline.get(indicator_id) or by_text.get(text) or by_text.get(indicator_id) or {}
        where = (
            (meta_file, found.get("_row"))
            if found is by_text.get(text) or found is by_text.get(indicator_id)
            else ("spec", None)
        )
        row = {"indicator_id": indicator_id}
        for field_ in METADATA_FIELDS:
            value = found.get(field_)
            value = spec.indicators.defaults.get(field_) if value is None or str(value).strip() == "" else value
            row[field_] = None if value is None else str(value).strip()
        row["name"] = row["name"] or text
        row["description"] = row["description"] or row["name"]
        missing = [f for f in REQUIRED_METADATA if not row[f]]
        if missing:
            report.problems.append(
                Problem(
                    where[0],
                    where[1],
                    ", ".join(missing),
                    text,
                    "indicator has no " + " or ".join(missing) + " (give it in the metadata or [indicators] defaults)",
                )
            )
        polarity = (row["polarity"] or "").strip().casefold()
        mapped = spec.indicators.polarity_map.get(polarity) or DEFAULT_POLARITY.get(polarity)
        if not mapped:
            column = spec.indicators.columns.get("polarity", "polarity")
            report.problems.append(
                Problem(
                    where[0],
                    where[1],
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
