"""Computed statistical neighbours: 15 closest of the same tier, similarity 0-100, self excluded,
deterministic, and equal to an independent numpy computation."""

from __future__ import annotations

import random

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl.load import Source, load_sources
from etl.neighbours import compute_and_load, nearest_neighbours, parse_variables
from etl.warehouse import WarehousePaths

VARIABLES = ["population", "density", "deprivation"]


@pytest.fixture(scope="module")
def context(authorities) -> pd.DataFrame:
    """Current councils of the three tiers with the three contextual figures, none missing."""
    frame = authorities[authorities["is_current"] & authorities["is_council"]
                        & authorities["tier"].isin(["county", "district", "unitary"])]
    frame = frame.assign(population=frame["population"].astype(float), density=frame["density_per_km2"],
                         deprivation=frame["deprivation_score"])
    return frame.dropna(subset=VARIABLES)[["authority_code", "tier", *VARIABLES]].reset_index(drop=True)


def independent(context: pd.DataFrame, weights: list[float], count: int = 15) -> pd.DataFrame:
    """The same method written differently: scaled coordinates, norm, lexsort, per tier."""
    rows = []
    for tier in sorted(context["tier"].unique()):
        part = context[context["tier"] == tier].sort_values("authority_code")
        x = part[VARIABLES].to_numpy(float)
        sd = x.std(axis=0, ddof=0)
        z = (x - x.mean(axis=0)) / np.where(sd == 0, 1, sd) * (sd != 0)
        scaled = z * np.sqrt(weights)
        codes = part["authority_code"].to_numpy()
        dist = np.linalg.norm(scaled[:, None, :] - scaled[None, :, :], axis=-1)
        biggest = dist.max()
        for i, code in enumerate(codes):
            order = [j for j in np.lexsort((codes, dist[i])) if j != i][:count]
            for rank, j in enumerate(order, 1):
                rows.append((code, codes[j], rank, 100 * (1 - dist[i, j] / biggest)))
    return pd.DataFrame(rows, columns=["authority_code", "member_code", "rank", "similarity"])


@pytest.mark.parametrize("weights", [[1, 1, 1], [2, 0.5, 1], [0, 1, 3]])
def test_matches_an_independent_numpy_computation(context, weights):
    got = nearest_neighbours(context, VARIABLES, weights)
    want = independent(context, weights)
    pd.testing.assert_frame_equal(got[["authority_code", "member_code", "rank"]].reset_index(drop=True),
                                  want[["authority_code", "member_code", "rank"]], check_dtype=False)
    np.testing.assert_allclose(got["similarity"], want["similarity"], rtol=1e-9, atol=1e-9)


def test_fifteen_of_the_same_tier_self_excluded_similarity_in_range(context):
    got = nearest_neighbours(context, VARIABLES, [1, 1, 1])
    tier = dict(zip(context["authority_code"], context["tier"], strict=True))
    assert (got.groupby("authority_code").size() == 15).all()
    assert set(got["authority_code"]) == set(context["authority_code"])
    assert (got["authority_code"] != got["member_code"]).all()
    assert (got["authority_code"].map(tier) == got["member_code"].map(tier)).all()
    assert got["similarity"].between(0, 100).all()
    # similarity falls as rank rises
    assert (got.groupby("authority_code")["similarity"].diff().dropna() <= 1e-12).all()


def test_deterministic_whatever_the_row_order(context):
    first = nearest_neighbours(context, VARIABLES, [1, 1, 1])
    shuffled = context.sample(frac=1, random_state=7)
    pd.testing.assert_frame_equal(first, nearest_neighbours(shuffled, VARIABLES, [1, 1, 1]))


def test_ties_are_broken_by_code_and_small_tiers_give_fewer():
    frame = pd.DataFrame({"authority_code": ["C", "A", "B", "D"], "tier": ["county"] * 3 + ["district"],
                          "v": [1.0, 1.0, 1.0, 5.0]})
    got = nearest_neighbours(frame, ["v"], [1])
    assert got[got["authority_code"] == "C"]["member_code"].tolist() == ["A", "B"]
    assert got["similarity"].eq(100).all()  # no spread at all: everyone identical
    assert "D" not in set(got["authority_code"])  # alone in its tier: no neighbours


@pytest.mark.parametrize("variables, weights, message", [
    ("population,height", None, "unknown variable 'height'"),
    ("population,density", "1", "1 weights for 2 variables"),
    ("population", "-1", "non-negative"),
    ("population,population", None, "listed twice"),
    ("population", "x", "must be numbers"),
])
def test_bad_variables_and_weights(variables, weights, message):
    with pytest.raises(ValueError, match=message):
        parse_variables(variables, weights)


@pytest.fixture(scope="module")
def computed(tmp_path_factory, authorities, reference_dir):
    """A warehouse with one indicator for all but five councils, and neighbours computed on it."""
    warehouse_path = tmp_path_factory.mktemp("nn") / "exemplar.duckdb"
    current = authorities[authorities["is_current"] & authorities["is_council"]]["authority_code"].tolist()
    rng = random.Random(42)
    folder = tmp_path_factory.mktemp("ctx")
    (folder / "indicators.csv").write_text(
        "indicator_id,name,theme,unit,polarity,description,source\nspend,Spend,T,£,neutral,d,s\n")
    lines = ["authority_code,indicator_id,period,value"] + [f"{c},spend,2019/20,{rng.uniform(0, 100):.3f}"
                                                           for c in current[:-5]]
    (folder / "values.csv").write_text("\n".join(lines) + "\n")
    assert load_sources([Source.of(folder, "ctx")], warehouse_path, reference_dir=reference_dir).ok
    result = compute_and_load(warehouse_path, variables="population,indicator:spend@2019/20", weights="1,2",
                              set_id="nn-test", reference_dir=reference_dir)
    return warehouse_path, result, current


def test_compute_and_load_with_an_indicator_variable(computed):
    warehouse_path, result, current = computed
    assert result.ok, result.problems
    assert set(current[-5:]) <= set(result.left_out)  # no value for the indicator: left out, listed
    con = duckdb.connect(str(WarehousePaths(warehouse_path).current_file()), read_only=True)
    try:
        sets = con.execute("SELECT kind, method, variables FROM peer_sets WHERE set_id = 'nn-test'").fetchall()
        stored = con.execute("SELECT count(*), count(DISTINCT authority_code), min(similarity), max(similarity) "
                             "FROM peer_set_members WHERE set_id = 'nn-test'").fetchall()[0]
    finally:
        con.close()
    assert sets[0][0] == "neighbours" and "Euclidean" in sets[0][1]
    assert sets[0][2] == "population (weight 1), indicator:spend@2019/20 (weight 2)"
    assert stored[0] == 15 * stored[1] and 0 <= stored[2] <= stored[3] <= 100


def test_the_app_offers_the_set_as_a_peer_group_and_shows_method_and_similarity(computed, open_page):
    warehouse_path, result, _ = computed
    at = open_page(warehouse_path, "peer_groups", council="E08000025")
    facts, table = at.dataframe[0].value, at.dataframe[1].value  # the set's facts, then the neighbours
    shown = " ".join(str(v) for v in facts.iloc[:, 1])
    assert "Euclidean" in shown and "indicator:spend@2019/20 (weight 2)" in shown
    want = result.members[result.members["authority_code"] == "E08000025"]
    assert table["Code"].tolist() == want["member_code"].tolist()
    assert table["Similarity (0-100)"].between(0, 100).all()
    at.switch_page("dashboard/views/indicator.py")
    at.query_params["group"] = "neighbours"
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="group").value == "neighbours"
    assert any("nearest neighbours" in c.value for c in at.caption)
