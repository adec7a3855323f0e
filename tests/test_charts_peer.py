"""Peer chart builders: pure functions from small frames to plotly figures (no Streamlit)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.common.palette import HIGHLIGHT, OKABE_ITO, PEER
from dashboard.peers import charts


@pytest.fixture
def values() -> pd.DataFrame:
    return pd.DataFrame({
        "short_name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
        "value": [10.0, 30.0, 20.0, None, 5.0],
        "rank": [3, 1, 2, None, 4],
        "is_council": [True, False, False, False, False],
    })


def test_ranking_bar_orders_best_first_by_polarity(values):
    higher = charts.ranking_bar(values, "Score", "%", "higher")
    assert list(higher.data[0].x) == [30.0, 20.0, 10.0, 5.0]  # missing Delta left out
    lower = charts.ranking_bar(values, "Score", "%", "lower")
    assert list(lower.data[0].x) == [5.0, 10.0, 20.0, 30.0]
    assert "best first" in higher.layout.title.text
    neutral = charts.ranking_bar(values, "Score", "%", "neutral")
    assert "neither is better" in neutral.layout.title.text


def test_ranking_bar_highlights_council_by_colour_and_pattern(values):
    figure = charts.ranking_bar(values, "Score", "%", "higher")
    bar = figure.data[0]
    council_at = list(bar.y).index("Alpha (this council)")
    assert bar.marker.color[council_at] == HIGHLIGHT
    assert bar.marker.pattern.shape[council_at] == "/"
    assert [c for i, c in enumerate(bar.marker.color) if i != council_at] == [PEER] * 3
    assert set(bar.marker.color) <= set(OKABE_ITO.values())  # colour-blind-safe palette only


def test_distribution_marks_the_council(values):
    figure = charts.distribution(values, "Score", "%", "Alpha")
    box, council = figure.data
    assert sorted(box.x) == [5.0, 10.0, 20.0, 30.0]
    assert box.quartilemethod == "linear"
    assert list(council.x) == [10.0] and council.name == "Alpha"
    assert council.marker.symbol == "diamond"


def test_distribution_without_council_value(values):
    values.loc[0, "value"] = None
    assert len(charts.distribution(values, "Score", "%", "Alpha").data) == 1


def test_trend_has_band_median_and_council():
    series = pd.DataFrame({
        "period": ["2021/22", "2022/23", "2023/24"],
        "council_value": [8.0, None, 10.0],
        "median": [11.0, 17.5, 20.0],
        "lower_quartile": [8.0, 12.0, 10.0],
        "upper_quartile": [16.0, 20.0, 20.0],
    })
    figure = charts.trend(series, "Score", "%", "Alpha")
    upper, lower, median, council = figure.data
    assert list(upper.y) == [16.0, 20.0, 20.0] and lower.fill == "tonexty"
    assert list(median.y) == [11.0, 17.5, 20.0]
    assert (council.name == "Alpha" and council.y[1] is None) or pd.isna(council.y[1])
    assert council.connectgaps is False  # a gap in the series stays visible


def test_progress_bars_sort_by_change_and_highlight():
    progress = pd.DataFrame({
        "short_name": ["Alpha", "Beta", "Gamma"],
        "change": [1.0, -2.5, None],
        "is_council": [False, True, False],
    })
    figure = charts.progress_bars(progress, "Score", "%", "2021/22", "2023/24")
    bar = figure.data[0]
    assert list(bar.x) == [1.0, -2.5]
    assert list(bar.y) == ["Alpha", "Beta (this council)"]
    assert bar.marker.color[1] == HIGHLIGHT
    assert "2021/22" in figure.layout.title.text and "2023/24" in figure.layout.title.text
