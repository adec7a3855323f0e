"""Problems found in input, and the report that lists them for a person to fix."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

__all__ = ["Problem", "format_problems", "EXAMPLES_PER_PROBLEM"]

EXAMPLES_PER_PROBLEM = 5  # enough to see the pattern without drowning the terminal


@dataclass(frozen=True)
class Problem:
    """One fault in one cell (or row, or file) of an input file.

    ``row`` is the row number a spreadsheet shows (the header is row 1); None for a
    whole-file problem. ``count`` is how many rows share this problem when this is an example;
    ``distinct`` how many different values those rows hold, when that is worth saying (4,158
    rows carrying 126 distinct bad periods), else 0.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    count: int = 1
    distinct: int = 0

    def describe(self) -> str:
        """One line: ``values.csv, row 7, column value: 'abc' is not a number``."""
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        shown = "" if self.value is None else f"{self.value!r}: "
        return f"{', '.join(where)}: {shown}{self.reason}"


def format_problems(problems: list[Problem], source: str = "") -> str:
    """A readable report: problems grouped by file, column and reason, with counts and examples."""
    groups: dict[tuple[str, str | None, str], list[Problem]] = defaultdict(list)
    for problem in problems:
        groups[(problem.file, problem.column, problem.reason)].append(problem)
    lines = [
        f"Validation failed{' for ' + source if source else ''}: {len(groups)} problem{'s' if len(groups) != 1 else ''}"
    ]
    for (file, column, reason), examples in groups.items():
        total = max(examples[0].count, len(examples))
        distinct = max(examples[0].distinct, 0)
        head = f"- {file}" + (f", column {column}" if column else "") + f": {reason}"
        counted = f"{total:,} rows" + (f", {distinct:,} distinct values" if distinct and distinct != total else "")
        lines.append(head + (f" ({counted})" if total > 1 else ""))
        for example in examples[:EXAMPLES_PER_PROBLEM]:
            if example.row is not None or example.value is not None:  # else the heading says it all
                lines.append(f"    {example.describe()}")
    return "\n".join(lines)
