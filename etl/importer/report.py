"""What an import did: counts, the names it could not match, and the problems found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from etl.problems import Problem, format_problems

__all__ = ["ImportReport", "format_report"]

LISTED_NAMES = 50  # unmatched names shown in full; a longer list is summarised with a count


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
    rows_matched: int = 0
    rows_unmatched: int = 0
    rows_ambiguous: int = 0
    rows_blank: int = 0
    rows_aggregate: int = 0
    aggregates: str = "drop"
    aggregate_areas: list[str] = field(default_factory=list)
    unmatched: list[tuple[str, int]] = field(default_factory=list)  # (text, rows)
    ambiguous: list[tuple[str, str]] = field(default_factory=list)  # (text, candidates)
    matched_by: dict[str, int] = field(default_factory=dict)  # how -> distinct names
    settled_by_period: int = 0  # cells whose ambiguous name only one council fitted in its period
    cells: int = 0
    values_written: int = 0
    comparators_written: int = 0
    members_written: int = 0
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


def format_report(report: ImportReport) -> str:
    """The report as lines for a terminal (problems, if any, at the end)."""
    lines = [
        f"Import of {report.file} as source {report.source_name!r} ({report.kind})"
        f"{' - dry run, nothing written' if report.dry_run else ''}",
        f"  file sha256: {report.sha256}",
        f"  rows read: {report.rows_read:,}",
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
    if report.unmatched:
        lines += _names(report.unmatched, "unmatched (rows)")
    if report.ambiguous:
        lines += _names(report.ambiguous, "ambiguous, never picked (candidates)")
    if report.settled_by_period:
        lines.append(
            f"  cells of ambiguous names settled by period (one candidate existed then): {report.settled_by_period:,}"
        )
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
        lines.append(f"  peer-set rows to load: {report.members_written:,}")
    lines.append(f"  time: prepare {report.seconds_prepare:.1f} s, load checks {report.seconds_load:.1f} s")
    if report.problems:
        lines.append(format_problems(report.problems, report.file))
        lines.append("Nothing was published; the live warehouse is unchanged.")
    elif report.outcome == "published":
        lines.append(f"Published data version {report.version}.")
    elif report.outcome == "validated":
        lines.append("Valid: every check passed (dry run: nothing was written).")
    return "\n".join(lines)
