"""Values reported for a council outside its life, and where a source gives a successor beside
its predecessor: the rule written once, for the load, ``etl status`` and the importer's report.

Publishers report on the geography of *their* release: a council created in a reorganisation
often has its history restated back before it existed, and an abolished council can appear
after its end. Such a value is kept and stored with ``indicator_values.outside_life`` true.

The rule: a council existed on at least one day of a period when it started on or before the
period's last day and its ``end_date`` is after the period's first day. The register's
``end_date`` is the first day the council no longer exists (e.g. 2023-04-01) or, for some
councils, its last day (2020-03-31); both read correctly for periods that start on 1 April or
1 January, which is why the comparison is ``end_date > period_start`` (the peer groups' rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

__all__ = [
    "OutsideLife",
    "Overlap",
    "after_abolition_sql",
    "before_creation_sql",
    "outside_life_sql",
    "outside_life_summary",
    "count_outside_life",
    "LISTED_OVERLAPS",
]

LISTED_OVERLAPS = 10  # pairs named in a report; the rest are counted


def after_abolition_sql(council: str = "a", period: str = "p") -> str:
    """SQL: the council (alias ``council``) had ended before the period (alias ``period``) began."""
    return f"coalesce({council}.end_date <= {period}.period_start, false)"


def before_creation_sql(council: str = "a", period: str = "p") -> str:
    """SQL: the council started after the period's last day."""
    return f"coalesce({council}.start_date > {period}.period_end, false)"


def outside_life_sql(council: str = "a", period: str = "p") -> str:
    """SQL: the council did not exist on any day of the period (never NULL)."""
    return f"({after_abolition_sql(council, period)} OR {before_creation_sql(council, period)})"


@dataclass(frozen=True)
class Overlap:
    """A source gives a successor and its predecessor for the same indicators and periods."""

    source_name: str
    successor: str  # authority_code
    successor_name: str
    predecessor: str
    predecessor_name: str
    cells: int  # indicator-periods given for both
    first_period: str
    last_period: str

    def describe(self) -> str:
        """``Somerset (E06000066) beside its predecessor Mendip (E07000187): 12 indicator-periods, 2022/23 to 2023/24``."""
        span = (
            self.first_period if self.first_period == self.last_period else f"{self.first_period} to {self.last_period}"
        )
        return (
            f"{self.successor_name} ({self.successor}) beside its predecessor {self.predecessor_name} "
            f"({self.predecessor}) in source {self.source_name}: {self.cells:,} indicator-period"
            f"{'s' if self.cells != 1 else ''}, {span}"
        )


@dataclass(frozen=True)
class OutsideLife:
    """How many stored values belong to a council outside its life, and the overlaps."""

    after_abolition: int = 0
    before_creation: int = 0
    overlaps: list[Overlap] = field(default_factory=list)  # the first LISTED_OVERLAPS pairs
    overlap_pairs: int = 0  # every (source, successor, predecessor) pair with an overlap

    @property
    def total(self) -> int:
        return self.after_abolition + self.before_creation

    def describe(self) -> list[str]:
        """Report lines; empty when every value falls in its council's life and nothing overlaps."""
        lines = []
        if self.total:
            lines.append(
                f"{self.total:,} value{'s' if self.total != 1 else ''} reported for councils outside their life: "
                f"restated on later boundaries ({self.before_creation:,} before the council was created, "
                f"{self.after_abolition:,} after it was abolished); kept and marked, shown with that status"
            )
        if self.overlap_pairs:
            lines.append(
                f"{self.overlap_pairs:,} successor{'s' if self.overlap_pairs != 1 else ''} given beside a "
                "predecessor for the same indicator and period (both stay in that period's peer groups):"
            )
            lines += [f"  {o.describe()}" for o in self.overlaps]
            if self.overlap_pairs > len(self.overlaps):
                lines.append(f"  ... and {self.overlap_pairs - len(self.overlaps):,} more")
        return lines


def outside_life_summary(
    con: duckdb.DuckDBPyConnection,
    values: str = "indicator_values",
    periods: str = "periods",
    authorities: str = "ref.authorities",
    sources: list[str] | None = None,
) -> OutsideLife:
    """Count the values of ``values`` marked ``outside_life`` and find the overlaps.

    ``values`` is any table or view with ``source_name, indicator_id, period, authority_code,
    outside_life``; ``periods`` has ``period, period_start, period_end``; ``authorities`` has
    ``authority_code, short_name, start_date, end_date, successor_codes`` (all names of tables or
    views, not user text). ``sources`` limits the count to those source names (None: every source).

    Both queries read only a sliver of a large table: the marked rows, and the rows of councils
    that have a predecessor or a successor at all.
    """
    only = "list_contains($sources, v.source_name)" if sources is not None else "true"
    params = {"sources": sources} if sources is not None else {}
    after, before = con.execute(
        f"""SELECT count(*) FILTER (WHERE {after_abolition_sql()}),
                   count(*) FILTER (WHERE NOT {after_abolition_sql()})
            FROM {values} v
            JOIN {periods} p ON p.period = v.period
            JOIN {authorities} a ON a.authority_code = v.authority_code
            WHERE v.outside_life AND {only}""",
        params,
    ).fetchone()
    pairs = con.execute(
        f"""WITH successions AS (
                SELECT authority_code AS predecessor, unnest(successor_codes) AS successor
                FROM {authorities} WHERE len(coalesce(successor_codes, [])) > 0
            ),
            involved AS MATERIALIZED (
                SELECT v.source_name, v.indicator_id, v.period, v.authority_code
                FROM {values} v
                WHERE v.authority_code IN (SELECT predecessor FROM successions UNION SELECT successor FROM successions)
                  AND {only}
            ),
            overlapping AS (
                SELECT r.source_name, s.successor, s.predecessor, count(*) AS cells,
                       min(r.period) AS first_period, max(r.period) AS last_period
                FROM involved r
                JOIN successions s ON s.predecessor = r.authority_code
                JOIN involved v ON v.authority_code = s.successor AND v.indicator_id = r.indicator_id
                               AND v.period = r.period AND v.source_name = r.source_name
                GROUP BY ALL
            ),
            final AS (
                SELECT o.source_name, o.successor, coalesce(sa.short_name, o.successor) AS successor_name,
                       o.predecessor, coalesce(pa.short_name, o.predecessor) AS predecessor_name,
                       o.cells, o.first_period, o.last_period, count(*) OVER () AS pairs
                FROM overlapping o
                LEFT JOIN {authorities} sa ON sa.authority_code = o.successor
                LEFT JOIN {authorities} pa ON pa.authority_code = o.predecessor
            )
            SELECT * FROM final
            ORDER BY source_name, successor_name, predecessor_name
            LIMIT {LISTED_OVERLAPS}""",
        params,
    ).fetchall()
    return OutsideLife(
        after_abolition=int(after),
        before_creation=int(before),
        overlaps=[Overlap(*row[:8]) for row in pairs],
        overlap_pairs=int(pairs[0][8]) if pairs else 0,
    )


def count_outside_life(values: pd.DataFrame, periods: pd.DataFrame, authorities: pd.DataFrame) -> OutsideLife:
    """:func:`outside_life_summary` over frames, for a caller without a warehouse (the importer).

    ``values``: ``authority_code``, ``indicator_id``, ``period`` (canonical label) and optionally
    ``source_name``; ``periods``: ``period``, ``period_start``, ``period_end``; ``authorities``:
    the frame of ``etl.reference.read_authorities()``.
    """
    frame = values if "source_name" in values.columns else values.assign(source_name="")
    con = duckdb.connect()
    try:
        con.register("life_values_frame", frame[["source_name", "indicator_id", "period", "authority_code"]])
        con.register("life_periods_frame", periods[["period", "period_start", "period_end"]])
        con.execute(
            "CREATE TEMP TABLE life_periods AS SELECT period::VARCHAR AS period, period_start::DATE AS period_start, "
            "period_end::DATE AS period_end FROM life_periods_frame"
        )
        con.register("life_authorities_frame", authorities)
        con.execute(
            "CREATE TEMP TABLE life_authorities AS SELECT authority_code::VARCHAR AS authority_code, "
            "short_name::VARCHAR AS short_name, start_date::DATE AS start_date, end_date::DATE AS end_date, "
            "successor_codes::VARCHAR[] AS successor_codes FROM life_authorities_frame"
        )
        con.execute(  # marked as the load marks indicator_values
            f"""CREATE TEMP TABLE life_values AS
                SELECT v.*, {outside_life_sql()} AS outside_life
                FROM life_values_frame v
                LEFT JOIN life_periods p ON p.period = v.period
                LEFT JOIN life_authorities a ON a.authority_code = v.authority_code"""
        )
        return outside_life_summary(con, "life_values", "life_periods", "life_authorities")
    finally:
        con.close()
