"""What an import did: counts, the names it could not match, and the problems found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from etl.problems import Problem, format_problems

__all__ = ["ImportReport", "format_report"]

LISTED_NAMES = 50  # unmatched names shown in full; a longer list is summarised with a count
LISTED_COUNCILS = 10  # councils with values outside their life, and overlaps, shown by name


@dataclass
class ImportReport:
    """The outcome of one ``etl import``.

    ``rows_*`` count rows of the input file by what their council cell turned out to be;
    ``cells`` counts the values after reshaping (a wide row holds several).
    """

    file: str
    source_name: str
    kind: str
    dry_run: bool
    rows_read: int = 0
    rows_filtered: list[tuple[str, int]] = field(default_factory=list)  # (filter, rows it left out)
    rows_matched: int = 0
    rows_unmatched: int = 0
    rows_ambiguous: int = 0
    rows_blank: int = 0
    rows_aggregate: int = 0
    aggregates: str = "drop"
    aggregate_areas: list[str] = field(default_factory=list)
    unmatched: list[tuple[str, int]] = field(default_factory=list)  # (text, rows)
    not_councils: list[tuple[str, str, int]] = field(default_factory=list)  # (text, reason, rows): left out
    rows_not_council: int = 0
    ambiguous: list[tuple[str, str]] = field(default_factory=list)  # (text, candidates)
    matched_by: dict[str, int] = field(default_factory=dict)  # how -> distinct names
    settled_by_period: int = 0  # cells whose name the row's period settled (register dates or dated overrides)
    settled: list[tuple[str, str, int]] = field(default_factory=list)  # (name, council, cells) each way
    outside_life: int = 0  # values for a council in a period it did not exist in (kept; the load marks them)
    outside_life_before: int = 0  # ... of which before the council began (restated on later boundaries)
    outside_life_after: int = 0  # ... of which after it ended (reported after abolition)
    outside_life_councils: list[tuple[str, int]] = field(default_factory=list)  # (council, values)
    overlaps: list[tuple[str, str, int, str]] = field(default_factory=list)  # (successor, predecessor, n, example)
    cells: int = 0
    values_written: int = 0
    comparators_written: int = 0
    members_written: int = 0
    sets_written: list[str] = field(default_factory=list)  # peer set ids
    self_neighbours_dropped: int = 0
    group_descriptions: int = 0  # family groups described (peer_set_groups.csv)
    without_group: int = 0  # family cells holding a no_group text ("[x]"): the council is in no group of that set  # councils listed as their own neighbour, left out (drop_self)
    suppressed: int = 0
    missing: int = 0
    duplicates: int = 0
    duplicates_dropped: int = 0
    indicators: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    outcome: str = "failed"  # failed | validated | published
    version: str | None = None
    sha256: str = ""  # of the input file, to tie the report to the exact file
    seconds_prepare: float = 0.0  # read, reshape, match, clean, write contract CSVs
    seconds_load: float = 0.0  # etl.load.load_sources (validation and, unless dry run, publish)

    @property
    def ok(self) -> bool:
        """True when the import validated (dry run) or published."""
        return self.outcome in ("validated", "published")


def _names(items: Sequence[tuple[str, object]], what: str) -> list[str]:
    lines = [f"  {what}:"]
    for text, extra in items[:LISTED_NAMES]:
        lines.append(f"    {text!r}: {extra}")
    if len(items) > LISTED_NAMES:
        lines.append(f"    ... and {len(items) - LISTED_NAMES} more")
    return lines


def _life_lines(report: ImportReport) -> list[str]:
    """Values for councils outside their life, and successor/predecessor overlaps."""
    lines = []
    if report.outside_life:
        lines.append(
            f"  {report.outside_life:,} values reported for councils outside their life: restated on later "
            f"boundaries ({report.outside_life_before:,} before the council began, "
            f"{report.outside_life_after:,} after it ended; kept, and marked as such)"
        )
        shown = report.outside_life_councils[:LISTED_COUNCILS]
        lines += [f"    {council}: {values:,}" for council, values in shown]
        if len(report.outside_life_councils) > LISTED_COUNCILS:
            lines.append(f"    ... and {len(report.outside_life_councils) - LISTED_COUNCILS} more councils")
    if report.overlaps:
        lines.append("  a successor and its predecessor both given for one indicator and period:")
        for successor, predecessor, count, example in report.overlaps[:LISTED_COUNCILS]:
            lines.append(f"    {successor} with {predecessor}: {count:,} indicator-periods (e.g. {example})")
        if len(report.overlaps) > LISTED_COUNCILS:
            lines.append(f"    ... and {len(report.overlaps) - LISTED_COUNCILS} more pairs")
    return lines


def format_report(report: ImportReport) -> str:
    """The report as lines for a terminal (problems, if any, at the end)."""
    lines = [
        f"Import of {report.file} as source {report.source_name!r} ({report.kind})"
        f"{' - dry run, nothing written' if report.dry_run else ''}",
        f"  file sha256: {report.sha256}",
        f"  rows read: {report.rows_read:,}",
        *(f"  rows left out by filter {what}: {rows:,}" for what, rows in report.rows_filtered),
        f"  rows matched to a council: {report.rows_matched:,}"
        + (
            f" (by {', '.join(f'{k} {v}' for k, v in sorted(report.matched_by.items()))} names/codes)"
            if report.matched_by
            else ""
        ),
        f"  rows unmatched: {report.rows_unmatched:,}  ambiguous: {report.rows_ambiguous:,}"
        f"  no council: {report.rows_blank:,}",
        f"  aggregate rows ({report.aggregates}): {report.rows_aggregate:,}"
        + (f" - {', '.join(report.aggregate_areas)}" if report.aggregate_areas else ""),
    ]
    if report.not_councils:
        lines.append(f"  rows left out as not councils ([councils] not_councils): {report.rows_not_council:,}")
        lines += [f"    {text!r} ({rows:,} rows): {reason}" for text, reason, rows in report.not_councils]
    if report.unmatched:
        lines += _names(report.unmatched, "unmatched (rows)")
    if report.ambiguous:
        lines += _names(report.ambiguous, "ambiguous, never picked (candidates)")
    if report.settled_by_period:
        lines.append(
            f"  cells whose name the period settled (register dates or dated overrides): {report.settled_by_period:,}"
        )
        lines += [f"    {text!r} as {council}: {cells:,} cells" for text, council, cells in report.settled]
    lines += _life_lines(report)
    if report.kind == "values":
        lines += [
            f"  values: {report.cells:,} cells, {report.values_written:,} council values and "
            f"{report.comparators_written:,} comparator values to load",
            f"  suppressed: {report.suppressed:,}  missing: {report.missing:,}",
            f"  duplicates: {report.duplicates:,} (identical repeats dropped: {report.duplicates_dropped:,})",
            f"  indicators: {len(report.indicators)}"
            + (
                f" ({', '.join(report.indicators[:10])}{', ...' if len(report.indicators) > 10 else ''})"
                if report.indicators
                else ""
            ),
            f"  periods: {', '.join(report.periods[:12])}{' ...' if len(report.periods) > 12 else ''}",
        ]
    else:
        lines.append(
            f"  peer-set rows to load: {report.members_written:,}"
            + (
                f" in {len(report.sets_written)} sets ({', '.join(report.sets_written)})"
                if len(report.sets_written) > 1
                else ""
            )
        )
        if report.duplicates_dropped:
            lines.append(f"  identical repeats dropped: {report.duplicates_dropped:,}")
        if report.without_group:
            lines.append(f"  councils in no group of a set ([family] no_group): {report.without_group:,}")
        if report.group_descriptions:
            lines.append(f"  group descriptions: {report.group_descriptions:,}")
        if report.self_neighbours_dropped:
            lines.append(f"  councils listed as their own neighbour, left out: {report.self_neighbours_dropped:,}")
    lines.append(f"  time: prepare {report.seconds_prepare:.1f} s, load checks {report.seconds_load:.1f} s")
    if report.problems:
        lines.append(format_problems(report.problems, report.file))
        lines.append("Nothing was published; the live warehouse is unchanged.")
    elif report.outcome == "published":
        lines.append(f"Published data version {report.version}.")
    elif report.outcome == "validated":
        lines.append("Valid: every check passed (dry run: nothing was written).")
    return "\n".join(lines)
