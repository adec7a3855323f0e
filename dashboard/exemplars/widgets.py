"""The exemplar pages' shared widgets: period, authority type and region, and method settings,
every one kept in the URL through ``dashboard.common.urlstate`` (so a shortlist can be
reproduced from its link).

Query keys: ``period``, ``type``, ``region``, ``indicators``, ``w_<theme-slug>`` (theme
weights), ``wi_<indicator_id>`` (indicator weights), ``completeness`` and ``top`` (per cent),
``k``, ``improving``, ``improvement`` (``trend``: the tested trend, default; ``endpoints``: the
two end points K periods apart), ``points`` (the trend's recent points), ``maturity``, ``draws``,
``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.common.text import markdown
from dashboard.common.urlstate import url_multiselect, url_number, url_selectbox, url_toggle
from dashboard.exemplars.finder import ALL_REGIONS
from dashboard.exemplars.rule import IMPROVEMENT_METHODS, TESTED_TREND, ExemplarRule
from dashboard.exemplars.scoring import DEFAULT_K, Weights, period_sequence, rankable_indicators, theme_slug
from dashboard.exemplars.stability import DEFAULT_DRAWS, DEFAULT_SEED, StabilitySettings
from dashboard.exemplars.trend import DEFAULT_MIN_POINTS, DEFAULT_POINTS, MIN_POSSIBLE_POINTS, TrendSettings
from dashboard.warehouse import Warehouse

__all__ = ["Method", "choose_method", "choose_period", "choose_type_and_region", "weights_table"]

MAX_WEIGHT = 10.0  # a theme counting ten times another is already extreme
WEIGHT_STEP = 0.5  # halves are as fine as anyone argues weights
MAX_DRAWS = 2000  # keeps one page view under a few seconds at national scale
MAX_K = 11  # the demo holds twelve periods
MAX_POINTS = 12  # a "recent" trend over more than a dozen years is not recent


@dataclass(frozen=True)
class Method:
    """The method choices made on the page."""

    indicators: list[str]
    weights: Weights
    rule: ExemplarRule
    settings: StabilitySettings
    use_maturity: bool


def choose_period(wh: Warehouse, container: Any = st) -> str:
    """The period select (latest first, default latest); stops the page when there is no data."""
    periods = period_sequence(wh)
    if not periods:
        st.warning("The warehouse holds no indicator values yet.")
        st.stop()
    return url_selectbox("Period", periods[::-1], key="period", default=periods[-1], container=container)


def choose_type_and_region(candidates: pd.DataFrame, container: Any = st) -> tuple[str, str]:
    """The authority type (``type``, default the commonest) and region (``region``, default
    :data:`~dashboard.exemplars.finder.ALL_REGIONS`) among ``candidates`` (the period's councils)."""
    types = candidates["authority_type"].value_counts()
    kind = url_selectbox(
        "Authority type",
        sorted(types.index),
        key="type",
        default=types.index[0] if len(types) else None,
        container=container,
    )
    regions = sorted(candidates.loc[candidates["authority_type"] == kind, "region"].dropna().unique())
    region = url_selectbox("Region", [ALL_REGIONS, *regions], key="region", default=ALL_REGIONS, container=container)
    return kind, region


def _weight(name: str, key: str, container: Any) -> float:
    """One weight (0 to :data:`MAX_WEIGHT`, default 1) kept in the URL under ``key``; ``name``
    (a theme or indicator name from the data) is its label."""
    return float(
        url_number(
            markdown(name),
            key=key,
            default=1.0,
            min_value=0.0,
            max_value=MAX_WEIGHT,
            step=WEIGHT_STEP,
            container=container,
        )
    )


def choose_method(wh: Warehouse, container: Any = st, resampling: bool = True) -> Method:
    """Indicator set, theme and indicator weights, rule thresholds and resampling settings."""
    catalogue = rankable_indicators(wh)
    names = dict(zip(catalogue["indicator_id"], catalogue["name"], strict=True))
    box = container.expander("Method: indicators, weights and rule", expanded=False)
    indicators = url_multiselect(
        "Indicators (neutral ones are never ranked)",
        catalogue["indicator_id"].tolist(),
        key="indicators",
        default=catalogue["indicator_id"].tolist(),
        format_func=lambda i: names.get(i, i),
        container=box,
    )
    chosen = catalogue[catalogue["indicator_id"].isin(indicators)]
    box.markdown("**Theme weights** (0 leaves a theme out; default equal)")
    theme_weights = {theme: _weight(theme, f"w_{theme_slug(theme)}", box) for theme in sorted(chosen["theme"].unique())}
    box.markdown("**Indicator weights** within their theme (default 1)")
    indicator_weights = {
        str(row.indicator_id): _weight(str(row.name), f"wi_{row.indicator_id}", box)
        for row in chosen.itertuples(index=False)
    }
    box.markdown("**Exemplar rule**")
    completeness = url_number(
        "Minimum completeness (%)", key="completeness", default=75, min_value=0, max_value=100, step=5, container=box
    )
    top = url_number(
        "Top share of the peer group (%)", key="top", default=25, min_value=5, max_value=50, step=5, container=box
    )
    k = url_number(
        "Improvement over the last K periods",
        key="k",
        default=DEFAULT_K,
        min_value=1,
        max_value=MAX_K,
        step=1,
        container=box,
    )
    improving = url_toggle("Require improvement", key="improving", default=True, container=box)
    improvement = url_selectbox(
        "How improvement is decided",
        list(IMPROVEMENT_METHODS),
        key="improvement",
        default=TESTED_TREND,
        format_func=lambda m: IMPROVEMENT_METHODS[m],
        container=box,
    )
    points = int(
        url_number(
            "Tested trend: most recent points",
            key="points",
            default=DEFAULT_POINTS,
            min_value=MIN_POSSIBLE_POINTS,
            max_value=MAX_POINTS,
            step=1,
            container=box,
        )
    )
    use_maturity = url_toggle(
        "Require self-assessment maturity above the peer median", key="maturity", default=True, container=box
    )
    draws, seed = float(DEFAULT_DRAWS), float(DEFAULT_SEED)
    if resampling:
        draws = url_number(
            "Stability resamples",
            key="draws",
            default=DEFAULT_DRAWS,
            min_value=20,
            max_value=MAX_DRAWS,
            step=20,
            container=box,
        )
        seed = url_number(
            "Resampling seed", key="seed", default=DEFAULT_SEED, min_value=0, max_value=2**31 - 1, step=1, container=box
        )
    rule = ExemplarRule(
        top_share=top / 100,
        min_completeness=completeness / 100,
        k=int(k),
        require_improving=improving,
        require_maturity=use_maturity,
        improvement=improvement,
        trend=TrendSettings(points=points, min_points=min(DEFAULT_MIN_POINTS, points)),
    )
    return Method(
        indicators=sorted(indicators),
        weights=Weights(theme=theme_weights, indicator=indicator_weights),
        rule=rule,
        settings=StabilitySettings(draws=int(draws), seed=int(seed), top_share=rule.top_share),
        use_maturity=use_maturity,
    )


def weights_table(wh: Warehouse, method: Method) -> pd.DataFrame:
    """The weights in use, one row per chosen indicator: theme, theme weight, indicator weight
    and its nominal share of the composite (when a council has every value)."""
    catalogue = rankable_indicators(wh)
    chosen = catalogue[catalogue["indicator_id"].isin(method.indicators)].copy()
    chosen["theme_weight"] = [float(method.weights.theme.get(t, 1.0)) for t in chosen["theme"]]
    chosen["indicator_weight"] = [float(method.weights.indicator.get(i, 1.0)) for i in chosen["indicator_id"]]
    chosen = chosen.astype({"theme_weight": float, "indicator_weight": float})
    live = chosen[(chosen["theme_weight"] > 0) & (chosen["indicator_weight"] > 0)]
    theme_total = live.drop_duplicates("theme")["theme_weight"].sum()
    within = live.groupby("theme")["indicator_weight"].transform("sum")
    chosen["share_of_composite"] = live["theme_weight"] / theme_total * live["indicator_weight"] / within
    chosen["share_of_composite"] = chosen["share_of_composite"].fillna(0.0)
    return chosen[["theme", "name", "polarity", "theme_weight", "indicator_weight", "share_of_composite"]]
