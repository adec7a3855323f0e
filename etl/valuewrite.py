"""The sorted write of ``indicator_values``: kept, staged and streamed values in one INSERT.

The table is stored sorted by indicator, period start, period and authority (the dashboard
reads one indicator and period at a time, and DuckDB's zone maps skip the rest; see
docs/warehouse.md). Sorting 16 million rows on those texts cost ~6 s. Here each row is sorted
on one packed integer made of the ordinals of its indicator, period, authority and source in
their sorted lists::

    sort_key = ((indicator * periods + period) * authorities + authority) * sources + source

so the order is the same (the source only breaks ties between repeated keys, which the load
refuses) while the sort moves a few bytes per row; the texts come back from the lists after it.

A streamed values file (``etl.contract.StreamedRead``) is read by this same statement and
checked on the way in: a row its ``clean`` test cannot pass, or a text outside its ENUMs, stops
the statement with :class:`StreamRefused`, and the load goes back to the file with the staged
checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from etl.contract import VALUES
from etl.lifespan import outside_life_sql
from etl.sqltext import sql_literal, sql_literal_list
from etl.transform import CODES_TYPE, STATUSES_TYPE, STREAMED_PARTS, deferred_values, part_number, streamed_values

__all__ = ["StreamRefused", "write_sorted_values"]

REFUSED = "exemplar: a streamed values row needs the staged checks"  # error() text of a refusal
KEY_BITS_32 = 2**32  # below this many keys the sort key is a UINTEGER (4 bytes a row, not 8)


class StreamRefused(Exception):
    """A streamed values file holds a row the one-pass read cannot pass, or DuckDB refused it."""


@dataclass(frozen=True)
class _Orders:
    """The sorted lists whose ordinals make up the sort key, and the rule that packs them."""

    indicators: list[str]
    periods: list[str]
    starts: list[dt.date]
    ends: list[dt.date]
    authorities: list[str]
    sources: list[str]

    @property
    def key_type(self) -> str:
        keys = len(self.indicators) * len(self.periods) * len(self.authorities) * len(self.sources)
        return "UINTEGER" if keys < KEY_BITS_32 else "UBIGINT"

    def key(self, indicator: str, period: str, authority: str, source: str) -> str:
        """SQL packing four 0-based ordinals (SQL expressions) into the sort key."""
        return (
            f"((((({indicator})::UBIGINT * {len(self.periods)} + ({period})) * {len(self.authorities)}"
            f" + ({authority})) * {len(self.sources)} + ({source}))::{self.key_type})"
        )

    def decoded(self) -> dict[str, str]:
        """SQL for each ordinal of ``sort_key`` (1-based, for list_extract)."""
        sources, authorities, periods = len(self.sources), len(self.authorities), len(self.periods)
        authority = f"(sort_key // {sources} % {authorities})"
        period = f"(sort_key // {sources * authorities} % {periods})"
        return {
            "indicator": f"(sort_key // {sources * authorities * periods})::BIGINT + 1",
            "period": f"{period}::BIGINT + 1",
            "authority": f"{authority}::BIGINT + 1",
            "source": f"(sort_key % {sources})::BIGINT + 1",
            "life": f"({authority} * {periods} + {period})::BIGINT + 1",
        }


def write_sorted_values(con: duckdb.DuckDBPyConnection, kept: str | None, replaced: list[str]) -> None:
    """Insert every values row into ``indicator_values``, sorted, in one statement.

    ``kept``: a SELECT of the previous version's rows that stay (binding ``$replaced``), or
    None. The new rows come from the staged and streamed values files kept by
    ``etl.transform.store_checked``. ``outside_life`` is worked out here for every row, kept
    rows too (a version of an older schema gains the column). Expects ``all_periods``.

    Raises:
        StreamRefused: a streamed file holds a row that needs the staged checks; nothing written.
    """
    staged, streamed = deferred_values(con), streamed_values(con)
    if (
        kept is not None
        and not con.execute(f"SELECT count(*) FROM (FROM ({kept}) LIMIT 1)", {"replaced": replaced}).fetchone()[0]
    ):
        kept = None  # nothing kept (a first load, or every source reloaded): no part to read
    if kept is None and not staged and not streamed:
        return
    orders = _orders(con, kept, replaced)
    for name, values in (
        ("value_indicator_t", orders.indicators),
        ("value_period_t", orders.periods),
        ("value_authority_t", orders.authorities),
        ("value_source_t", orders.sources),
    ):
        con.execute(f"CREATE OR REPLACE TEMP TYPE {name} AS ENUM {sql_literal_list(values)}")
    carried = _carried(con, kept, staged, streamed, replaced)
    params: dict[str, object] = {}
    parts = [_text_part(f"({kept})", orders, carried)] if kept else []
    if kept:
        params["replaced"] = replaced
    parts += [_text_part(view, orders, carried) for view in staged]
    parts += [_streamed_part(con, view, orders, carried) for view in streamed]
    # The lists travel as columns of a one-row table, not as parameters: a parameter is copied
    # into every 2,048-row chunk (~0.5 s per list at 16M rows), a joined column is shared.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE value_lists AS
           SELECT $indicator_ids::VARCHAR[] AS indicator_ids, $period_labels::VARCHAR[] AS period_labels,
                  $period_starts::DATE[] AS period_starts, $authority_codes::VARCHAR[] AS authority_codes,
                  $source_names::VARCHAR[] AS source_names, $outside_life::BOOLEAN[] AS outside_life""",
        {
            "indicator_ids": orders.indicators,
            "period_labels": orders.periods,
            "period_starts": orders.starts,
            "authority_codes": orders.authorities,
            "source_names": orders.sources,
            "outside_life": _outside_life(con, orders),
        },
    )
    at = orders.decoded()
    assert VALUES.storage is not None and VALUES.streamed is not None
    # Not carried through the sort: the limits are NULL, the status the one an empty cell gets.
    status = "status" if carried.status else VALUES.streamed.status.format(statuses=STATUSES_TYPE)
    try:
        con.execute(
            f"""INSERT INTO {VALUES.storage.table} BY NAME
                SELECT list_extract(l.indicator_ids, {at["indicator"]}) AS indicator_id,
                       list_extract(l.period_labels, {at["period"]}) AS period,
                       list_extract(l.period_starts, {at["period"]}) AS period_start,
                       list_extract(l.authority_codes, {at["authority"]}) AS authority_code,
                       value, ({status})::VARCHAR AS status, lower_ci, upper_ci,
                       list_extract(l.source_names, {at["source"]}) AS source_name,
                       list_extract(l.outside_life, {at["life"]}) AS outside_life
                FROM (SELECT *, value AS value_number, {carried.absent()}
                      FROM (SELECT * FROM ({" UNION ALL ".join(parts)}) ORDER BY sort_key)) v
                CROSS JOIN value_lists l""",
            params or None,
        )
    except (duckdb.InvalidInputException, duckdb.ConversionException) as exc:
        if not streamed:
            raise
        raise StreamRefused(str(exc).splitlines()[0]) from exc


def _orders(con: duckdb.DuckDBPyConnection, kept: str | None, replaced: list[str]) -> _Orders:
    """Every indicator, period, authority and source a row may carry, each list sorted as the
    table is. Kept rows refer to the previous version's definitions and register, so those
    count too (the integrity check then names anything the new version lacks)."""
    indicators = _column(
        con, "SELECT indicator_id FROM indicators UNION SELECT indicator_id FROM prev.indicators ORDER BY 1"
    )
    periods = con.execute(
        "SELECT period, period_start, period_end FROM all_periods ORDER BY period_start, period"
    ).fetchall()
    authorities = _column(
        con,
        "SELECT authority_code FROM ref.authorities UNION SELECT authority_code FROM prev.ref.authorities ORDER BY 1",
    )
    kept_sources = _column(con, f"SELECT DISTINCT source_name FROM ({kept})", {"replaced": replaced}) if kept else []
    return _Orders(
        indicators=indicators,
        periods=[p[0] for p in periods],
        starts=[p[1] for p in periods],
        ends=[p[2] for p in periods],
        authorities=authorities,
        sources=sorted(set(kept_sources) | set(replaced)),
    )


def _column(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None) -> list:
    return [r[0] for r in con.execute(sql, params).fetchall()]


@dataclass(frozen=True)
class _Carried:
    """Which optional columns ride through the sort: each one costs bytes on every row."""

    status: bool  # False: every status is the one an empty cell gets, worked out after the sort
    limits: bool  # False: no row has a confidence limit

    def columns(self, status: str, lower: str, upper: str) -> str:
        """The sort input's optional columns, from these SQL expressions (with a leading comma)."""
        chosen = ([f"{status} AS status"] if self.status else []) + (
            [f"{lower} AS lower_ci", f"{upper} AS upper_ci"] if self.limits else []
        )
        return "".join(f", {c}" for c in chosen)

    def absent(self) -> str:
        """The columns not carried, as constants for after the sort (a trailing comma-free list)."""
        missing = ([] if self.status else [f"NULL::{STATUSES_TYPE} AS status"]) + (
            [] if self.limits else ["NULL::DOUBLE AS lower_ci", "NULL::DOUBLE AS upper_ci"]
        )
        return ", ".join(missing) or "NULL AS carried_all"


def _carried(
    con: duckdb.DuckDBPyConnection, kept: str | None, staged: list[str], streamed: list[str], replaced: list[str]
) -> _Carried:
    """What the rows about to be sorted hold beyond key and value: a status of their own (kept and
    staged rows, a streamed file with a status column), a confidence limit (any row with one)."""
    numbers = [part_number(view) for view in streamed]
    has_status, has_limits = con.execute(
        f"SELECT coalesce(bool_or(has_status), false), coalesce(bool_or(has_limits), false) FROM {STREAMED_PARTS} "
        "WHERE list_contains($numbers, part)",
        {"numbers": numbers},
    ).fetchone()
    for view in staged:
        sql = f"SELECT count(lower_ci) + count(upper_ci) FROM {VALUES.table}_{part_number(view)}"
        has_limits = has_limits or bool(con.execute(sql).fetchone()[0])
    if kept is not None and not has_limits:
        sql = f"SELECT count(lower_ci) + count(upper_ci) FROM ({kept})"
        has_limits = bool(con.execute(sql, {"replaced": replaced}).fetchone()[0])
    return _Carried(status=bool(has_status or staged or kept is not None), limits=bool(has_limits))


def _text_part(rows: str, orders: _Orders, carried: _Carried) -> str:
    """Sort input from rows that carry their texts (kept rows, staged files)."""
    key = orders.key(
        "enum_code(CAST(indicator_id AS value_indicator_t))",
        "enum_code(CAST(period AS value_period_t))",
        "enum_code(CAST(authority_code AS value_authority_t))",
        "enum_code(CAST(source_name AS value_source_t))",
    )
    optional = carried.columns(f"CAST(status AS {STATUSES_TYPE})", "lower_ci", "upper_ci")
    return f"SELECT {key} AS sort_key, value{optional} FROM {rows}"


def _streamed_part(con: duckdb.DuckDBPyConnection, view: str, orders: _Orders, carried: _Carried) -> str:
    """Sort input read straight from a streamed file, each row checked by the contract's
    ``clean`` test (a failing row stops the statement)."""
    streamed = VALUES.streamed
    assert streamed is not None
    number = part_number(view)
    known = f"{VALUES.stem}_indicators_{number}"
    ids = _column(con, f"SELECT indicator_id FROM {known} ORDER BY indicator_id")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE value_period_keys_{number} AS
            SELECT m.raw, o.period_key
            FROM {VALUES.periods_table}_{number} m
            JOIN (SELECT unnest($labels) AS period, generate_subscripts($labels, 1) - 1 AS period_key) o
              ON o.period = m.period_label
            WHERE m.period_error IS NULL""",
        {"labels": orders.periods},
    )
    codes = _column(con, f"SELECT unnest(enum_range(NULL::{CODES_TYPE}))")
    code_authority = dict(con.execute("SELECT code, authority_code FROM ref.authority_codes").fetchall())
    position = {code: n for n, code in enumerate(orders.authorities)}
    where = {indicator: n for n, indicator in enumerate(orders.indicators)}
    lists = f"value_part_lists_{number}"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {lists} AS
            SELECT $authority_of_code::INTEGER[] AS authority_of_code, $indicator_of::INTEGER[] AS indicator_of,
                   (SELECT list(min_value ORDER BY indicator_id) FROM {known}) AS min_values,
                   (SELECT list(max_value ORDER BY indicator_id) FROM {known}) AS max_values""",
        {"authority_of_code": [position[code_authority[c]] for c in codes], "indicator_of": [where[i] for i in ids]},
    )
    local = "enum_code(indicator_id)"
    if ids != orders.indicators:  # a later source defined more: map this file's ordinals
        local = "list_extract(indicator_of, enum_code(indicator_id)::BIGINT + 1)"
    key = orders.key(
        local,
        "period_key",
        "list_extract(authority_of_code, enum_code(authority_code)::BIGINT + 1)",
        "enum_code(CAST(source_name AS value_source_t))",  # a constant: folded when planned
    )
    optional = carried.columns(streamed.status.format(statuses=STATUSES_TYPE), "lower_number", "upper_number")
    sql = f"""SELECT CASE WHEN {streamed.clean} THEN {key} ELSE error({sql_literal(REFUSED)}) END AS sort_key,
                     value_number AS value{optional}
              FROM (SELECT s.*, k.period_key, {streamed.numbers}, x.authority_of_code, x.indicator_of,
                           list_extract(x.min_values, enum_code(s.indicator_id)::BIGINT + 1) AS min_value,
                           list_extract(x.max_values, enum_code(s.indicator_id)::BIGINT + 1) AS max_value
                    FROM {view} s LEFT JOIN value_period_keys_{number} k ON k.raw = s.period
                    CROSS JOIN {lists} x)"""
    return sql


def _outside_life(con: duckdb.DuckDBPyConnection, orders: _Orders) -> list[bool]:
    """For every (authority, period) ordinal pair, in key order: whether the council did not
    exist on any day of the period (etl.lifespan's rule; false for a code the register lacks)."""
    return _column(
        con,
        f"""SELECT coalesce({outside_life_sql("a", "p")}, false)
            FROM (SELECT unnest($codes) AS authority_code, generate_subscripts($codes, 1) AS a_order) o
            LEFT JOIN ref.authorities a USING (authority_code)
            CROSS JOIN (SELECT unnest($starts) AS period_start, unnest($ends) AS period_end,
                               generate_subscripts($starts, 1) AS p_order) p
            ORDER BY o.a_order, p.p_order""",
        {"codes": orders.authorities, "starts": orders.starts, "ends": orders.ends},
    )
