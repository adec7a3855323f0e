"""Council maps: which councils a map draws (``common.geography``), their boundaries, and the
Browse choropleth builder (``browse.map``), a pure function from a planned frame to a figure.

Real parts where they matter: the vendored boundaries and register (the ``authorities``
fixture), the demo warehouse for the period's councils. Small frames elsewhere.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.browse import filters as browse
from dashboard.browse import map as maps
from dashboard.common import geography
from dashboard.common.charts import ANCHOR_NAME
from dashboard.common.palette import GEO_BASE_LAYERS, MISSING_FILL
from dashboard.warehouse import FileWarehouse

# Palettes that stay readable with the common colour-vision deficiencies.
COLOUR_BLIND_SAFE = {"cividis", "viridis"}
CIVIDIS = [c for _, c in go.Figure(go.Scatter(marker={"colorscale": "Cividis"})).data[0].marker.colorscale]


# -- small frames -------------------------------------------------------------------------------
def square(lon: float, lat: float, size: float = 0.1) -> list:
    """A MultiPolygon's coordinates: one square ring, wound clockwise as plotly's geo expects."""
    ring = [[lon, lat], [lon, lat + size], [lon + size, lat + size], [lon + size, lat], [lon, lat]]
    return [[ring]]


def shapes_for(codes) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": code, "geometry": {"type": "MultiPolygon", "coordinates": square(-3 + i, 51)}}
            for i, code in enumerate(codes)
        ],
    }


def councils(values, *, names=None, drawn_as=None, polarity_band=None) -> pd.DataFrame:
    """A small planned frame shaped like the Browse page's (every council a shape by default)."""
    n = len(values)
    missing = [v is None or (isinstance(v, float) and math.isnan(v)) for v in values]
    return pd.DataFrame({
        "authority_code": [f"X{i:08d}" for i in range(n)],
        "short_name": names or [f"Council {i}" for i in range(n)],
        "lat": [51 + i * 0.1 for i in range(n)],
        "lon": [-3 + i * 0.1 for i in range(n)],
        "value": [np.nan if m else v for v, m in zip(values, missing, strict=True)],
        "status": ["missing" if m else None for m in missing],
        "rank": [None] * n,
        "n_ranked": [n] * n,
        "band": polarity_band or [None] * n,
        "drawn_as": drawn_as or [geography.SHAPE] * n,
        "beneath": [False] * n,
        "map_note": [""] * n,
    })


def layers(figure: go.Figure) -> dict[str, go.Figure]:
    return {trace.name: trace for trace in figure.data}


def drawn(figure: go.Figure) -> dict[str, float | None]:
    """authority_code -> the value it is coloured by (None for a grey 'no value' layer), over every
    trace: a layer drawn beneath the others is a second trace of the same name."""
    found: dict[str, float | None] = {}
    for trace in figure.data:
        if trace.name == maps.TRACE_VALUES:
            found.update(zip(trace.locations, trace.z, strict=True))
        elif trace.name == maps.TRACE_NO_VALUE:
            found.update(dict.fromkeys(trace.locations))
        elif trace.name == maps.TRACE_DOTS:
            found.update(zip(trace.customdata, trace.marker.color, strict=True))
        elif trace.name == maps.TRACE_DOTS_NO_VALUE:
            found.update(dict.fromkeys(trace.customdata))
    return found


def build(frame: pd.DataFrame, polarity: str = "higher", unit: str = "%") -> go.Figure:
    return maps.council_map(frame, shapes_for(frame["authority_code"]), unit=unit, polarity=polarity)


# -- the builder ------------------------------------------------------------------------------
def test_each_council_is_filled_with_its_own_shape_and_value():
    frame = councils([10.0, None, 30.5, 7.25])
    figure = build(frame)
    assert drawn(figure) == {"X00000000": 10.0, "X00000001": None, "X00000002": 30.5, "X00000003": 7.25}
    for trace in figure.data:
        if isinstance(trace, go.Choropleth):  # each layer carries exactly its own councils' shapes
            assert [f["id"] for f in trace.geojson["features"]] == list(trace.locations)


def test_councils_without_a_value_are_grey_and_named_in_the_legend():
    figure = build(councils([1.0, None, None]))
    grey = layers(figure)[maps.TRACE_NO_VALUE]
    assert list(grey.locations) == ["X00000001", "X00000002"]
    assert {c for _, c in grey.colorscale} == {MISSING_FILL} and grey.showlegend and not grey.showscale
    assert MISSING_FILL.lower() not in {c.lower() for c in CIVIDIS}
    assert "No value (missing)" in grey.hovertext[0]


def test_dots_only_where_there_is_no_boundary_and_hidden_councils_are_not_drawn():
    frame = councils([1.0, 2.0, None, 4.0], drawn_as=[geography.SHAPE, geography.DOT, geography.DOT, geography.HIDDEN])
    figure = build(frame)
    by_name = layers(figure)
    assert list(by_name[maps.TRACE_VALUES].locations) == ["X00000000"]
    assert list(by_name[maps.TRACE_DOTS].customdata) == ["X00000001"]
    assert list(by_name[maps.TRACE_DOTS_NO_VALUE].customdata) == ["X00000002"]
    assert "X00000003" not in drawn(figure)


@pytest.mark.parametrize(("polarity", "reversed_"), [("higher", False), ("lower", True)])
def test_ranked_indicators_use_cividis_with_better_always_at_the_bright_end(polarity, reversed_):
    axis = build(councils([1.0, 2.0]), polarity).layout.coloraxis
    # cividis runs dark blue (low) -> yellow (high); reversed for lower-is-better puts low at yellow
    assert [c for _, c in axis.colorscale] == CIVIDIS
    assert bool(axis.reversescale) is reversed_
    assert maps.colour_scale(polarity)[0].lower() in COLOUR_BLIND_SAFE
    assert f"{polarity} is better" in axis.colorbar.title.text


def test_neutral_indicators_use_one_hue_and_say_neither_is_better():
    axis = build(councils([1.0, 2.0]), "neutral", unit="days").layout.coloraxis
    scale, reverse = maps.colour_scale("neutral")
    assert scale == maps.NEUTRAL_SCALE and not reverse and not axis.reversescale
    # one hue: blue dominates every stop, and the palest stop is still darker than "no value" grey
    assert all(int(c[4:-1].split(",")[2]) > int(c[4:-1].split(",")[0]) for _, c in scale)
    assert axis.colorbar.title.text == "days: higher/lower, neither better"


def test_unknown_polarity_is_refused():
    with pytest.raises(ValueError, match="polarity"):
        build(councils([1.0]), "up")


def test_hover_names_value_rank_band_and_status():
    frame = councils([12.345, None], names=["Alpha", "Beta"], polarity_band=[1, None])
    frame["rank"], frame["n_ranked"] = [1, None], [7, 7]
    frame["status"] = [None, "suppressed"]
    figure = maps.council_map(frame, shapes_for(frame["authority_code"]), unit="%", polarity="lower", decimals=1)
    alpha = layers(figure)[maps.TRACE_VALUES].hovertext[0]
    assert alpha == "<b>Alpha</b><br>12.3 %<br>Rank 1 of 7<br>Top quartile"
    beta = layers(figure)[maps.TRACE_NO_VALUE].hovertext[0]
    assert beta == "<b>Beta</b><br>No value (suppressed)"


def test_the_map_needs_no_internet():
    figure = build(councils([1.0, None]))
    geo = figure.layout.geo
    for layer in GEO_BASE_LAYERS:  # plotly.js only downloads outlines for a shown layer...
        assert getattr(geo, f"show{layer}") is False, layer
    # ...or when the first trace has a locationmode, as every choropleth has
    first = figure.data[0]
    assert isinstance(first, go.Scattergeo) and first.name == ANCHOR_NAME and first.locations is None
    assert first.marker.opacity == 0 and first.hoverinfo == "skip"
    assert geo.fitbounds == "locations"


def test_names_with_tags_are_escaped_in_hover_text():
    frame = councils([1.0, None], names=['<script>alert("x")</script>', "<b>Bold</b> & Co"])
    figure = maps.council_map(frame, shapes_for(frame["authority_code"]), unit="<i>u</i>", polarity="higher",
                              title="<i>t</i>")
    texts = [t for trace in figure.data[1:] for t in trace.hovertext]
    assert all("<script>" not in t and "<b>Bold" not in t for t in texts)
    assert "&lt;script&gt;" in texts[0] and "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in texts[1]
    assert "<i>" not in figure.layout.title.text and "<i>" not in figure.layout.coloraxis.colorbar.title.text


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.one_of(finite, st.none()), st.sampled_from(["shape", "dot", "hidden"])), max_size=30),
       st.sampled_from(["higher", "lower", "neutral"]))
def test_every_council_is_drawn_once_with_its_own_value(rows, polarity):
    frame = councils([v for v, _ in rows], drawn_as=[d for _, d in rows])
    figure = build(frame, polarity)
    expected = {code: (None if v is None else v)
                for code, (v, d) in zip(frame["authority_code"], rows, strict=True) if d != "hidden"}
    assert drawn(figure) == expected
    codes = [c for trace in figure.data[1:] for c in (trace.locations if isinstance(trace, go.Choropleth)
                                                      else trace.customdata)]
    assert len(codes) == len(set(codes))


# -- which councils are drawn -----------------------------------------------------------------
def family(**overrides) -> pd.DataFrame:
    """A county (C) with two districts (D1, D2), a former district (F) replaced by a unitary (U)."""
    frame = pd.DataFrame({
        "authority_code": ["C", "D1", "D2", "F", "U"],
        "short_name": ["County", "District one", "District two", "Former", "Unitary"],
        "tier": ["county", "district", "district", "district", "unitary"],
        "parent_county_code": [None, "C", "C", None, None],
        "successor_codes": [[], [], [], ["U"], []],
        "part_codes": [["D1", "D2"], [], [], [], ["F"]],
        "lived": [True, True, True, True, False],
        "has_value": [False, True, True, False, True],
        "lat": [51.0] * 5,
        "lon": [-1.0] * 5,
    })
    for column, value in overrides.items():
        frame[column] = value
    return frame


def plan_of(frame: pd.DataFrame, with_shape=("C", "D1", "D2", "F", "U")) -> dict[str, tuple[str, str]]:
    planned = geography.plan_map(frame, set(with_shape))
    return {r.authority_code: (r.drawn_as, r.map_note) for r in planned.itertuples()}


def test_district_figures_are_drawn_on_the_districts_and_the_county_is_left_off():
    plan = plan_of(family())
    assert plan["D1"][0] == plan["D2"][0] == geography.SHAPE
    assert plan["C"] == (geography.HIDDEN, "Not on the map: its area is shown as District one and District two")


def test_county_figures_are_drawn_on_the_county():
    plan = plan_of(family(has_value=[True, False, False, False, True]))
    assert plan["C"][0] == geography.SHAPE
    assert plan["D1"] == (geography.HIDDEN, "Not on the map: its area is shown as County")


def test_when_county_and_districts_both_have_figures_the_finer_districts_are_drawn():
    plan = plan_of(family(has_value=[True, True, True, False, True]))
    assert plan["D1"][0] == plan["D2"][0] == geography.SHAPE
    assert plan["C"][0] == geography.HIDDEN


def test_a_successor_restated_before_it_existed_is_drawn_with_its_own_boundary():
    plan = plan_of(family())  # U did not exist (lived False) but has a value; F, which did, has none
    assert plan["U"][0] == geography.SHAPE
    assert plan["F"] == (geography.HIDDEN, "Not on the map: its area is shown as Unitary")


def test_a_council_the_drawn_ones_show_only_in_part_is_drawn_beneath_them():
    """A successor without a figure whose one reported predecessor has one (the other is no
    council of the period): the predecessor on top, the successor beneath, no blank area."""
    frame = family(part_codes=[["D1", "D2"], [], [], [], ["F", "F2"]],
                   has_value=[False, True, True, True, False], lived=[True, True, True, False, True])
    planned = geography.plan_map(frame, {"C", "D1", "D2", "F", "U"})
    u = planned.set_index("authority_code").loc["U"]
    assert u["drawn_as"] == geography.SHAPE and u["beneath"]
    assert u["map_note"] == "Drawn beneath Former, which show part of its area"
    assert not planned.set_index("authority_code").loc["F", "beneath"]
    figure = maps.council_map(planned.assign(value=planned["has_value"].map({True: 1.0, False: np.nan}),
                                             status=None),
                              shapes_for(planned["authority_code"]), unit="%", polarity="higher")
    order = [code for t in figure.data[1:] for code in t.locations]
    assert order.index("U") < order.index("F")  # drawn first, so underneath
    assert [t.name for t in figure.data if t.showlegend].count(maps.TRACE_NO_VALUE) == 1


def test_a_county_whose_districts_and_their_successor_are_drawn_is_left_off_not_beneath():
    """A district reported after its abolition lies in its drawn successor, so the county's whole
    area is shown by its districts: it is left off, not drawn beneath them."""
    frame = family(tier=["county", "district", "district", "district", "district"],
                   parent_county_code=[None, "C", "C", "C", "C"],
                   part_codes=[["D1", "D2", "F", "U"], [], [], [], ["F"]],
                   has_value=[False, True, True, False, True], lived=[True, True, True, False, True])
    plan = plan_of(frame)
    assert plan["C"][0] == plan["F"][0] == geography.HIDDEN
    assert plan["U"] == (geography.SHAPE, "")


def test_when_both_have_figures_the_council_that_existed_is_drawn():
    plan = plan_of(family(has_value=[False, True, True, True, True]))
    assert plan["F"][0] == geography.SHAPE
    assert plan["U"] == (geography.HIDDEN, "Not on the map: its area is shown as Former")


def test_a_council_without_a_boundary_is_a_dot_or_left_off_without_a_centre():
    frame = family(lat=[51.0, 51.0, None, 51.0, 51.0])
    plan = plan_of(frame, with_shape=("C", "F", "U"))
    assert plan["D1"] == (geography.DOT, geography.NO_BOUNDARY_NOTE)
    assert plan["D2"][0] == geography.HIDDEN and "neither a boundary nor a centre" in plan["D2"][1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=5, max_size=5), st.lists(st.booleans(), min_size=5, max_size=5))
def test_drawn_councils_never_overlap_and_every_area_is_shown(values, lived):
    frame = family(has_value=values, lived=lived)
    plan = plan_of(frame)
    overlapping = {("C", "D1"), ("C", "D2"), ("F", "U")}
    shown = {code for code, (how, _) in plan.items() if how != geography.HIDDEN}
    assert not any(a in shown and b in shown for a, b in overlapping)
    for code, (how, note) in plan.items():  # a council left off names the drawn councils covering it
        if how == geography.HIDDEN:
            neighbours = {b for a, b in overlapping if a == code} | {a for a, b in overlapping if b == code}
            assert neighbours & shown and all(frame.set_index("authority_code").loc[n, "short_name"] in note
                                              for n in neighbours & shown)


# -- boundaries -------------------------------------------------------------------------------
def current_lower_tier(authorities: pd.DataFrame) -> pd.DataFrame:
    return authorities[authorities["is_council"] & authorities["is_current"] & (authorities["tier"] != "county")]


def test_a_region_gets_fine_shapes_and_the_uk_coarse_ones(authorities):
    councils_now = current_lower_tier(authorities)
    london = councils_now.loc[councils_now["region"] == "London", "authority_code"]
    shapes, detail = geography.council_shapes(london)
    assert detail == "fine" and geography.shape_codes(shapes) == set(london)
    uk, uk_detail = geography.council_shapes(councils_now["authority_code"])
    assert uk_detail == "coarse"
    # every current council has a boundary except none: the boundary-less are abolished NI districts
    assert geography.shape_codes(uk) == set(councils_now["authority_code"])


def test_shapes_are_cached_and_cannot_be_changed(authorities):
    wales = current_lower_tier(authorities).query("nation == 'Wales'")["authority_code"]
    first, _ = geography.council_shapes(wales)
    again, _ = geography.council_shapes(list(reversed(wales.tolist())))
    assert first is again
    ring = first["features"][0]["geometry"]["coordinates"][0][0]
    with pytest.raises(ValueError):
        ring[0, 0] = 0.0


def test_the_abolished_northern_irish_districts_have_no_boundary(authorities):
    ni = authorities[authorities["is_council"] & (authorities["nation"] == "Northern Ireland")]
    with_shape = geography.with_boundary(ni["authority_code"])
    without = ni[~ni["authority_code"].isin(with_shape)]
    assert len(without) == 25 and not without["is_current"].any()
    assert set(ni.loc[ni["is_current"], "authority_code"]) <= with_shape


# -- the period's councils on the real register ---------------------------------------------------
@pytest.fixture(scope="module")
def demo_wh(demo_warehouse):
    wh = FileWarehouse(demo_warehouse)
    yield wh
    wh.close()


def period_councils(authorities: pd.DataFrame, values: pd.DataFrame, first: dt.date, last: dt.date, period: str):
    frame = authorities[authorities["is_council"] & (authorities["tier"] != "combined")]
    begins = frame["start_date"].map(lambda d: d is None or pd.isna(d) or d <= last)
    ends = frame["end_date"].map(lambda d: d is None or pd.isna(d) or d > first)
    reported = frame["authority_code"].isin(values.loc[values["period"] == period, "authority_code"])
    return set(frame.loc[(begins & ends) | reported, "authority_code"])


@pytest.mark.parametrize("period", ["2019/20", "2024/25"])
def test_the_map_accounts_for_every_council_of_the_period(demo_wh, demo_source, authorities, period):
    values = pd.read_csv(demo_source / "values.csv", dtype={"authority_code": str, "period": str})
    indicator = sorted(values["indicator_id"].unique())[0]
    frame = browse.browse_frame(demo_wh, indicator, period, browse.BrowseFilters(include_former=True))
    plan = geography.map_plan(demo_wh, frame, period, frame["value"].notna().tolist())
    figure = maps.council_map(plan.councils, plan.shapes, unit="%", polarity="higher")
    first = dt.date(int(period[:4]), 4, 1)
    expected = period_councils(authorities, values, first, dt.date(first.year + 1, 3, 31), period)
    hidden = set(plan.councils.loc[plan.councils["drawn_as"] == geography.HIDDEN, "authority_code"])
    assert set(drawn(figure)) | hidden == expected and not set(drawn(figure)) & hidden
    # every drawn shape is in the GeoJSON sent, under its own id
    shown = {c for t in figure.data if isinstance(t, go.Choropleth) for c in t.locations}
    assert shown == geography.shape_codes(plan.shapes)
    # a county is never drawn over its districts, a council never over its successor (one beneath
    # the others is drawn under them)
    register = authorities.set_index("authority_code")
    on_top = set(drawn(figure)) - set(plan.councils.loc[plan.councils["beneath"], "authority_code"])
    for code in on_top:
        parent = register.at[code, "parent_county_code"]
        assert not (isinstance(parent, str) and parent in on_top), code
        assert not set(register.at[code, "successor_codes"]) & on_top, code
