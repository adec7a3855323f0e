"""Self-assessment results: disclosure (unpublished responses never leave the warehouse; peer
statistics need 5 respondents), maturity and peer statistics against independent pandas
computations on the fixture's own CSV, and the quadrant against the exemplar finder's composite."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.common.disclosure import hidden_reason
from dashboard.peers.groups import PeerGroupSpec, resolve_peer_group
from dashboard.selfassessment import results as sa
from dashboard.selfassessment.quadrant import classify_quadrants
from dashboard.views.compose import group_exemplars, outcome_scores, quadrant_for_group
from dashboard.warehouse import MACROS_SQL, SCHEMA_SQL, FileWarehouse, query_files
from tests.support import sa_fixture


@pytest.fixture(scope="module")
def root(sa_root, sa_live):
    return sa_root  # the fixture's source files, written beside its warehouse


@pytest.fixture(scope="module")
def live(sa_live):
    return sa_live


@pytest.fixture(scope="module")
def wh(live):
    warehouse = FileWarehouse(live)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module")
def parts(authorities):
    return sa_fixture.layout(authorities)


@pytest.fixture(scope="module")
def csv_responses(root):
    """The fixture's responses as written (independent of every query), with theme and role."""
    responses = pd.read_csv(root / sa_fixture.SOURCE_NAME / "responses.csv", dtype={"round": str})
    questions = pd.read_csv(root / sa_fixture.SOURCE_NAME / "questions.csv")
    return responses.merge(questions[["question_id", "theme", "role"]], on="question_id")


@pytest.fixture(scope="module")
def published_csv(csv_responses):
    return csv_responses[csv_responses["published"].astype(str).str.lower() == "true"]


# -- disclosure ------------------------------------------------------------------------------
def test_no_dashboard_query_reads_the_responses_table_directly():
    """Every query goes through the published_responses view, the one disclosure rule."""
    files = [*sorted(query_files().values()), MACROS_SQL]  # the queries and the macros they call
    assert any("published_responses" in path.read_text() for path in files)
    for path in files:
        sql = re.sub(r"--[^\n]*", "", path.read_text())  # comments do not count
        assert not re.search(r"\b(FROM|JOIN)\s+responses\b", sql, re.IGNORECASE), path.name


def test_the_published_responses_view_filters_published():
    schema = re.sub(r"--[^\n]*", "", SCHEMA_SQL.read_text())
    view = schema[schema.index("CREATE VIEW published_responses"):]
    view = view[: view.index(";")]
    assert re.search(r"\bFROM\s+responses\b", view, re.IGNORECASE)
    assert re.search(r"\bWHERE\s+r\.published\b", view, re.IGNORECASE)


def test_unpublished_responses_never_leave_the_queries(wh, parts, authorities):
    private = parts["private"]
    everyone = authorities["authority_code"].tolist()
    assert sa.published_responses(wh, [private]).empty
    assert sa.mean_maturity(wh, [private]).empty
    assert private not in set(sa.published_responses(wh, everyone)["authority_code"])
    assert private not in set(sa.mean_maturity(wh, everyone)["authority_code"])


def test_unpublished_council_is_not_counted_or_averaged_in_peer_stats(wh, parts, published_csv):
    group = parts["london"]
    results = sa.council_results(wh, parts["private"], group, *group_exemplars(wh, group, sa_fixture.PERIOD))
    assert results.own_rounds == [] and results.table["maturity"].isna().all()
    assert results.respondents["2024"] == len(parts["responders_2024"])  # the private one not counted
    # Its all-5 answers would lift every median: compare with the published rows only.
    mine = published_csv[published_csv["authority_code"].isin(group) & (published_csv["round"] == "2024")]
    theme_means = mine.groupby(["authority_code", "theme", "role"])["score"].mean().reset_index()
    expected = theme_means.groupby(["theme", "role"])["score"].median()
    got = results.table[results.table["round"] == "2024"].set_index(["theme", "role"])["median"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)


def test_a_group_of_four_respondents_shows_no_median(wh, parts):
    welsh = parts["welsh_responders"]
    group = resolve_peer_group(wh, PeerGroupSpec("type_nation", welsh[0], period=sa_fixture.PERIOD))
    assert set(welsh) <= set(group.codes)
    results = sa.council_results(wh, welsh[0], group.codes, *group_exemplars(wh, group.codes, sa_fixture.PERIOD))
    assert results.respondents == {"2024": 4}
    this_round = results.table[results.table["round"] == "2024"]
    assert this_round[["median", "q1", "q3"]].isna().all().all()
    assert this_round["maturity"].notna().all()  # the council still sees its own scores
    assert "only 4 council(s)" in hidden_reason(4)


def test_exactly_five_respondents_are_enough(parts, published_csv):
    five = parts["responders_2024"][:5]
    rows = published_csv[published_csv["authority_code"].isin(five)]
    stats = sa.peer_theme_stats(sa.theme_scores(rows.assign(round_start=rows["round"])))
    assert stats.loc[stats["round"] == "2024", "median"].notna().all()
    four = sa.peer_theme_stats(sa.theme_scores(
        rows[rows["authority_code"].isin(five[:4])].assign(round_start=rows["round"])))
    assert four["median"].isna().all()


def test_quadrant_withheld_below_five_councils():
    maturity = pd.DataFrame({"authority_code": list("ABCD"), "mean_maturity": [1.0, 2, 3, 4]})
    outcomes = pd.DataFrame({"authority_code": list("ABCD"), "outcome_score": [0.1, 0.2, 0.3, 0.4]})
    quadrant = classify_quadrants(maturity, outcomes)
    assert not quadrant.disclosed and np.isnan(quadrant.maturity_median)
    assert (quadrant.table["quadrant"] == "").all()


# -- maturity against an independent computation --------------------------------------------
def test_mean_maturity_matches_pandas(wh, parts, published_csv):
    codes = parts["london"] + parts["wales"]
    got = sa.mean_maturity(wh, codes).set_index(["authority_code", "round"]).sort_index()
    mine = published_csv[published_csv["authority_code"].isin(codes)]
    expected = mine.groupby(["authority_code", "round"])["score"].mean().sort_index()
    pd.testing.assert_series_equal(got["mean_maturity"], expected, check_names=False)
    drivers = mine[mine["role"] == "driver"].groupby(["authority_code", "round"])["score"].mean()
    pd.testing.assert_series_equal(got["driver_maturity"], drivers.sort_index(), check_names=False)
    assert (got["questions_answered"] == 24).all()


def test_mean_maturity_round_filter(wh, parts):
    one = sa.mean_maturity(wh, parts["london"], "2023")
    assert set(one["round"]) == {"2023"}
    assert set(one["authority_code"]) == set(parts["responders_2023"])


def test_quadrant_matches_pandas(wh, parts, published_csv):
    group = resolve_peer_group(wh, PeerGroupSpec("type_nation", parts["london"][0], period=sa_fixture.PERIOD))
    quadrant, method = quadrant_for_group(wh, group.codes, "2024", sa_fixture.PERIOD)
    outcomes = outcome_scores(wh, group.codes, sa_fixture.PERIOD)  # input to both computations
    mine = published_csv[published_csv["authority_code"].isin(group.codes) & (published_csv["round"] == "2024")]
    maturity = mine.groupby("authority_code")["score"].mean().rename("m")
    both = pd.concat([maturity, outcomes.set_index("authority_code")["outcome_score"].rename("o")],
                     axis=1, join="inner").dropna()
    m_med, o_med = both["m"].median(), both["o"].median()
    assert quadrant.maturity_median == pytest.approx(m_med)
    assert quadrant.outcome_median == pytest.approx(o_med)
    labels = {
        (True, True): "High maturity, high outcomes",
        (True, False): "Says more than it shows (high maturity, low outcomes)",
        (False, True): "Shows more than it says (low maturity, high outcomes)",
        (False, False): "Low maturity, low outcomes",
    }
    expected = {code: labels[(row.m >= m_med, row.o >= o_med)] for code, row in both.iterrows()}
    got = dict(zip(quadrant.table["authority_code"], quadrant.table["quadrant"], strict=True))
    assert got == expected
    assert len(set(got.values())) >= 3  # the fixture spreads councils over the quadrants
    assert parts["private"] not in got
    assert method


# -- pure helpers ----------------------------------------------------------------------------
responses_strategy = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C", "D", "E", "F"]), st.sampled_from(["2023", "2024"]),
              st.sampled_from(["Q1", "Q2", "Q3"]), st.integers(1, 5)),
    min_size=1, max_size=60, unique_by=lambda t: t[:3])


@settings(max_examples=60, deadline=None)
@given(responses_strategy)
def test_score_distribution_counts_every_responding_council_once(rows):
    frame = pd.DataFrame(rows, columns=["authority_code", "round", "question_id", "score"])
    frame["round_start"] = frame["round"]
    dist = sa.score_distribution(frame)
    per_round = frame.groupby("round")["authority_code"].nunique()
    totals = dist.groupby("round")["councils"].sum()
    pd.testing.assert_series_equal(totals.sort_index(), per_round.sort_index(), check_names=False)
    assert set(dist["score"]) == set(sa.SCORE_LEVELS)
    assert np.allclose(dist.groupby("round")["share"].sum(), 1.0)


@settings(max_examples=60, deadline=None)
@given(responses_strategy)
def test_round_progress_partitions_councils_in_both_rounds(rows):
    frame = pd.DataFrame(rows, columns=["authority_code", "round", "question_id", "score"])
    frame["round_start"] = frame["round"]
    progress = sa.round_progress(frame)
    # like with like: a council counts when it answered at least one question in both rounds
    asked = {r: set(zip(frame.loc[frame["round"] == r, "authority_code"], frame.loc[frame["round"] == r, "question_id"]))
             for r in ("2023", "2024")}
    both = {code for code, _ in asked["2023"] & asked["2024"]}
    if frame["round"].nunique() < 2:
        assert progress.empty
        return
    row = progress.iloc[0]
    assert row["councils"] == len(both)
    assert row["improved"] + row["same"] + row["declined"] == len(both)


def test_question_table_shows_levels_beside_the_councils_score(wh, parts):
    council = parts["responders_2024"][0]
    responses = sa.published_responses(wh, [council])
    table = sa.question_table(sa.framework(wh), responses, "2024")
    assert table["council_score"].notna().all()
    assert {"level_1", "level_5", "question"} <= set(table.columns)
    assert sa.question_table(sa.framework(wh), responses, "2019")["council_score"].isna().all()
