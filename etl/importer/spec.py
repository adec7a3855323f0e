"""The mapping spec: a TOML file saying how a publisher's file maps onto the data contract.

See docs/importing.md for every option with examples. :func:`read_spec` checks the whole spec
up front (unknown keys, missing choices, bad patterns) so a typo fails before any data is read.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.importer.values import markers_with
from etl.periods import PeriodError, parse_period

__all__ = ["SpecError", "Spec", "CouncilSpec", "ShapeSpec", "IndicatorSpec", "PeerSetSpec", "read_spec", "parse_spec"]

KINDS = ("values", "family", "neighbours")
FORMATS = ("csv", "xlsx", "parquet")
BY = ("name", "gss", "former_gss", "register", "code", "lookup")
WIDE_COLUMNS = ("indicator", "period", "indicator_period")
# Polarity words understood without a spec mapping; anything else (Yes/No, 1/0) must be mapped.
DEFAULT_POLARITY = {
    "higher": "higher",
    "high": "higher",
    "higher is better": "higher",
    "up": "higher",
    "lower": "lower",
    "low": "lower",
    "lower is better": "lower",
    "down": "lower",
    "neutral": "neutral",
    "neither": "neutral",
    "none": "neutral",
    "-": "neutral",
    "n/a": "neutral",
}
METADATA_FIELDS = (
    "name",
    "theme",
    "unit",
    "polarity",
    "description",
    "source",
    "min_value",
    "max_value",
    "aggregation",
    "decimals",
)


class SpecError(ValueError):
    """The spec itself is wrong; the message names the key and the reason."""


@dataclass(frozen=True)
class LookupSpec:
    """Another code list, mapped to something the register knows by a lookup file."""

    file: Path
    from_column: str
    to_column: str
    to_by: str


@dataclass(frozen=True)
class CouncilSpec:
    """Where the council is in each row and how to recognise it."""

    column: str
    by: str = "name"
    skip_unmatched: bool = False
    aggregates: str = "drop"  # drop | keep (kept rows become comparator values)
    overrides: dict[str, str] = field(default_factory=dict)
    lookup: LookupSpec | None = None
    by_period: bool = False  # an ambiguous name means the one candidate existing in the row's period


@dataclass(frozen=True)
class ShapeSpec:
    """Long (one row per council, indicator, period) or wide (values spread over columns)."""

    form: str = "long"
    indicator_column: str | None = None
    period_column: str | None = None
    value_column: str | None = None
    status_column: str | None = None
    columns_are: str | None = None  # wide: indicator | period | indicator_period
    columns: tuple[str, ...] = ()  # wide: the value columns (default: all others)
    column_pattern: str | None = None  # wide: regex selecting columns, named groups split them
    empty: str = "missing"  # missing | skip: what an empty cell becomes
    indicator: str | None = None  # one indicator for the whole file (instead of a column)


@dataclass(frozen=True)
class IndicatorSpec:
    """Where indicator ids and metadata come from."""

    ids: str = "slug"  # slug | as_is: how indicator text becomes an id
    rename: dict[str, str] = field(default_factory=dict)
    existing: bool = False  # true: indicators are already loaded
    file: Path | None = None  # separate metadata file (else the data file)
    sheet: str | int | None = None
    skip_rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # contract field -> column
    defaults: dict[str, str] = field(default_factory=dict)
    polarity_map: dict[str, str] = field(default_factory=dict)
    define: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class PeerSetSpec:
    """For family and neighbours files: the set's identity and where its columns are."""

    set_id: str
    name: str
    method: str
    description: str = ""
    group_column: str | None = None  # family
    neighbour_column: str | None = None  # neighbours, long
    neighbour_pattern: str | None = None  # neighbours, wide: regex with a (?P<rank>) group
    rank_column: str | None = None
    closeness_column: str | None = None
    similarity_column: str | None = None
    neighbour_by: str | None = None


@dataclass(frozen=True)
class Spec:
    """A whole mapping spec (paths resolved against the spec file's folder)."""

    source_name: str
    kind: str
    councils: CouncilSpec
    file_format: str | None = None
    sheet: str | int | None = None
    skip_rows: int = 0
    encoding: str = "utf-8"
    delimiter: str = ","
    period: str | None = None  # one period for the whole file
    shape: ShapeSpec = field(default_factory=ShapeSpec)
    markers: dict[str, str] = field(default_factory=dict)
    duplicates: str = "error"  # error | drop_identical
    indicators: IndicatorSpec = field(default_factory=IndicatorSpec)
    peer_set: PeerSetSpec | None = None


def _take(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> dict[str, Any]:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise SpecError(f"[{where}]: unknown key {', '.join(unknown)} (allowed: {', '.join(allowed)})")
    return table


def _choice(value: Any, choices: tuple[str, ...], key: str) -> str:
    if value not in choices:
        raise SpecError(f"{key} = {value!r}: must be one of {', '.join(choices)}")
    return str(value)


def _pattern(text: str | None, key: str, groups: tuple[str, ...] = ()) -> str | None:
    if text is None:
        return None
    try:
        compiled = re.compile(text)
    except re.error as exc:
        raise SpecError(f"{key} = {text!r} is not a regular expression: {exc}") from exc
    missing = [g for g in groups if g not in compiled.groupindex]
    if missing:
        raise SpecError(f"{key} = {text!r} needs named groups {', '.join(f'(?P<{g}>...)' for g in missing)}")
    return text


def read_spec(path: str | Path) -> Spec:
    """Read and check the TOML spec at ``path``.

    Raises:
        SpecError: the spec is not valid TOML or breaks a rule (the message says which).
        FileNotFoundError: the spec file does not exist.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path.name} is not valid TOML: {exc}") from exc
    return parse_spec(data, path.parent)


def parse_spec(data: dict[str, Any], base: Path) -> Spec:
    """Check a parsed spec; relative file paths are resolved against ``base``.

    Raises:
        SpecError: a rule is broken (the message names the key).
    """
    _take(
        data,
        (
            "source_name",
            "kind",
            "period",
            "file",
            "councils",
            "shape",
            "values",
            "indicators",
            "set",
            "family",
            "neighbours",
        ),
        "top level",
    )
    if not data.get("source_name"):
        raise SpecError("source_name is required (rows are stored under it; loading again replaces them)")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", str(data["source_name"])):
        raise SpecError(f"source_name = {data['source_name']!r}: use letters, digits, '_', '.' or '-'")
    kind = _choice(data.get("kind", "values"), KINDS, "kind")
    file = _take(data.get("file", {}), ("format", "sheet", "skip_rows", "encoding", "delimiter"), "file")
    if "format" in file:
        _choice(file["format"], FORMATS, "file.format")
    period = data.get("period")
    if period is not None:
        try:
            parse_period(str(period))
        except PeriodError as exc:
            raise SpecError(f"period = {period!r} {exc}") from exc
    values = _take(data.get("values", {}), ("markers", "duplicates"), "values")
    try:
        markers = markers_with(values.get("markers"))
    except ValueError as exc:
        raise SpecError(f"values.markers: {exc}") from exc
    spec = Spec(
        source_name=str(data["source_name"]),
        kind=kind,
        councils=_councils(data.get("councils"), base),
        file_format=file.get("format"),
        sheet=file.get("sheet"),
        skip_rows=int(file.get("skip_rows", 0)),
        encoding=str(file.get("encoding", "utf-8")),
        delimiter=str(file.get("delimiter", ",")),
        period=str(period) if period is not None else None,
        shape=_shape(data.get("shape", {}), kind, period is not None),
        markers=markers,
        duplicates=_choice(values.get("duplicates", "error"), ("error", "drop_identical"), "values.duplicates"),
        indicators=_indicators(data.get("indicators", {}), base),
        peer_set=_peer_set(data, kind),
    )
    if (
        kind == "values"
        and not spec.indicators.existing
        and not (spec.indicators.columns or spec.indicators.define or spec.indicators.defaults)
    ):
        raise SpecError(
            "[indicators]: give metadata (columns, define or defaults), or existing = true "
            "when the indicators are already loaded"
        )
    return spec


def _councils(table: dict[str, Any] | None, base: Path) -> CouncilSpec:
    if not table:
        raise SpecError("[councils] is required: column = the column naming the council, by = how to match it")
    _take(table, ("column", "by", "skip_unmatched", "aggregates", "overrides", "lookup", "by_period"), "councils")
    if not table.get("column"):
        raise SpecError("councils.column is required")
    by = _choice(table.get("by", "name"), BY, "councils.by")
    lookup = None
    if by == "lookup":
        raw = _take(table.get("lookup", {}), ("file", "from", "to", "to_by"), "councils.lookup")
        for key in ("file", "from", "to"):
            if not raw.get(key):
                raise SpecError(f'councils.lookup.{key} is required when by = "lookup"')
        lookup = LookupSpec(
            base / raw["file"],
            raw["from"],
            raw["to"],
            _choice(raw.get("to_by", "gss"), BY[:-1], "councils.lookup.to_by"),
        )
    return CouncilSpec(
        column=str(table["column"]),
        by=by,
        skip_unmatched=bool(table.get("skip_unmatched", False)),
        aggregates=_choice(table.get("aggregates", "drop"), ("drop", "keep"), "councils.aggregates"),
        overrides={str(k): str(v) for k, v in table.get("overrides", {}).items()},
        lookup=lookup,
        by_period=bool(table.get("by_period", False)),
    )


def _shape(table: dict[str, Any], kind: str, fixed_period: bool) -> ShapeSpec:
    _take(
        table,
        (
            "form",
            "indicator_column",
            "period_column",
            "value_column",
            "status_column",
            "columns_are",
            "columns",
            "column_pattern",
            "empty",
            "indicator",
        ),
        "shape",
    )
    form = _choice(table.get("form", "long"), ("long", "wide"), "shape.form")
    shape = ShapeSpec(
        form=form,
        indicator_column=table.get("indicator_column"),
        period_column=table.get("period_column"),
        value_column=table.get("value_column"),
        status_column=table.get("status_column"),
        columns_are=table.get("columns_are"),
        columns=tuple(table.get("columns", ())),
        column_pattern=table.get("column_pattern"),
        empty=_choice(table.get("empty", "missing"), ("missing", "skip"), "shape.empty"),
        indicator=table.get("indicator"),
    )
    if kind != "values":
        return shape
    if form == "long":
        missing = [] if table.get("value_column") else ["value_column"]
        if not (table.get("indicator_column") or table.get("indicator")):
            missing.append("indicator_column (or a fixed indicator)")
        if not fixed_period and not table.get("period_column"):
            missing.append("period_column (or a top-level period)")
        if missing:
            raise SpecError(f'[shape] form = "long" needs {", ".join(missing)}')
        return shape
    columns_are = _choice(table.get("columns_are"), WIDE_COLUMNS, "shape.columns_are")
    groups = {"indicator_period": ("indicator", "period")}.get(columns_are, ())
    _pattern(shape.column_pattern, "shape.column_pattern", groups)
    if columns_are == "indicator_period" and not shape.column_pattern:
        raise SpecError('shape.column_pattern is required when columns_are = "indicator_period"')
    if columns_are == "indicator" and not (fixed_period or shape.period_column):
        raise SpecError('[shape] columns_are = "indicator" needs period_column or a top-level period')
    if columns_are == "period" and not (shape.indicator_column or shape.indicator):
        raise SpecError('[shape] columns_are = "period" needs indicator_column or a fixed indicator')
    return shape


def _indicators(table: dict[str, Any], base: Path) -> IndicatorSpec:
    _take(
        table,
        ("ids", "rename", "existing", "file", "sheet", "skip_rows", "columns", "defaults", "polarity_map", "define"),
        "indicators",
    )
    columns = _take(table.get("columns", {}), ("indicator", *METADATA_FIELDS), "indicators.columns")
    if (table.get("file") or columns) and "indicator" not in columns:
        raise SpecError(
            "indicators.columns.indicator is required: the column naming the indicator as the data file does"
        )
    defaults = _take(table.get("defaults", {}), METADATA_FIELDS, "indicators.defaults")
    polarity_map = {str(k).strip().casefold(): str(v) for k, v in table.get("polarity_map", {}).items()}
    for word, polarity in polarity_map.items():
        _choice(polarity, ("higher", "lower", "neutral"), f"indicators.polarity_map[{word!r}]")
    define = tuple(table.get("define", ()))
    for number, entry in enumerate(define, 1):
        _take(entry, ("indicator", *METADATA_FIELDS), f"indicators.define #{number}")
        if "indicator" not in entry:
            raise SpecError(f"indicators.define #{number}: indicator is required")
    return IndicatorSpec(
        ids=_choice(table.get("ids", "slug"), ("slug", "as_is"), "indicators.ids"),
        rename={str(k): str(v) for k, v in table.get("rename", {}).items()},
        existing=bool(table.get("existing", False)),
        file=base / table["file"] if table.get("file") else None,
        sheet=table.get("sheet"),
        skip_rows=int(table.get("skip_rows", 0)),
        columns={k: str(v) for k, v in columns.items()},
        defaults={k: str(v) for k, v in defaults.items()},
        polarity_map=polarity_map,
        define=define,
    )


def _peer_set(data: dict[str, Any], kind: str) -> PeerSetSpec | None:
    if kind == "values":
        for key in ("set", "family", "neighbours"):
            if key in data:
                raise SpecError(f'[{key}] belongs to kind = "family" or "neighbours"')
        return None
    info = _take(data.get("set", {}), ("id", "name", "method", "description"), "set")
    for key in ("id", "name", "method"):
        if not info.get(key):
            raise SpecError(f'set.{key} is required for kind = "{kind}"')
    if kind == "family":
        table = _take(data.get("family", {}), ("group_column",), "family")
        if not table.get("group_column"):
            raise SpecError("family.group_column is required: the column holding each council's group")
        return PeerSetSpec(
            str(info["id"]),
            str(info["name"]),
            str(info["method"]),
            str(info.get("description", "")),
            group_column=table["group_column"],
        )
    table = _take(
        data.get("neighbours", {}),
        ("neighbour_column", "neighbour_pattern", "rank_column", "closeness_column", "similarity_column", "by"),
        "neighbours",
    )
    if bool(table.get("neighbour_column")) == bool(table.get("neighbour_pattern")):
        raise SpecError(
            "[neighbours] needs exactly one of neighbour_column (one row per pair) or "
            "neighbour_pattern (one column per rank, e.g. '^SN(?P<rank>[0-9]+)$')"
        )
    _pattern(table.get("neighbour_pattern"), "neighbours.neighbour_pattern", ("rank",))
    return PeerSetSpec(
        str(info["id"]),
        str(info["name"]),
        str(info["method"]),
        str(info.get("description", "")),
        neighbour_column=table.get("neighbour_column"),
        neighbour_pattern=table.get("neighbour_pattern"),
        rank_column=table.get("rank_column"),
        closeness_column=table.get("closeness_column"),
        similarity_column=table.get("similarity_column"),
        neighbour_by=_choice(table["by"], BY[:-1], "neighbours.by") if table.get("by") else None,
    )
