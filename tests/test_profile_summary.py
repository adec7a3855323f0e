"""The council profile's ten-second summary and its spine chart: counts, scale and drawing.

The counts are checked against the profile they summarise, the spine's scale by its properties
over many random peer groups (median in the middle, better side on the right whatever the
polarity, every member inside the scale), and the chart by what a reader sees: one marker per
indicator with a value, coloured *and* shaped by its band, neutral indicators grey.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.common.bands import BAND_LABELS, band_label
from dashboard.common.palette import BAND_MARKS, NEUTRAL_MARK
from dashboard.peers import charts, statistics, summary
from dashboard.peers.groups import PeerGroup, PeerGroupSpec
from dashboard.peers.significance import benchmark_significance
from dashboard.warehouse import FileWarehouse
from tests.support import peer_fixture as fx


def _band(values: np.ndarray, value: float, polarity: str) -> int | None:
    """The quartile band by the documented rule (independent of the warehouse macro)."""
    if len(values) < 4:
        return None
    q1, q2, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    if polarity == "lower":
        return 1 if value <= q1 else 2 if value <= q2 else 3 if value <= q3 else 4
    return 1 if value >= q3 else 2 if value >= q2 else 3 if value >= q1 else 4


def profile_row(indicator: str, polarity: str, group: list[float], value: float | None, direction=None) -> dict:
    """One row shaped like ``statistics.peer_profile``'s, from a peer group's values."""
    values = np.array(group, dtype=float)
    band = None if value is None else _band(values, value, polarity)
    return {
        "indicator_id": indicator,
        "name": f"Indicator {indicator}",
        "theme": "Theme",
        "unit": "%",
        "polarity": polarity,
        "decimals": 1,
        "period": "2024/25",
        "value": value,
        "status": None if value is not None else "missing",
        "median": float(np.median(values)),
        "lower_quartile": float(np.quantile(values, 0.25)),
        "upper_quartile": float(np.quantile(values, 0.75)),
        "min": float(values.min()),
        "max": float(values.max()),
        "rank": None,
        "n_ranked": len(values),
        "n_values": len(values),
        "band": band_label(band, polarity) or None,
        "band_number": band,
        "previous_period": None,
        "previous_value": None,
        "change": None,
        "direction": direction,
        "previous_consecutive": None,
        "significance": "an extra column another feature adds",  # tolerated: columns are picked by name
    }


groups = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40)


@settings(deadline=None)  # pandas per example; two busy cores
@given(group=groups, polarity=st.sampled_from(["higher", "lower", "neutral"]), pick=st.integers(0, 39))
def test_spine_scale_puts_the_median_in_the_middle_and_better_on_the_right(group, polarity, pick):
    council = group[pick % len(group)]
    row = summary.spine_rows(pd.DataFrame([profile_row("a", polarity, group, council)])).iloc[0]
    assert -1 <= row["range_low"] <= row["middle_low"] <= 0 + 1e-9 or row["range_low"] == row["range_high"] == 0
    assert row["middle_low"] <= row["middle_high"] <= row["range_high"] <= 1
    assert -1 <= row["council"] <= 1
    values = np.array(group)
    spread = max(values.max() - np.median(values), np.median(values) - values.min())
    if spread > 1e-6 * max(1.0, abs(np.median(values))):
        assert max(abs(row["range_low"]), abs(row["range_high"])) == pytest.approx(1)  # the furthest value at the edge
        better = values.min() if polarity == "lower" else values.max()
        best = summary.spine_rows(pd.DataFrame([profile_row("a", polarity, group, better)])).iloc[0]
        assert best["council"] == pytest.approx(row["range_high"])  # the better end is the right-hand end


def test_lower_is_better_is_mirrored():
    group = [1.0, 2.0, 3.0, 4.0, 10.0]
    rows = summary.spine_rows(
        pd.DataFrame([profile_row("h", "higher", group, 10.0), profile_row("l", "lower", group, 10.0)])
    )
    assert rows.loc[0, "council"] == pytest.approx(1.0)  # the highest value: best when higher is better
    assert rows.loc[1, "council"] == pytest.approx(-1.0)  # ...and worst, on the left, when lower is better
    assert rows.loc[0, "range_low"] == pytest.approx(-rows.loc[1, "range_high"])


def test_a_group_without_values_has_no_bar_and_a_council_without_a_value_no_marker():
    empty = profile_row("e", "higher", [1.0], None) | {"median": None, "min": None, "max": None,
                                                      "lower_quartile": None, "upper_quartile": None}
    rows = summary.spine_rows(pd.DataFrame([empty, profile_row("v", "higher", [1, 2, 3, 4], None)]))
    assert rows[["range_low", "range_high", "council"]].iloc[0].isna().all()
    assert pd.isna(rows.loc[1, "council"]) and not pd.isna(rows.loc[1, "range_low"])


def mixed_profile() -> pd.DataFrame:
    group = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0]
    return pd.DataFrame(
        [
            profile_row("top", "higher", group, 80.0, "Improving"),
            profile_row("top_low", "lower", group, 10.0, "Improving"),
            profile_row("second", "higher", group, 50.0, "Worsening"),
            profile_row("bottom", "higher", group, 10.0, "No change"),
            profile_row("neutral", "neutral", group, 30.0, "Increasing"),
            profile_row("small", "higher", [1.0, 2.0], 2.0, None),
            profile_row("missing", "lower", group, None, None),
        ]
    )


def test_summary_counts_what_the_profile_holds():
    profile = mixed_profile()
    counts = summary.profile_summary(profile)
    assert counts.bands == {1: 2, 2: 1, 3: 0, 4: 1}
    assert (counts.neutral, counts.not_banded, counts.ranked, counts.banded) == (1, 2, 6, 4)
    assert (counts.improving, counts.worsening, counts.unchanged, counts.no_change_known) == (2, 1, 1, 2)
    sentence = summary.summary_sentence(counts, "Leeds")
    assert "Of 4 indicators with a band, Leeds is in the top quartile of its peer group on 2" in sentence
    assert "bottom quartile on 1" in sentence and "improved on 2 and worsened on 1" in sentence
    table = summary.summary_table(counts).set_index("Measure")["Indicators"]
    assert table["Top quartile"] == 2 and table["Indicators in total"] == len(profile)
    assert pd.api.types.is_integer_dtype(table)


def test_summary_without_any_band_says_so():
    profile = pd.DataFrame([profile_row("small", "higher", [1.0, 2.0], 2.0)])
    assert "has no quartile band" in summary.summary_sentence(summary.profile_summary(profile), "Rutland")


def test_spine_chart_marks_each_band_by_colour_and_shape_and_neutral_in_grey():
    profile = mixed_profile()
    figure = charts.spine_chart(summary.spine_rows(profile), "Leeds <b>")
    markers = {t.name: t for t in figure.data if getattr(t, "mode", None) == "markers"}
    for number, label in BAND_LABELS["ranked"].items():
        if label in markers:
            assert markers[label].marker.color == BAND_MARKS[number].colour
            assert markers[label].marker.symbol == BAND_MARKS[number].symbol
    assert {"Top quartile", "Second quartile", "Bottom quartile"} <= set(markers)
    assert "Third quartile" not in markers  # no indicator in it: no empty legend entry
    neutral = markers["Neither higher nor lower is better"]
    assert neutral.marker.color == NEUTRAL_MARK.colour and len(neutral.x) == 1
    assert len({BAND_MARKS[b].symbol for b in BAND_MARKS} | {NEUTRAL_MARK.symbol}) == 5  # shape alone tells them apart
    plotted = sum(len(t.x) for t in markers.values())
    assert plotted == profile["value"].notna().sum()  # one marker per indicator with a value
    # a row per indicator, in order; a row without the council's value says so (no marker there)
    assert figure.layout.yaxis.ticktext == tuple(
        name if pd.notna(value) else f"{name} (no value)" for name, value in zip(profile["name"], profile["value"], strict=True)
    )
    assert figure.layout.width is None  # fills its container on screen
    assert charts.spine_chart(summary.spine_rows(profile), "Leeds", width=680).layout.width == 680  # fixed for print
    assert "Leeds &lt;b&gt;" in figure.layout.legend.title.text  # names are escaped for plotly
    assert figure.layout.legend.y > 1  # the legend sits above the rows, never over them


def test_spine_chart_outlines_a_value_significantly_different_from_the_median():
    profile = mixed_profile()
    # 95% limits: "top" clear of the median (45), "second" straddling it, the rest unpublished
    limits = {"top": (70.0, 90.0), "second": (40.0, 60.0)}
    profile["lower_ci"] = profile["indicator_id"].map(lambda i: limits.get(i, (None, None))[0])
    profile["upper_ci"] = profile["indicator_id"].map(lambda i: limits.get(i, (None, None))[1])
    profile["significance"] = benchmark_significance(
        profile["polarity"], profile["value"], profile["lower_ci"], profile["upper_ci"], profile["median"]
    )
    rows = summary.spine_rows(profile)
    assert rows.set_index("indicator_id")["significant"].to_dict() == {
        "top": True, "top_low": False, "second": False, "bottom": False, "neutral": False, "small": False,
        "missing": False,
    }
    figure = charts.spine_chart(rows, "Leeds")
    widths = {}
    for trace in figure.data:
        if getattr(trace, "mode", None) == "markers":
            for text, width in zip(trace.text, trace.marker.line.width, strict=True):
                widths[text.split("</b>")[0].removeprefix("<b>")] = (width, text)
    thick, hover = widths["Indicator top"]
    assert thick == charts.SPINE_SIGNIFICANT_LINE and "Against the peer median: significantly better" in hover
    assert {w for name, (w, _) in widths.items() if name != "Indicator top"} == {charts.SPINE_LINE}
    assert "not significantly different" in widths["Indicator second"][1]
    assert "no interval published" in widths["Indicator bottom"][1]
    table = summary.spine_table(profile).set_index("Indicator")["Against the peer median"]
    assert table["Indicator top"] == "significantly better" and table["Indicator missing"] == ""
    # a profile without the column (older callers) draws every marker with the ordinary outline
    plain = charts.spine_chart(summary.spine_rows(mixed_profile()), "Leeds")
    assert {w for t in plain.data if getattr(t, "mode", None) == "markers" for w in t.marker.line.width} == {
        charts.SPINE_LINE
    }


def test_spine_chart_of_the_fixture_peer_group(peer_live):
    wh = FileWarehouse(peer_live)
    try:
        from dashboard.peers.groups import resolve_peer_group

        group: PeerGroup = resolve_peer_group(wh, PeerGroupSpec("type_region", fx.BIRMINGHAM, period=fx.PERIOD))
        profile = statistics.peer_profile(wh, group, fx.PERIOD)
    finally:
        wh.close()
    rows = summary.spine_rows(profile)
    assert len(rows) == len(profile)
    ranked = rows[rows["polarity"] != "neutral"].dropna(subset=["council"])
    # a council in the top band sits at or right of the median; in the bottom band, left of it
    assert (ranked.loc[ranked["band_number"] == 1, "council"] >= 0).all()
    assert (ranked.loc[ranked["band_number"] == 4, "council"] <= 0).all()
