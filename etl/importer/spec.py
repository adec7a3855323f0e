"""The mapping spec: a TOML file saying how a publisher's file maps onto the data contract.

See docs/importing.md for every option with examples. :func:`read_spec` checks the whole spec
up front (unknown keys, missing choices, bad patterns, unreadable periods) so a typo fails
before any data is read. The spec is a tree of pydantic models: each option is declared once,
with its type and default, and the declaration is also the list of keys a table may hold.
Relative file paths are resolved against the spec file's folder.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from etl.importer.values import markers_with
from etl.periods import PeriodError, parse_period

__all__ = [
    "SpecError",
    "Spec",
    "CouncilSpec",
    "ShapeSpec",
    "IndicatorSpec",
    "PeerSetSpec",
    "PeriodSpec",
    "RowFilter",
    "read_spec",
    "parse_spec",
]

# How a column names councils: by name, by a kind of code, or through a lookup table.
CodeBy = Literal["name", "gss", "former_gss", "register", "code"]
By = Literal["name", "gss", "former_gss", "register", "code", "lookup"]
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
    "source_url",
    "caveats",
    "polarity_reason",
)
# What a period annotation ("2018 (Rev)") may stand for: a contract status, or "final" (none).
ANNOTATION_STATUSES = ("revised", "provisional", "estimate", "final")
# Annotation words understood without a spec mapping (compared without case).
DEFAULT_ANNOTATIONS = {
    **dict.fromkeys(("r", "rev", "revised"), "revised"),
    **dict.fromkeys(("p", "prov", "provisional"), "provisional"),
    **dict.fromkeys(("e", "est", "estimate", "estimated"), "estimate"),
    **dict.fromkeys(("f", "final"), "final"),
}
# Messages for required options that say what the option is for, keyed by its dotted path.
REQUIRED = {
    "source_name": "source_name is required (rows are stored under it; loading again replaces them)",
    "councils": "[councils] is required: column = the column naming the council, by = how to match it",
    "councils.column": "councils.column is required",
}


class SpecError(ValueError):
    """The spec itself is wrong; the message names the key and the reason."""


def _compile(text: str | None, key: str, groups: tuple[str, ...] = ()) -> str | None:
    """``text`` if it is a regular expression with the named ``groups`` (else ValueError)."""
    if text is None:
        return None
    try:
        compiled = re.compile(text)
    except re.error as exc:
        raise ValueError(f"{key} = {text!r} is not a regular expression: {exc}") from exc
    missing = [g for g in groups if g not in compiled.groupindex]
    if missing:
        raise ValueError(f"{key} = {text!r} needs named groups {', '.join(f'(?P<{g}>...)' for g in missing)}")
    return text


def _keys_only(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ValueError(f"[{where}]: unknown key {', '.join(unknown)} (allowed: {', '.join(allowed)})")


def _resolve(path: Path | None, info: ValidationInfo) -> Path | None:
    """A spec path relative to the spec file's folder (passed as the validation context)."""
    base = (info.context or {}).get("base")
    return None if path is None or base is None else Path(base) / path


class _Table(BaseModel):
    """A spec table: unknown keys are refused (naming the allowed ones) before any value is read."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, coerce_numbers_to_str=True)

    @classmethod
    def spec_keys(cls) -> tuple[str, ...]:
        """The keys this table may hold, as the spec writes them."""
        return tuple(f.alias or name for name, f in cls.model_fields.items())

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(cls.spec_keys()) - set(cls.model_fields))
            if unknown:
                raise ValueError(f"unknown key {', '.join(unknown)} (allowed: {', '.join(cls.spec_keys())})")
        return data


class FileOptions(_Table):
    """``[file]``: how to read the data file."""

    format: Literal["csv", "xlsx", "parquet", "json"] | None = None
    sheet: int | str | None = None
    skip_rows: NonNegativeInt = 0
    encoding: str = "utf-8"
    delimiter: str = ","


class RowFilter(_Table):
    """One ``[[filters]]`` entry: keep or drop rows by one column's text (a list or a pattern)."""

    column: str
    keep: tuple[str, ...] | None = None
    drop: tuple[str, ...] | None = None
    keep_pattern: str | None = None
    drop_pattern: str | None = None

    @property
    def keeps(self) -> bool:
        """True when matching rows are kept (and the others dropped)."""
        return self.keep is not None or self.keep_pattern is not None

    def matches(self, text: str | None) -> bool:
        """Whether a cell's text (compared without case or outer spaces) is what the filter names."""
        cell = (text or "").strip()
        pattern = self.keep_pattern or self.drop_pattern
        if pattern is not None:
            return re.search(pattern, cell) is not None
        listed = self.keep if self.keep is not None else self.drop or ()
        return cell.casefold() in {v.strip().casefold() for v in listed}


class PeriodOverride(_Table):
    """A dated override: the name means ``code`` for periods ending from ``from`` to ``until``."""

    code: str
    from_: dt.date | None = Field(None, alias="from")
    until: dt.date | None = None

    def covers(self, last_day: dt.date) -> bool:
        """Whether a period whose last day is ``last_day`` falls under this entry."""
        return (self.from_ is None or self.from_ <= last_day) and (self.until is None or last_day <= self.until)


class LookupSpec(_Table):
    """Another code list, mapped to something the register knows by a lookup table."""

    file: Path | None = None  # default: the data file itself (a sheet of the same workbook)
    sheet: int | str | None = None
    skip_rows: NonNegativeInt = 0
    encoding: str = "utf-8"
    delimiter: str = ","
    from_column: str | None = Field(None, alias="from")
    to_column: str | None = Field(None, alias="to")
    to_by: CodeBy = "gss"

    @field_validator("file")
    @classmethod
    def _relative_to_spec(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return _resolve(value, info)


class CouncilSpec(_Table):
    """``[councils]``: where the council is in each row and how to recognise it."""

    column: str
    by: By = "name"
    skip_unmatched: bool = False
    aggregates: Literal["drop", "keep"] = "drop"  # keep: rows become comparator values
    overrides: dict[str, str] = Field(default_factory=dict)  # a name or code -> one code
    dated_overrides: dict[str, tuple[PeriodOverride, ...]] = Field(default_factory=dict)
    lookup: LookupSpec | None = None
    by_period: bool = False  # an ambiguous name means the candidate the register dates fit
    not_councils: dict[str, str] = Field(default_factory=dict)  # a name or code -> why it is no council

    @field_validator("not_councils")
    @classmethod
    def _reasons_given(cls, value: dict[str, str]) -> dict[str, str]:
        for written, reason in value.items():
            if not str(reason).strip():
                raise ValueError(f"councils.not_councils[{written!r}]: say why it is not a council")
        return {str(k).strip(): str(v).strip() for k, v in value.items()}

    @classmethod
    def spec_keys(cls) -> tuple[str, ...]:
        """``dated_overrides`` is written inside ``overrides`` (a list instead of a code)."""
        return tuple(k for k in super().spec_keys() if k != "dated_overrides")

    @model_validator(mode="before")
    @classmethod
    def _split_overrides(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("overrides"), dict):
            return data
        plain, dated = {}, {}
        for written, target in data["overrides"].items():
            if isinstance(target, str):
                plain[str(written)] = target
                continue
            entries = target if isinstance(target, list) else [target]
            checked = []
            for number, entry in enumerate(entries, 1):
                where = f"councils.overrides[{written!r}] #{number}"
                if not isinstance(entry, dict):
                    raise ValueError(f"{where}: give a code, or a list of {{ code, from, until }} tables")
                try:
                    checked.append(PeriodOverride.model_validate(entry))
                except ValidationError as exc:
                    raise ValueError(f"{where}: {_describe(exc, top='')}") from None
            dated[str(written)] = tuple(checked)
        return {**data, "overrides": plain, "dated_overrides": dated}

    @model_validator(mode="after")
    def _lookup_given(self) -> CouncilSpec:
        if self.by == "lookup":
            lookup = self.lookup
            if lookup is None or (lookup.file is None and lookup.sheet is None):
                raise ValueError(
                    'councils.lookup.file is required when by = "lookup" (or sheet = a sheet of the data workbook)'
                )
            for key, value in (("from", lookup.from_column), ("to", lookup.to_column)):
                if not value:
                    raise ValueError(f'councils.lookup.{key} is required when by = "lookup"')
        return self


class ShapeSpec(_Table):
    """``[shape]``: long (one row per council, indicator, period) or wide (values over columns)."""

    form: Literal["long", "wide"] = "long"
    indicator_column: str | None = None
    period_column: str | None = None
    value_column: str | None = None
    status_column: str | None = None
    note_column: str | None = None  # a publisher's note per value, read by [values] note_statuses
    lower_ci_column: str | None = None  # long: the value's lower 95% confidence limit
    upper_ci_column: str | None = None  # long: its upper limit
    columns_are: Literal["indicator", "period", "indicator_period"] | None = None
    columns: tuple[str, ...] = ()  # wide: the value columns (default: all others)
    column_pattern: str | None = None  # wide: regex selecting columns, named groups split them
    empty: Literal["missing", "skip"] = "missing"  # what an empty cell becomes
    indicator: str | None = None  # one indicator for the whole file (instead of a column)

    @property
    def has_ci(self) -> bool:
        """Whether the spec maps confidence limit columns."""
        return bool(self.lower_ci_column or self.upper_ci_column)


class PeriodSpec(_Table):
    """``[periods]``: period texts the parser does not read alone."""

    map: dict[str, str] = Field(default_factory=dict)  # exact text -> a period the parser reads
    annotations: Literal["none", "status", "ignore"] = "none"  # "2018 (Rev)": period + status
    annotation_statuses: dict[str, str] = Field(default_factory=dict)  # more words (or remaps)

    @field_validator("map")
    @classmethod
    def _readable_targets(cls, value: dict[str, str]) -> dict[str, str]:
        for text, target in value.items():
            try:
                parse_period(target)
            except PeriodError as exc:
                raise ValueError(f"periods.map[{text!r}] = {target!r} {exc}") from None
        return {k.strip(): v for k, v in value.items()}

    @field_validator("annotation_statuses")
    @classmethod
    def _known_statuses(cls, value: dict[str, str]) -> dict[str, str]:
        for word, status in value.items():
            if status not in ANNOTATION_STATUSES:
                raise ValueError(
                    f"periods.annotation_statuses[{word!r}] = {status!r}: must be one of {', '.join(ANNOTATION_STATUSES)}"
                )
        return {k.strip().casefold(): v for k, v in value.items()}

    @property
    def words(self) -> dict[str, str]:
        """Annotation word (casefolded) -> what it stands for, defaults then the spec's own."""
        return {**DEFAULT_ANNOTATIONS, **self.annotation_statuses}


class ValueSpec(_Table):
    """``[values]``: markers and what to do with repeated keys."""

    markers: dict[str, str] = Field(default_factory=dict)
    duplicates: Literal["error", "drop_identical"] = "error"
    note_statuses: dict[str, str] = Field(default_factory=dict)  # pattern in the note -> a status

    @field_validator("note_statuses")
    @classmethod
    def _note_patterns(cls, value: dict[str, str]) -> dict[str, str]:
        from etl.contract import STATUSES  # the statuses a value may carry

        for pattern, status in value.items():
            _compile(pattern, f"values.note_statuses[{pattern!r}]")
            if status not in STATUSES:
                raise ValueError(
                    f"values.note_statuses[{pattern!r}] = {status!r}: must be one of {', '.join(STATUSES)}"
                )
        return value

    @field_validator("markers")
    @classmethod
    def _marker_statuses(cls, value: dict[str, str]) -> dict[str, str]:
        try:
            markers_with(value)
        except ValueError as exc:
            raise ValueError(f"values.markers: {exc}") from None
        return value


class IndicatorSpec(_Table):
    """``[indicators]``: where indicator ids and metadata come from."""

    ids: Literal["slug", "as_is"] = "slug"
    rename: dict[str, str] = Field(default_factory=dict)
    existing: bool = False  # true: indicators are already loaded
    file: Path | tuple[Path, ...] | None = None  # metadata file(s), joined on the indicator (else the data file)
    sheet: int | str | None = None
    skip_rows: NonNegativeInt = 0
    columns: dict[str, str] = Field(default_factory=dict)  # contract field -> column
    defaults: dict[str, str] = Field(default_factory=dict)
    polarity_map: dict[str, str] = Field(default_factory=dict)
    value_map: dict[str, dict[str, str]] = Field(default_factory=dict)  # field -> publisher text -> ours
    define: tuple[dict[str, Any], ...] = ()

    @field_validator("file")
    @classmethod
    def _relative_to_spec(
        cls, value: Path | tuple[Path, ...] | None, info: ValidationInfo
    ) -> Path | tuple[Path, ...] | None:
        if isinstance(value, tuple):
            return tuple(p for p in (_resolve(v, info) for v in value) if p is not None)
        return _resolve(value, info)

    @property
    def files(self) -> tuple[Path, ...]:
        """The metadata files, in the spec's order (empty: the data file holds the metadata)."""
        if self.file is None:
            return ()
        return self.file if isinstance(self.file, tuple) else (self.file,)

    @field_validator("value_map", mode="before")
    @classmethod
    def _value_map_fields(cls, value: Any) -> Any:
        if isinstance(value, dict):
            _keys_only(value, tuple(f for f in METADATA_FIELDS if f != "polarity"), "indicators.value_map")
            return {
                k: {str(w).strip().casefold(): str(t) for w, t in v.items()} if isinstance(v, dict) else v
                for k, v in value.items()
            }
        return value

    def mapped(self, field_: str, value: str | None) -> str | None:
        """``value`` of ``field_`` as ``value_map`` rewrites it (compared without case or outer
        spaces); a text the map does not list passes unchanged."""
        if value is None:
            return None
        return self.value_map.get(field_, {}).get(value.strip().casefold(), value)

    @field_validator("columns", mode="before")
    @classmethod
    def _column_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            _keys_only(value, ("indicator", *METADATA_FIELDS), "indicators.columns")
        return value

    @field_validator("defaults", mode="before")
    @classmethod
    def _default_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            _keys_only(value, METADATA_FIELDS, "indicators.defaults")
        return value

    @field_validator("polarity_map")
    @classmethod
    def _polarities(cls, value: dict[str, str]) -> dict[str, str]:
        folded = {str(k).strip().casefold(): str(v) for k, v in value.items()}
        for word, polarity in folded.items():
            if polarity not in ("higher", "lower", "neutral"):
                raise ValueError(
                    f"indicators.polarity_map[{word!r}] = {polarity!r}: must be one of higher, lower, neutral"
                )
        return folded

    @field_validator("define")
    @classmethod
    def _definitions(cls, value: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        for number, entry in enumerate(value, 1):
            _keys_only(entry, ("indicator", *METADATA_FIELDS), f"indicators.define #{number}")
            if "indicator" not in entry:
                raise ValueError(f"indicators.define #{number}: indicator is required")
        return value

    @model_validator(mode="after")
    def _indicator_column(self) -> IndicatorSpec:
        if (self.file or self.columns) and "indicator" not in self.columns:
            raise ValueError(
                "indicators.columns.indicator is required: the column naming the indicator as the data file does"
            )
        return self


class SetInfo(_Table):
    """``[set]``: a peer set's identity (for kind = family or neighbours)."""

    id: str | None = None
    name: str | None = None
    method: str | None = None
    description: str = ""


class FamilySpec(_Table):
    """``[family]``: the column holding each council's group, or several (one set each), and
    optionally a JSON file describing the groups."""

    group_column: str | None = None
    group_columns: tuple[str, ...] = ()
    descriptions: Path | None = None  # {group: text}, or {column: {group: text}} for several columns
    no_group: tuple[str, ...] = ()  # cell texts meaning "in no group of this set", e.g. "[x]"

    @field_validator("descriptions")
    @classmethod
    def _relative_to_spec(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return _resolve(value, info)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every family column, in the spec's order."""
        return ((self.group_column,) if self.group_column else ()) + self.group_columns


class NeighbourSpec(_Table):
    """``[neighbours]``: one row per pair, or one column per rank."""

    neighbour_column: str | None = None  # long: one row per (council, neighbour)
    neighbour_pattern: str | None = None  # wide: regex with a (?P<rank>) group
    rank_column: str | None = None
    closeness_column: str | None = None
    closeness_pattern: str | None = None  # wide: a closeness column per rank
    similarity_column: str | None = None
    similarity_pattern: str | None = None  # wide: a similarity column per rank
    by: By | None = None
    ranked: bool = True  # false: the list carries no ranks (stored unranked)
    drop_self: bool = False  # true: a council listed as its own neighbour is left out (counted)

    @model_validator(mode="after")
    def _one_form(self) -> NeighbourSpec:
        if bool(self.neighbour_column) == bool(self.neighbour_pattern):
            raise ValueError(
                "[neighbours] needs exactly one of neighbour_column (one row per pair) or "
                "neighbour_pattern (one column per rank, e.g. '^SN(?P<rank>[0-9]+)$')"
            )
        _compile(self.neighbour_pattern, "neighbours.neighbour_pattern", ("rank",))
        if self.rank_column and not self.ranked:
            raise ValueError("neighbours.rank_column gives ranks, which ranked = false says the list has not")
        for key in ("closeness", "similarity"):
            pattern = getattr(self, f"{key}_pattern")
            if pattern and not self.neighbour_pattern:
                raise ValueError(f"neighbours.{key}_pattern is for wide lists (with neighbour_pattern)")
            _compile(pattern, f"neighbours.{key}_pattern", ("rank",))
        return self


class PeerSetSpec(BaseModel):
    """One peer set a family or neighbours file becomes (a family file may give several)."""

    model_config = ConfigDict(frozen=True)

    set_id: str
    name: str
    method: str
    description: str = ""
    group_column: str | None = None  # family: the column holding this set's groups


class Spec(_Table):
    """A whole mapping spec (paths resolved against the spec file's folder)."""

    source_name: str
    kind: Literal["values", "family", "neighbours"] = "values"
    period: str | None = None  # one period for the whole file
    publisher: str | None = None  # who published the file (recorded with it, shown beside its figures)
    licence: str | None = None  # under which licence
    file: FileOptions = FileOptions()
    filters: tuple[RowFilter, ...] = ()
    councils: CouncilSpec
    shape: ShapeSpec = ShapeSpec()
    periods: PeriodSpec = PeriodSpec()
    values: ValueSpec = ValueSpec()
    indicators: IndicatorSpec = IndicatorSpec()
    set_info: SetInfo | None = Field(None, alias="set")
    family: FamilySpec | None = None
    neighbours: NeighbourSpec | None = None

    @field_validator("source_name")
    @classmethod
    def _source_name(cls, value: str) -> str:
        if not value:
            raise ValueError(REQUIRED["source_name"])
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", value):
            raise ValueError(f"source_name = {value!r}: use letters, digits, '_', '.' or '-'")
        return value

    @field_validator("filters")
    @classmethod
    def _filters(cls, value: tuple[RowFilter, ...]) -> tuple[RowFilter, ...]:
        for number, entry in enumerate(value, 1):
            given = [k for k in ("keep", "drop", "keep_pattern", "drop_pattern") if getattr(entry, k) is not None]
            if len(given) != 1:
                raise ValueError(f"filters #{number}: give exactly one of keep, drop, keep_pattern or drop_pattern")
            _compile(entry.keep_pattern or entry.drop_pattern, f"filters #{number}: {given[0]}")
        return value

    @model_validator(mode="after")
    def _rules_across_tables(self) -> Spec:
        if self.period is not None:
            from etl.importer.periodtext import PeriodReader  # the spec's own period rules apply

            try:
                PeriodReader(self.periods).parse(self.period)
            except PeriodError as exc:
                raise ValueError(f"period = {self.period!r} {exc}") from None
        if self.kind == "values":
            self._values_rules()
        else:
            self._peer_rules()
        return self

    def _values_rules(self) -> None:
        for key in ("set", "family", "neighbours"):
            if getattr(self, "set_info" if key == "set" else key) is not None:
                raise ValueError(f'[{key}] belongs to kind = "family" or "neighbours"')
        shape, fixed_period = self.shape, self.period is not None
        if shape.form == "long":
            missing = [] if shape.value_column else ["value_column"]
            if not (shape.indicator_column or shape.indicator):
                missing.append("indicator_column (or a fixed indicator)")
            if not fixed_period and not shape.period_column:
                missing.append("period_column (or a top-level period)")
            if missing:
                raise ValueError(f'[shape] form = "long" needs {", ".join(missing)}')
        else:
            self._wide_rules()
        if self.values.note_statuses and not shape.note_column:
            raise ValueError("[values] note_statuses reads the notes: give [shape] note_column")
        if bool(shape.lower_ci_column) != bool(shape.upper_ci_column):
            raise ValueError("[shape] lower_ci_column and upper_ci_column go together (both limits or neither)")
        if shape.has_ci and shape.form != "long":
            raise ValueError('[shape] lower_ci_column and upper_ci_column are for form = "long"')
        indicators = self.indicators
        if not indicators.existing and not (indicators.columns or indicators.define or indicators.defaults):
            raise ValueError(
                "[indicators]: give metadata (columns, define or defaults), or existing = true "
                "when the indicators are already loaded"
            )

    def _wide_rules(self) -> None:
        shape = self.shape
        if shape.columns_are is None:
            raise ValueError("shape.columns_are = None: must be one of indicator, period, indicator_period")
        groups = ("indicator", "period") if shape.columns_are == "indicator_period" else ()
        _compile(shape.column_pattern, "shape.column_pattern", groups)
        if shape.columns_are == "indicator_period" and not shape.column_pattern:
            raise ValueError('shape.column_pattern is required when columns_are = "indicator_period"')
        if shape.columns_are == "indicator" and not (self.period is not None or shape.period_column):
            raise ValueError('[shape] columns_are = "indicator" needs period_column or a top-level period')
        if shape.columns_are == "period" and not (shape.indicator_column or shape.indicator):
            raise ValueError('[shape] columns_are = "period" needs indicator_column or a fixed indicator')

    def _peer_rules(self) -> None:
        if self.councils.dated_overrides:
            raise ValueError(f'councils.overrides: codes by period need periods, which kind = "{self.kind}" has not')
        info = self.set_info or SetInfo()
        for key in ("id", "name", "method"):
            if not getattr(info, key):
                raise ValueError(f'set.{key} is required for kind = "{self.kind}"')
        other = "neighbours" if self.kind == "family" else "family"
        if getattr(self, other) is not None:
            raise ValueError(f'[{other}] belongs to kind = "{other}"')
        if self.kind == "family" and not (self.family and self.family.columns):
            raise ValueError("family.group_column is required: the column holding each council's group")
        if self.kind == "neighbours" and self.neighbours is None:
            raise ValueError(
                "[neighbours] needs exactly one of neighbour_column (one row per pair) or "
                "neighbour_pattern (one column per rank, e.g. '^SN(?P<rank>[0-9]+)$')"
            )

    # -- what the steps read -------------------------------------------------------------------
    @property
    def markers(self) -> dict[str, str]:
        """The default value markers plus the spec's own."""
        return markers_with(self.values.markers)

    @property
    def duplicates(self) -> str:
        """``error`` or ``drop_identical``: what repeated keys do."""
        return self.values.duplicates

    @property
    def peer_sets(self) -> tuple[PeerSetSpec, ...]:
        """The peer sets this file becomes: one, or one per family column (ids ``<id>-<column>``)."""
        info = self.set_info
        if self.kind == "values" or info is None:
            return ()
        base = PeerSetSpec(
            set_id=str(info.id), name=str(info.name), method=str(info.method), description=info.description
        )
        columns = self.family.columns if self.family else ()
        if len(columns) <= 1:
            return (base.model_copy(update={"group_column": columns[0] if columns else None}),)
        return tuple(
            base.model_copy(
                update={
                    "set_id": f"{base.set_id}-{_slug(column)}",
                    "name": f"{base.name}: {column}",
                    "group_column": column,
                }
            )
            for column in columns
        )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "set"


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
    try:
        return Spec.model_validate(data, context={"base": base})
    except ValidationError as exc:
        raise SpecError(_describe(exc)) from None


# -- one message per failure, naming the key ---------------------------------------------------
def _where(loc: tuple[int | str, ...]) -> str:
    """``("indicators", "define", 0)`` -> ``indicators.define #1``."""
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1] if parts else ''} #{part + 1}".strip()]
        else:
            parts.append("set" if part == "set_info" else str(part))
    return ".".join(parts)


def _describe(exc: ValidationError, top: str = "top level") -> str:
    """The first problem of ``exc`` as one sentence (unknown keys first: they explain the rest).

    ``top`` names the outermost table in an unknown-key message ("" for a nested entry).
    """
    errors = sorted(exc.errors(), key=lambda e: "unknown key" not in str(e.get("msg", "")))
    error = errors[0]
    key = _where(tuple(error["loc"]))
    kind = error["type"]
    if kind == "value_error":
        message = str(error["ctx"]["error"]) if "ctx" in error else str(error["msg"])
        if not message.startswith("unknown key"):
            return message
        return f"[{key or top}]: {message}" if key or top else message
    if kind == "missing":
        return REQUIRED.get(key, f"{key} is required")
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        return f"{key} = {error['input']!r}: must be one of {', '.join(choices)}"
    reason = str(error["msg"])
    return f"{key} = {error['input']!r}: {reason[:1].lower()}{reason[1:]}"
