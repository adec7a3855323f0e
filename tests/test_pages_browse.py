"""Browse page: filters, name search, ranks within the filtered set, URL state, plain-text names.

The councils of a period are checked against an independent reading of the register's life
dates and the demo source's values (the existence rule: existed on a day of the period, or
reported for it)."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard.browse import filters as browse
from dashboard.common.bands import MIN_BAND_N
from dashboard.warehouse import FileWarehouse
from etl import demo
from etl.load import Source, load_sources
from tests.support.sources import write_source

PAGE = "dashboard/views/browse.py"


@pytest.fixture
def open_browse(open_page):
    """The app on a warehouse, switched to Browse with the URL parameters, run once."""
    return lambda live, **params: open_page(live, PAGE, **params)


def shown(at: AppTest) -> pd.DataFrame:
    """The key-figures table as shown on the page."""
    # AppTest does not expose a plain dataframe's key; this is the page's only table with bands
    frames = [d.value for d in at.dataframe if "Quartile band" in d.value.columns]
    assert len(frames) == 1
    return frames[0]


@pytest.fixture(scope="module")
def demo_values(demo_source) -> pd.DataFrame:
    """The demo source's values.csv, read independently of the warehouse."""
    return pd.read_csv(demo_source / "values.csv", dtype={"authority_code": str, "period": str})


@pytest.fixture(scope="module")
def demo_indicators(demo_source) -> pd.DataFrame:
    return pd.read_csv(demo_source / "indicators.csv")


def current_councils(authorities: pd.DataFrame) -> pd.DataFrame:
    return authorities[authorities["is_council"].astype(bool) & authorities["is_current"].astype(bool)]


def period_councils(authorities: pd.DataFrame, values: pd.DataFrame, period: str) -> pd.DataFrame:
    """The councils of financial year ``period``: existed on one of its days by the register (the
    end date is the first day a council no longer exists), or have a value reported for it."""
    first, last = dt.date(int(period[:4]), 4, 1), dt.date(int(period[:4]) + 1, 3, 31)
    councils = authorities[authorities["is_council"].astype(bool) & (authorities["tier"] != "combined")]
    begins = councils["start_date"].map(lambda d: d is None or pd.isna(d) or d <= last)
    ends = councils["end_date"].map(lambda d: d is None or pd.isna(d) or d > first)
    reported = councils["authority_code"].isin(values.loc[values["period"] == period, "authority_code"])
    return councils[(begins & ends) | reported]


def test_defaults_show_every_current_council_and_a_map(open_browse, demo_warehouse, authorities, demo_values):
    at = open_browse(demo_warehouse)
    latest = period_councils(authorities, demo_values, demo.DEMO_PERIODS[-1])
    assert set(shown(at)["Code"]) == set(current_councils(authorities)["authority_code"]) & set(latest["authority_code"])
    assert len(at.get("plotly_chart")) == 1
    assert [t.label for t in at.tabs] == ["Chart", "Table", "Download"]


def test_nation_in_the_url_shows_only_that_nations_councils(open_browse, demo_warehouse, authorities):
    at = open_browse(demo_warehouse, nation="Wales")
    councils = current_councils(authorities)
    welsh = councils[councils["nation"] == "Wales"]
    assert set(shown(at)["Code"]) == set(welsh["authority_code"])
    assert at.multiselect(key="nation").value == ["Wales"]
    # regions on offer are narrowed to the chosen nation
    assert at.multiselect(key="region").options == sorted(welsh["region"].dropna().unique())


def test_ranks_and_bands_are_within_the_filtered_set(open_browse, demo_warehouse, authorities,
                                                     demo_values, demo_indicators):
    lower = demo_indicators[demo_indicators["polarity"] == "lower"].iloc[0]
    period = demo.DEMO_PERIODS[-2]
    at = open_browse(demo_warehouse, nation="Scotland", indicator=lower["indicator_id"],
                     period=period)
    councils = current_councils(authorities)
    scots = set(councils.loc[councils["nation"] == "Scotland", "authority_code"])
    values = demo_values[(demo_values["indicator_id"] == lower["indicator_id"])
                         & (demo_values["period"] == period)
                         & demo_values["authority_code"].isin(scots)].dropna(subset=["value"])
    expected_rank = values["value"].rank(method="min", ascending=True).astype(int)  # lower is better
    expected = dict(zip(values["authority_code"], expected_rank, strict=True))
    got = shown(at).dropna(subset=["Rank"])
    assert dict(zip(got["Code"], got["Rank"].astype(int), strict=True)) == expected
    assert set(got["Of"]) == {len(values)}
    # band 1 ("Top quartile") for lower-is-better = at or below the lower quartile
    q1 = values["value"].quantile(0.25)
    top = set(values.loc[values["value"] <= q1, "authority_code"])
    assert set(got.loc[got["Quartile band"] == "Top quartile", "Code"]) == top


def test_neutral_indicator_is_not_ranked(open_browse, demo_warehouse, demo_indicators):
    neutral = demo_indicators[demo_indicators["polarity"] == "neutral"]
    if neutral.empty:
        pytest.skip("the demo has no neutral indicator")
    at = open_browse(demo_warehouse, indicator=neutral.iloc[0]["indicator_id"])
    frame = shown(at)
    assert frame["Rank"].isna().all()
    assert not set(frame["Quartile band"]) & {"Top quartile", "Bottom quartile"}


def test_name_search_matches_names_as_plain_text(open_browse, demo_warehouse, authorities):
    at = open_browse(demo_warehouse, q="shire")
    councils = current_councils(authorities)
    hit = (councils["short_name"].str.lower().str.contains("shire", regex=False)
           | councils["official_name"].str.lower().str.contains("shire", regex=False))
    assert set(shown(at)["Code"]) == set(councils.loc[hit, "authority_code"])


@pytest.mark.parametrize("text", ["%", "_", "'; drop table indicators; --", "(", "\\"])
def test_pattern_and_sql_characters_in_the_search_are_just_text(open_browse, demo_warehouse, authorities, text):
    at = open_browse(demo_warehouse, q=text)
    councils = current_councils(authorities)
    hit = (councils["short_name"].str.lower().str.contains(text, regex=False)
           | councils["official_name"].str.lower().str.contains(text, regex=False))
    if hit.any():
        assert set(shown(at)["Code"]) == set(councils.loc[hit, "authority_code"])
    else:
        assert any("No councils match" in i.value for i in at.info)


def test_unknown_region_in_the_url_gives_a_notice_not_an_error(open_browse, demo_warehouse, authorities):
    at = open_browse(demo_warehouse, region="Atlantis", nation="Wales")
    assert any("Atlantis" in i.value for i in at.info)
    assert at.multiselect(key="region").value == []
    welsh = current_councils(authorities).query("nation == 'Wales'")
    assert set(shown(at)["Code"]) == set(welsh["authority_code"])


def test_unknown_indicator_and_period_fall_back_with_notices(open_browse, demo_warehouse):
    at = open_browse(demo_warehouse, indicator="no_such_thing", period="1066/67")
    notices = " ".join(i.value for i in at.info).replace("\\", "")  # URL text is shown Markdown-escaped
    assert "no_such_thing" in notices and "1066/67" in notices
    assert at.selectbox(key="period").value == demo.DEMO_PERIODS[-1]  # newest first


def test_former_councils_only_with_the_toggle(open_browse, demo_warehouse, authorities, demo_values):
    period = demo.DEMO_PERIODS[0]  # before the reorganisations of 2019-2023: many councils since abolished
    then = period_councils(authorities, demo_values, period)
    at = open_browse(demo_warehouse, former="1", period=period)
    assert set(shown(at)["Code"]) == set(then["authority_code"])
    at.toggle(key="former").set_value(False).run()
    current = then[then["is_current"].astype(bool)]
    assert set(shown(at)["Code"]) == set(current["authority_code"]) != set(then["authority_code"])
    assert at.query_params["former"] in ("0", ["0"])


def test_a_council_that_did_not_exist_in_the_period_is_not_listed(open_browse, demo_warehouse, authorities,
                                                                    demo_values):
    """Cumberland (from 1 April 2023) is no council of 2019/20 unless the data reports it then."""
    cumberland = "E06000063"
    reported = not demo_values[(demo_values["authority_code"] == cumberland)
                               & (demo_values["period"] == "2019/20")].empty
    at = open_browse(demo_warehouse, period="2019/20", q="Cumberland")
    listed = set(shown(at)["Code"]) if not any("No councils match" in i.value for i in at.info) else set()
    assert (cumberland in listed) == reported


def test_choices_are_written_to_the_url(open_browse, demo_warehouse, authorities):
    at = open_browse(demo_warehouse)
    at.multiselect(key="nation").select("Scotland").run()
    at.text_input(key="q").input("glas").run()
    assert not at.exception
    params = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert params["nation"] == "Scotland" and params["q"] == "glas"
    councils = current_councils(authorities).query("nation == 'Scotland'")
    hit = (councils["short_name"].str.lower().str.contains("glas", regex=False)
           | councils["official_name"].str.lower().str.contains("glas", regex=False))
    assert set(shown(at)["Code"]) == set(councils.loc[hit, "authority_code"]) != set()


@pytest.fixture(scope="module")
def hostile_warehouse(tmp_path_factory, reference_dir, authorities) -> tuple:
    """A warehouse whose only indicator's name and unit are HTML, script and formula text."""
    welsh = current_councils(authorities).query("nation == 'Wales'")["authority_code"].tolist()
    name = '<script>alert("x")</script> **bold** =SUM(A1)'
    folder = write_source(tmp_path_factory.mktemp("hostile") / "hostile", {
        "indicators.csv": ("indicator_id,name,theme,unit,polarity,description,source\n"
                           f'evil,"{name.replace(chr(34), chr(34) * 2)}",<b>Theme</b>,<i>u</i>,higher,'
                           "<img src=x onerror=alert(1)>,Tester\n"),
        "values.csv": "authority_code,indicator_id,period,value\n"
                      + "".join(f"{code},evil,2023/24,{i}\n" for i, code in enumerate(welsh)),
    })
    live = tmp_path_factory.mktemp("hostile-wh") / "exemplar.duckdb"
    result = load_sources([Source.of(folder, "hostile")], live, reference_dir=reference_dir)
    assert result.ok, result.problems
    return live, name


def test_names_with_html_and_script_tags_are_plain_text(open_browse, hostile_warehouse):
    live, name = hostile_warehouse
    at = open_browse(live, nation="Wales", indicator="evil")
    assert all(not m.allow_html for m in at.markdown)
    assert all(not getattr(c, "allow_html", False) for c in at.caption)
    assert any(name in option for option in at.selectbox(key="indicator").options)
    caption = " ".join(c.value for c in at.caption)
    assert "<script>" not in caption.replace("\\<script\\>", "")  # escaped, never raw markdown/HTML


def test_browse_csv_matches_the_table_and_says_how_it_was_made(demo_warehouse):
    wh = FileWarehouse(demo_warehouse)
    try:
        filters = browse.BrowseFilters(nations=("Wales",), q="")
        frame = browse.browse_frame(wh, "online_account_pct" if "online_account_pct" in
                                    set(wh.query("indicator_list")["indicator_id"]) else
                                    wh.query("indicator_list")["indicator_id"].iloc[0],
                                    demo.DEMO_PERIODS[-1], filters)
        export = browse.export_frame(frame, demo.DEMO_PERIODS[-1])
        about = browse.provenance(filters, len(frame))
    finally:
        wh.close()
    assert len(export) == len(frame) and set(export["nation"]) == {"Wales"}
    assert "nation: Wales" in about["councils"]
    assert "ties share the best rank" in about["rank_method"]


@pytest.fixture(scope="module")
def browse_wh(demo_warehouse):
    wh = FileWarehouse(demo_warehouse)
    yield wh
    wh.close()


@pytest.mark.slow  # hypothesis over the demo
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_ranks_medians_and_bands_equal_pandas_for_any_filter(data, browse_wh, authorities, demo_values,
                                                            demo_indicators):
    """Whatever the filters, the SQL's figures equal an independent pandas computation."""
    councils = authorities[authorities["is_council"].astype(bool)]
    nations = data.draw(st.lists(st.sampled_from(sorted(councils["nation"].unique())), unique=True, max_size=2))
    types = data.draw(st.lists(st.sampled_from(sorted(councils["authority_type"].unique())), unique=True, max_size=3))
    include_former = data.draw(st.booleans())
    row = demo_indicators.iloc[data.draw(st.integers(0, len(demo_indicators) - 1))]
    period = data.draw(st.sampled_from(demo.DEMO_PERIODS))
    filters = browse.BrowseFilters(tuple(nations), (), tuple(types), "", include_former)
    got = browse.browse_frame(browse_wh, row["indicator_id"], period, filters).set_index("authority_code")

    chosen = period_councils(authorities, demo_values, period)
    chosen = chosen if include_former else chosen[chosen["is_current"].astype(bool)]
    if nations:
        chosen = chosen[chosen["nation"].isin(nations)]
    if types:
        chosen = chosen[chosen["authority_type"].isin(types)]
    assert set(got.index) == set(chosen["authority_code"])
    values = demo_values[(demo_values["indicator_id"] == row["indicator_id"]) & (demo_values["period"] == period)
                         & demo_values["authority_code"].isin(chosen["authority_code"])].dropna(subset=["value"])
    values = values.set_index("authority_code")["value"]
    if values.empty:
        assert got["rank"].isna().all() and got["band"].isna().all()
        return
    assert got["median"].iloc[0] == pytest.approx(values.median())
    assert got["lower_quartile"].iloc[0] == pytest.approx(values.quantile(0.25))
    assert got["upper_quartile"].iloc[0] == pytest.approx(values.quantile(0.75))
    if row["polarity"] == "neutral":
        assert got["rank"].isna().all()
    else:
        expected = values.rank(method="min", ascending=row["polarity"] == "lower").astype(int)
        assert got.loc[expected.index, "rank"].astype(int).to_dict() == expected.to_dict()
        assert got.drop(index=expected.index)["rank"].isna().all()
    if len(values) >= MIN_BAND_N:
        # band 1 = at or beyond the better-side quartile (higher for neutral), 4 = beyond the worse one
        sign = -1 if row["polarity"] == "lower" else 1
        key = sign * values
        q1, q2, q3 = key.quantile(0.25), key.quantile(0.5), key.quantile(0.75)
        eps = 1e-9 * max(1.0, key.abs().max())  # quantiles of negated values differ in the last bits
        expected_band = key.map(lambda k: 1 if k >= q3 - eps else 2 if k >= q2 - eps else 3 if k >= q1 - eps else 4)
        assert got.loc[expected_band.index, "band"].astype(int).to_dict() == expected_band.to_dict()
    else:
        assert got["band"].isna().all()


def test_filter_choices_narrow_regions_and_types(authorities):
    councils = authorities[authorities["is_council"].astype(bool)]
    nations, regions, types = browse.filter_choices(councils)
    assert nations == sorted(councils["nation"].unique())
    _, regions, types = browse.filter_choices(councils, ["England"], ["London"])
    london = councils[(councils["nation"] == "England") & (councils["region"] == "London")]
    assert "London" in regions and "Scotland" not in regions
    assert types == sorted(london["authority_type"].unique())


# -- the map ---------------------------------------------------------------------------------
def map_spec(at: AppTest) -> dict:
    """The plotly figure the page sends to the browser (its JSON, as Streamlit ships it)."""
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def filled(spec: dict) -> dict[str, list[str]]:
    """Layer name -> the councils it fills with their boundaries."""
    return {t["name"]: list(t["locations"]) for t in spec["data"] if t["type"] == "choropleth"}


def test_a_region_in_the_url_maps_its_councils_with_their_boundaries(open_browse, demo_warehouse, authorities):
    at = open_browse(demo_warehouse, region="London")
    london = set(current_councils(authorities).query("region == 'London'")["authority_code"])
    spec = map_spec(at)
    layers = filled(spec)
    assert set().union(*layers.values()) == london
    for trace in spec["data"]:
        if trace["type"] == "choropleth":
            assert sorted(f["id"] for f in trace["geojson"]["features"]) == sorted(trace["locations"])
    assert spec["layout"]["geo"]["fitbounds"] == "locations"  # zoomed to London
    assert "as published" in " ".join(c.value for c in at.caption)  # a region gets the fine outlines


def test_the_uk_map_draws_every_council_once_in_under_a_megabyte(open_browse, demo_warehouse, authorities):
    at = open_browse(demo_warehouse)
    spec_text = at.get("plotly_chart")[0].proto.spec
    assert len(spec_text.encode()) < 1_000_000
    table = shown(at)
    on_map = set(table.loc[table["On the map"] == "Boundary", "Code"])
    assert set().union(*filled(json.loads(spec_text)).values()) == on_map
    # county councils overlap their districts: left off the map, named in the table
    counties = table[table["Type"] == "County"]
    assert len(counties) and (counties["On the map"] == "Not drawn").all()
    assert counties["Note"].str.startswith("Not on the map: its area is shown as").all()


def test_the_table_says_why_a_council_has_no_value(open_browse, demo_warehouse, demo_values):
    latest = demo_values[demo_values["period"] == demo.DEMO_PERIODS[-1]]
    indicator = latest.loc[latest["value"].isna(), "indicator_id"].value_counts().index[0]
    at = open_browse(demo_warehouse, indicator=indicator)
    table = shown(at)
    no_value = table[table["Value"].isna()]
    assert len(no_value) and no_value["Note"].str.contains("No value: ").all()
    assert not table.loc[table["Value"].notna(), "Note"].str.contains("No value").any()
    spec = map_spec(at)
    grey = filled(spec).get("No value (reason in the table)", [])
    assert set(grey) == set(no_value.loc[no_value["On the map"] == "Boundary", "Code"])
