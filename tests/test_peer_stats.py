"""Peer statistics computed in SQL equal an independent pandas computation on the same warehouse.

The oracle below reads the raw tables and recomputes everything with pandas (``Series.rank``
with ``method="min"``, ``Series.quantile`` default linear interpolation), on the demo warehouse
and on the hand-made fixture (ties, polarity flip, neutral, missing and suppressed values, a
combined authority, a gap in a series), where some figures are also checked against values
worked out by hand from the fixture's docstring.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.peers import statistics
from dashboard.peers.groups import PeerGroupSpec, resolve_peer_group
from dashboard.warehouse import FileWarehouse
from tests.support import peer_fixture as fx

BIRMINGHAM, GLASGOW, CUMBERLAND, ALLERDALE = "E08000025", "S12000049", "E06000063", "E07000026"
FLOAT_TOL = 1e-9


# -- the independent oracle -------------------------------------------------------------------
def read_tables(live) -> dict[str, pd.DataFrame]:
    """The raw indicator tables of a warehouse, straight from the file."""
    con = duckdb.connect(str(live), read_only=True)
    try:
        tables = {name: con.execute(f"SELECT * FROM {name}").df()
                  for name in ("indicator_values", "indicators", "periods")}
    finally:
        con.close()
    values = tables["indicator_values"]
    tables["by_indicator"] = {i: f for i, f in values.groupby("indicator_id")}  # speed only
    return tables


def _is_higher_is_better(polarity: str) -> bool:
    return polarity != "lower"


def oracle_band(value: float, lq: float, median: float, uq: float, polarity: str) -> str | None:
    """Count the cut points the value reaches (on the good side; upward for neutral)."""
    cuts = (lq, median, uq)
    reached = sum(value <= c for c in cuts) if polarity == "lower" else sum(value >= c for c in cuts)
    words = (["Lowest quarter", "Lower middle", "Upper middle", "Highest quarter"] if polarity == "neutral"
             else ["Bottom quartile", "Third quartile", "Second quartile", "Top quartile"])
    return words[reached]


def oracle_ranks(frame: pd.DataFrame, polarity: str) -> pd.Series:
    """pandas min-rank of usable values: 1 = best by polarity; NaN for neutral or no value."""
    if polarity == "neutral":
        return pd.Series(float("nan"), index=frame.index)
    return frame["value"].rank(method="min", ascending=polarity == "lower", na_option="keep")


def oracle_profile(tables, codes, council, period, min_band_n=statistics.MIN_BAND_N) -> pd.DataFrame:
    values, indicators, periods = tables["indicator_values"], tables["indicators"], tables["periods"]
    per = periods.set_index("period")
    kind, start = per.at[period, "period_kind"], per.at[period, "period_start"]
    rows = []
    for ind in indicators.itertuples():
        iv = tables["by_indicator"].get(ind.indicator_id, values.iloc[0:0])
        now = iv[iv["period"] == period]
        group = now[now["authority_code"].isin(codes) & now["value"].notna()].copy()
        group["rank"] = oracle_ranks(group, ind.polarity)
        own = now[now["authority_code"] == council]
        value = own["value"].iloc[0] if len(own) else float("nan")
        status = own["status"].iloc[0] if len(own) else None
        if status is None or (isinstance(status, float) and math.isnan(status)):
            status = "missing" if pd.isna(value) else None
        n = len(group)
        q = group["value"].quantile([0.25, 0.5, 0.75]) if n else pd.Series([float("nan")] * 3,
                                                                         index=[0.25, 0.5, 0.75])
        own_rank = group.loc[group["authority_code"] == council, "rank"]
        band = None
        if council in codes and not pd.isna(value) and n >= min_band_n:
            band = oracle_band(value, q[0.25], q[0.5], q[0.75], ind.polarity)
        earlier = iv[(iv["authority_code"] == council) & iv["value"].notna()].drop(columns="period_start")
        earlier = earlier.merge(periods, on="period")
        earlier = earlier[(earlier["period_kind"] == kind) & (earlier["period_start"] < start)]
        prev = earlier.sort_values("period_start").iloc[-1] if len(earlier) else None
        change = round(value - prev["value"], 10) if prev is not None else float("nan")
        rows.append({
            "indicator_id": ind.indicator_id, "value": value, "status": status, "n_values": n,
            "median": q[0.5], "lower_quartile": q[0.25], "upper_quartile": q[0.75],
            "min": group["value"].min(), "max": group["value"].max(),
            "rank": own_rank.iloc[0] if len(own_rank) else float("nan"),
            "n_ranked": float("nan") if ind.polarity == "neutral" else n,
            "band": band,
            "previous_period": None if prev is None else prev["period"],
            "change": change,
            "direction": oracle_direction(change, ind.polarity),
            "previous_consecutive": None if prev is None else
                pd.Timestamp(prev["period_end"]) + dt.timedelta(days=1) == pd.Timestamp(start),
        })
    return pd.DataFrame(rows).sort_values("indicator_id").reset_index(drop=True)


def oracle_direction(change: float, polarity: str) -> str | None:
    if pd.isna(change):
        return None
    if change == 0:
        return "No change"
    if polarity == "neutral":
        return "Increasing" if change > 0 else "Decreasing"
    good = change > 0 if _is_higher_is_better(polarity) else change < 0
    return "Improving" if good else "Worsening"


def assert_same(actual: pd.DataFrame, expected: pd.DataFrame, key: str) -> None:
    """Column by column: numbers within FLOAT_TOL (NaN = NaN), everything else equal (None = NaN)."""
    actual = actual.sort_values(key).reset_index(drop=True)
    expected = expected.sort_values(key).reset_index(drop=True)
    assert list(actual[key]) == list(expected[key])
    for column in expected.columns:
        for i, (a, e) in enumerate(zip(actual[column], expected[column], strict=True)):
            a_missing, e_missing = a is None or a is pd.NA or (isinstance(a, float) and math.isnan(a)), \
                e is None or e is pd.NA or (isinstance(e, float) and math.isnan(e))
            where = f"{column} of {expected[key][i]}"
            assert a_missing == e_missing, f"{where}: {a!r} != {e!r}"
            if a_missing:
                continue
            if isinstance(e, int | float) and not isinstance(e, bool):
                assert abs(float(a) - float(e)) <= FLOAT_TOL, f"{where}: {a!r} != {e!r}"
            else:
                assert a == e, f"{where}: {a!r} != {e!r}"


def sql_profile(wh, spec: PeerGroupSpec, period: str):
    group = resolve_peer_group(wh, spec)
    frame = statistics.peer_profile(wh, group, period)
    return group, frame


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(demo_warehouse):
    wh = FileWarehouse(demo_warehouse)
    yield wh, read_tables(demo_warehouse)
    wh.close()


@pytest.fixture(scope="module")
def fixture_wh(peer_live):
    wh = FileWarehouse(peer_live)
    yield wh, read_tables(peer_live)
    wh.close()


ORACLE_COLUMNS = ["indicator_id", "value", "status", "n_values", "median", "lower_quartile",
                  "upper_quartile", "min", "max", "rank", "n_ranked", "band", "previous_period",
                  "change", "direction", "previous_consecutive"]


# -- demo warehouse: profile ----------------------------------------------------------------------
@pytest.mark.parametrize(("council", "kind", "period"), [
    (BIRMINGHAM, "type_nation", "2024/25"),
    (BIRMINGHAM, "type_region", "2013/14"),  # first period: no change anywhere
    (GLASGOW, "nation", "2019/20"),
    (CUMBERLAND, "region", "2023/24"),  # new council: no earlier periods of its own
    (ALLERDALE, "type_region", "2020/21"),
    (CUMBERLAND, "type_nation", "2019/20"),  # did not exist: not ranked, no band
])
def test_profile_equals_pandas_on_demo(demo, council, kind, period):
    wh, tables = demo
    group, frame = sql_profile(wh, PeerGroupSpec(kind, council, period=period), period)
    expected = oracle_profile(tables, group.codes, council, period)
    assert_same(frame[ORACLE_COLUMNS], expected, "indicator_id")
    assert len(frame) == len(tables["indicators"])


@pytest.mark.slow  # hypothesis over the demo
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_profile_equals_pandas_for_any_custom_group(demo, data):
    wh, tables = demo
    period = data.draw(st.sampled_from(["2024/25", "2021/22", "2016/17"]), label="period")
    pool = resolve_peer_group(wh, PeerGroupSpec("region", BIRMINGHAM, period=period)).codes
    council = data.draw(st.sampled_from(pool), label="council")
    others = data.draw(st.lists(st.sampled_from(pool), max_size=12, unique=True), label="others")
    group, frame = sql_profile(wh, PeerGroupSpec("custom", council, tuple(others), period=period), period)
    assert council in group.codes
    assert_same(frame[ORACLE_COLUMNS], oracle_profile(tables, group.codes, council, period),
                "indicator_id")


def test_theme_filter_keeps_one_theme(demo):
    wh, tables = demo
    group = resolve_peer_group(wh, PeerGroupSpec("type_nation", BIRMINGHAM, period="2024/25"))
    theme = sorted(tables["indicators"]["theme"])[0]
    frame = statistics.peer_profile(wh, group, "2024/25", theme)
    expected = tables["indicators"].loc[tables["indicators"]["theme"] == theme, "indicator_id"]
    assert sorted(frame["indicator_id"]) == sorted(expected)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_profile_of_chosen_indicators_equals_their_rows_of_the_whole_profile(demo, data):
    """The query reads only the chosen indicators (and theme) but must give each the same row:
    statistics, rank, band and change do not depend on which other indicators are asked for."""
    wh, tables = demo
    period = data.draw(st.sampled_from(["2024/25", "2019/20", "2013/14"]), label="period")
    council = data.draw(st.sampled_from([BIRMINGHAM, GLASGOW, ALLERDALE]), label="council")
    group = resolve_peer_group(wh, PeerGroupSpec("type_nation", council, period=period))
    ids = sorted(tables["indicators"]["indicator_id"])
    chosen = data.draw(st.lists(st.sampled_from(ids), max_size=len(ids), unique=True), label="indicators")
    theme = data.draw(st.sampled_from([None, *sorted(set(tables["indicators"]["theme"]))]), label="theme")
    whole = statistics.peer_profile(wh, group, period)
    part = statistics.peer_profile(wh, group, period, theme, indicators=chosen)
    in_theme = set(whole.loc[whole["theme"] == theme, "indicator_id"]) if theme else set(ids)
    expected = whole[whole["indicator_id"].isin(set(chosen) & in_theme)]
    assert sorted(part["indicator_id"]) == sorted(expected["indicator_id"])
    if len(expected):
        assert_same(part[ORACLE_COLUMNS], expected[ORACLE_COLUMNS], "indicator_id")


# -- demo warehouse: values, trend, progress ------------------------------------------------------
def test_ranked_values_equal_pandas_on_demo(demo):
    wh, tables = demo
    group = resolve_peer_group(wh, PeerGroupSpec("type_nation", BIRMINGHAM, period="2022/23"))
    values = tables["indicator_values"]
    for ind in tables["indicators"].itertuples():
        frame = statistics.peer_values(wh, group, ind.indicator_id, "2022/23")
        rows = values[(values["indicator_id"] == ind.indicator_id) & (values["period"] == "2022/23")
                      & values["authority_code"].isin(group.codes)].copy()
        usable = rows[rows["value"].notna()].copy()
        usable["rank"] = oracle_ranks(usable, ind.polarity)
        expected = pd.DataFrame({"authority_code": group.codes}).merge(
            usable[["authority_code", "value", "rank"]], how="left")
        assert_same(frame[["authority_code", "value", "rank"]], expected, "authority_code")
        assert set(frame.loc[frame["is_council"], "authority_code"]) == {BIRMINGHAM}


def test_trend_equals_pandas_on_demo(demo):
    wh, tables = demo
    group = resolve_peer_group(wh, PeerGroupSpec("type_region", BIRMINGHAM, period="2024/25"))
    values = tables["indicator_values"]
    for indicator in ("online_account_pct", "council_tax_band_d", "cyber_incidents_count"):
        trend = statistics.peer_trend(wh, group, indicator)
        iv = values[values["indicator_id"] == indicator]
        usable = iv[iv["authority_code"].isin(group.codes) & iv["value"].notna()]
        stats = usable.groupby("period")["value"]
        expected = pd.DataFrame({
            "period": sorted(iv["period"].unique()),
        })
        expected["median"] = expected["period"].map(stats.quantile(0.5))
        expected["lower_quartile"] = expected["period"].map(stats.quantile(0.25))
        expected["upper_quartile"] = expected["period"].map(stats.quantile(0.75))
        expected["n_values"] = expected["period"].map(stats.size()).fillna(0)
        own = iv[iv["authority_code"] == BIRMINGHAM].set_index("period")["value"]
        expected["council_value"] = expected["period"].map(own)
        assert_same(trend[list(expected.columns)], expected, "period")


def test_progress_equals_pandas_on_demo(demo):
    wh, tables = demo
    start, end = "2018/19", "2024/25"
    group = resolve_peer_group(wh, PeerGroupSpec("type_nation", BIRMINGHAM, period=end))
    values = tables["indicator_values"]
    for ind in tables["indicators"].itertuples():
        frame = statistics.peer_progress(wh, group, ind.indicator_id, start, end)
        iv = values[(values["indicator_id"] == ind.indicator_id) & values["authority_code"].isin(group.codes)]
        ranked = {}
        for period in (start, end):
            usable = iv[(iv["period"] == period) & iv["value"].notna()].copy()
            usable["rank"] = oracle_ranks(usable, ind.polarity)
            ranked[period] = usable.set_index("authority_code")
        expected = pd.DataFrame({"authority_code": group.codes})
        expected["value_from"] = expected["authority_code"].map(ranked[start]["value"])
        expected["value_to"] = expected["authority_code"].map(ranked[end]["value"])
        expected["change"] = (expected["value_to"] - expected["value_from"]).round(10)
        expected["rank_from"] = expected["authority_code"].map(ranked[start]["rank"])
        expected["rank_to"] = expected["authority_code"].map(ranked[end]["rank"])
        expected["rank_change"] = expected["rank_from"] - expected["rank_to"]
        expected["direction"] = [oracle_direction(c, ind.polarity) for c in expected["change"]]
        assert_same(frame[list(expected.columns)], expected, "authority_code")


# -- the hand-made fixture --------------------------------------------------------------------------
def fixture_profile(fixture_wh, council=fx.BIRMINGHAM, period=fx.PERIOD, kind="type_region"):
    wh, tables = fixture_wh
    group, frame = sql_profile(wh, PeerGroupSpec(kind, council, period=period), period)
    return group, frame.set_index("indicator_id"), tables


def test_fixture_equals_pandas_for_every_member(fixture_wh):
    wh, tables = fixture_wh
    for council in fx.MET_DISTRICTS:
        for period in ("2021/22", "2022/23", fx.PERIOD):
            group, frame = sql_profile(wh, PeerGroupSpec("type_region", council, period=period), period)
            assert_same(frame[ORACLE_COLUMNS], oracle_profile(tables, group.codes, council, period),
                        "indicator_id")


def test_fixture_ranks_by_hand(fixture_wh):
    wh, _ = fixture_wh
    group = resolve_peer_group(wh, PeerGroupSpec("type_region", fx.BIRMINGHAM, period=fx.PERIOD))
    assert group.codes == sorted(fx.MET_DISTRICTS)  # the combined authority is not in

    def ranks(polarity):
        frame = statistics.peer_values(wh, group, fx.INDICATOR_IDS[polarity], fx.PERIOD)
        return {code: (None if pd.isna(r) else int(r))
                for code, r in zip(frame["authority_code"], frame["rank"], strict=True)}

    # 30 > 20 = 20 > 10 > 5: ties share the best rank, the next rank skips
    assert ranks("higher") == {fx.SANDWELL: 1, fx.COVENTRY: 2, fx.DUDLEY: 2, fx.BIRMINGHAM: 4,
                               fx.WOLVERHAMPTON: 5, fx.SOLIHULL: None, fx.WALSALL: None}
    assert ranks("lower") == {fx.WOLVERHAMPTON: 1, fx.BIRMINGHAM: 2, fx.COVENTRY: 3, fx.DUDLEY: 3,
                              fx.SANDWELL: 5, fx.SOLIHULL: None, fx.WALSALL: None}
    assert set(ranks("neutral").values()) == {None}


def test_polarity_flip_mirrors_ranks(fixture_wh):
    """For each value v among n: rank_higher(v) + rank_lower(v) = n + 2 - (members sharing v)."""
    wh, _ = fixture_wh
    group = resolve_peer_group(wh, PeerGroupSpec("type_region", fx.BIRMINGHAM, period=fx.PERIOD))
    high = statistics.peer_values(wh, group, fx.INDICATOR_IDS["higher"], fx.PERIOD).set_index("authority_code")
    low = statistics.peer_values(wh, group, fx.INDICATOR_IDS["lower"], fx.PERIOD).set_index("authority_code")
    usable = high[high["value"].notna()]
    n = len(usable)
    assert set(high["n_ranked"]) == set(low["n_ranked"]) == {n}
    for code, value in usable["value"].items():
        ties = int((usable["value"] == value).sum())
        assert high.at[code, "rank"] + low.at[code, "rank"] == n + 2 - ties


def test_fixture_statistics_by_hand(fixture_wh):
    _, frame, _ = fixture_profile(fixture_wh)
    for indicator in fx.INDICATOR_IDS.values():
        row = frame.loc[indicator]
        # usable values 5, 10, 20, 20, 30: missing, suppressed and the combined authority's 999 out
        assert (row["n_values"], row["min"], row["max"]) == (5, 5, 30)
        assert (row["lower_quartile"], row["median"], row["upper_quartile"]) == (10, 20, 20)
        assert row["mean"] == pytest.approx(17)
    higher, lower, neutral = (frame.loc[fx.INDICATOR_IDS[p]] for p in ("higher", "lower", "neutral"))
    assert (higher["rank"], higher["n_ranked"]) == (4, 5)
    assert (lower["rank"], lower["n_ranked"]) == (2, 5)
    assert pd.isna(neutral["rank"]) and pd.isna(neutral["n_ranked"])
    # 10 sits on the lower quartile: the better band for each polarity
    assert higher["band"] == "Third quartile" and lower["band"] == "Top quartile"
    assert neutral["band"] == "Lower middle"


def test_fixture_change_and_gap_by_hand(fixture_wh):
    _, frame, _ = fixture_profile(fixture_wh)
    for polarity, word in (("higher", "Improving"), ("lower", "Worsening"), ("neutral", "Increasing")):
        row = frame.loc[fx.INDICATOR_IDS[polarity]]
        assert row["previous_period"] == "2021/22"  # no 2022/23 row for Birmingham
        assert row["change"] == 2 and row["direction"] == word
        assert not row["previous_consecutive"]
    _, coventry, _ = fixture_profile(fixture_wh, council=fx.COVENTRY)
    row = coventry.loc[fx.INDICATOR_IDS["higher"]]
    assert (row["change"], row["direction"], bool(row["previous_consecutive"])) == (0, "No change", True)
    _, wolves, _ = fixture_profile(fixture_wh, council=fx.WOLVERHAMPTON)
    row = wolves.loc[fx.INDICATOR_IDS["lower"]]
    assert row["status"] == "estimate" and row["change"] == 7.5 and row["direction"] == "Worsening"


def test_missing_and_suppressed_are_not_ranked(fixture_wh):
    for council, status in ((fx.SOLIHULL, "missing"), (fx.WALSALL, "suppressed")):
        _, frame, _ = fixture_profile(fixture_wh, council=council)
        for indicator in fx.INDICATOR_IDS.values():
            row = frame.loc[indicator]
            assert row["status"] == status
            assert pd.isna(row["value"]) and pd.isna(row["rank"]) and row["band"] is None
            assert row["n_values"] == 5  # the group still has its five values
    _, absent, _ = fixture_profile(fixture_wh, period="2022/23")  # no row at all for Birmingham
    assert set(absent["status"]) == {"missing"}


def test_small_group_gets_no_band(fixture_wh):
    wh, _ = fixture_wh
    group = resolve_peer_group(wh, PeerGroupSpec("custom", fx.BIRMINGHAM, (fx.SANDWELL, fx.COVENTRY),
                                                 period=fx.PERIOD))
    frame = statistics.peer_profile(wh, group, fx.PERIOD)
    assert frame["band"].isna().all()
    assert set(frame.loc[frame["polarity"] == "higher", "rank"]) == {3}
