"""Composite, completeness and rank stability against an independent pandas implementation
written here from docs/exemplar-method.md, plus hypothesis properties of the composite SQL.

The SQL runs for real: on an in-memory DuckDB built from fixture frames (``FrameWarehouse``)
for the properties, and on the published demo warehouse for the end-to-end comparison.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.exemplars import finder, scoring, stability
from dashboard.warehouse import FileWarehouse, FrameWarehouse

PERIODS = ["2020/21", "2021/22", "2022/23"]
THEMES = ["Alpha", "Beta", "Gamma"]


# -- the independent reference, from the written definitions ---------------------------------
def ref_percentiles(values: pd.DataFrame, indicators: pd.DataFrame, codes, period, chosen) -> pd.DataFrame:
    """Percentile rank (n - rank) / (n - 1), rank 1 = best, ties share the best rank."""
    meta = indicators.set_index("indicator_id")
    v = values[
        (values["period"] == period)
        & values["authority_code"].isin(codes)
        & values["indicator_id"].isin(chosen)
        & values["value"].notna()
    ].copy()
    v["polarity"] = v["indicator_id"].map(meta["polarity"])
    v["theme"] = v["indicator_id"].map(meta["theme"])
    v = v[v["polarity"] != "neutral"]
    v["better"] = np.where(v["polarity"] == "lower", -v["value"], v["value"])
    v["rank"] = v.groupby("indicator_id")["better"].rank(method="min", ascending=False)
    v["n"] = v.groupby("indicator_id")["value"].transform("size")
    v["pct"] = np.where(v["n"] == 1, 0.5, (v["n"] - v["rank"]) / (v["n"] - 1).clip(lower=1))
    return v


def ref_composite(
    values, indicators, codes, period, theme_w=None, ind_w=None, threshold=0.75, chosen=None
) -> pd.DataFrame:
    """authority_code -> completeness, raw composite, composite (NaN under threshold), rank."""
    theme_w, ind_w = theme_w or {}, ind_w or {}
    chosen = list(indicators["indicator_id"]) if chosen is None else chosen
    meta = indicators.set_index("indicator_id")
    chosen = [i for i in chosen if ind_w.get(i, 1.0) > 0 and theme_w.get(meta.loc[i, "theme"], 1.0) > 0]
    p = ref_percentiles(values, indicators, codes, period, chosen)
    p["iw"] = p["indicator_id"].map(lambda i: ind_w.get(i, 1.0))
    p["tw"] = p["theme"].map(lambda t: theme_w.get(t, 1.0))
    rows = []
    applicable = p["indicator_id"].nunique()
    for code in sorted(set(codes)):
        mine = p[p["authority_code"] == code]
        if mine.empty:
            rows.append((code, 0.0 if applicable else np.nan, np.nan))
            continue
        num = den = 0.0
        for _, group in mine.groupby("theme"):
            theme_score = (group["iw"] * group["pct"]).sum() / group["iw"].sum()
            num += group["tw"].iloc[0] * theme_score
            den += group["tw"].iloc[0]
        rows.append((code, len(mine) / applicable, num / den))
    out = pd.DataFrame(rows, columns=["authority_code", "completeness", "raw_composite"])
    out["composite"] = out["raw_composite"].where(out["completeness"] >= threshold)
    out["rank"] = out["composite"].round(12).rank(method="min", ascending=False)
    return out.set_index("authority_code")


# -- fixture data ---------------------------------------------------------------------------
def make_tables(values: pd.DataFrame, indicators: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The warehouse tables the exemplar queries read, from a values and an indicators frame."""
    labels = sorted(set(PERIODS) | set(values["period"]))  # financial years: "2020/21" starts 1 April 2020
    starts = {p: dt.date(int(p[:4]), 4, 1) for p in labels}
    periods = pd.DataFrame(
        {
            "period": labels,
            "period_start": [starts[p] for p in labels],
            "period_end": [dt.date(int(p[:4]) + 1, 3, 31) for p in labels],
            "period_kind": "financial_year",
        }
    )
    iv = values.assign(period_start=values["period"].map(starts), status=None, source_name="fixture")
    for limit in ("lower_ci", "upper_ci"):  # no published limits unless the test gives them
        if limit not in iv:
            iv[limit] = float("nan")
    ind = indicators.assign(
        name=indicators["indicator_id"], unit="%", description="", source="fixture", source_name="fixture"
    )
    return {"indicators": ind, "periods": periods, "indicator_values": iv}


def random_data(
    seed: int, councils: int = 12, indicators: int = 8, missing: float = 0.1, levels: int = 30
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Values on a small integer grid (so ties happen), some missing, three periods."""
    rng = random.Random(seed)
    ind = pd.DataFrame(
        {
            "indicator_id": [f"i{j:02d}" for j in range(indicators)],
            "theme": [THEMES[j % len(THEMES)] for j in range(indicators)],
            "polarity": [rng.choice(["higher", "higher", "lower", "neutral"]) for _ in range(indicators)],
        }
    )
    rows = [
        (f"C{c:02d}", i, p, None if rng.random() < missing else float(rng.randrange(levels)))
        for c in range(councils)
        for i in ind["indicator_id"]
        for p in PERIODS
    ]
    return pd.DataFrame(rows, columns=["authority_code", "indicator_id", "period", "value"]), ind


@pytest.fixture(scope="module")
def fixture_wh():
    values, indicators = random_data(42, councils=15, indicators=10, missing=0.15)
    wh = FrameWarehouse(make_tables(values, indicators))
    yield wh, values, indicators
    wh.close()


WEIGHTINGS = [
    ({}, {}),
    ({"Alpha": 2.0, "Beta": 0.5}, {"i01": 3.0, "i04": 0.5}),
    ({"Gamma": 0.0}, {"i02": 0.0}),
]


@pytest.mark.parametrize("theme_w,ind_w", WEIGHTINGS)
@pytest.mark.parametrize("threshold", [0.0, 0.75, 0.9])
def test_composite_equals_pandas_reference(fixture_wh, theme_w, ind_w, threshold):
    wh, values, indicators = fixture_wh
    codes = sorted(values["authority_code"].unique())
    got = (
        scoring.composite_scores(wh, codes, "2022/23", scoring.Weights(theme_w, ind_w), min_completeness=threshold)
        .set_index("authority_code")
        .sort_index()
    )
    want = ref_composite(values, indicators, codes, "2022/23", theme_w, ind_w, threshold)
    assert list(got.index) == list(want.index)
    np.testing.assert_allclose(got["completeness"], want["completeness"], atol=1e-12)
    np.testing.assert_allclose(got["composite"].astype(float), want["composite"], atol=1e-12)
    np.testing.assert_array_equal(got["composite_rank"].astype(float), want["rank"])
    if threshold > 0:  # the threshold really bites on this fixture
        assert got["composite"].isna().any()


def test_completeness_counts_only_indicators_that_apply(fixture_wh):
    """An indicator nobody in the group reports does not make everyone incomplete."""
    _, values, indicators = fixture_wh
    codes = sorted(values["authority_code"].unique())[:5]
    rankable = indicators.loc[indicators["polarity"] != "neutral", "indicator_id"].tolist()
    gone = rankable[0]
    trimmed = values[~((values["indicator_id"] == gone) & values["authority_code"].isin(codes))]
    wh2 = FrameWarehouse(make_tables(trimmed, indicators))
    got = scoring.composite_scores(wh2, codes, "2022/23").set_index("authority_code")
    present = trimmed[
        (trimmed["period"] == "2022/23")
        & trimmed["authority_code"].isin(codes)
        & trimmed["indicator_id"].isin(rankable)
        & trimmed["value"].notna()
    ]
    applicable = present["indicator_id"].nunique()
    assert applicable < len(rankable)
    assert (got["n_applicable"] == applicable).all()
    np.testing.assert_allclose(
        got["completeness"], present.groupby("authority_code").size().reindex(got.index) / applicable
    )


def test_composite_on_the_demo_warehouse_equals_pandas_on_the_source_files(demo_warehouse, demo_source):
    """End to end: the published demo warehouse vs pandas on the demo CSV files."""
    wh = FileWarehouse(demo_warehouse)
    try:
        candidates = finder.group_candidates(wh, "2024/25")
        codes = candidates.loc[candidates["authority_type"] == "London borough", "authority_code"].tolist()
        got = scoring.composite_scores(wh, codes, "2024/25").set_index("authority_code").sort_index()
    finally:
        wh.close()
    values = pd.read_csv(demo_source / "values.csv", dtype={"period": str})
    indicators = pd.read_csv(demo_source / "indicators.csv")
    want = ref_composite(values, indicators, codes, "2024/25")
    assert len(got) == len(codes) > 20
    np.testing.assert_allclose(got["completeness"], want["completeness"], atol=1e-12)
    np.testing.assert_allclose(got["composite"].astype(float), want["composite"], atol=1e-12)
    np.testing.assert_array_equal(got["composite_rank"].astype(float), want["rank"])


# -- stability against an independent pandas implementation -------------------------------
def ref_stability(values, indicators, codes, period, eligible, draws, seed, sigma, drop, top_share):
    """Draws as documented: theme jitter, indicator jitter, then keep mask, from one generator."""
    p = ref_percentiles(values, indicators, codes, period, list(indicators["indicator_id"]))
    p = p[p["authority_code"].isin(eligible)]
    ids = sorted(p["indicator_id"].unique())
    themes = sorted(indicators.set_index("indicator_id").loc[ids, "theme"].unique())
    rng = np.random.default_rng(seed)
    theme_jitter = rng.lognormal(0.0, sigma, size=(draws, len(themes)))
    ind_jitter = rng.lognormal(0.0, sigma, size=(draws, len(ids)))
    keep = rng.random((draws, len(ids))) >= drop
    ranks = []
    for d in range(draws):
        k = keep[d] if keep[d].any() else np.ones(len(ids), bool)
        iw = dict(zip(ids, ind_jitter[d] * k, strict=True))
        tw = dict(zip(themes, theme_jitter[d], strict=True))
        q = p.assign(iw=p["indicator_id"].map(iw), tw=p["theme"].map(tw))
        q = q[q["iw"] > 0]
        theme = (
            q.groupby(["authority_code", "theme"])
            .apply(
                lambda g: pd.Series({"s": (g["iw"] * g["pct"]).sum() / g["iw"].sum(), "tw": g["tw"].iloc[0]}),
                include_groups=False,
            )
            .reset_index()
        )
        comp = theme.groupby("authority_code").apply(
            lambda g: (g["tw"] * g["s"]).sum() / g["tw"].sum(), include_groups=False
        )
        comp = comp.reindex(sorted(eligible)).round(12).fillna(-np.inf)
        ranks.append(comp.rank(method="min", ascending=False))
    ranks = pd.DataFrame(ranks)
    n = len(eligible)
    in_top = ((n - ranks) / (n - 1)) >= 1 - top_share
    ordered = np.sort(ranks.to_numpy(), axis=0)

    def nearest(q):  # numpy's "nearest": index round((draws - 1) * q), ties to even
        return ordered[int(np.round((draws - 1) * q))]

    return pd.DataFrame(
        {"rank_p05": nearest(0.05), "rank_p95": nearest(0.95), "top_share_draws": in_top.mean().to_numpy()},
        index=sorted(eligible),
    )


@pytest.mark.slow  # 200 resamples against a pandas loop
def test_stability_equals_pandas_reference(fixture_wh):
    wh, values, indicators = fixture_wh
    codes = sorted(values["authority_code"].unique())
    scores = scoring.group_scores(wh, codes, "2022/23", min_completeness=0.75, k=1)
    eligible = scores.councils.loc[scores.councils["composite"].notna(), "authority_code"].tolist()
    assert len(eligible) >= 8
    settings_ = stability.StabilitySettings(draws=60, seed=7, sigma=0.4, drop_share=0.2, top_share=0.25)
    got = stability.rank_stability(scores.values, eligible, settings_).set_index("authority_code")
    want = ref_stability(values, indicators, codes, "2022/23", eligible, 60, 7, 0.4, 0.2, 0.25)
    np.testing.assert_array_equal(got["rank_p05"], want["rank_p05"])
    np.testing.assert_array_equal(got["rank_p95"], want["rank_p95"])
    np.testing.assert_allclose(got["top_share_draws"], want["top_share_draws"])
    assert (got["rank_p05"] < got["rank_p95"]).any()  # the resampling does move ranks


def test_stability_is_deterministic_and_depends_on_the_seed(fixture_wh):
    wh, values, _ = fixture_wh
    scores = scoring.group_scores(wh, sorted(values["authority_code"].unique()), "2022/23", k=1)
    eligible = scores.councils.dropna(subset=["composite"])["authority_code"].tolist()
    one = stability.rank_stability(scores.values, eligible, stability.StabilitySettings(seed=1, sigma=0.6))
    two = stability.rank_stability(scores.values, eligible, stability.StabilitySettings(seed=1, sigma=0.6))
    other = stability.rank_stability(scores.values, eligible, stability.StabilitySettings(seed=2, sigma=0.6))
    pd.testing.assert_frame_equal(one, two)
    assert not one["top_share_draws"].equals(other["top_share_draws"])


def test_no_jitter_no_drop_reproduces_the_sql_composite(fixture_wh):
    wh, values, _ = fixture_wh
    w = scoring.Weights({"Alpha": 3.0}, {"i05": 2.0})
    scores = scoring.group_scores(wh, sorted(values["authority_code"].unique()), "2022/23", w, k=1)
    eligible = scores.councils.dropna(subset=["composite"])["authority_code"].tolist()
    matrix = stability.percentile_matrix(scores.values, eligible)
    again = stability.resampled_composites(matrix, stability.StabilitySettings(draws=1, sigma=0.0, drop_share=0.0))
    sql = scores.councils.set_index("authority_code").loc[matrix.codes, "composite"].to_numpy(float)
    np.testing.assert_allclose(again[0], sql, atol=1e-12)


# -- properties -----------------------------------------------------------------------------
def small_data():
    """Strategy: a few councils x indicators in one period, integer values (ties), some missing."""
    return st.integers(2, 8).flatmap(
        lambda n: st.integers(1, 5).flatmap(
            lambda m: st.tuples(
                st.just(n),
                st.just(m),
                st.lists(st.sampled_from(["higher", "lower"]), min_size=m, max_size=m),
                st.lists(st.sampled_from(THEMES), min_size=m, max_size=m),
                st.lists(st.one_of(st.none(), st.integers(0, 6)), min_size=n * m, max_size=n * m),
                st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=m, max_size=m),
            )
        )
    )


def frames(n, m, polarities, themes, cells, period="2022/23"):
    ind = pd.DataFrame({"indicator_id": [f"i{j}" for j in range(m)], "theme": themes, "polarity": polarities})
    rows = [
        (f"C{c}", f"i{j}", period, None if cells[c * m + j] is None else float(cells[c * m + j]))
        for c in range(n)
        for j in range(m)
    ]
    return pd.DataFrame(rows, columns=["authority_code", "indicator_id", "period", "value"]), ind


def sql_scores(values, ind, ids, weights, themes=None, theme_weights=None, threshold=0.0):
    themes = themes or sorted(set(ind["theme"]))
    theme_weights = theme_weights or [1.0] * len(themes)
    wh = FrameWarehouse(make_tables(values, ind))
    try:
        codes = sorted(values["authority_code"].unique())
        out = wh.query(
            "exemplar_scores",
            codes=codes,
            group_keys=[""] * len(codes),
            periods=["2022/23"],
            indicator_ids=ids,
            all_indicators=False,
            weight_ids=ids,
            weight_values=weights,
            themes=themes,
            theme_weights=theme_weights,
            min_completeness=threshold,
            detail=True,
        )
    finally:
        wh.close()
    return out


FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow  # hypothesis: a warehouse per example
@FAST
@given(small_data(), st.randoms(use_true_random=False))
def test_composite_does_not_depend_on_indicator_order(data, rnd):
    n, m, polarities, themes, cells, weights = data
    values, ind = frames(n, m, polarities, themes, cells)
    ids = list(ind["indicator_id"])
    first = sql_scores(values, ind, ids, weights).drop_duplicates("authority_code").set_index("authority_code")
    order = list(range(m))
    rnd.shuffle(order)
    shuffled = sql_scores(
        values.sample(frac=1, random_state=rnd.randrange(1000)),
        ind.iloc[order],
        [ids[i] for i in order],
        [weights[i] for i in order],
    )
    second = shuffled.drop_duplicates("authority_code").set_index("authority_code").loc[first.index]
    np.testing.assert_allclose(second["raw_composite"].astype(float), first["raw_composite"].astype(float), atol=1e-12)
    np.testing.assert_array_equal(second["composite_rank"].astype(float), first["composite_rank"].astype(float))


@pytest.mark.slow  # hypothesis: a warehouse per example
@FAST
@given(small_data(), st.integers(0, 7), st.integers(0, 4), st.integers(1, 5))
def test_improving_a_value_never_lowers_the_composite(data, council, indicator, step):
    n, m, polarities, themes, cells, weights = data
    c, j = council % n, indicator % m
    if cells[c * m + j] is None:
        cells = list(cells)
        cells[c * m + j] = 3
    values, ind = frames(n, m, polarities, themes, cells)
    ids = list(ind["indicator_id"])
    before = sql_scores(values, ind, ids, weights).drop_duplicates("authority_code").set_index("authority_code")
    better = values.copy()
    at = (better["authority_code"] == f"C{c}") & (better["indicator_id"] == f"i{j}")
    better.loc[at, "value"] += step if polarities[j] == "higher" else -step
    after = sql_scores(better, ind, ids, weights).drop_duplicates("authority_code").set_index("authority_code")
    assert after.loc[f"C{c}", "raw_composite"] >= before.loc[f"C{c}", "raw_composite"] - 1e-12


@pytest.mark.slow  # hypothesis: a warehouse per example
@FAST
@given(small_data(), st.integers(0, 4))
def test_flipping_polarity_mirrors_percentile_ranks(data, indicator):
    n, m, polarities, themes, cells, weights = data
    j = indicator % m
    values, ind = frames(n, m, polarities, themes, cells)
    flipped = ind.copy()
    flipped.loc[j, "polarity"] = "lower" if polarities[j] == "higher" else "higher"
    ids = list(ind["indicator_id"])
    one = sql_scores(values, ind, ids, weights)
    two = sql_scores(values, flipped, ids, weights)
    key = ["authority_code"]
    a = one[one["indicator_id"] == f"i{j}"].set_index(key).sort_index()
    b = two[two["indicator_id"] == f"i{j}"].set_index(key).loc[a.index]
    if a.empty or int(a["n_ranked"].iloc[0]) == 1:
        assert (a["pct_rank"] == 0.5).all() and (b["pct_rank"] == 0.5).all()
        return
    nr = a["n_ranked"].astype(float)
    ties = a.groupby("value")["value"].transform("size").astype(float)
    # no ties: p' = 1 - p; a tie of t councils shares the best rank both ways, so p + p' = 1 + (t-1)/(n-1)
    np.testing.assert_allclose(b["pct_rank"], 1 - a["pct_rank"] + (ties - 1) / (nr - 1), atol=1e-12)
