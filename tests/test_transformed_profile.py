"""What a transformed council looks like: the exemplars' spread and any council's standing equal
an independent pandas computation on the fixture's own source files; the sentences are made from
the figures, names and units; the challenge questions obey the disclosure rule and never use an
unpublished answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.common.disclosure import MIN_PEER_RESPONDENTS
from dashboard.exemplars import profiles
from dashboard.exemplars.charts import exemplar_spread
from dashboard.selfassessment import challenge
from dashboard.warehouse import FileWarehouse, FrameWarehouse
from tests.support import sa_fixture
from tests.test_exemplar_composite import make_tables


@pytest.fixture(scope="module")
def wh(sa_live):
    warehouse = FileWarehouse(sa_live)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module")
def source(sa_root, sa_live):
    folder = sa_root / sa_fixture.SOURCE_NAME
    return {name: pd.read_csv(folder / f"{name}.csv") for name in ("values", "indicators", "responses", "questions")}


def test_the_exemplars_spread_and_any_councils_standing_equal_pandas(wh, source, sa_parts):
    exemplars = sa_parts["london"][:7]
    council = sa_parts["wales"][0]  # not in the exemplars' group: any council can be compared
    profile = profiles.indicator_profile(
        profiles.profile_values(wh, exemplars, council, sa_fixture.PERIOD), council
    ).set_index("indicator_id")
    values = source["values"].merge(source["indicators"], on="indicator_id")
    assert set(profile.index) == set(values["indicator_id"])
    for ind, rows in values.groupby("indicator_id"):
        spread = rows[rows["authority_code"].isin(exemplars)]["value"]
        own = rows.loc[rows["authority_code"] == council, "value"].iloc[0]
        got = profile.loc[ind]
        assert got["exemplars"] == len(spread) == 7
        assert got["median"] == pytest.approx(spread.median())
        assert got["q1"] == pytest.approx(spread.quantile(0.25)) and got["q3"] == pytest.approx(spread.quantile(0.75))
        assert got["lowest"] == spread.min() and got["highest"] == spread.max()
        assert got["council_value"] == own
        better = -1 if rows["polarity"].iloc[0] == "lower" else 1
        if (better * own > better * spread).all():
            assert got["standing"] == "above_all"
        elif (better * own < better * spread).all():
            assert got["standing"] == "below_all"
        else:
            expected = "above_median" if better * own > better * spread.median() else "below_median"
            assert got["standing"] in (expected, "at_median")
        assert got["period"] == sa_fixture.PERIOD


def test_sentences_are_made_from_the_figures_names_and_units():
    row = pd.Series(
        {
            "name": "Enquiries resolved at first contact",
            "unit": "%",
            "decimals": 1,
            "polarity": "higher",
            "period": "2024/25",
            "exemplars": 12,
            "lowest": 70.0,
            "q1": 75.5,
            "median": 81.2,
            "q3": 84.0,
            "highest": 90.0,
            "council_value": 61.0,
            "standing": "below_all",
        }
    )
    assert profiles.profile_sentence(row, "Anytown", "2024/25") == (
        "Enquiries resolved at first contact: about 8 in 10 (81.2 %) at the median exemplar, the middle half "
        "between 75.5 % and 84.0 % (12 exemplars); Anytown about 6 in 10 (61.0 %), worse than every exemplar."
    )
    days = row.copy()
    days[["name", "unit", "polarity", "standing", "exemplars"]] = ["Time to decide", "days", "lower", "above_median", 3]
    sentence = profiles.profile_sentence(days, "Anytown", "2025/26")
    assert "81.2 days at the median exemplar, from 70.0 days to 90.0 days (3 exemplars)" in sentence
    assert "Anytown 61.0 days, better than the median exemplar (figures for 2024/25)." in sentence
    neutral = row.copy()
    neutral[["name", "unit", "polarity", "standing", "decimals"]] = ["Staff", "count", "neutral", "above_all", 0]
    sentence = profiles.profile_sentence(neutral, "Anytown")
    assert "81 at the median exemplar" in sentence and "higher than every exemplar" in sentence
    assert "better" not in sentence and "count" not in sentence  # neutral: never a judgement; a bare kind of number
    missing = row.copy()
    missing[["council_value", "standing"]] = [np.nan, "no_value"]
    assert profiles.profile_sentence(missing, "Anytown").endswith("; Anytown: no value published.")


def test_a_theme_sentence_counts_the_ranked_indicators_at_or_above_the_median():
    rows = pd.DataFrame(
        {
            "polarity": ["higher", "lower", "higher", "neutral", "higher"],
            "standing": ["above_all", "at_median", "below_median", "above_all", "no_value"],
        }
    )
    assert profiles.theme_sentence(rows, "Anytown") == (
        "Anytown is level with or better than the median exemplar on 2 of 3 ranked indicators; no value on 1 more."
    )


def test_an_indicator_with_no_value_then_uses_the_latest_earlier_period():
    indicators = pd.DataFrame(
        {"indicator_id": ["a", "b"], "theme": ["T", "T"], "polarity": ["higher", "lower"], "decimals": [1, 1]}
    )
    rows = [("E1", "a", "2022/23", 5.0), ("E2", "a", "2022/23", 7.0), ("X", "a", "2022/23", 6.0)]
    rows += [("E1", "b", "2020/21", 2.0), ("E2", "b", "2020/21", 4.0), ("X", "b", "2021/22", 1.0)]
    rows += [("X", "b", "2020/21", 9.0)]
    values = pd.DataFrame(rows, columns=["authority_code", "indicator_id", "period", "value"])
    frame_wh = FrameWarehouse(make_tables(values, indicators))
    try:
        got = profiles.profile_values(frame_wh, ["E1", "E2"], "X", "2022/23")
        later = profiles.profile_values(frame_wh, ["E1", "E2"], "X", "2020/21")
    finally:
        frame_wh.close()
    profile = profiles.indicator_profile(got, "X").set_index("indicator_id")
    assert profile.loc["a", "period"] == "2022/23" and profile.loc["a", "council_value"] == 6.0
    # b: the exemplars' latest period is 2020/21, so the council's 2020/21 value is the one compared
    assert profile.loc["b", "period"] == "2020/21" and profile.loc["b", "council_value"] == 9.0
    assert profile.loc["b", "standing"] == "below_all"  # lower is better: 9 is worse than 2 and 4
    assert set(later["indicator_id"]) == {"b"}  # nothing from after the chosen period


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=1, max_size=12), finite, st.sampled_from(["higher", "lower", "neutral"]))
def test_standing_and_chart_positions_agree_with_the_values(spread, own, polarity):
    values = pd.DataFrame(
        {
            "indicator_id": "i",
            "name": "I",
            "theme": "T",
            "unit": "%",
            "polarity": polarity,
            "decimals": 1,
            "period": "P",
            "authority_code": [f"E{n}" for n in range(len(spread))] + ["X"],
            "is_exemplar": [True] * len(spread) + [False],
            "value": [*spread, own],
        }
    )
    profile = profiles.indicator_profile(values, "X")
    row = profile.iloc[0]
    sign = -1 if polarity == "lower" else 1
    better = sign * own
    if row["standing"] == "above_all":
        assert all(better > sign * v for v in spread)
    if row["standing"] == "below_all":
        assert all(better < sign * v for v in spread)
    positions = profiles.spread_positions(profile).iloc[0]
    scaled = [positions[c] for c in ("pos_lowest", "pos_q1", "pos_median", "pos_q3", "pos_highest", "pos_council")]
    assert all(0 <= p <= 1 for p in scaled)
    if row["standing"] == "above_all" and len(set(spread)) > 0:
        assert positions["pos_council"] == pytest.approx(1.0)  # right is better (neutral: higher)
    flipped = values.assign(polarity={"higher": "lower", "lower": "higher", "neutral": "neutral"}[polarity])
    mirror = profiles.indicator_profile(flipped, "X").iloc[0]["standing"]
    swap = {"above_all": "below_all", "below_all": "above_all", "above_median": "below_median",
            "below_median": "above_median", "at_median": "at_median"}
    if polarity != "neutral":
        assert mirror == swap[row["standing"]]
    figure = exemplar_spread(profiles.spread_positions(profile), "X")
    assert len(figure.data) == 4 and figure.data[3].name == "X"


def _latest_published(responses: pd.DataFrame) -> pd.DataFrame:
    published = responses[responses["published"].astype(str).str.lower() == "true"]
    latest = published.groupby("authority_code")["round"].transform("max")
    return published[published["round"] == latest]


def test_challenge_questions_are_those_below_the_exemplars_median(wh, source, sa_parts):
    exemplars = sa_parts["responders_2024"][:6]
    council = sa_parts["responders_2024"][10]
    table = challenge.challenge_table(wh, exemplars, council).set_index("question_id")
    answers = _latest_published(source["responses"])
    mine = answers[answers["authority_code"] == council].set_index("question_id")["score"]
    theirs = answers[answers["authority_code"].isin(exemplars)]
    assert set(table.index) == set(source["questions"]["question_id"])
    for qid, got in table.iterrows():
        scores = theirs.loc[theirs["question_id"] == qid, "score"]
        assert got["exemplar_respondents"] == len(scores) == 6
        assert got["exemplar_median"] == pytest.approx(scores.median())
        assert got["council_score"] == mine[qid] and got["council_round"] == "2024"
        assert got["to_ask"] == (mine[qid] < scores.median())
        assert got["level_1"] == source["questions"].set_index("question_id").loc[qid, "level_1"]
    ask = challenge.questions_to_ask(table.reset_index())
    assert set(ask["question_id"]) == set(table.index[table["to_ask"]])
    assert ask["gap"].is_monotonic_decreasing


def test_no_statistic_from_fewer_than_five_and_no_unpublished_answer(wh, sa_parts):
    # four published exemplars and one whose answers are private (score 5 everywhere)
    exemplars = [*sa_parts["responders_2024"][:MIN_PEER_RESPONDENTS - 1], sa_parts["private"]]
    table = challenge.challenge_table(wh, exemplars, sa_parts["responders_2024"][10])
    assert (table["exemplar_respondents"] == MIN_PEER_RESPONDENTS - 1).all()  # the private one is never counted
    assert table["exemplar_median"].isna().all() and not table["to_ask"].any()
    assert challenge.questions_to_ask(table).empty
    private = challenge.challenge_table(wh, sa_parts["responders_2024"][:6], sa_parts["private"])
    assert private["council_score"].isna().all() and not private["to_ask"].any()
    welsh = challenge.challenge_table(wh, sa_parts["welsh_responders"], sa_parts["wales"][-1])
    assert welsh["exemplar_median"].isna().all()


def test_a_median_reads_as_the_level_it_rounds_to():
    assert [challenge.level_of(s) for s in (1, 1.49, 1.5, 3.5, 5, 7)] == [1, 1, 2, 4, 5, 5]
    assert challenge.level_of(float("nan")) is None
    row = pd.Series({f"level_{n}": f"descriptor {n}" for n in range(1, 6)})
    assert challenge.level_text(row, 3.5) == "level 4: “descriptor 4”"


def test_profile_values_of_no_exemplars_is_empty(wh):
    assert profiles.profile_values(wh, [], "E09000001", sa_fixture.PERIOD).empty
    assert profiles.indicator_profile(pd.DataFrame(), "E09000001").empty
