"""ONS Explore Local Statistics, compacted for the repository (used by ``etl.refresh`` only).

The publisher's 61 long CSV files (one per dataset, ``indicators/<slug>.csv``) become one
Parquet file of the rows the product can use, with every original column and the file's slug;
the 61 JSON metadata files and ``topics.csv`` become one table with a row per indicator.

Rows kept: council level (geography "Local Authority District" or "County or Unitary
Authority") and the aggregates councils are compared with (the UK, Great Britain, England and
Wales, the four nations, the nine English regions), for the indicators that have council rows.
Everything dropped is counted, with the reason, for the manifest.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["COLUMNS", "RefreshError", "OnsCompaction", "compact_local_statistics", "write_parquet"]

COLUMNS = (
    "areacd",
    "areanm",
    "geography",
    "indicator",
    "period",
    "observation",
    "measure",
    "unit",
    "lci_95",
    "uci_95",
    "status",
    "notes",
)
NUMBER_COLUMNS = frozenset({"observation", "lci_95", "uci_95"})
COUNCIL_GEOGRAPHIES = frozenset({"Local Authority District", "County or Unitary Authority"})
AGGREGATE_GEOGRAPHIES = frozenset({"Country", "Nation", "Region"})
# ONS code prefixes of the aggregates kept as comparators: UK, GB, England and Wales, the four
# nations and the English regions. K99 ("Outside of England and Unknown") is not a place.
AGGREGATE_PREFIXES = ("K02", "K03", "K04", "E92", "N92", "S92", "W92", "E12")

# Fixed writer settings: the same input gives the same bytes (pyarrow is pinned by the extra).
PARQUET_SETTINGS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "row_group_size": 1_000_000,  # one row group: the file is small and read whole
    "data_page_size": 1 << 20,
    "version": "2.6",
    "store_schema": False,  # no Arrow schema blob: plain Parquet types say it all
}

SCHEMA = pa.schema(
    [("slug", pa.string()), ("source_row", pa.int32())]
    + [(name, pa.float64() if name in NUMBER_COLUMNS else pa.string()) for name in COLUMNS]
)

METADATA_FIELDS = (  # (column in the table, key in the publisher's JSON)
    ("label", "label"),
    ("subtitle", "subtitle"),
    ("prefix", "prefix"),
    ("suffix", "suffix"),
    ("sub_text", "subText"),
    ("decimal_places", "decimalPlaces"),
    ("standardised", "standardised"),
    ("experimental_statistic", "experimentalStatistic"),
    ("source_org", "sourceOrg"),
    ("source_url", "sourceURL"),
    ("source_date", "sourceDate"),
    ("long_description", "longDescription"),
    ("caveats", "caveats"),
)
TOPIC_FIELDS = (("topic", "topic"), ("sub_topic", "subTopic"), ("topic_slug", "slug"), ("topic_include", "include"))
FACT_COLUMNS = ("measure", "unit", "council_rows", "aggregate_rows", "first_period", "last_period", "metadata_note")
METADATA_COLUMNS = ("slug", "indicator", *(c for c, _ in METADATA_FIELDS), *(c for c, _ in TOPIC_FIELDS), *FACT_COLUMNS)


class RefreshError(ValueError):
    """An original file the refresh cannot read: names the file, row, column and reason."""


@dataclass
class OnsCompaction:
    """The compacted rows (a pyarrow Table), the metadata rows and what was dropped and why."""

    table: pa.Table
    metadata: list[dict[str, Any]]
    dropped_rows: list[dict[str, Any]] = field(default_factory=list)
    dropped_indicators: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _read_rows(path: Path, notes: list[str]) -> list[dict[str, Any]]:
    """Rows of one ONS CSV as {column: text}; tolerates a BOM, any column order and an empty
    repeated column (one file repeats ``notes``), and rejects anything else."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise RefreshError(f"{path}: empty file, expected the header {','.join(COLUMNS)}")
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise RefreshError(f"{path}, row 1: columns {', '.join(missing)} are missing")
        first = {name: header.index(name) for name in COLUMNS}
        repeated = [i for i, name in enumerate(header) if first.get(name, i) != i]
        unknown = [name for name in header if name not in first]
        if unknown:
            raise RefreshError(f"{path}, row 1: unexpected columns {', '.join(unknown)}")
        rows = []
        for line, cells in enumerate(reader, start=2):
            if len(cells) != len(header):
                raise RefreshError(f"{path}, row {line}: {len(cells)} cells, the header has {len(header)}")
            for i in repeated:
                if cells[i].strip():
                    raise RefreshError(
                        f"{path}, row {line}, column {header[i]} (repeated): not empty ({cells[i]!r}), "
                        "cannot tell which copy holds the data"
                    )
            rows.append({"source_row": line, **{name: cells[i] for name, i in first.items()}})
    if repeated:
        notes.append(f"{path.name}: repeated empty column(s) {', '.join(header[i] for i in repeated)} left out")
    if header[: len(COLUMNS)] != list(COLUMNS):
        notes.append(f"{path.name}: columns in the publisher's order {','.join(header)}; stored in the usual order")
    return rows


def _number(text: str, path: Path, line: int, column: str) -> float | None:
    if text.strip() == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise RefreshError(f"{path}, row {line}, column {column}: {text!r} is not a number") from None


def _kept_aggregate(row: dict[str, Any]) -> bool:
    return row["geography"] in AGGREGATE_GEOGRAPHIES and row["areacd"].startswith(AGGREGATE_PREFIXES)


def _drop_reason(row: dict[str, Any], council_indicators: set[str]) -> str | None:
    if row["indicator"] not in council_indicators:
        return "indicator has no council-level rows"
    if row["geography"] in COUNCIL_GEOGRAPHIES or _kept_aggregate(row):
        return None
    if row["geography"] in AGGREGATE_GEOGRAPHIES:
        return f"not a UK, nation or region aggregate ({row['areacd']} {row['areanm']})"
    return f"geography {row['geography']}: not a council, nation or region"


def compact_local_statistics(folder: Path) -> OnsCompaction:
    """Read ``folder/indicators/*.csv`` (+ ``.json``) and ``folder/topics.csv``; keep council
    and comparator rows of the council-level indicators.

    Raises:
        RefreshError: a file is missing, malformed, or an indicator has no metadata or topic.
    """
    notes: list[str] = []
    files = sorted((folder / "indicators").glob("*.csv"))
    if not files:
        raise RefreshError(f"{folder / 'indicators'}: no CSV files")
    read = {path.stem: _read_rows(path, notes) for path in files}
    council_indicators = {
        (slug, r["indicator"]) for slug, rows in read.items() for r in rows if r["geography"] in COUNCIL_GEOGRAPHIES
    }
    dropped: Counter[tuple[str, str, str]] = Counter()
    parts = []
    for slug, rows in read.items():
        path = folder / "indicators" / f"{slug}.csv"
        wanted = {indicator for s, indicator in council_indicators if s == slug}
        kept = []
        for row in rows:
            reason = _drop_reason(row, wanted)
            if reason is None:
                kept.append(row)
            else:
                dropped[(slug, row["geography"], reason)] += 1
        parts.append(_table(slug, kept, path))
    table = pa.concat_tables(parts)
    metadata = _metadata(folder, sorted(council_indicators), table)
    return OnsCompaction(
        table=table,
        metadata=metadata,
        dropped_rows=[{"slug": s, "geography": g, "reason": r, "rows": n} for (s, g, r), n in sorted(dropped.items())],
        dropped_indicators=_dropped_indicators(read, council_indicators),
        notes=notes + _metadata_only_files(folder, set(read)),
    )


def _table(slug: str, rows: list[dict[str, Any]], path: Path) -> pa.Table:
    columns: dict[str, list[Any]] = {"slug": [slug] * len(rows), "source_row": [r["source_row"] for r in rows]}
    for name in COLUMNS:
        if name in NUMBER_COLUMNS:
            columns[name] = [_number(r[name], path, r["source_row"], name) for r in rows]
        else:  # an empty cell is a missing value, as in every other source
            columns[name] = [r[name] if r[name] != "" else None for r in rows]
    return pa.table(columns, schema=SCHEMA)


def _dropped_indicators(read: dict[str, list[dict[str, Any]]], council: set[tuple[str, str]]) -> list[dict[str, Any]]:
    found: dict[tuple[str, str], set[str]] = {}
    for slug, rows in read.items():
        for row in rows:
            if (slug, row["indicator"]) not in council:
                found.setdefault((slug, row["indicator"]), set()).add(row["geography"])
    return [
        {"slug": s, "indicator": i, "geographies": sorted(g), "reason": "no council-level rows"}
        for (s, i), g in sorted(found.items())
    ]


def _metadata_only_files(folder: Path, with_data: set[str]) -> list[str]:
    extra = sorted(p.stem for p in (folder / "indicators").glob("*.json") if p.stem not in with_data)
    return [f"{slug}.json: metadata without data in this snapshot (file over 4 MB, not included)" for slug in extra]


def _json_entry(folder: Path, slug: str, indicator: str) -> dict[str, Any]:
    """The publisher's metadata of one indicator: the file's only entry, or its own entry
    merged over the file's ``shared`` fields."""
    path = folder / "indicators" / f"{slug}.json"
    if not path.exists():
        raise RefreshError(f"{path}: missing, the metadata of {slug}.csv")
    document = json.loads(path.read_text(encoding="utf-8-sig"))
    meta = document.get("ess-beta-metadata")
    if not isinstance(meta, dict):
        raise RefreshError(f"{path}: no 'ess-beta-metadata' object")
    if "label" in meta:
        entry = meta
    elif indicator in meta:
        entry = {**meta.get("shared", {}), **meta[indicator]}
    else:
        raise RefreshError(f"{path}: no entry for indicator {indicator!r} (entries: {', '.join(sorted(meta))})")
    return {**entry, "_note": document.get("_note")}


def _metadata(folder: Path, indicators: list[tuple[str, str]], table: pa.Table) -> list[dict[str, Any]]:
    topics_path = folder / "topics.csv"
    with topics_path.open(encoding="utf-8-sig", newline="") as handle:
        topics = {(r["dataset"], r["code"]): r for r in csv.DictReader(handle)}
    facts = _facts(table)
    rows = []
    for slug, indicator in indicators:
        entry = _json_entry(folder, slug, indicator)
        topic = topics.get((slug, indicator))
        if topic is None:
            raise RefreshError(f"{topics_path}: no row with dataset {slug!r} and code {indicator!r}")
        row: dict[str, Any] = {"slug": slug, "indicator": indicator}
        row.update({column: entry.get(key) for column, key in METADATA_FIELDS})
        row.update({column: topic[key] for column, key in TOPIC_FIELDS})
        row.update(facts[(slug, indicator)])
        row["metadata_note"] = entry["_note"]
        rows.append(row)
    return rows


def _facts(table: pa.Table) -> dict[tuple[str, str], dict[str, Any]]:
    """Per indicator, from its council rows: measure and unit (" | " between several), counts,
    first and last period (text order, which is date order for ISO 8601)."""
    facts: dict[tuple[str, str], dict[str, Any]] = {}
    data = table.select(["slug", "indicator", "geography", "measure", "unit", "period"]).to_pylist()
    for row in data:
        fact = facts.setdefault(
            (row["slug"], row["indicator"]),
            {"measure": set(), "unit": set(), "council_rows": 0, "aggregate_rows": 0, "periods": set()},
        )
        if row["geography"] in COUNCIL_GEOGRAPHIES:
            fact["council_rows"] += 1
            fact["measure"].add(row["measure"] or "")
            fact["unit"].add(row["unit"] or "")
            fact["periods"].add(row["period"])
        else:
            fact["aggregate_rows"] += 1
    return {
        key: {
            "measure": " | ".join(sorted(f["measure"])),
            "unit": " | ".join(sorted(f["unit"])),
            "council_rows": f["council_rows"],
            "aggregate_rows": f["aggregate_rows"],
            "first_period": min(f["periods"]),
            "last_period": max(f["periods"]),
        }
        for key, f in facts.items()
    }


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write with the fixed settings (byte-identical output for identical input)."""
    pq.write_table(table, path, **PARQUET_SETTINGS)


def metadata_csv(rows: list[dict[str, Any]]) -> bytes:
    """The indicator metadata table as UTF-8 CSV (LF line ends, empty cell = no value)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(METADATA_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row[k] is None else row[k] for k in METADATA_COLUMNS})
    return buffer.getvalue().encode("utf-8")
