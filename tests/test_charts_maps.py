"""The council map builder: a pure function from a frame of councils to a plotly figure."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.browse import map as maps
from dashboard.common.palette import GEO_BASE_LAYERS

# Palettes that stay readable with the common colour-vision deficiencies.
COLOUR_BLIND_SAFE = {"cividis", "viridis", "blues", "greys", "purples"}


def councils(values, *, lat=None, lon=None, names=None) -> pd.DataFrame:
    """A small frame shaped like the browse query's output."""
    n = len(values)
    return pd.DataFrame({
        "authority_code": [f"X{i:08d}" for i in range(n)],
        "short_name": names or [f"Council {i}" for i in range(n)],
        "lat": lat if lat is not None else [51 + i * 0.1 for i in range(n)],
        "lon": lon if lon is not None else [-3 + i * 0.1 for i in range(n)],
        "value": values,
        "status": [None if v is not None and not (isinstance(v, float) and math.isnan(v)) else "missing"
                   for v in values],
        "rank": [None] * n,
        "n_ranked": [n] * n,
    })


def drawn(figure: go.Figure) -> dict[str, float | None]:
    """authority_code -> colour value (None for the grey 'No value' trace) of every point."""
    points: dict[str, float | None] = {}
    coloured, grey = figure.data
    for code, value in zip(coloured.customdata, coloured.marker.color, strict=True):
        points[code] = value
    for code in grey.customdata:
        points[code] = None
    return points


def test_points_are_exactly_the_input_councils_with_their_values():
    frame = councils([10.0, None, 30.5, 7.25])
    figure = maps.council_map(frame, indicator_name="X", unit="%", polarity="higher")
    assert drawn(figure) == {"X00000000": 10.0, "X00000001": None, "X00000002": 30.5, "X00000003": 7.25}


def test_councils_without_a_centroid_are_left_out():
    frame = councils([1.0, 2.0, 3.0], lat=[51.0, None, 52.0], lon=[-1.0, -2.0, None])
    figure = maps.council_map(frame, indicator_name="X", unit="%", polarity="lower")
    assert set(drawn(figure)) == {"X00000000"}


@pytest.mark.parametrize(("polarity", "reversed_"), [("higher", False), ("lower", True)])
def test_ranked_indicators_use_cividis_with_better_always_at_the_yellow_end(polarity, reversed_):
    figure = maps.council_map(councils([1.0, 2.0]), indicator_name="X", unit="%", polarity=polarity)
    marker = figure.data[0].marker
    # cividis runs dark blue (low) -> yellow (high); reversed for lower-is-better puts low at yellow
    assert [c for _, c in marker.colorscale] == [c for _, c in go.Figure(
        go.Scatter(marker={"colorscale": "Cividis"})).data[0].marker.colorscale]
    assert bool(marker.reversescale) is reversed_
    assert maps.colour_scale(polarity)[0].lower() in COLOUR_BLIND_SAFE
    assert "better" in marker.colorbar.title.text


def test_neutral_indicators_are_not_coloured_as_good_or_bad():
    figure = maps.council_map(councils([1.0, 2.0]), indicator_name="X", unit="days", polarity="neutral")
    marker = figure.data[0].marker
    scale, reverse = maps.colour_scale("neutral")
    assert scale.lower() in COLOUR_BLIND_SAFE and scale != maps.BETTER_END_SCALE
    assert not reverse and not marker.reversescale
    assert "yellow" not in marker.colorbar.title.text
    assert "neither" in marker.colorbar.title.text


def test_unknown_polarity_is_refused():
    with pytest.raises(ValueError, match="polarity"):
        maps.council_map(councils([1.0]), indicator_name="X", unit="%", polarity="up")


def test_map_needs_no_internet_no_base_layer_is_shown():
    # plotly.js only downloads topojson outlines when a base layer is shown
    geo = maps.council_map(councils([1.0]), indicator_name="X", unit="%", polarity="higher").layout.geo
    for layer in GEO_BASE_LAYERS:
        assert getattr(geo, f"show{layer}") is False, layer
    assert geo.fitbounds == "locations"


def test_names_with_tags_are_escaped_in_hover_text():
    frame = councils([1.0, None], names=['<script>alert("x")</script>', "<b>Bold</b> & Co"])
    figure = maps.council_map(frame, indicator_name="<img src=x onerror=alert(1)>", unit="%",
                              polarity="higher", title="<i>t</i>")
    texts = list(figure.data[0].hovertext) + list(figure.data[1].hovertext)
    assert all("<script>" not in t and "<b>Bold" not in t for t in texts)
    assert "&lt;script&gt;" in texts[0] and "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in texts[1]
    assert "<img" not in figure.data[0].name and "<i>" not in figure.layout.title.text


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(finite, st.none()), min_size=0, max_size=30),
       st.sampled_from(["higher", "lower", "neutral"]))
def test_every_council_is_drawn_once_with_its_own_value(values, polarity):
    frame = councils(values)
    points = drawn(maps.council_map(frame, indicator_name="X", unit="%", polarity=polarity))
    expected = {code: (None if v is None else v) for code, v in zip(frame["authority_code"], values, strict=True)}
    assert points == expected
