"""The exemplar pages in AppTest on the published demo warehouse: defaults, URL parameters,
bad URL values; shown figures checked against the register and the rule's own conditions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

FINDER = "dashboard/views/exemplars.py"
OVERVIEW = "dashboard/views/exemplar_overview.py"
METHOD = "dashboard/views/exemplar_method.py"
PERIOD_START, PERIOD_END = dt.date(2024, 4, 1), dt.date(2025, 3, 31)  # the demo's latest period


@pytest.fixture
def app(demo_warehouse, open_page):
    """A page of the app on the demo warehouse with the URL parameters, run once."""
    return lambda page, **params: open_page(demo_warehouse, page, **params)


def _councils_in_latest_period(authorities: pd.DataFrame) -> pd.DataFrame:
    """Councils (never combined authorities) that existed on a day of 2024/25, from the register
    (the end date is the first day a council no longer exists)."""
    frame = authorities[authorities["is_council"] & (authorities["tier"] != "combined")]
    start = pd.to_datetime(frame["start_date"]).dt.date.fillna(dt.date.min)
    end = pd.to_datetime(frame["end_date"]).dt.date.fillna(dt.date.max)
    return frame[(start <= PERIOD_END) & (end > PERIOD_START)]


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# AppTest does not expose st.dataframe keys, so each table is found by a column only it has.
TABLE_COLUMN = {
    "exemplar_candidates": "Top quartile in resamples",  # first such table when there are exemplars
    "exemplar_near_misses": "Condition not met",
    "exemplar_incomplete": "Indicators that apply",
    "exemplar_weights": "share_of_composite",
    "exemplar_profile_table": "Exemplars (median)",
    "exemplar_ranking_table": "Exemplar",
    "exemplar_maturity_profile": "Exemplars that responded",
    "overview_table": "Councils",
    "overview_exemplars": "Rank in group",
}


def _frame(at: AppTest, key: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if TABLE_COLUMN[key] in d.value.columns)


def test_finder_defaults(app, authorities):
    at = app(FINDER)
    assert at.title[0].value == "Exemplar finder"
    councils = _councils_in_latest_period(authorities)
    biggest_type = councils["authority_type"].value_counts().index[0]
    assert at.selectbox(key="type").value == biggest_type
    assert at.selectbox(key="period").value == "2024/25"
    assert int(_metric(at, "Councils in the group")) == (councils["authority_type"] == biggest_type).sum()
    candidates = _frame(at, "exemplar_candidates")
    assert len(candidates) == int(_metric(at, "Exemplars")) > 0
    ranked = int(_metric(at, "Ranked (complete data)"))
    assert (candidates["Completeness"] >= 0.75).all()
    assert (candidates["Rank"] <= 1 + 0.25 * (ranked - 1)).all()  # top quartile of the ranked councils
    for row in candidates.itertuples(index=False):
        assert f"rank {row.Rank} of {ranked}" in row.Why
        assert row._2 <= row.Rank <= row._3  # the rank sits inside its resampled interval
    # the demo holds self-assessment results, so the rule includes maturity
    assert candidates["Why"].str.contains(r"maturity \d\.\d\d \(above the peer median \d\.\d\d\)").all()
    medians = (
        candidates["Why"].str.extract(r"maturity (\d\.\d\d) \(above the peer median (\d\.\d\d)\)").astype(float)
    )
    assert (medians[0] > medians[1]).all()
    maturity = _frame(at, "exemplar_maturity_profile")
    shown = maturity["Exemplars (median maturity)"].dropna()
    assert shown.between(1, 5).all() and len(shown) > 0
    assert maturity.loc[maturity["Exemplars that responded"] < 5, "Exemplars (median maturity)"].isna().all()
    ranking = _frame(at, "exemplar_ranking_table")
    assert len(ranking) == ranked and ranking["Rank"].is_monotonic_increasing
    assert set(ranking.loc[ranking["Exemplar"], "Council"]) == set(candidates["Council"])
    misses = _frame(at, "exemplar_near_misses")
    assert misses["Condition not met"].str.len().gt(0).all()
    assert at.query_params["period"] == "2024/25" and at.query_params["k"] == "3"


def test_finder_follows_the_url(app, authorities):
    councils = _councils_in_latest_period(authorities)
    boroughs = councils[councils["authority_type"] == "London borough"].sort_values("authority_code")
    council = boroughs["authority_code"].iloc[3]
    at = app(
        FINDER,
        type="London borough",
        region="All regions",
        completeness="90",
        k="2",
        improvement="endpoints",  # K is the end-point rule's; the tested trend is the default
        w_finance="0",
        council=council,
        draws="40",
    )
    assert int(_metric(at, "Councils in the group")) == len(boroughs)
    assert at.number_input(key="completeness").value == 90
    candidates = _frame(at, "exemplar_candidates") if int(_metric(at, "Exemplars")) else pd.DataFrame()
    if not candidates.empty:
        assert (candidates["Completeness"] >= 0.9).all()
    incomplete = next((d.value for d in at.dataframe if "Indicators that apply" in d.value.columns), pd.DataFrame())
    assert (incomplete.get("Completeness", pd.Series(dtype=float)) < 0.9).all()
    weights = _frame(at, "exemplar_weights")
    assert (weights.loc[weights["theme"] == "Finance", "share_of_composite"] == 0).all()
    assert weights["share_of_composite"].sum() == pytest.approx(1.0)
    profile = _frame(at, "exemplar_profile_table")
    assert "Finance" not in set(profile["Theme"])  # weight 0 leaves the theme out
    name = boroughs.set_index("authority_code").loc[council, "short_name"]
    assert at.selectbox(key="council").value == council and name in profile.columns
    assert "compares 2024/25 with 2022/23" in at.caption[1].value or any(
        "compares 2024/25 with 2022/23" in c.value for c in at.caption
    )


def test_finder_in_a_councils_peer_group(app, authorities):
    """by=council: the peer pages' group around a council, compared with that council."""
    councils = _councils_in_latest_period(authorities)
    birmingham = councils[councils["short_name"] == "Birmingham"].iloc[0]
    same = councils[
        (councils["authority_type"] == birmingham["authority_type"]) & (councils["region"] == birmingham["region"])
    ]
    at = app(FINDER, by="council", council=birmingham["authority_code"], group="type_region")
    assert int(_metric(at, "Councils in the group")) == len(same) >= 5
    assert not [s for s in at.selectbox if s.key == "type"]  # the type/region pickers are not shown
    profile = _frame(at, "exemplar_profile_table")
    assert "Birmingham" in profile.columns
    ranking = _frame(at, "exemplar_ranking_table")
    assert set(ranking["Council"]) <= set(same["short_name"])


def test_bad_url_values_fall_back_with_a_notice(app):
    at = app(FINDER, completeness="500", type="Parish council")
    assert at.number_input(key="completeness").value == 75
    notices = " ".join(i.value for i in at.info)
    assert "500" in notices and "Parish council" in notices


def test_no_weighted_indicator_stops_with_a_message(app):
    at = app(FINDER, indicators="no_such_indicator")
    assert any("No indicator carries any weight" in w.value for w in at.warning)
    assert not [m for m in at.metric if m.label == "Exemplars"]


def test_overview_counts_every_council_once(app, authorities):
    at = app(OVERVIEW)
    assert at.title[0].value == "Exemplars across the UK"
    sizes = _frame(at, "overview_table")
    councils = _councils_in_latest_period(authorities)
    assert sizes["Councils"].sum() == len(councils)
    listed = _frame(at, "overview_exemplars")
    assert len(listed) == sizes["Exemplars"].sum() > 0
    assert (listed["Rank in group"] <= listed["Ranked in group"]).all()


def test_method_page_shows_the_method(app):
    at = app(METHOD)
    assert any("How Exemplar chooses exemplar councils" in m.value for m in at.markdown)
