"""Row filters (``[[filters]]``): keep or drop a file's rows by one column's text before anything
else reads them, so rows for other geographies, denominator series or processing artefacts
("2010-11...1090") are neither matched nor reported as unmatched.

Each filter decides once per distinct text of its column (Python sees those texts, never the
rows); filters apply in the spec's order and the report counts the rows each one left out.
"""

from __future__ import annotations

import pandas as pd

from etl.importer.run import ImportRun
from etl.importer.spec import RowFilter
from etl.sqltext import sql_identifier

__all__ = ["apply_filters", "describe_filter"]


def describe_filter(entry: RowFilter) -> str:
    """How the report names a filter: ``geography (keep: Region, Nation)``."""
    for key in ("keep", "drop"):
        listed = getattr(entry, key)
        if listed is not None:
            return f"{entry.column} ({key}: {', '.join(listed)})"
    if entry.keep_pattern is not None:
        return f"{entry.column} (keep matching '{entry.keep_pattern}')"
    return f"{entry.column} (drop matching '{entry.drop_pattern}')"


def apply_filters(run: ImportRun) -> None:
    """Temp view ``raw``: the rows of ``raw_all`` every filter lets through (counts in the report).

    Raises:
        ReadError: a filter names a column the file lacks.
    """
    source = "raw_all"
    for number, entry in enumerate(run.spec.filters, 1):
        column = sql_identifier(run.column(entry.column, f"filters #{number}: column"))
        texts = run.rows(f"SELECT {column}, count(*) FROM {source} GROUP BY 1")
        dropped = [(text, rows) for text, rows in texts if entry.matches(text) != entry.keeps]
        run.table(
            f"filter_{number}_drop",
            pd.DataFrame({"text": [t or "" for t, _ in dropped]}, dtype=object),
            {"text": "VARCHAR"},
        )
        run.con.execute(f"""CREATE OR REPLACE TEMP VIEW raw_{number} AS SELECT * FROM {source}
            WHERE coalesce(CAST({column} AS VARCHAR), '') NOT IN (SELECT text FROM filter_{number}_drop)""")
        run.report.rows_filtered.append((describe_filter(entry), sum(rows for _, rows in dropped)))
        source = f"raw_{number}"
    run.con.execute(f"CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM {source}")
