"""Council profile, Indicator and Progress pages in AppTest: defaults, URL state, shown values.

Shown ranks are checked against an independent pandas computation from the demo *source*
CSVs and the real register (not the warehouse); hostile indicator names from the hand-made
fixture must show as plain text.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common.periods import FULL_SHARE
from dashboard.common.register import DEFAULT_COUNCIL
from tests.support import peer_fixture as fx
from tests.support.apptest import table_with

PROFILE, INDICATOR, PROGRESS = (f"dashboard/views/{p}.py" for p in ("profile", "indicator", "progress"))
GLASGOW = "S12000049"
A4_WIDTH_PX = 794  # 210 mm at 96 dpi: a chart drawn wider is cut at the printed page's edge


def with_other_forms(*csv_keys: str) -> set[str]:
    """The keys of CSV downloads and of the workbook and CSVW offered beside each."""
    return {f"{key}{form}" for key in csv_keys for form in ("", "_xlsx", "_csvw")}


def notices(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


# -- the independent computation (demo source CSVs + register) ---------------------------------
@pytest.fixture(scope="module")
def source(demo_source):
    values = pd.read_csv(demo_source / "values.csv", dtype={"authority_code": str, "period": str})
    indicators = pd.read_csv(demo_source / "indicators.csv")
    return values, indicators


def members(authorities: pd.DataFrame, council: str, columns: list[str], year: int) -> set[str]:
    """Councils sharing ``columns`` with ``council`` that existed in financial year ``year``."""
    a = authorities
    facts = a.set_index("authority_code").loc[council]
    start, end = pd.Timestamp(year, 4, 1).date(), pd.Timestamp(year + 1, 3, 31).date()
    keep = a["is_council"] & (a["tier"] != "combined")
    for column in columns:
        keep &= a[column] == facts[column]
    keep &= a["start_date"].map(lambda d: d is None or pd.isna(d) or d <= end)
    keep &= a["end_date"].map(lambda d: d is None or pd.isna(d) or d > start)
    return set(a.loc[keep, "authority_code"])


def expected_ranks(source, codes: set[str], council: str, period: str) -> dict[str, str]:
    """indicator name -> "r of n" (or "not ranked") computed with pandas from the source CSVs."""
    values, indicators = source
    now = values[(values["period"] == period) & values["authority_code"].isin(codes) & values["value"].notna()]
    out = {}
    for ind in indicators.itertuples():
        group = now[now["indicator_id"] == ind.indicator_id]
        if ind.polarity == "neutral" or council not in set(group["authority_code"]):
            out[ind.name] = "not ranked"
            continue
        ranks = group["value"].rank(method="min", ascending=ind.polarity == "lower")
        own = int(ranks[group["authority_code"] == council].iloc[0])
        out[ind.name] = f"{own} of {len(group)}"
    return out


# -- Council profile ---------------------------------------------------------------------------------
def test_profile_defaults_show_ranks_equal_to_pandas(open_page, demo_warehouse, authorities, source):
    at = open_page(demo_warehouse, PROFILE)
    assert at.selectbox(key="council").value == DEFAULT_COUNCIL
    assert at.selectbox(key="group").value == "type_nation"
    period = at.selectbox(key="period").value
    assert period == sorted(source[0]["period"].unique())[-1]  # the newest period
    shown = table_with(at, "Rank").set_index("Indicator")
    assert len(shown) == len(source[1])
    codes = members(authorities, DEFAULT_COUNCIL, ["authority_type", "nation"], int(period[:4]))
    assert shown["Rank"].to_dict() == expected_ranks(source, codes, DEFAULT_COUNCIL, period)
    assert at.expander[0].label == f"Who is in the peer group ({len(codes)} councils)"
    assert {b.key for b in at.get("download_button")} == {
        *with_other_forms("profile_download", "group_values_download", "spine_download"), "report_download"}
    assert any("Indicators: synthetic" in w.value for w in at.warning)  # the demo: every figure is invented


def test_profile_from_url(open_page, demo_warehouse, authorities, source):
    at = open_page(demo_warehouse, PROFILE, council=GLASGOW, group="nation",
                   period="2019/20", theme="Finance")
    assert not notices(at)
    assert at.selectbox(key="council").value == GLASGOW
    shown = table_with(at, "Rank").set_index("Indicator")
    finance = source[1].loc[source[1]["theme"] == "Finance", "name"]
    assert sorted(shown.index) == sorted(finance)
    codes = members(authorities, GLASGOW, ["nation"], 2019)
    expected = expected_ranks(source, codes, GLASGOW, "2019/20")
    assert shown["Rank"].to_dict() == {name: expected[name] for name in finance}
    assert "Glasgow" in at.subheader[0].value and "2019/20" in at.subheader[0].value
    assert any("All councils in Scotland" in c.value for c in at.caption)
    # a new choice is written back to the URL, so a copied link reproduces the view
    at.selectbox(key="theme").set_value("Customer outcomes").run()
    at.selectbox(key="group").set_value("type_region").run()
    assert not at.exception
    assert at.query_params["theme"] == "Customer outcomes" and at.query_params["group"] == "type_region"
    assert at.query_params["council"] == GLASGOW


def test_profile_print_view_lays_out_chart_and_every_row_without_tabs(open_page, demo_warehouse, source):
    at = open_page(demo_warehouse, PROFILE, council=GLASGOW, period="2024/25", print="1")
    assert not at.tabs  # a printed page cannot open a tab
    (chart,) = at.get("plotly_chart")
    figure = json.loads(chart.proto.spec)
    assert 0 < figure["layout"]["width"] <= A4_WIDTH_PX and json.loads(chart.proto.config)["staticPlot"]
    (table,) = at.table  # a static table prints every row; a scrolled grid would print a window of it
    shown = table.value
    assert len(shown) == len(source[1]) and {"Rank", "Band", "Direction"} <= set(shown.columns)
    assert not {"Trend", "Details"} & set(shown.columns)  # a line chart and a link mean nothing on paper


def test_profile_custom_group_lists_its_members(open_page, demo_warehouse):
    at = open_page(demo_warehouse, PROFILE, group="custom",
                   peers="E08000026,E08000027")
    assert at.multiselect(key="peers").value == ["E08000026", "E08000027"]
    members_table = table_with(at, "Region")
    assert sorted(members_table["Code"]) == [DEFAULT_COUNCIL, "E08000026", "E08000027"]
    ranks = table_with(at, "Rank")["Rank"]
    assert all(r == "not ranked" or r.endswith(" of 3") or r.endswith(" of 2") for r in ranks)
    assert any("only 3 councils" in n for n in notices(at))


def test_profile_bad_url_values_fall_back_with_notices(open_page, demo_warehouse):
    at = open_page(demo_warehouse, PROFILE, council="NOPE'; DROP TABLE x", group="astrology",
                   period="1850/51", theme="<b>x</b>", peers="E47000007,zzz")
    messages = " ".join(notices(at))
    for key in ("council", "group", "period", "theme"):
        assert f"The link's {key} value" in messages
    assert at.selectbox(key="council").value == DEFAULT_COUNCIL
    assert at.selectbox(key="group").value == "type_nation"
    assert len(table_with(at, "Rank")) > 0


def test_profile_for_council_that_did_not_exist(open_page, demo_warehouse):
    at = open_page(demo_warehouse, PROFILE, council="E06000063", period="2019/20")
    assert any("did not exist in 2019/20" in w.value for w in at.warning)
    assert set(table_with(at, "Rank")["Rank"]) == {"not ranked"}


# -- Indicator -------------------------------------------------------------------------------------
def test_indicator_defaults_have_three_chart_trios(open_page, demo_warehouse):
    at = open_page(demo_warehouse, INDICATOR)
    assert len(at.get("plotly_chart")) == 3
    assert [t.label for t in at.tabs] == ["Chart", "Table", "Download"] * 3
    assert {b.key for b in at.get("download_button")} == with_other_forms("ranking_download", "distribution_download",
                                                                           "trend_download")


def test_indicator_from_url_ranks_equal_pandas(open_page, demo_warehouse, authorities, source):
    at = open_page(demo_warehouse, INDICATOR, indicator="cyber_incidents_count",
                   council=GLASGOW, group="type_nation", period="2021/22")
    values, _ = source
    codes = members(authorities, GLASGOW, ["authority_type", "nation"], 2021)
    rows = values[(values["indicator_id"] == "cyber_incidents_count") & (values["period"] == "2021/22")
                  & values["authority_code"].isin(codes) & values["value"].notna()]
    ranks = rows["value"].rank(method="min", ascending=True).astype(int)  # lower is better
    expected = {code: f"{r} of {len(rows)}" for code, r in zip(rows["authority_code"], ranks, strict=True)}
    shown = table_with(at, "This council", count=2).set_index("Code")  # ranking and distribution
    assert set(shown.index) == codes
    assert {c: shown.at[c, "Rank"] for c in expected} == expected
    assert shown.loc[shown["This council"] == "Yes"].index.tolist() == [GLASGOW]
    trend = table_with(at, "Peer median")
    assert len(trend) == values.loc[values["indicator_id"] == "cyber_incidents_count", "period"].nunique()


def test_indicator_neutral_is_not_ranked(open_page, demo_warehouse):
    at = open_page(demo_warehouse, INDICATOR, indicator="council_tax_band_d")
    shown = table_with(at, "This council", count=2)
    assert set(shown["Rank"]) == {"not ranked"}
    assert any("Neither higher nor lower is better" in c.value for c in at.caption)


def test_indicator_bad_url(open_page, demo_warehouse):
    at = open_page(demo_warehouse, INDICATOR, indicator="no_such", period="x")
    assert any("The link's indicator value" in n for n in notices(at))
    assert len(at.get("plotly_chart")) == 3


# -- Progress ----------------------------------------------------------------------------------------
def test_progress_from_url_equals_pandas(open_page, demo_warehouse, authorities, source):
    at = open_page(demo_warehouse, PROGRESS, indicator="online_account_pct",
                   council=GLASGOW, group="nation", **{"from": "2016/17", "to": "2023/24"})
    values, _ = source
    codes = members(authorities, GLASGOW, ["nation"], 2023)
    ind = values[(values["indicator_id"] == "online_account_pct") & values["authority_code"].isin(codes)]

    def ranks(period):
        usable = ind[(ind["period"] == period) & ind["value"].notna()]
        return dict(zip(usable["authority_code"], usable["value"].rank(method="min", ascending=False),
                        strict=True)), dict(zip(usable["authority_code"], usable["value"], strict=True))

    (rank_from, value_from), (rank_to, value_to) = ranks("2016/17"), ranks("2023/24")
    shown = table_with(at, "Rank change (up is +)")
    assert len(shown) == len(codes)
    own = shown[shown["This council"] == "Yes"]
    assert len(own) == 1 and own.iloc[0]["Council"] == "Glasgow City"
    assert own.iloc[0]["Rank change (up is +)"] == rank_from[GLASGOW] - rank_to[GLASGOW]
    assert own.iloc[0]["Change"] == pytest.approx(value_to[GLASGOW] - value_from[GLASGOW], abs=0.051)
    assert pd.api.types.is_numeric_dtype(shown["Change"])  # numbers, so the table sorts
    assert at.selectbox(key="from").value == "2016/17" and at.selectbox(key="to").value == "2023/24"


def test_progress_swaps_reversed_periods(open_page, demo_warehouse):
    at = open_page(demo_warehouse, PROGRESS, **{"from": "2023/24", "to": "2016/17"})
    assert any("swapped" in n for n in notices(at))
    assert "2016/17 to 2023/24" in at.subheader[0].value


def test_progress_defaults(open_page, demo_warehouse):
    at = open_page(demo_warehouse, PROGRESS)
    assert len(at.get("plotly_chart")) == 1
    assert len(at.metric) == 3


# -- hostile names -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fixture_live(peer_live):
    return peer_live


def test_hostile_names_show_as_plain_text(open_page, fixture_live):
    at = open_page(fixture_live, PROFILE, council=fx.BIRMINGHAM, group="type_region",
                   period=fx.PERIOD)
    shown = table_with(at, "Rank").set_index("Indicator")
    names = {t["name"] for t in fx.INJECTED.values()}
    assert set(shown.index) == names  # the exact text, untouched, in a table cell
    assert shown.at[fx.INJECTED["higher"]["name"], "Rank"] == "4 of 5"
    assert shown.at[fx.INJECTED["lower"]["name"], "Rank"] == "2 of 5"
    at = open_page(fixture_live, INDICATOR, council=fx.BIRMINGHAM, group="type_region",
                   period=fx.PERIOD, indicator=fx.INDICATOR_IDS["neutral"])
    heading = at.subheader[0].value
    assert "\\<script\\>" in heading and "<script>" not in heading  # escaped: shown, never run
    for element in [*at.markdown, *at.caption]:  # Markdown elements; headings never take HTML
        assert not element.proto.allow_html


def test_former_council_defaults_to_a_period_it_existed_in(open_page, demo_warehouse):
    at = open_page(demo_warehouse, PROFILE, council="E07000026")  # Allerdale, gone 2023
    assert at.selectbox(key="period").value == "2022/23"
    assert not any("did not exist" in w.value for w in at.warning)
    assert any(r != "not ranked" for r in table_with(at, "Rank")["Rank"])


def test_progress_bad_url_values(open_page, demo_warehouse):
    at = open_page(demo_warehouse, PROGRESS, **{"from": "soon", "to": "2099/00"},
                   group="custom", peers="NOPE", indicator="=1+1")
    messages = " ".join(notices(at))
    for key in ("from", "to", "indicator", "peers"):
        assert f"The link's {key} value" in messages
    assert len(table_with(at, "Rank change (up is +)")) == 1  # the council alone


def test_copied_url_reproduces_the_view(open_page, demo_warehouse):
    first = open_page(demo_warehouse, PROFILE)
    first.selectbox(key="council").set_value(GLASGOW).run()
    first.selectbox(key="group").set_value("custom").run()
    first.multiselect(key="peers").set_value(["S12000033", "S12000034", "S12000036"]).run()
    first.selectbox(key="theme").set_value("Customer outcomes").run()
    assert not first.exception
    link = {key: first.query_params[key] for key in ("council", "group", "peers", "period", "theme")}
    assert link["peers"] == "S12000033,S12000034,S12000036"
    second = open_page(demo_warehouse, PROFILE, **link)
    assert not notices(second)
    pd.testing.assert_frame_equal(table_with(second, "Rank"), table_with(first, "Rank"))
    assert sorted(table_with(second, "Region")["Code"]) == sorted([GLASGOW, *link["peers"].split(",")])


# -- sensible defaults: every page opens on figures ------------------------------------------------
def test_progress_opens_on_two_periods_the_council_has_values_for(open_page, demo_warehouse, source):
    at = open_page(demo_warehouse, PROGRESS)
    values, _ = source
    indicator = at.selectbox(key="indicator").value
    start, end = at.selectbox(key="from").value, at.selectbox(key="to").value
    own = values[(values["authority_code"] == DEFAULT_COUNCIL) & (values["indicator_id"] == indicator)]
    with_value = set(own.loc[own["value"].notna(), "period"])
    assert {start, end} <= with_value, (start, end, sorted(with_value))
    assert start < end
    assert all(m.value not in ("no data", "not ranked") for m in at.metric), [m.value for m in at.metric]


def test_default_periods_hold_the_councils_figures(demo_warehouse, source):
    from dashboard.peers import statistics
    from dashboard.warehouse import FileWarehouse

    values, indicators = source
    wh = FileWarehouse(demo_warehouse)
    try:
        councils = sorted(values["authority_code"].unique())[::23]  # a spread of councils, former ones too
        for council in councils:
            own = values[(values["authority_code"] == council) & values["value"].notna()]
            if own.empty:
                continue
            per_period = own.groupby("period").size()
            chosen = statistics.default_period(wh, council)
            assert per_period.get(chosen, 0) >= FULL_SHARE * per_period.max(), (council, chosen)
            for indicator in indicators["indicator_id"][::7]:
                periods = set(own.loc[own["indicator_id"] == indicator, "period"])
                if len(periods) < 2:
                    continue
                end = statistics.default_period(wh, council, indicator)
                start = statistics.default_start(statistics.periods_like(wh, end), end,
                                                 statistics.periods_with_values(wh, council, indicator))
                assert end in periods and start in periods and start < end, (council, indicator, start, end)
    finally:
        wh.close()


def test_the_chosen_council_follows_the_reader_to_the_next_page(open_page, demo_warehouse):
    at = open_page(demo_warehouse, PROFILE, council=GLASGOW)
    assert at.selectbox(key="council").value == GLASGOW
    at.query_params.clear()  # moving to another page drops the address's choices
    at.switch_page(INDICATOR).run()
    assert not at.exception
    assert at.selectbox(key="council").value == GLASGOW  # not the default council
