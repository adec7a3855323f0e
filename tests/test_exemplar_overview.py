"""Exemplars across the UK: the exemplar map and heatmaps (pure builders), readable labels,
enabler shares under the disclosure rule, and the page in AppTest with defaults and URL zoom.

Real parts: the demo warehouse (every region has respondents), the self-assessment fixture
warehouse (4 Welsh respondents: below the disclosure threshold), the vendored register.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plotly.colors import sample_colorscale
from streamlit.testing.v1 import AppTest

from dashboard.common import geography
from dashboard.common.charts import ANCHOR_NAME
from dashboard.common.disclosure import MIN_PEER_RESPONDENTS
from dashboard.common.palette import contrast_ratio, readable_text_colour
from dashboard.exemplars import maps as exemplar_maps
from dashboard.selfassessment import enabler_charts, enablers
from dashboard.warehouse import FileWarehouse
from tests.support.apptest import table_with

PAGE = "dashboard/views/exemplar_overview.py"
PERIOD_START, PERIOD_END = dt.date(2024, 4, 1), dt.date(2025, 3, 31)  # the demo's latest period


# -- contrast ---------------------------------------------------------------------------------
def test_contrast_ratio_matches_the_wcag_examples():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic just-fails grey
    assert contrast_ratio("rgb(255, 255, 255)", "#FFFFFF") == pytest.approx(1.0)
    with pytest.raises(ValueError, match="neither"):
        contrast_ratio("red", "#FFFFFF")


@settings(max_examples=200, deadline=None)
@given(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)))
def test_the_chosen_label_colour_reads_on_any_background(rgb):
    background = "#{:02X}{:02X}{:02X}".format(*rgb)
    assert contrast_ratio(readable_text_colour(background), background) >= 4.5


def cell_colours(figure: go.Figure) -> list[tuple[str, str, str]]:
    """(label, its colour, its cell's colour) of every labelled heatmap cell, the cell colour
    taken from the trace's own scale and range."""
    heat = figure.data[0]
    column = {x: j for j, x in enumerate(heat.x)}
    row = {y: i for i, y in enumerate(heat.y)}
    out = []
    for note in figure.layout.annotations:
        value = np.asarray(heat.z, dtype=float)[row[note.y], column[note.x]]
        background = "#FFFFFF" if np.isnan(value) else sample_colorscale(
            [[p, c] for p, c in heat.colorscale], [(value - heat.zmin) / ((heat.zmax - heat.zmin) or 1)])[0]
        out.append((note.text, note.font.color, background))
    return out


def test_heatmap_labels_contrast_with_their_cells():
    counts = pd.DataFrame({"County": [0.0, 3.0, np.nan], "Unitary <b>": [8.0, 1.0, 5.0]},
                          index=["North & East", "South", "Wales"])
    figure = exemplar_maps.overview_heatmap(counts)
    cells = cell_colours(figure)
    assert sorted(label for label, _, _ in cells) == ["0", "1", "3", "5", "8"]  # no number for an empty cell
    assert all(contrast_ratio(colour, background) >= 4.5 for _, colour, background in cells)
    assert {colour for _, colour, _ in cells} == {"#000000", "#FFFFFF"}  # dark cells get white, bright black
    columns = " ".join(figure.data[0].x)
    assert "&lt;b&gt;" in columns and "<b>" not in columns and "North &amp; East" in figure.data[0].y


# -- the exemplar map ---------------------------------------------------------------------------
def planned(drawn_as=None) -> pd.DataFrame:
    return pd.DataFrame({
        "authority_code": ["A", "B", "C", "D", "E"],
        "short_name": ["<i>A</i>", "B", "C", "D", "E"],
        "authority_type": "T",
        "region": "R",
        "lat": [51.0, 51.5, 52.0, 52.5, 53.0],
        "lon": [-1.0] * 5,
        "is_exemplar": [True, False, False, True, True],
        "composite_rank": [1, 2, None, 1, 2],
        "n_composite": [2, 2, None, 2, 2],
        "drawn_as": drawn_as or ["shape", "shape", "shape", "dot", "hidden"],
        "map_note": ["", "", "", geography.NO_BOUNDARY_NOTE, "Not on the map: its area is shown as A"],
    })


def shapes(codes) -> dict:
    ring = [[-1.0, 51.0], [-1.0, 51.1], [-0.9, 51.1], [-0.9, 51.0], [-1.0, 51.0]]
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "id": c, "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]}}
                         for c in codes]}


def test_exemplars_are_blue_and_starred_others_grey():
    figure = exemplar_maps.exemplar_map(planned(), shapes(["A", "B", "C"]))
    assert figure.data[0].name == ANCHOR_NAME and isinstance(figure.data[0], go.Scattergeo)
    by_name: dict[str, list] = {}
    for trace in figure.data[1:]:
        codes = list(trace.locations) if isinstance(trace, go.Choropleth) else list(trace.customdata)
        by_name.setdefault(trace.name, []).extend(codes)
    assert by_name[exemplar_maps.LAYER_EXEMPLAR] == ["A", "D"]  # A's shape, D's dot
    assert by_name[exemplar_maps.LAYER_OTHER] == ["B"]
    assert by_name[exemplar_maps.LAYER_NOT_RANKED] == ["C"]
    # the star marks every exemplar drawn (not by colour alone); E is hidden, so neither
    assert by_name[exemplar_maps.LAYER_STARS] == ["A", "D"]
    stars = next(t for t in figure.data if t.name == exemplar_maps.LAYER_STARS)
    assert stars.marker.symbol == "star" and not stars.showlegend
    hover = next(t for t in figure.data if t.name == exemplar_maps.LAYER_EXEMPLAR).hovertext[0]
    assert hover == "<b>&lt;i&gt;A&lt;/i&gt;</b><br>T, R<br>Exemplar: rank 1 of 2 in its group"


# -- enabler shares -----------------------------------------------------------------------------
def levels_for(groups: dict[tuple[str, str], list[float]], theme: str = "Technology and data") -> pd.DataFrame:
    rows = []
    for (nation, region), scores in groups.items():
        for i, score in enumerate(scores):
            rows.append({"authority_code": f"{region}-{i:03d}", "nation": nation, "region": region,
                         "theme": theme, "maturity": score, "questions": 2})
    return pd.DataFrame(rows)


def shares_by_area(levels: pd.DataFrame) -> dict[str, pd.Series]:
    return {row.area: row for row in enablers.enabler_shares(levels).itertuples(index=False)}


def test_a_share_is_the_councils_at_level_four_or_more_among_those_that_published():
    got = shares_by_area(levels_for({("England", "London"): [4, 4.5, 3.5, 2, 5, 1], ("Wales", "Wales"): [4] * 5}))
    assert got["London"].share == pytest.approx(3 / 6) and got["London"].respondents == 6
    assert got["United Kingdom"].share == pytest.approx(8 / 11)
    assert got["Wales"].area_kind == "Nation"  # a nation without regions is not repeated as one


def test_too_few_respondents_are_withheld_and_so_is_a_neighbour_that_would_give_them_away():
    got = shares_by_area(levels_for({
        ("England", "London"): [4] * 10, ("England", "North East"): [5] * 3, ("England", "South West"): [1] * 6,
    }))
    assert np.isnan(got["North East"].share) and "3 council(s)" in got["North East"].note
    # England minus London would give the North East away: South West (the smallest shown) is withheld too
    assert np.isnan(got["South West"].share) and "worked out" in got["South West"].note
    assert got["London"].disclosed and got["England"].disclosed


def test_the_uk_total_is_withheld_when_only_england_could_hide_a_small_nation():
    got = shares_by_area(levels_for({("England", "London"): [4] * 24, ("Wales", "Wales"): [2, 3, 4, 5]}))
    assert not got["Wales"].disclosed
    assert not got["United Kingdom"].disclosed  # UK minus England would be Wales
    assert got["England"].disclosed and got["London"].disclosed


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(
    st.sampled_from([("England", "London"), ("England", "North East"), ("England", "South West"),
                     ("Wales", "Wales"), ("Scotland", "Scotland"), ("Northern Ireland", "Northern Ireland")]),
    st.lists(st.sampled_from([1.0, 2.0, 3.5, 4.0, 4.5, 5.0]), min_size=1, max_size=9), min_size=1))
def test_no_withheld_share_can_be_worked_out(groups):
    levels = levels_for(groups)
    shares = enablers.enabler_shares(levels)
    shown = shares[shares["disclosed"]]
    assert (shown["respondents"] >= MIN_PEER_RESPONDENTS).all()
    for row in shown.itertuples(index=False):  # shown shares are the plain count, independently
        if row.area_kind == "United Kingdom":
            part = levels
        else:
            part = levels[levels["nation" if row.area_kind == "Nation" else "region"] == row.area]
        assert row.share == pytest.approx((part["maturity"] >= 4).mean())
    assert shares.loc[~shares["disclosed"], "share"].isna().all()
    # under a shown total, the withheld parts together hold no councils or at least five
    by = {r.area: r for r in shares.itertuples(index=False)}
    england_regions = [r for r in shares.itertuples(index=False) if r.area_kind == "Region"]
    if "England" in by and by["England"].disclosed:
        hidden = sum(r.respondents for r in england_regions if not r.disclosed)
        assert hidden == 0 or hidden >= MIN_PEER_RESPONDENTS
    if by["United Kingdom"].disclosed:
        nations = [r for r in shares.itertuples(index=False) if r.area_kind == "Nation"]
        # England counts as shown when its regions are all shown (it is their sum)
        england_known = "England" in by and (by["England"].disclosed or all(r.disclosed for r in england_regions))
        hidden = sum(r.respondents for r in nations if not (r.disclosed or (r.area == "England" and england_known)))
        assert hidden == 0 or hidden >= MIN_PEER_RESPONDENTS


def test_the_heatmap_says_withheld_and_the_map_greys_withheld_regions():
    levels = levels_for({("England", "London"): [4] * 24, ("Wales", "Wales"): [2, 3, 4, 5]})
    shares = enablers.enabler_shares(levels)
    heat = enabler_charts.enabler_heatmap(shares)
    labels = {(a.y, a.x): a.text for a in heat.layout.annotations}
    assert labels[("Wales", "Technology and<br>data")] == enabler_charts.WITHHELD_LABEL
    assert labels[("England: London", "Technology and<br>data")] == "100%"
    councils = levels[["authority_code", "nation", "region"]].assign(short_name="x", lat=51.0, lon=-1.0)
    values = enablers.region_share_by_council(councils, shares, "Technology and data")
    assert values.loc[values["nation"] == "Wales", "value"].isna().all()
    assert (values.loc[values["region"] == "London", "value"] == 100).all()
    planned_values = values.assign(drawn_as="shape", map_note="")
    figure = enabler_charts.enabler_map(planned_values, shapes(values["authority_code"]), enabler_charts.BY_REGION)
    grey = next(t for t in figure.data if t.name == "Withheld (reason in the table)")
    assert set(grey.locations) == set(levels.loc[levels["nation"] == "Wales", "authority_code"])
    assert "Withheld: 4 council(s)" in grey.hovertext[0]
    assert (figure.layout.coloraxis.cmin, figure.layout.coloraxis.cmax) == (0, 100)


# -- the page ----------------------------------------------------------------------------------
@pytest.fixture
def overview_page(demo_warehouse, open_page):
    return lambda **params: open_page(demo_warehouse, PAGE, **params)


def councils_of_period(authorities: pd.DataFrame) -> pd.DataFrame:
    frame = authorities[authorities["is_council"] & (authorities["tier"] != "combined")]
    start = pd.to_datetime(frame["start_date"]).dt.date.fillna(dt.date.min)
    end = pd.to_datetime(frame["end_date"]).dt.date.fillna(dt.date.max)
    return frame[(start <= PERIOD_END) & (end > PERIOD_START)]


def map_spec(at: AppTest) -> dict:
    """The last chart on the page (the map), as Streamlit sends it."""
    return json.loads(at.get("plotly_chart")[-1].proto.spec)


def filled(spec: dict) -> set[str]:
    return {code for t in spec["data"] if t["type"] == "choropleth" for code in t["locations"]}


def test_defaults_map_every_council_of_the_period_with_exemplars_marked(overview_page, authorities):
    at = overview_page()
    assert len(at.get("plotly_chart")) == 3  # exemplars heatmap, enablers heatmap, map
    spec = map_spec(at)
    councils = councils_of_period(authorities)
    lower = councils[councils["tier"] != "county"]
    assert filled(spec) == set(lower["authority_code"])  # counties overlap their districts: in the table only
    assert spec["layout"]["geo"]["fitbounds"] == "locations"
    stars = next(t for t in spec["data"] if t["name"] == exemplar_maps.LAYER_STARS)
    listing = table_with(at, "Rank in group")
    drawn_exemplars = listing[listing["On the map"].fillna("") == ""]
    assert len(stars["customdata"]) == len(drawn_exemplars) > 0
    assert len(at.get("plotly_chart")[-1].proto.spec.encode()) < 1_000_000


@pytest.mark.parametrize(("params", "column", "value"), [
    ({"nation": "Wales"}, "nation", "Wales"),
    ({"nation": "England", "region": "London"}, "region", "London"),
])
def test_a_nation_or_region_in_the_url_zooms_the_map_to_it(overview_page, authorities, params, column, value):
    at = overview_page(**params)
    councils = councils_of_period(authorities)
    area = councils[(councils[column] == value) & (councils["tier"] != "county")]
    assert filled(map_spec(at)) == set(area["authority_code"])
    assert at.selectbox(key="nation").value == params["nation"]
    sizes = table_with(at, "Councils")
    assert sizes["Councils"].sum() == len(councils[councils[column] == value])
    enabler_table = table_with(at, "Enabler theme")
    assert {"United Kingdom", value} <= {a.split(": ")[-1] for a in enabler_table["Area"]}


@pytest.mark.parametrize("show", [enabler_charts.BY_REGION, enabler_charts.BY_COUNCIL])
def test_the_map_shows_an_enabler_by_region_or_by_council(overview_page, demo_warehouse, show):
    at = overview_page(show=show, nation="Scotland")
    theme = at.selectbox(key="enabler").value
    spec = map_spec(at)
    assert enabler_charts.MAP_LEGENDS[show].split(":")[0][:20] in spec["layout"]["coloraxis"]["colorbar"]["title"]["text"]
    wh = FileWarehouse(demo_warehouse)
    try:
        levels = enablers.enabler_levels(wh, at.selectbox(key="round").value)
    finally:
        wh.close()
    scots = levels[(levels["nation"] == "Scotland") & (levels["theme"] == theme)]
    listing = table_with(at, "Region's share (%)" if show == enabler_charts.BY_REGION else "Own level (1-5)")
    if show == enabler_charts.BY_COUNCIL:
        got = listing.dropna(subset=["Own level (1-5)"])
        assert len(got) == len(scots)
        assert sorted(got["Own level (1-5)"]) == sorted(scots["maturity"].round(1))
    else:
        expected = round(100 * (scots["maturity"] >= 4).mean(), 1)
        assert set(listing["Region's share (%)"]) == {expected}


def test_withheld_shares_are_shown_with_their_reason(sa_live, open_page):
    at = open_page(sa_live, PAGE)
    table = table_with(at, "Enabler theme")
    wales = table[table["Area"] == "Wales"]
    assert len(wales) and wales["Share (%)"].isna().all()
    assert wales["Note"].str.contains("4 council\\(s\\) published answers").all()
    assert table.loc[table["Area"] == "United Kingdom", "Share (%)"].isna().all()  # UK minus England = Wales
    shown = table.dropna(subset=["Share (%)"])
    assert (shown["Councils that published answers"] >= MIN_PEER_RESPONDENTS).all()
