"""The tested trend (dashboard/exemplars/trend.py) against independent implementations: Fingertips'
published algorithm transcribed loop by loop on its own worked example, numpy's weighted
polyfit, scipy's kendalltau and theilslopes one series at a time; its properties by hypothesis;
the exemplar rule's "improving" on it; and the demo warehouse's series."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from dashboard.exemplars import finder, scoring, trend
from dashboard.exemplars.rule import ENDPOINTS, ExemplarRule, evaluate
from dashboard.warehouse import FileWarehouse, FrameWarehouse
from tests.test_exemplar_composite import make_tables

# PHEindicatormethods' documented example for assign_trend_markers (value type "other"): five
# yearly values with their 95% limits.
FINGERTIPS_VALUES = [30.6, 30.2, 28.0, 24.6, 24.67]
FINGERTIPS_LOWER = [28.98, 28.63, 26.44, 23.15, 23.16]
FINGERTIPS_UPPER = [32.25, 31.9, 29.64, 26.19, 26.25]
YEARS = [f"{y}/{(y + 1) % 100:02d}" for y in range(2017, 2024)]  # seven financial years


def fingertips_by_hand(values, lower, upper):
    """Fingertips' TrendMarkerCalculator (non-proportion indicators), loop by loop: points
    numbered 1..5, SE = (upper - lower) / 3.92, the five weighted sums, slope, its SE, chi-square,
    and the outlier check (the slope's sign with each point left out in turn)."""
    rows = []
    for counter, (v, lo, hi) in enumerate(zip(values, lower, upper, strict=True), start=1):
        divisor = ((hi - lo) / 3.92) ** 2
        rows.append((1 / divisor, v * counter / divisor, counter / divisor, v / divisor, counter**2 / divisor))

    def slope_of(kept):
        s1, s2, s3, s4, s5 = (sum(r[i] for r in kept) for i in range(5))
        return (s1 * s2 - s3 * s4) / (s1 * s5 - s3**2), s1, s3, s5

    slope, s1, s3, s5 = slope_of(rows)
    chi_square = (slope / math.sqrt(s1 / (s1 * s5 - s3**2))) ** 2
    signs = [math.copysign(1, slope_of(rows[:j] + rows[j + 1 :])[0]) for j in range(len(rows))]
    stable = all(sign == math.copysign(1, slope) for sign in signs)
    return slope, chi_square, stable


def _series(values, lower=None, upper=None, code="A", indicator="i1", polarity="higher", periods=None):
    periods = periods or YEARS[-len(values) :]
    n = len(values)
    return pd.DataFrame(
        {
            "authority_code": code,
            "indicator_id": indicator,
            "polarity": polarity,
            "period": periods,
            "period_start": [dt.date(int(p[:4]), 4, 1) for p in periods],
            "value": values,
            "lower_ci": lower if lower is not None else [np.nan] * n,
            "upper_ci": upper if upper is not None else [np.nan] * n,
            "back": range(n, 0, -1),  # as exemplar_series.sql numbers them: 1 = the latest
            "series": 0,
        }
    )


def test_the_chi_square_level_is_fingertips():
    assert trend.TrendSettings().chi_square == pytest.approx(9.5495, abs=1e-4)
    assert trend.TrendSettings(level=0.95).chi_square == pytest.approx(stats.chi2.ppf(0.95, 1))


def test_fingertips_worked_example_equals_its_published_algorithm():
    slope, chi_square, stable = fingertips_by_hand(FINGERTIPS_VALUES, FINGERTIPS_LOWER, FINGERTIPS_UPPER)
    assert chi_square > 9.5495 and stable and slope < 0  # Fingertips calls it "Decreasing"
    # the issue's SE, (upper - lower) / (2 x 1.96), is Fingertips' / 3.92
    out = trend.tested_trends(_series(FINGERTIPS_VALUES, FINGERTIPS_LOWER, FINGERTIPS_UPPER, polarity="lower"))
    row = out.iloc[0]
    assert row["method"] == trend.WLS and row["n_points"] == 5
    assert row["slope"] == pytest.approx(slope, rel=1e-9)
    assert row["chi_square"] == pytest.approx(chi_square, rel=1e-9)
    assert row["significant"] and row["trend"] == trend.IMPROVING  # lower is better: falling improves
    as_higher = trend.tested_trends(_series(FINGERTIPS_VALUES, FINGERTIPS_LOWER, FINGERTIPS_UPPER))
    assert as_higher["trend"].iat[0] == trend.WORSENING
    neutral = trend.tested_trends(
        _series(FINGERTIPS_VALUES, FINGERTIPS_LOWER, FINGERTIPS_UPPER, polarity="neutral")
    )
    assert neutral["trend"].iat[0] == trend.DECREASING


def test_an_outlier_that_flips_the_slope_is_not_a_trend():
    # one huge, very precise early value carries the slope; leave it out and the slope turns
    values, lower, upper = [50.0, 10, 11, 12, 13], [49.99, 8, 9, 10, 11], [50.01, 12, 13, 14, 15]
    _, chi_square, stable = fingertips_by_hand(values, lower, upper)
    assert chi_square > 9.5495 and not stable
    row = trend.tested_trends(_series(values, lower, upper)).iloc[0]
    assert row["chi_square"] == pytest.approx(chi_square) and not row["significant"]
    assert row["trend"] == trend.NO_CHANGE


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=8),
    st.data(),
)
def test_weighted_slope_and_its_se_equal_numpy_polyfit(values, data):
    se = data.draw(st.lists(st.floats(0.05, 50), min_size=len(values), max_size=len(values)))
    x = np.arange(len(values), dtype=float) * data.draw(st.sampled_from([1.0, 0.25, 2.0]))
    slope, slope_se, chi_square, _ = trend.weighted_trend(x[None], np.array(values)[None], np.array(se)[None])
    coef, cov = np.polyfit(x, values, 1, w=1 / np.array(se), cov="unscaled")
    assert slope[0] == pytest.approx(coef[0], rel=1e-6, abs=1e-9)
    assert slope_se[0] == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-6)
    assert chi_square[0] == pytest.approx((coef[0] / math.sqrt(cov[0, 0])) ** 2, rel=1e-6, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=3, max_size=11), st.booleans())
def test_mann_kendall_and_theil_sen_equal_scipy(values, gaps):
    # small integers force ties (scipy's asymptotic branch); gaps make x uneven
    x = np.cumsum(np.where(np.arange(len(values)) % 3 == 2, 2.0, 1.0)) if gaps else np.arange(len(values), dtype=float)
    y = np.array(values, dtype=float)
    s, p, sen = trend.mann_kendall(x[None], y[None])
    concordant = sum(np.sign(y[j] - y[i]) for i in range(len(y)) for j in range(i + 1, len(y)))
    assert s[0] == concordant
    assert sen[0] == pytest.approx(stats.theilslopes(y, x).slope)
    if len(set(values)) == 1:
        assert p[0] == 1.0  # no variation: no evidence of a trend (scipy gives NaN)
    else:
        assert p[0] == pytest.approx(stats.kendalltau(x, y).pvalue, rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-100, 100, allow_nan=False), min_size=3, max_size=11, unique=True))
def test_mann_kendall_exact_p_equals_scipy_without_ties(values):
    x = np.arange(len(values), dtype=float)
    _, p, _ = trend.mann_kendall(x[None], np.array(values)[None])
    assert p[0] == pytest.approx(stats.kendalltau(x, values, method="exact").pvalue, rel=1e-9)


def test_five_points_cannot_reach_99_8_percent_without_limits():
    _, p, _ = trend.mann_kendall(np.arange(5.0)[None], np.arange(5.0)[None])
    assert p[0] == pytest.approx(1 / 60)  # two of 120 orderings are this extreme
    assert trend.tested_trends(_series([1.0, 2, 3, 4, 5]))["significant"].iat[0]  # at 95% it is


# Quarters on a bounded grid: shifting them by a whole number is exact in floating point (a shift
# that rounds a value away, 1e-300 + 1, would be a float artefact, not the test's).
grid = st.integers(-40_000, 40_000).map(lambda q: q / 4)
series_values = st.lists(grid, min_size=1, max_size=7)


@settings(max_examples=150, deadline=None)
@given(series_values, st.integers(-100_000, 100_000), st.booleans(), st.data())
def test_the_trend_test_is_invariant_to_adding_a_constant(values, constant, with_limits, data):
    half = data.draw(st.lists(st.integers(1, 400).map(lambda q: q / 4), min_size=len(values), max_size=len(values)))
    lower = [v - h for v, h in zip(values, half, strict=True)] if with_limits else None
    upper = [v + h for v, h in zip(values, half, strict=True)] if with_limits else None
    base = trend.tested_trends(_series(values, lower, upper))
    moved = trend.tested_trends(
        _series(
            [v + constant for v in values],
            [v + constant for v in lower] if lower else None,
            [v + constant for v in upper] if upper else None,
        )
    )
    assert base["trend"].tolist() == moved["trend"].tolist()
    assert base["method"].tolist() == moved["method"].tolist()
    for column in ("slope", "slope_se", "chi_square", "p_value", "mk_s"):
        assert np.allclose(base[column], moved[column], rtol=1e-6, atol=1e-6, equal_nan=True), column


@settings(max_examples=100, deadline=None)
@given(series_values, st.booleans())
def test_reversing_polarity_swaps_improving_and_worsening(values, with_limits):
    limits = ([v - 1 for v in values], [v + 1 for v in values]) if with_limits else (None, None)
    higher = trend.tested_trends(_series(values, *limits, polarity="higher"))["trend"].iat[0]
    lower = trend.tested_trends(_series(values, *limits, polarity="lower"))["trend"].iat[0]
    swap = {trend.IMPROVING: trend.WORSENING, trend.WORSENING: trend.IMPROVING}
    assert lower == swap.get(higher, higher)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=4), st.integers(5, 8))
def test_fewer_points_than_the_minimum_is_never_improving(values, minimum):
    settings_ = trend.TrendSettings(points=8, min_points=minimum)
    out = trend.tested_trends(_series(values), settings_)
    assert out["trend"].iat[0] == trend.CANNOT and not out["significant"].iat[0]
    assert trend.council_trend_counts(out)["trend_improving"].iat[0] == 0


def test_settings_refuse_impossible_point_counts():
    with pytest.raises(ValueError, match="min_points"):
        trend.TrendSettings(points=4, min_points=5)
    with pytest.raises(ValueError, match="min_points"):
        trend.TrendSettings(points=2, min_points=2)


# -- the rule's "improving" on the tested trend ----------------------------------------------
INDICATORS = pd.DataFrame(
    {"indicator_id": ["up", "down"], "theme": ["Alpha", "Beta"], "polarity": ["higher", "lower"]}
)


def _rule_values(with_limits: bool) -> pd.DataFrame:
    """Seven years, six councils: A improves steadily on both indicators (by polarity); B is
    second and flat; C..F wobble below. Limits (+-0.5) when ``with_limits``."""
    rows = []
    for year_index, period in enumerate(YEARS):
        for code, level, step in (("A", 10, 1.0), ("B", 9, 0.0), ("C", 5, 0), ("D", 4, 0), ("E", 3, 0), ("F", 2, 0)):
            wobble = 0.3 * (-1) ** (year_index + ord(code))
            for indicator, sign in (("up", 1), ("down", -1)):
                value = sign * (level + step * year_index + (wobble if step == 0 else 0))
                rows.append((code, indicator, period, value))
    frame = pd.DataFrame(rows, columns=["authority_code", "indicator_id", "period", "value"])
    if with_limits:
        frame["lower_ci"], frame["upper_ci"] = frame["value"] - 0.5, frame["value"] + 0.5
    return frame


def _tested_rule_table(values: pd.DataFrame) -> pd.DataFrame:
    """The default (tested-trend) rule, top 40%, on ``values`` in the latest year, by council."""
    wh = FrameWarehouse(make_tables(values, INDICATORS))
    try:
        rule = ExemplarRule(require_maturity=False, top_share=0.4)
        scores = scoring.group_scores(wh, list("ABCDEF"), YEARS[-1], trend=rule.trend)
        return evaluate(scores, rule).set_index("authority_code")
    finally:
        wh.close()


@pytest.mark.parametrize("with_limits", [False, True])
def test_the_rule_calls_improving_what_the_trend_test_calls_significant(with_limits):
    table = _tested_rule_table(_rule_values(with_limits))
    assert table.loc["A", "is_exemplar"] and table.loc["A", "trend_improving"] == 2
    levels = "99.8%" if with_limits else "95%, no limits: Mann-Kendall"
    assert f"improving significantly on 2 of 2 indicators (5 points, {levels})" in table.loc["A", "reason"]
    assert not table.loc["B", "is_exemplar"]
    assert "not more indicators improving significantly (0) than worsening significantly (0)" in table.loc[
        "B", "failed"
    ]


def test_the_tested_rule_needs_trends_and_the_end_point_rule_does_not():
    wh = FrameWarehouse(make_tables(_rule_values(False), INDICATORS))
    try:
        bare = scoring.group_scores(wh, list("ABCDEF"), YEARS[-1], k=3, trend=None)
        with pytest.raises(ValueError, match="tests the trend"):
            evaluate(bare, ExemplarRule(require_maturity=False))
        ends = evaluate(bare, ExemplarRule(require_maturity=False, improvement=ENDPOINTS, k=3, top_share=0.4))
    finally:
        wh.close()
    assert ends.set_index("authority_code").loc["A", "is_exemplar"]


def test_a_series_too_short_for_the_minimum_fails_improving_with_the_reason():
    short = _rule_values(False)
    table = _tested_rule_table(short[short["period"].isin(YEARS[-3:])])
    assert not table["cond_improving"].any() and not table["is_exemplar"].any()
    assert "no trend could be tested (fewer than 5 points)" in table.loc["A", "failed"]


# -- on the demo warehouse ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_wh(demo_warehouse):
    wh = FileWarehouse(demo_warehouse)
    yield wh
    wh.close()


def test_demo_series_are_the_latest_points_of_the_same_kind(demo_wh, demo_warehouse):
    period = scoring.period_sequence(demo_wh)[-1]
    codes = finder.group_candidates(demo_wh, period)["authority_code"].tolist()[:40]
    indicators = scoring.rankable_indicators(demo_wh)["indicator_id"].tolist()
    series = demo_wh.query("exemplar_series", codes=codes, period=period, indicator_ids=indicators, points=5)
    from tests.support.sources import query_warehouse

    rows = query_warehouse(
        demo_warehouse,
        "SELECT authority_code, indicator_id, period, period_start FROM indicator_values "
        "WHERE value IS NOT NULL AND list_contains(?, authority_code) AND list_contains(?, indicator_id)",
        [codes, indicators],
    )
    values = pd.DataFrame(rows, columns=["authority_code", "indicator_id", "period", "period_start"])
    values = values[values["period_start"] <= values.loc[values["period"] == period, "period_start"].max()]
    latest = values.sort_values("period_start").groupby(["authority_code", "indicator_id"]).tail(5)
    current = latest.groupby(["authority_code", "indicator_id"])["period"].transform("last") == period
    expected = latest[current].sort_values(["authority_code", "indicator_id", "period_start"])
    got = series[["authority_code", "indicator_id", "period"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected[["authority_code", "indicator_id", "period"]].reset_index(drop=True))


def test_demo_trends_equal_scipy_series_by_series(demo_wh):
    period = scoring.period_sequence(demo_wh)[-1]
    codes = finder.group_candidates(demo_wh, period)["authority_code"].tolist()[:25]
    indicators = scoring.rankable_indicators(demo_wh)["indicator_id"].tolist()
    series = demo_wh.query("exemplar_series", codes=codes, period=period, indicator_ids=indicators, points=5)
    out = trend.council_trends(demo_wh, codes, period, indicators).set_index(["authority_code", "indicator_id"])
    assert len(out) == series.groupby(["authority_code", "indicator_id"]).ngroups > 0
    level = 1 - trend.DEFAULT_NONPARAMETRIC_LEVEL
    for (code, indicator), one in series.groupby(["authority_code", "indicator_id"]):
        row = out.loc[(code, indicator)]
        if len(one) < trend.DEFAULT_MIN_POINTS:
            assert row["trend"] == trend.CANNOT
            continue
        x = pd.to_datetime(one["period_start"]).dt.year.to_numpy(dtype=float)  # demo years start 1 April
        y = one["value"].to_numpy(dtype=float)
        assert row["method"] == trend.MANN_KENDALL  # the demo publishes no limits
        assert row["slope"] == pytest.approx(stats.theilslopes(y, x).slope)
        p = stats.kendalltau(x, y).pvalue if len(set(y)) > 1 else 1.0
        assert row["p_value"] == pytest.approx(p, rel=1e-9)
        assert row["significant"] == (p < level)
