"""The exemplar rule, its reasons and near misses, the shortlist CSV, the overview and the charts,
on hand-made fixture data whose right answers are worked out here from the definitions."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.exemplars import finder, profiles, scoring, stability
from dashboard.exemplars.charts import theme_profile_chart
from dashboard.exemplars.exports import shortlist_csv, shortlist_frame, shortlist_provenance
from dashboard.exemplars.maps import overview_heatmap
from dashboard.exemplars.rule import ENDPOINTS, ExemplarRule, evaluate, near_misses
from dashboard.warehouse import FrameWarehouse
from tests.support.stamps import fixed_stamp
from tests.test_exemplar_composite import PERIODS, make_tables, random_data

# Four indicators in two themes, eight councils, three periods; K = 2 compares 2022/23 with 2020/21.
INDICATORS = pd.DataFrame(
    {
        "indicator_id": ["a1", "a2", "b1", "b2"],
        "theme": ["Alpha", "Alpha", "Beta", "Beta"],
        "polarity": ["higher", "lower", "higher", "higher"],
    }
)


def _values() -> pd.DataFrame:
    """A is best everywhere and improving; B is second and falling; C reports one indicator in
    four; D..H spread below, H improving strongly from the bottom."""
    base = {"A": 9, "B": 8, "C": 7, "D": 6, "E": 5, "F": 4, "G": 3, "H": 0.5}
    rows = []
    for p_index, period in enumerate(PERIODS):
        for council, level in base.items():
            if council == "A":
                level += p_index * 0.5
            if council == "B":
                level -= p_index * 0.5
            if council == "H":
                level += p_index
            for ind, polarity in zip(INDICATORS["indicator_id"], INDICATORS["polarity"], strict=True):
                value = -level if polarity == "lower" else level
                if council == "C" and ind != "a1":
                    value = None
                rows.append((council, ind, period, value))
    return pd.DataFrame(rows, columns=["authority_code", "indicator_id", "period", "value"])


@pytest.fixture(scope="module")
def wh():
    warehouse = FrameWarehouse(make_tables(_values(), INDICATORS), meta={"data_version": "test-v1"})
    yield warehouse
    warehouse.close()


CODES = list("ABCDEFGH")
# The end-point rule: three periods are too few for a tested trend (tests/test_trend.py has those).
RULE = ExemplarRule(k=2, require_maturity=False, improvement=ENDPOINTS)


def _table(wh, rule=RULE, maturity=None):
    scores = scoring.group_scores(wh, CODES, "2022/23", min_completeness=rule.min_completeness, k=rule.k)
    eligible = scores.councils.dropna(subset=["composite"])["authority_code"].tolist()
    stab = stability.rank_stability(scores.values, eligible)
    return scores, evaluate(scores, rule, maturity, stab).set_index("authority_code")


def test_base_period_counts_back_k_periods():
    assert scoring.base_period(PERIODS, "2022/23", 2) == "2020/21"
    assert scoring.base_period(PERIODS, "2022/23", 3) is None
    assert scoring.base_period(PERIODS, "2099/00", 1) is None


def test_k_periods_ago_counts_back_along_periods_of_the_chosen_kind():
    # An academic year between the financial years holds one indicator (as ONS mixes calendars):
    # K = 1 from 2022/23 must still reach 2021/22, where every indicator can be compared.
    academic = "2021/22 academic"
    tables = make_tables(_values(), INDICATORS)
    tables["periods"] = pd.concat(
        [
            tables["periods"],
            pd.DataFrame(
                {
                    "period": [academic],
                    "period_start": [pd.Timestamp("2021-08-01").date()],
                    "period_end": [pd.Timestamp("2022-07-31").date()],
                    "period_kind": ["academic_year"],
                }
            ),
        ],
        ignore_index=True,
    )
    extra = tables["indicator_values"].query("period == '2021/22' and indicator_id == 'a1'")
    extra = extra.assign(period=academic, period_start=pd.Timestamp("2021-08-01").date())
    tables["indicator_values"] = pd.concat([tables["indicator_values"], extra], ignore_index=True)
    mixed = FrameWarehouse(tables, meta={"data_version": "test-mixed"})
    try:
        assert academic in scoring.period_sequence(mixed)
        assert scoring.period_sequence(mixed, like="2022/23") == PERIODS
        assert scoring.period_sequence(mixed, like=academic) == [academic]
        scores = scoring.group_scores(mixed, CODES, "2022/23", k=1)
        assert scores.base_period == "2021/22"
        compared = evaluate(scores, replace(RULE, k=1)).set_index("authority_code")["compared"]
        assert compared["A"] == len(INDICATORS)
    finally:
        mixed.close()


def test_the_rule_picks_the_leader_that_keeps_improving(wh):
    _, table = _table(wh)
    # 7 ranked councils (C incomplete); top quartile = percentile >= 0.75 = ranks 1..2
    assert table.loc["A", "composite_rank"] == 1 and table.loc["B", "composite_rank"] == 2
    assert table["is_exemplar"].sum() == 1 and table.loc["A", "is_exemplar"]
    assert table.loc["A", "reason"].startswith(
        "top quartile on 4 of 4 indicators; improving on 4 of 4; 100% complete; rank 1 of 7"
    )
    assert "in the top quartile in 100% of resamples" in table.loc["A", "reason"]


def test_reasons_say_which_condition_failed(wh):
    _, table = _table(wh)
    assert "composite fell" not in table.loc["B", "failed"]  # B's composite holds: others all moved less
    assert "not more indicators improving (0) than worsening (4)" in table.loc["B", "failed"]
    assert table.loc["C", "failed"].startswith("incomplete: 25% < 75%")
    assert pd.isna(table.loc["C", "composite"]) and "no composite (incomplete)" in table.loc["C", "reason"]
    assert "not in the top 25% (rank 7 of 7)" in table.loc["H", "failed"]
    misses = near_misses(table.reset_index())
    assert misses["authority_code"].tolist()[0] == "B"  # fails one condition, best composite
    assert "C" not in set(misses["authority_code"])  # no composite: never a near miss
    assert "H" not in set(misses["authority_code"])  # fails only the level, but ranks last: not near


def test_improvement_counts_match_the_values(wh):
    scores, table = _table(wh)
    values = _values()
    sign = values["indicator_id"].map(dict(zip(INDICATORS["indicator_id"], INDICATORS["polarity"], strict=True)))
    values["better"] = np.where(sign == "lower", -values["value"], values["value"])
    wide = values.pivot_table(index=["authority_code", "indicator_id"], columns="period", values="better")
    delta = (wide["2022/23"] - wide["2020/21"]).dropna()
    improving = (delta > 0).groupby(level=0).sum()
    worsening = (delta < 0).groupby(level=0).sum()
    for code in CODES:
        assert table.loc[code, "improving"] == improving.get(code, 0)
        assert table.loc[code, "worsening"] == worsening.get(code, 0)
    then = scores.base_councils.set_index("authority_code")["composite"]
    assert table.loc["A", "composite_change"] == pytest.approx(table.loc["A", "composite"] - then["A"])


def test_maturity_condition_needs_more_than_the_peer_median(wh):
    maturity = pd.DataFrame({"authority_code": CODES, "mean_maturity": [2.0, 3, 3, 3, 3, 3, 3, 4]})
    rule = ExemplarRule(k=2, require_maturity=True, improvement=ENDPOINTS)
    _, table = _table(wh, rule, maturity)
    assert not table.loc["A", "is_exemplar"]
    assert "maturity 2.00 not above the peer median 3.00" in table.loc["A", "failed"]
    maturity.loc[0, "mean_maturity"] = 3.5
    _, table = _table(wh, rule, maturity)
    assert table.loc["A", "is_exemplar"] and "maturity 3.50 (above the peer median 3.00)" in table.loc["A", "reason"]


def test_peer_median_maturity_is_withheld_below_five_respondents(wh):
    """The self-assessment disclosure rule: no peer statistic over fewer than 5 councils."""
    maturity = pd.DataFrame({"authority_code": ["A", "B", "D", "E"], "mean_maturity": [4.0, 3.0, 2.0, 1.0]})
    _, table = _table(wh, ExemplarRule(k=2, require_maturity=True, improvement=ENDPOINTS), maturity)
    assert table.loc["A", "is_exemplar"]  # 4.0 is above the median 2.5 of the four
    assert "2.50" not in table.loc["A", "reason"] and "withheld" in table.loc["A", "reason"]
    assert "no published self-assessment" in table.loc["F", "failed"]


def test_relaxing_the_rule_admits_more(wh):
    loose = ExemplarRule(k=2, top_share=0.5, require_improving=False, require_maturity=False)
    _, table = _table(wh, loose)
    # top half of 7: percentile >= 0.5 means rank <= 4 (A, B, D, E)
    assert sorted(table.index[table["is_exemplar"]]) == ["A", "B", "D", "E"]


@pytest.mark.slow  # hypothesis: a warehouse per example
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.sampled_from([0.5, 0.75, 0.9, 1.0]), st.floats(0.0, 0.6))
def test_a_council_under_the_threshold_is_never_an_exemplar(seed, threshold, missing):
    values, indicators = random_data(seed, councils=10, indicators=6, missing=missing, levels=8)
    frame_wh = FrameWarehouse(make_tables(values, indicators))
    try:
        rule = ExemplarRule(
            min_completeness=threshold, k=1, top_share=0.5, require_improving=False, require_maturity=False
        )
        scores = scoring.group_scores(
            frame_wh, sorted(values["authority_code"].unique()), "2022/23", min_completeness=threshold, k=1
        )
        table = evaluate(scores, rule)
    finally:
        frame_wh.close()
    under = table[table["completeness"] < threshold]
    assert not under["is_exemplar"].any()
    assert under["composite"].isna().all()


def test_theme_profile_is_the_median_of_the_exemplars(wh):
    scores, _ = _table(wh)
    profile = profiles.theme_profile(scores, ["A", "B", "D"], "H").set_index("theme")
    rows = scores.values.drop_duplicates(["authority_code", "theme"])
    for theme in ("Alpha", "Beta"):
        mine = rows[(rows["theme"] == theme)].set_index("authority_code")["theme_score"]
        assert profile.loc[theme, "exemplar_median"] == pytest.approx(mine.loc[["A", "B", "D"]].median())
        assert profile.loc[theme, "council_score"] == pytest.approx(mine.loc["H"])
    figure = theme_profile_chart(profile.reset_index(), "H")
    assert [t.name for t in figure.data] == ["Exemplars (median)", "H"]


def test_shortlist_csv_carries_reasons_figures_and_provenance(wh):
    scores, table = _table(wh)
    table = table.reset_index()
    names = {c: f"Council {c}" for c in CODES} | {"A": '=HYPERLINK("x")'}
    provenance = shortlist_provenance(
        peer_group="Fixture group",
        period="2022/23",
        base_period=scores.base_period,
        weights=scoring.Weights({"Alpha": 2.0}, {"a1": 0.5}),
        indicators=list(INDICATORS["indicator_id"]),
        rule=RULE,
        settings=stability.StabilitySettings(),
        maturity_used=False,
    )
    data = shortlist_csv(table, names, provenance, fixed_stamp("test-v1"), near_misses(table))
    assert data.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["status"].tolist()[0] == "exemplar" and "near miss" in set(back["status"])
    assert back.loc[0, "council"] == '\'=HYPERLINK("x")'  # neutralised for Excel
    assert back.loc[0, "reason"].startswith("top quartile on 4 of 4 indicators")
    assert back.loc[0, "rank"] == 1 and back.loc[0, "completeness"] == 1.0
    assert pd.api.types.is_float_dtype(back["composite"])
    about = back.iloc[0]
    assert about["about_data_version"] == "test-v1" and about["about_stability_seed"] == stability.DEFAULT_SEED
    assert about["about_k_periods"] == 2 and about["about_compared_with_period"] == "2020/21"
    assert about["about_theme_weights"] == "Alpha=2" and about["about_indicator_weights_not_1"] == "a1=0.5"
    assert about["about_peer_group"] == "Fixture group"
    assert len(shortlist_frame(table, names)) == 1  # exemplars only without near misses


def test_national_overview_runs_the_rule_in_every_type_and_region(wh):
    candidates = pd.DataFrame(
        {"authority_code": CODES, "authority_type": ["T1"] * 4 + ["T2"] * 4, "region": ["R1"] * 8}
    )
    overview = finder.national_overview(wh, candidates, "2022/23", RULE)
    for kind, members in candidates.groupby("authority_type"):
        scores = scoring.group_scores(wh, members["authority_code"].tolist(), "2022/23", k=2)
        own = evaluate(scores, RULE).set_index("authority_code")["is_exemplar"]
        got = overview[overview["authority_type"] == kind].set_index("authority_code")["is_exemplar"]
        assert got.sort_index().tolist() == own.sort_index().tolist()
    counts = overview.pivot_table(index="region", columns="authority_type", values="is_exemplar", aggfunc="sum")
    assert overview_heatmap(counts).data[0].z.shape == (1, 2)
