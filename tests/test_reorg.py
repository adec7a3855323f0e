"""Reorganised councils: a successor's history from its predecessors equals a pandas computation
(sum for counts, population-weighted mean for rates), is marked derived, and can be switched off."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from dashboard.councils import reorg
from dashboard.warehouse import FileWarehouse
from etl.load import Source, load_sources

NORTH_YORKSHIRE = "E06000065"  # unitary from 1 April 2023: seven districts and the county before
SOMERSET = "E06000066"  # unitary from 2023: four districts, one of them (SWT) itself formed in 2019
PERIODS = ["2017/18", "2018/19", "2021/22", "2022/23", "2023/24"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, authorities, reference_dir):
    """A warehouse with a count and a rate for every council in every period it existed, where
    the county does not report the count and the districts do not report the rate."""
    rng = random.Random(3)
    rows = []
    for period in PERIODS:
        start = pd.Timestamp(int(period[:4]), 4, 1)
        end = pd.Timestamp(int(period[:4]) + 1, 3, 31)
        for a in authorities.itertuples():
            if not a.is_council or a.tier == "combined":
                continue
            if (a.start_date is not None and pd.Timestamp(a.start_date) > end) or (
                    a.end_date is not None and pd.Timestamp(a.end_date) <= start):
                continue
            if a.tier != "county":
                rows.append((a.authority_code, "incidents", period, rng.randint(0, 90)))
            if a.tier != "district":
                rows.append((a.authority_code, "satisfaction", period, round(rng.uniform(40, 90), 2)))
    folder = tmp_path_factory.mktemp("reorg") / "src"
    folder.mkdir()
    (folder / "indicators.csv").write_text(
        "indicator_id,name,theme,unit,polarity,description,source,aggregation\n"
        "incidents,Incidents,T,count,lower,d,s,sum\nsatisfaction,Satisfaction,T,%,higher,d,s,mean\n"
        "plain,No rule,T,%,higher,d,s,\n")
    values = pd.DataFrame(rows, columns=["authority_code", "indicator_id", "period", "value"])
    values.to_csv(folder / "values.csv", index=False)
    live = tmp_path_factory.mktemp("reorg-wh") / "exemplar.duckdb"
    assert load_sources([Source.of(folder, "reorg")], live, reference_dir=reference_dir).ok
    return FileWarehouse(live), values


def expected(values, authorities, members, indicator, how):
    """Independent pandas: combine ``members``' values per period by sum or population weighting."""
    pop = authorities.set_index("authority_code")["population"].astype(float)
    part = values[(values["indicator_id"] == indicator) & values["authority_code"].isin(members)].copy()
    part["pop"] = part["authority_code"].map(pop)
    if how == "sum":
        out = part.groupby("period")["value"].sum()
    else:
        part["weighted"] = part["value"] * part["pop"]
        grouped = part.groupby("period")
        out = grouped["weighted"].sum() / grouped["pop"].sum()
    counts = part.groupby("period").size()
    return out[counts == len(members)]


def test_counts_are_summed_over_the_districts(loaded, authorities):
    wh, values = loaded
    districts = authorities[authorities["successor_codes"].map(lambda s: NORTH_YORKSHIRE in s)
                            & (authorities["tier"] == "district")]["authority_code"].tolist()
    assert len(districts) == 7
    series = reorg.successor_series(wh, NORTH_YORKSHIRE, "incidents", "sum")
    derived = series[series["derived"]].set_index("period")["value"]
    want = expected(values, authorities, districts, "incidents", "sum")
    assert list(derived.index) == ["2017/18", "2018/19", "2021/22", "2022/23"]
    pd.testing.assert_series_equal(derived, want, check_names=False, check_index_type=False)
    own = series[~series["derived"]]
    assert own["period"].tolist() == ["2023/24"]  # the successor's own value is never replaced
    assert "Harrogate" in series[series["derived"]]["contributors"].iloc[0]


def test_rates_are_population_weighted_over_the_county_when_districts_lack_them(loaded, authorities):
    wh, values = loaded
    series = reorg.successor_series(wh, NORTH_YORKSHIRE, "satisfaction", "mean")
    derived = series[series["derived"]].set_index("period")["value"]
    # only the old county reports the rate: one contributor, so its own value carries over
    want = expected(values, authorities, ["E10000023"], "satisfaction", "mean")
    pd.testing.assert_series_equal(derived, want, check_names=False, check_index_type=False)


def test_chained_reorganisation_and_weighted_mean(authorities):
    # Somerset's districts before 2019 include Taunton Deane and West Somerset (merged into SWT).
    chain = authorities[authorities["authority_code"].isin(
        ["E07000187", "E07000188", "E07000189", "E07000190", "E07000191", "E07000246", SOMERSET])]
    pops = {"E07000187": 100.0, "E07000188": 200.0, "E07000189": 300.0, "E07000190": 50.0, "E07000191": 25.0}
    chain = chain.assign(population=chain["authority_code"].map(pops))
    values = pd.DataFrame([(code, "2017/18", float(i + 1)) for i, code in enumerate(sorted(pops))],
                          columns=["authority_code", "period", "value"])
    periods = pd.DataFrame({"period": ["2017/18"], "period_start": [pd.Timestamp("2017-04-01")],
                            "period_end": [pd.Timestamp("2018-03-31")]})
    got = reorg.derive_series(chain, values, periods, SOMERSET, "mean")
    weighted = sum(v * pops[c] for c, v in zip(values["authority_code"], values["value"], strict=True))
    assert got["derived"].tolist() == [True]
    assert got["value"].iloc[0] == pytest.approx(weighted / sum(pops.values()))
    # an unknown population means no weighted mean is derived (nothing guessed) but a sum still is
    unknown = chain.assign(population=chain["population"].where(chain["authority_code"] != "E07000190"))
    assert reorg.derive_series(unknown, values, periods, SOMERSET, "mean").empty
    assert reorg.derive_series(unknown, values, periods, SOMERSET, "sum")["value"].iloc[0] == 15.0


def test_no_aggregation_rule_means_no_derived_values(loaded):
    wh, _ = loaded
    assert reorg.successor_series(wh, NORTH_YORKSHIRE, "plain", None).empty


def test_a_split_county_is_never_apportioned(loaded, authorities):
    wh, values = loaded
    # Cumberland: the districts give the count; the rate only Cumbria county had, and Cumbria
    # went to two successors, so no rate is derived.
    rate = reorg.successor_series(wh, "E06000063", "satisfaction", "mean")
    assert not rate["derived"].any()
    count = reorg.successor_series(wh, "E06000063", "incidents", "sum")
    want = expected(values, authorities, ["E07000026", "E07000028", "E07000029"], "incidents", "sum")
    got = count[count["derived"]].set_index("period")["value"]
    pd.testing.assert_series_equal(got, want, check_names=False, check_index_type=False)


def test_with_predecessors_fills_only_missing_periods_and_marks_them():
    trend = pd.DataFrame({"period": ["a", "b", "c"], "council_value": [None, None, 5.0],
                          "council_status": ["missing", "missing", None]})
    series = pd.DataFrame({"period": ["a", "c"], "period_start": [1, 3], "value": [1.0, 9.0],
                           "derived": [True, True], "contributors": ["X, Y", "Z"]})
    got = reorg.with_predecessors(trend, series)
    assert got["council_value"].tolist()[0] == 1.0 and pd.isna(got["council_value"].iloc[1])
    assert got["council_value"].iloc[2] == 5.0  # own value kept
    assert got["council_derived_from"].tolist() == ["X, Y", "", ""]
    assert got["council_status"].iloc[0] == "derived from predecessors"


def test_former_councils_name_their_successors(loaded, authorities):
    wh, _ = loaded
    frame = reorg.former_councils(wh)
    ended = authorities[~authorities["is_current"] & authorities["is_council"]]
    assert set(frame["authority_code"]) == set(ended["authority_code"])
    allerdale = frame[frame["authority_code"] == "E07000026"]["notice"].iloc[0]
    assert allerdale == "Allerdale was abolished on 1 April 2023; its area is now served by Cumberland."
    cumbria = frame[frame["authority_code"] == "E10000006"]["notice"].iloc[0]
    assert cumbria.endswith("served by Cumberland and Westmorland and Furness.")


def test_former_councils_page_marks_derived_values_and_the_switch_turns_them_off(loaded, open_page):
    wh, _ = loaded
    at = open_page(wh.paths.live, "former_councils", council=NORTH_YORKSHIRE, indicator="incidents")
    listing, series = at.dataframe[0].value, at.dataframe[1].value
    assert "Allerdale was abolished on 1 April 2023; its area is now served by Cumberland." in set(listing["Notice"])
    assert series["Derived from predecessors"].tolist() == [True, True, True, True, False]
    at.toggle(key="predecessors").set_value(False).run()
    assert not at.exception, at.exception
    assert at.dataframe[1].value["Derived from predecessors"].tolist() == [False]
    assert at.query_params["predecessors"] == ["0"] or at.query_params["predecessors"] == "0"


def test_trend_with_predecessors_fills_the_peer_trend_and_says_so(loaded):
    wh, _ = loaded
    trend = pd.DataFrame({"period": PERIODS, "council_value": [None, None, None, None, 7.0],
                          "council_status": ["missing"] * 4 + [None]})
    filled, note = reorg.trend_with_predecessors(wh, trend, NORTH_YORKSHIRE, "incidents")
    derived = reorg.successor_series(wh, NORTH_YORKSHIRE, "incidents", "sum")
    assert filled["council_value"].tolist()[:4] == derived[derived["derived"]]["value"].tolist()
    assert filled["council_value"].iloc[4] == 7.0
    assert note.startswith("Values for 2017/18 to 2022/23 are derived from the predecessor councils (Craven")
    assert reorg.has_predecessors(wh, NORTH_YORKSHIRE) and not reorg.has_predecessors(wh, "E08000025")
    unchanged, none = reorg.trend_with_predecessors(wh, trend, "E08000025", "incidents")
    assert none == "" and unchanged["council_value"].isna().sum() == 4


def test_indicator_page_trend_carries_the_predecessors_history_with_a_switch(loaded, open_page):
    wh, _ = loaded
    at = open_page(wh.paths.live, "indicator", council=NORTH_YORKSHIRE, indicator="incidents", period="2023/24")

    def trend_statuses():
        table = next(d.value for d in at.dataframe if "Council status" in d.value.columns)
        return table["Council status"].tolist()

    assert trend_statuses() == ["derived from predecessors"] * 4 + [""]
    assert any("derived from the predecessor councils" in c.value and "Craven" in c.value for c in at.caption)
    at.toggle(key="predecessors").set_value(False).run()
    assert not at.exception, at.exception
    assert trend_statuses() == ["missing"] * 4 + [""]
