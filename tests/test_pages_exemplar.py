"""The exemplar pages in AppTest on the published demo warehouse: defaults, URL parameters,
bad URL values; shown figures checked against the register and the rule's own conditions."""

from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

FINDER = "dashboard/views/exemplars.py"
OVERVIEW = "dashboard/views/exemplar_overview.py"
METHOD = "dashboard/views/exemplar_method.py"
TRANSFORMED = "dashboard/views/transformed.py"
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


SUMMARY = re.compile(
    r"\*\*(?P<exemplars>\d+) exemplars?\*\* and (?P<misses>\d+) near miss(?:es)? among (?P<ranked>\d+) ranked "
    r"councils; (?P<group>\d+) councils in the group, (?P<unranked>\d+) not ranked for incomplete data\."
)


def _metric(at: AppTest, label: str) -> int:
    """One figure of the finder's summary sentence: exemplars, misses, ranked, group or unranked."""
    found = [m for m in (SUMMARY.search(_unescaped(x.value)) for x in at.markdown) if m]
    assert len(found) == 1, "no summary sentence"
    return int(found[0][label])


# AppTest does not expose st.dataframe keys, so each table is found by a column only it has.
TABLE_COLUMN = {
    "exemplar_stability_table": "Rank, 5th percentile",  # first such table: the rank intervals
    "exemplar_incomplete": "Indicators that apply",
    "exemplar_weights": "Share of the composite",
    "exemplar_ranking_table": "Exemplar",
    "transformed_spread_table": "In words",
    "transformed_maturity_table": "Exemplars that answered",
    "transformed_questions": "To ask",
    "overview_table": "Councils",
    "overview_exemplars": "Rank in group",
}
METHOD_KEYS = ("indicators", "completeness", "top", "k", "improving", "maturity", "draws", "seed")


def _frame(at: AppTest, key: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if TABLE_COLUMN[key] in d.value.columns)


def _markdown_with(at: AppTest, text: str) -> str:
    """The one Markdown block on the page that contains ``text``."""
    found = [_unescaped(m.value) for m in at.markdown if text in _unescaped(m.value)]
    assert len(found) == 1, [m.value[:80] for m in at.markdown]
    return found[0]


def _unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_finder_defaults_lead_with_the_exemplars_and_their_reasons(app, authorities):
    at = app(FINDER)
    assert at.title[0].value == "Exemplar finder"
    councils = _councils_in_latest_period(authorities)
    biggest_type = councils["authority_type"].value_counts().index[0]
    assert at.selectbox(key="type").value == biggest_type
    assert at.selectbox(key="period").value == "2024/25"
    assert _metric(at, "group") == (councils["authority_type"] == biggest_type).sum()
    ranked = _metric(at, "ranked")
    ranking = _frame(at, "exemplar_ranking_table")
    assert len(ranking) == ranked and ranking["Rank"].is_monotonic_increasing
    exemplars = ranking[ranking["Exemplar"]]
    assert len(exemplars) == _metric(at, "exemplars") > 0
    assert (exemplars["Completeness"] >= 0.75).all()
    assert (exemplars["Rank"] <= 1 + 0.25 * (ranked - 1)).all()  # top quartile of the ranked councils
    # the answer: every exemplar by name, best first, with its reason in full (never a cut-off cell)
    answer = _markdown_with(at, "1. **")
    lines = answer.splitlines()
    assert len(lines) == len(exemplars)
    for n, (line, row) in enumerate(zip(lines, exemplars.itertuples(index=False), strict=True), start=1):
        assert line.startswith(f"{n}. **{row.Council}**: top quartile on ")
        assert f"rank {row.Rank} of {ranked}" in line
        assert re.search(r"maturity \d\.\d\d \(above the peer median \d\.\d\d\)$", line)  # the demo has maturity
    # the rank-stability figure: exemplars then near misses, each rank inside its interval
    intervals = _frame(at, "exemplar_stability_table")
    assert set(intervals["Status"]) == {"Exemplar", "Near miss"}
    assert set(intervals.loc[intervals["Status"] == "Exemplar", "Council"]) == set(exemplars["Council"])
    assert (intervals["Rank, 5th percentile"] <= intervals["Rank"]).all()
    assert (intervals["Rank"] <= intervals["Rank, 95th percentile"]).all()
    # near misses: each says why it missed, with the rule's own test
    near = _markdown_with(at, "Missed: ")
    assert near.count("Missed: ") == _metric(at, "misses") > 0
    assert near.count("(the rule needs ") == near.count("Missed: ")
    # the composite chart: the top of the group, not all of it
    bars = json.loads(at.get("plotly_chart")[1].proto.spec)["data"]
    assert 0 < sum(len(t["y"]) for t in bars) < ranked
    # the link is short: no method or weight value is written while it is the default
    assert not [k for k in at.query_params if k.startswith(("w_", "wi_")) or k in METHOD_KEYS]
    assert at.query_params["period"] == "2024/25"
    maturity = _frame(at, "exemplar_weights")
    assert maturity["Share of the composite"].sum() == pytest.approx(1.0)


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
    assert _metric(at, "group") == len(boroughs)
    assert at.number_input(key="completeness").value == 90
    assert at.number_input(key="w_finance").value == 0
    ranking = _frame(at, "exemplar_ranking_table")
    assert (ranking.loc[ranking["Exemplar"], "Completeness"] >= 0.9).all()
    incomplete = next((d.value for d in at.dataframe if "Indicators that apply" in d.value.columns), pd.DataFrame())
    assert (incomplete.get("Completeness", pd.Series(dtype=float)) < 0.9).all()
    weights = _frame(at, "exemplar_weights")
    assert (weights.loc[weights["Theme"] == "Finance", "Share of the composite"] == 0).all()
    assert weights["Share of the composite"].sum() == pytest.approx(1.0)
    assert at.selectbox(key="council").value == council  # marked in the ranking
    name = boroughs.set_index("authority_code").loc[council, "short_name"]
    bars = json.loads(at.get("plotly_chart")[1].proto.spec)["data"]
    assert [t["y"] for t in bars if t["name"] == "The chosen council"] == [[name]]
    assert any("compares 2024/25 with 2022/23" in c.value for c in at.caption)
    assert at.query_params["w_finance"] == "0.0" and at.query_params["k"] == "2"


def test_a_changed_weight_round_trips_through_the_url_and_reset_clears_it(app):
    at = app(FINDER)
    assert at.button(key="reset_weights").disabled  # nothing to reset
    at.number_input(key="w_finance").set_value(3.0).run()
    assert at.query_params["w_finance"] == "3.0"
    weights = _frame(at, "exemplar_weights")
    finance = weights.loc[weights["Theme"] == "Finance", "Share of the composite"].sum()
    assert finance == pytest.approx(3 / (3 + len(set(weights["Theme"])) - 1))
    again = app(FINDER, **{k: at.query_params[k] for k in at.query_params})  # the link, opened anew
    assert again.number_input(key="w_finance").value == 3.0
    assert _frame(again, "exemplar_ranking_table").equals(_frame(at, "exemplar_ranking_table"))
    assert not again.button(key="reset_weights").disabled
    again.button(key="reset_weights").click().run()
    assert again.number_input(key="w_finance").value == 1.0
    assert not [k for k in again.query_params if k.startswith(("w_", "wi_"))]
    assert again.button(key="reset_weights").disabled


def test_indicator_weights_sit_behind_an_expander_and_keep_to_the_url(app):
    at = app(FINDER, wi_online_account_pct="3")
    assert not [n for n in at.number_input if n.key.startswith("wi_")]  # closed: no controls drawn
    assert any("1 indicator weight changed from equal" in m.value for m in at.markdown)
    weights = _frame(at, "exemplar_weights").set_index("Indicator")
    assert weights.loc["Households with an online council account", "Indicator weight"] == 3
    at.session_state["indicator_weights_open"] = True  # the reader opens the expander
    at.run()
    assert at.number_input(key="wi_online_account_pct").value == 3
    at.number_input(key="wi_staff_turnover_pct").set_value(2.0)
    at.session_state["indicator_weights_open"] = True  # AppTest does not keep an expander open by itself
    at.run()
    assert at.query_params["wi_staff_turnover_pct"] == "2.0" and at.query_params["wi_online_account_pct"] == "3.0"
    assert len([k for k in at.query_params if k.startswith("wi_")]) == 2  # only the changed ones
    at.button(key="reset_weights").click().run()
    assert not [k for k in at.query_params if k.startswith("wi_")]
    assert at.number_input(key="wi_staff_turnover_pct").value == 1.0


def test_the_ranking_shows_everyone_on_request(app):
    at = app(FINDER, all="1")
    ranked = _metric(at, "ranked")
    bars = json.loads(at.get("plotly_chart")[1].proto.spec)["data"]
    assert sum(len(t["y"]) for t in bars) == ranked


def test_finder_in_a_councils_peer_group(app, authorities):
    """by=council: the peer pages' group around a council, marked in the ranking."""
    councils = _councils_in_latest_period(authorities)
    birmingham = councils[councils["short_name"] == "Birmingham"].iloc[0]
    same = councils[
        (councils["authority_type"] == birmingham["authority_type"]) & (councils["region"] == birmingham["region"])
    ]
    at = app(FINDER, by="council", council=birmingham["authority_code"], group="type_region")
    assert _metric(at, "group") == len(same) >= 5
    assert not [s for s in at.selectbox if s.key == "type"]  # the type/region pickers are not shown
    ranking = _frame(at, "exemplar_ranking_table")
    assert set(ranking["Council"]) <= set(same["short_name"])
    bars = json.loads(at.get("plotly_chart")[1].proto.spec)["data"]
    assert [t["y"] for t in bars if t["name"] == "The chosen council"] == [["Birmingham"]]


def test_bad_url_values_fall_back_with_a_notice(app):
    at = app(FINDER, completeness="500", type="Parish council")
    assert at.number_input(key="completeness").value == 75
    notices = " ".join(i.value for i in at.info)
    assert "500" in notices and "Parish council" in notices


def test_no_weighted_indicator_stops_with_a_message(app):
    at = app(FINDER, indicators="no_such_indicator")
    assert any("No indicator carries any weight" in w.value for w in at.warning)
    assert not [m for m in at.markdown if SUMMARY.search(_unescaped(m.value))]


def test_transformed_page_compares_the_exemplars_with_any_council(app, authorities):
    """Default group (the commonest type nationally) against a council of another type and nation."""
    glasgow = "S12000049"
    at = app(TRANSFORMED, compare=glasgow)
    assert at.title[0].value == "What a transformed council looks like"
    assert at.selectbox(key="compare").value == glasgow
    finder_page = app(FINDER)
    exemplar_names = set(_frame(finder_page, "exemplar_ranking_table").query("Exemplar")["Council"])
    caption = _unescaped(next(c.value for c in at.caption if c.value.startswith("The ")))
    assert all(name in caption for name in exemplar_names)  # the same exemplars as the finder
    spread = _frame(at, "transformed_spread_table")
    assert "Glasgow City" in spread.columns
    assert (spread["Exemplars with a value"] > 0).all()
    for row in spread.to_dict("records"):
        assert row["In words"].startswith(f"{row['Indicator']}: ")  # made from the figures
    themes = [s.value for s in at.subheader][: spread["Theme"].nunique()]
    assert [_unescaped(t) for t in themes] == sorted(spread["Theme"].unique())
    sentences = " ".join(_unescaped(m.value) for m in at.markdown)
    for sentence in spread["In words"]:
        assert sentence in sentences  # every indicator's sentence is on the page
    assert "Glasgow City is level with or better than the median exemplar on " in sentences
    maturity = _frame(at, "transformed_maturity_table")
    assert maturity.loc[maturity["Exemplars that answered"] < 5, "Exemplars (median maturity)"].isna().all()
    questions = _frame(at, "transformed_questions")
    asked = questions[questions["To ask"]]
    assert (asked["Glasgow City"] < asked["Median exemplar"]).all()
    for text in asked["Text"]:
        assert text in sentences  # each question to ask is listed with its descriptors
    assert questions.loc[questions["Exemplars that answered"] < 5, "Median exemplar"].isna().all()


def test_transformed_page_follows_the_finder_link(app, authorities):
    councils = _councils_in_latest_period(authorities)
    birmingham = councils[councils["short_name"] == "Birmingham"].iloc[0]
    at = app(TRANSFORMED, by="council", council=birmingham["authority_code"], group="type_region", w_finance="0")
    assert at.selectbox(key="compare").value == birmingham["authority_code"]  # compare with the group's council
    assert at.number_input(key="w_finance").value == 0
    assert "Questions Birmingham may ask itself" in [_unescaped(s.value) for s in at.subheader]


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
