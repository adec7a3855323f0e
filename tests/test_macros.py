"""The warehouse macros (etl/sql/macros.sql): one test per rule, against the rule written out by
hand or by pandas; and that they travel inside a published version, usable through the
dashboard's read-only cursors with `$` parameters."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.common.register import belongs_to_period
from dashboard.warehouse import MACROS_SQL, SCHEMA_SQL
from etl.warehouse import WarehousePaths

MACROS = ["is_period", "councils_in", "better_value", "polarity_rank", "ranked_count", "value_status",
          "change_direction", "quartile_band", "group_members", "published_answers"]


def empty_warehouse() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse: the schema, then the macros, as the ETL builds a version."""
    connection = duckdb.connect(":memory:")
    connection.execute(SCHEMA_SQL.read_text())
    connection.execute(MACROS_SQL.read_text())
    return connection


@pytest.fixture
def con():
    connection = empty_warehouse()
    yield connection
    connection.close()


def one(con, sql: str, params: dict | None = None):
    return con.execute(sql, params or {}).fetchone()[0]


def test_a_published_version_holds_the_macros_and_a_read_only_cursor_runs_them(demo_warehouse):
    file = WarehousePaths(demo_warehouse).current_file()
    connection = duckdb.connect(str(file), read_only=True)
    try:
        cursor = connection.cursor()
        names = {r[0] for r in cursor.execute("SELECT function_name FROM duckdb_functions() "
                                              "WHERE function_type IN ('macro', 'table_macro')").fetchall()}
        assert set(MACROS) <= names
        count = cursor.execute("SELECT count(*) FROM councils_in($p)", {"p": "2023/24"}).fetchone()[0]
        assert count > 300
        assert cursor.execute("SELECT better_value($pol, 2.5)", {"pol": "lower"}).fetchone()[0] == -2.5
    finally:
        connection.close()


# -- is_period ---------------------------------------------------------------------------------
def test_is_period_keeps_exactly_the_labels_rows(con):
    rows = [("2023/24", dt.date(2023, 4, 1)), ("2023", dt.date(2023, 1, 1)), ("2022/23", dt.date(2022, 4, 1))]
    got = [one(con, "SELECT is_period($l, $s, $p)", {"l": label, "s": start, "p": "2023/24"}) for label, start in rows]
    assert got == [True, False, False]
    assert one(con, "SELECT is_period('x', DATE '2023-04-01', 'not a year')") in (False, None)


# -- councils_in -------------------------------------------------------------------------------
PERIOD_START, PERIOD_END = dt.date(2023, 4, 1), dt.date(2024, 3, 31)


def _register(con, rows: list[tuple]) -> None:
    """Authorities (code, is_council, tier, start, end) and the period 2023/24."""
    con.executemany(
        "INSERT INTO ref.authorities (authority_code, register_code, official_name, short_name, nation, "
        "authority_type, authority_type_code, tier, is_council, is_current, start_date, end_date) "
        "VALUES (?, ?, ?, ?, 'England', 'T', 'T', ?, ?, true, ?, ?)",
        [(code, code, code, code, tier, is_council, start, end) for code, is_council, tier, start, end in rows],
    )
    con.execute("INSERT INTO periods VALUES ('2023/24', DATE '2023-04-01', DATE '2024-03-31', 'financial_year')")


def test_councils_in_by_life_dates_and_by_reported_values(con):
    day = dt.timedelta(days=1)
    _register(con, [
        ("always", True, "unitary", None, None),
        ("gone_on_first_day", True, "district", None, PERIOD_START),  # end_date = first day it no longer exists
        ("gone_next_day", True, "district", None, PERIOD_START + day),
        ("starts_on_last_day", True, "unitary", PERIOD_END, None),
        ("starts_after", True, "unitary", PERIOD_END + day, None),
        ("restated", True, "unitary", PERIOD_END + day, None),  # reported before it existed
        ("reported_late", True, "district", None, dt.date(2020, 4, 1)),  # reported after abolition
        ("combined", False, "combined", None, None),
        ("combined_reported", False, "combined", None, None),
    ])
    con.executemany(
        "INSERT INTO indicator_values (indicator_id, period, period_start, authority_code, value, status, source_name, outside_life) "
        "VALUES ('i', '2023/24', DATE '2023-04-01', ?, ?, NULL, 's', false)",
        [("restated", 1.0), ("reported_late", None), ("combined_reported", 2.0)],  # any row counts, empty too
    )
    got = {r[0] for r in con.execute("SELECT authority_code FROM councils_in($p)", {"p": "2023/24"}).fetchall()}
    assert got == {"always", "gone_next_day", "starts_on_last_day", "restated", "reported_late"}
    assert con.execute("SELECT * FROM councils_in('1999/00')").fetchall() == []


date_or_none = st.one_of(st.none(), st.dates(dt.date(2022, 1, 1), dt.date(2025, 12, 31)))


@pytest.mark.slow  # hypothesis: a warehouse per example
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(date_or_none, date_or_none, st.booleans()), min_size=1, max_size=12))
def test_councils_in_equals_the_python_mirror(lives):
    connection = empty_warehouse()
    try:
        _register(connection, [(f"c{i}", True, "unitary", s, e) for i, (s, e, _) in enumerate(lives)])
        for i, (_, _, reported) in enumerate(lives):
            if reported:
                connection.execute(
                    "INSERT INTO indicator_values (indicator_id, period, period_start, authority_code, value, status, source_name, outside_life) "
                    "VALUES ('i', '2023/24', DATE '2023-04-01', ?, 1.0, NULL, 's', false)",
                    [f"c{i}"],
                )
        got = {r[0] for r in connection.execute("SELECT authority_code FROM councils_in('2023/24')").fetchall()}
    finally:
        connection.close()
    mirror = {f"c{i}" for i, (s, e, r) in enumerate(lives) if belongs_to_period(s, e, PERIOD_START, PERIOD_END, r)}
    assert got == mirror


# -- better_value, polarity_rank, ranked_count ------------------------------------------------------
def test_better_value_turns_every_polarity_so_larger_is_better(con):
    assert one(con, "SELECT better_value('higher', 3)") == 3
    assert one(con, "SELECT better_value('lower', 3)") == -3
    assert one(con, "SELECT better_value('neutral', 3)") is None
    assert one(con, "SELECT better_value('higher', NULL)") is None


def _ranks(con, polarity: str, values: list[float | None]) -> tuple[list, list]:
    frame = pd.DataFrame({"g": ["a"] * len(values), "i": range(len(values)), "v": values})
    con.register("t", frame)
    rows = con.execute(
        "SELECT polarity_rank($p, v, g), ranked_count($p, v, g) FROM t ORDER BY i", {"p": polarity}
    ).fetchall()
    con.unregister("t")
    return [r[0] for r in rows], [r[1] for r in rows]


def test_polarity_rank_ties_share_the_best_rank(con):
    ranks, counts = _ranks(con, "higher", [9, 7, 7, 5, None])
    assert ranks == [1, 2, 2, 4, None] and set(counts) == {4}
    ranks, _ = _ranks(con, "lower", [9, 7, 7, 5, None])
    assert ranks == [4, 2, 2, 1, None]
    ranks, counts = _ranks(con, "neutral", [9, 7])
    assert ranks == [None, None] and counts == [None, None]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["higher", "lower"]),
       st.lists(st.one_of(st.none(), st.integers(0, 6).map(float)), min_size=1, max_size=15))
@pytest.mark.slow  # hypothesis: a warehouse per example
def test_polarity_rank_equals_pandas(polarity, values):
    connection = empty_warehouse()
    try:
        ranks, counts = _ranks(connection, polarity, values)
    finally:
        connection.close()
    expected = pd.Series(values, dtype=float).rank(method="min", ascending=polarity == "lower")
    assert [None if pd.isna(e) else int(e) for e in expected] == ranks
    assert set(counts) == {sum(v is not None for v in values)}


def test_ranks_are_within_each_group(con):
    frame = pd.DataFrame({"g": ["x", "x", "y", "y"], "p": ["2022", "2023", "2022", "2022"], "v": [1.0, 2.0, 3.0, 1.0]})
    con.register("t", frame)
    rows = con.execute("SELECT g, p, v, polarity_rank('higher', v, g, also := p) FROM t ORDER BY g, p, v").fetchall()
    con.unregister("t")
    assert [r[3] for r in rows] == [1, 1, 2, 1]  # x-2022, x-2023, y-2022 (1.0 then 3.0)


# -- value_status, change_direction -----------------------------------------------------------
@pytest.mark.parametrize(("value", "status", "expected"), [
    (1.0, None, None), (None, None, "missing"), (None, "suppressed", "suppressed"), (2.0, "estimate", "estimate"),
])
def test_value_status(con, value, status, expected):
    assert one(con, "SELECT value_status($v::DOUBLE, $s::VARCHAR)", {"v": value, "s": status}) == expected


@pytest.mark.parametrize(("polarity", "change", "expected"), [
    ("higher", 1.0, "Improving"), ("higher", -1.0, "Worsening"),
    ("lower", -1.0, "Improving"), ("lower", 1.0, "Worsening"),
    ("neutral", 1.0, "Increasing"), ("neutral", -1.0, "Decreasing"),
    ("higher", 0.0, "No change"), ("neutral", 0.0, "No change"), ("lower", None, None),
])
def test_change_direction(con, polarity, change, expected):
    assert one(con, "SELECT change_direction($p, $c::DOUBLE)", {"p": polarity, "c": change}) == expected


# -- quartile_band -----------------------------------------------------------------------------
BAND = "SELECT quartile_band($p, $v::DOUBLE, 10, 20, 30, $n, 4)"


@pytest.mark.parametrize(("polarity", "value", "expected"), [
    ("higher", 30, 1), ("higher", 25, 2), ("higher", 20, 2), ("higher", 15, 3), ("higher", 10, 3), ("higher", 5, 4),
    ("lower", 10, 1), ("lower", 15, 2), ("lower", 20, 2), ("lower", 25, 3), ("lower", 30, 3), ("lower", 35, 4),
    ("neutral", 30, 1), ("neutral", 5, 4), ("higher", None, None),
])
def test_quartile_band_cut_points_take_the_better_band(con, polarity, value, expected):
    assert one(con, BAND, {"p": polarity, "v": value, "n": 4}) == expected


def test_quartile_band_needs_enough_values(con):
    assert one(con, BAND, {"p": "higher", "v": 30, "n": 3}) is None
    assert one(con, BAND, {"p": "higher", "v": 30, "n": None}) is None


@pytest.mark.slow  # hypothesis: a warehouse per example
@settings(max_examples=50, deadline=None)
@given(st.sampled_from(["higher", "lower", "neutral"]), st.lists(st.integers(0, 20).map(float), min_size=4, max_size=20))
def test_quartile_band_equals_pandas_quartiles(polarity, values):
    connection = empty_warehouse()
    try:
        connection.register("t", pd.DataFrame({"v": values}))
        got = [r[0] for r in connection.execute(
            "WITH s AS (SELECT quantile_cont(v, 0.25) q1, quantile_cont(v, 0.5) q2, quantile_cont(v, 0.75) q3, "
            "count(v) n FROM t) SELECT quartile_band($p, v, q1, q2, q3, n, 4) FROM t, s", {"p": polarity}).fetchall()]
    finally:
        connection.close()
    series = pd.Series(values)
    q1, q2, q3 = series.quantile([0.25, 0.5, 0.75])
    if polarity == "lower":
        expected = [1 if v <= q1 else 2 if v <= q2 else 3 if v <= q3 else 4 for v in values]
    else:
        expected = [1 if v >= q3 else 2 if v >= q2 else 3 if v >= q1 else 4 for v in values]
    assert got == expected


# -- group_members -----------------------------------------------------------------------------
def test_group_members_names_the_given_codes(con):
    _register(con, [("a", True, "unitary", None, None), ("b", True, "unitary", None, None),
                    ("c", True, "unitary", None, None)])
    rows = con.execute("SELECT * FROM group_members($codes) ORDER BY 1", {"codes": ["a", "c", "zz"]}).fetchall()
    assert rows == [("a", "a"), ("c", "c")]


# -- published_answers --------------------------------------------------------------------------
def test_published_answers_never_pass_an_unpublished_answer(con):
    _register(con, [("a", True, "unitary", None, None), ("b", True, "unitary", None, None)])
    con.execute(
        "INSERT INTO questions BY NAME SELECT 'q1' AS question_id, 'Theme' AS theme, 'driver' AS role,"
        " 'Text' AS text, 's' AS source_name"
    )
    con.executemany(
        "INSERT INTO responses VALUES (?, ?, ?, 'q1', ?, ?, 's')",
        [("a", "2023", dt.date(2023, 1, 1), 3, True), ("a", "2024", dt.date(2024, 1, 1), 4, True),
         ("b", "2024", dt.date(2024, 1, 1), 5, False)],
    )
    rows = con.execute("SELECT authority_code, round, theme, role, score FROM published_answers($c, $r) ORDER BY 2",
                       {"c": ["a", "b"], "r": None}).fetchall()
    assert rows == [("a", "2023", "Theme", "driver", 3), ("a", "2024", "Theme", "driver", 4)]
    one_round = con.execute("SELECT count(*) FROM published_answers($c, '2024')", {"c": ["a", "b"]}).fetchone()[0]
    assert one_round == 1  # b's unpublished 5 never passes
