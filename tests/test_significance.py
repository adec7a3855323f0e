"""Significance against the peer median and distance in MADs (dashboard/peers/significance.py):
the labels against a row-by-row reading of the definition, their properties by hypothesis, the
profile's columns against pandas and numpy on a fixture with confidence limits and on the demo,
and the profile CSV carrying them."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.peers import exports as peer_exports
from dashboard.peers import significance as sig
from dashboard.peers import statistics
from dashboard.peers.groups import PeerGroup, PeerGroupSpec, resolve_peer_group
from dashboard.warehouse import FileWarehouse, FrameWarehouse
from tests.support.stamps import fixed_stamp
from tests.test_exemplar_composite import make_tables


def by_definition(polarity, value, lower, upper, benchmark):
    """One value's label, read straight from the definition."""
    if value is None or benchmark is None or np.isnan(value) or np.isnan(benchmark):
        return None
    if lower is None or upper is None or np.isnan(lower) or np.isnan(upper):
        return sig.NO_INTERVAL
    side = "above" if lower > benchmark else "below" if upper < benchmark else "contains"
    if polarity == "neutral":
        return {"above": "higher", "below": "lower", "contains": "similar"}[side]
    good = (side == "above") if polarity == "higher" else (side == "below")
    if side == "contains":
        return sig.SIMILAR
    return sig.BETTER if good else sig.WORSE


finite = st.floats(-1e6, 1e6, allow_nan=False)
maybe = st.one_of(st.none(), finite)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["higher", "lower", "neutral"]), maybe, finite, finite, maybe, st.booleans())
def test_labels_follow_the_definition(polarity, value, a, b, benchmark, has_interval):
    lower, upper = (min(a, b), max(a, b)) if has_interval else (None, None)
    label = sig.benchmark_significance(polarity, value, lower, upper, benchmark)[0]
    nan = float("nan")
    expected = by_definition(
        polarity,
        nan if value is None else value,
        nan if lower is None else lower,
        nan if upper is None else upper,
        nan if benchmark is None else benchmark,
    )
    assert label == expected


@settings(max_examples=200, deadline=None)
@given(finite, finite, finite, finite)
def test_reversing_polarity_flips_better_and_worse(value, a, b, benchmark):
    lower, upper = min(a, b), max(a, b)
    higher = sig.benchmark_significance("higher", value, lower, upper, benchmark)[0]
    lower_is_better = sig.benchmark_significance("lower", value, lower, upper, benchmark)[0]
    flip = {sig.BETTER: sig.WORSE, sig.WORSE: sig.BETTER}
    assert lower_is_better == flip.get(higher, higher)
    neutral = sig.benchmark_significance("neutral", value, lower, upper, benchmark)[0]
    assert neutral == {sig.BETTER: "higher", sig.WORSE: "lower", sig.SIMILAR: "similar"}[higher]


def test_an_interval_touching_the_benchmark_is_not_significant():
    labels = sig.benchmark_significance(["higher", "higher", "lower"], [12, 12, 12], [10, 10.01, 10.01], [14, 14, 14], 10)
    assert labels.tolist() == [sig.SIMILAR, sig.BETTER, sig.WORSE]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=15), st.integers(-1000, 1000))
def test_mad_distance_is_value_minus_median_over_mad(group, value):
    x = np.array(group, dtype=float)
    median = float(np.median(x))
    mad = float(np.median(np.abs(x - median)))
    distance, note = sig.mad_distance(value, median, mad)
    if mad == 0:
        assert np.isnan(distance[0]) and note[0] == sig.MAD_ZERO
    else:
        assert distance[0] == pytest.approx((value - median) / mad) and note[0] == ""


# -- the profile, on a fixture with confidence limits ------------------------------------------
CODES = list("ABCDEFG")
PERIOD = "2022/23"
INDICATORS = pd.DataFrame(
    {
        "indicator_id": ["hi", "lo", "ne", "flat"],
        "theme": ["T", "T", "T", "T"],
        "polarity": ["higher", "lower", "neutral", "higher"],
    }
)
LEVELS = {"A": 20.0, "B": 12.0, "C": 11.0, "D": 10.0, "E": 9.0, "F": 8.0, "G": 1.0}
HALF_WIDTH = {"A": 3.0, "B": 3.0, "C": None, "D": 0.5, "E": 0.5, "F": 1.0, "G": 20.0}


def _values() -> pd.DataFrame:
    rows = []
    for code, level in LEVELS.items():
        half = HALF_WIDTH[code]
        for indicator in INDICATORS["indicator_id"]:
            value = 5.0 if indicator == "flat" and code != "A" else level  # "flat": MAD 0
            low, high = (value - half, value + half) if half is not None else (np.nan, np.nan)
            rows.append((code, indicator, PERIOD, value, low, high))
    return pd.DataFrame(rows, columns=["authority_code", "indicator_id", "period", "value", "lower_ci", "upper_ci"])


@pytest.fixture(scope="module")
def fixture_wh():
    tables = make_tables(_values(), INDICATORS)
    tables["indicators"]["decimals"] = 1
    wh = FrameWarehouse(tables, meta={"data_version": "test-v1"})
    yield wh
    wh.close()


def _group(council: str) -> PeerGroup:
    return PeerGroup(PeerGroupSpec(kind="custom", council=council, period=PERIOD), CODES, "Fixture", "seven councils")


@pytest.mark.parametrize("council", CODES)
def test_profile_significance_and_mad_equal_pandas(fixture_wh, council):
    profile = statistics.peer_profile(fixture_wh, _group(council), PERIOD).set_index("indicator_id")
    values = _values()
    for indicator, polarity in zip(INDICATORS["indicator_id"], INDICATORS["polarity"], strict=True):
        group = values[values["indicator_id"] == indicator]
        median = group["value"].median()
        mad = (group["value"] - median).abs().median()
        own = group.set_index("authority_code").loc[council]
        row = profile.loc[indicator]
        assert row["mad"] == pytest.approx(mad)
        assert row["significance"] == by_definition(polarity, own["value"], own["lower_ci"], own["upper_ci"], median)
        if mad == 0:
            assert np.isnan(row["mad_distance"]) and row["mad_note"] == sig.MAD_ZERO
        else:
            assert row["mad_distance"] == pytest.approx((own["value"] - median) / mad)


def test_profile_labels_read_as_the_fixture_was_made(fixture_wh):
    # median 10, MAD 2 (deviations 0 1 1 2 2 9 10): A's interval 17-23 lies above the median
    a = statistics.peer_profile(fixture_wh, _group("A"), PERIOD).set_index("indicator_id")
    assert a.loc["hi", "significance"] == sig.BETTER and a.loc["lo", "significance"] == sig.WORSE
    assert a.loc["ne", "significance"] == "higher" and a.loc["hi", "mad_distance"] == pytest.approx(5.0)
    c = statistics.peer_profile(fixture_wh, _group("C"), PERIOD).set_index("indicator_id")
    assert (c["significance"] == sig.NO_INTERVAL).all()  # C publishes no limits
    shown = statistics.profile_display(c.reset_index())
    assert set(shown["Against the peer median"]) == {sig.NO_INTERVAL}
    assert "not computed (MAD is 0)" in set(shown["Distance from the median (MADs)"])
    assert "+0.50" in set(shown["Distance from the median (MADs)"])  # (11 - 10) / 2


def test_profile_csv_carries_the_limits_significance_and_distance(fixture_wh):
    group = _group("A")
    profile = statistics.peer_profile(fixture_wh, group, PERIOD)
    frame = pd.read_csv(io.BytesIO(peer_exports.profile_csv(profile, group, "Council A", fixed_stamp())))
    row = frame.set_index("indicator_id").loc["hi"]
    assert row["significance_against_peer_median"] == sig.BETTER
    assert row["lower_ci_95"] == 17.0 and row["upper_ci_95"] == 23.0 and row["peer_mad"] == 2.0
    assert row["distance_from_median_in_mads"] == 5.0  # a number, not text
    assert frame.set_index("indicator_id").loc["flat", "distance_note"] == sig.MAD_ZERO
    assert frame["about_significance_method"].iat[0] == sig.SIGNIFICANCE_METHOD
    assert frame["about_mad_method"].iat[0] == sig.MAD_METHOD


# -- on the demo warehouse (no published limits) -----------------------------------------------
def test_demo_profile_has_no_interval_and_mads_equal_numpy(demo_warehouse):
    from tests.support.sources import query_warehouse

    wh = FileWarehouse(demo_warehouse)
    try:
        council, period = "E08000025", "2023/24"  # Birmingham
        group = resolve_peer_group(wh, PeerGroupSpec(kind="type_nation", council=council, period=period))
        profile = statistics.peer_profile(wh, group, period).set_index("indicator_id")
    finally:
        wh.close()
    rows = query_warehouse(
        demo_warehouse,
        "SELECT indicator_id, authority_code, value FROM indicator_values "
        "WHERE period = ? AND value IS NOT NULL AND list_contains(?, authority_code)",
        [period, group.codes],
    )
    values = pd.DataFrame(rows, columns=["indicator_id", "authority_code", "value"])
    for indicator, one in values.groupby("indicator_id"):
        x = one["value"].to_numpy()
        median = np.median(x)
        mad = np.median(np.abs(x - median))
        row = profile.loc[indicator]
        assert row["mad"] == pytest.approx(mad)
        own = one.loc[one["authority_code"] == council, "value"]
        if len(own):
            assert row["significance"] == sig.NO_INTERVAL  # the demo publishes no limits
            if mad > 0:
                assert row["mad_distance"] == pytest.approx((own.iat[0] - median) / mad)
