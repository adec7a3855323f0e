"""The exemplar pages' shared widgets: period, authority type and region, and method settings,
every one kept in the URL through ``dashboard.common.urlstate`` (so a shortlist can be
reproduced from its link).

Query keys: ``period``, ``type``, ``region``, ``indicators``, ``w_<theme-slug>`` (theme
weights), ``wi_<indicator_id>`` (indicator weights), ``completeness`` and ``top`` (per cent),
``k``, ``improving``, ``improvement`` (``trend``: the tested trend, default; ``endpoints``: the
two end points K periods apart), ``points`` (the trend's recent points), ``maturity``, ``draws``,
``seed``. The method's keys are written only when they differ from their defaults, so the
default view's link carries none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.common import limits
from dashboard.common.periods import full_period, value_period_frame
from dashboard.common.text import markdown
from dashboard.common.urlstate import url_multiselect, url_number, url_selectbox, url_text, url_toggle
from dashboard.exemplars.finder import ALL_REGIONS
from dashboard.exemplars.rule import IMPROVEMENT_METHODS, TESTED_TREND, ExemplarRule
from dashboard.exemplars.scoring import (
    DEFAULT_K,
    Weights,
    rankable_count,
    rankable_indicators,
    theme_slug,
)
from dashboard.exemplars.stability import DEFAULT_DRAWS, DEFAULT_SEED, StabilitySettings
from dashboard.exemplars.trend import DEFAULT_MIN_POINTS, DEFAULT_POINTS, MIN_POSSIBLE_POINTS, TrendSettings
from dashboard.warehouse import Warehouse

__all__ = [
    "DEFAULT_WEIGHT",
    "Method",
    "changed_weights_text",
    "choose_indicator_weights",
    "choose_method",
    "choose_period",
    "choose_theme_weights",
    "choose_type_and_region",
    "reset_weights",
    "weight_keys",
    "weights_table",
]

DEFAULT_WEIGHT = 1.0  # equal weights: every theme counts the same, every indicator the same in its theme
MAX_WEIGHT = 10.0  # a theme counting ten times another is already extreme
WEIGHT_STEP = 0.5  # halves are as fine as anyone argues weights
MAX_DRAWS = 2000  # keeps one page view under a few seconds at national scale
MAX_K = 11  # the demo holds twelve periods
MAX_POINTS = 12  # a "recent" trend over more than a dozen years is not recent
WEIGHTS_PER_ROW = 4  # weight controls side by side: theme names stay readable at 1366 px
INDICATOR_WEIGHTS_OPEN = "indicator_weights_open"  # the indicator-weights expander's state (open or not)
INDICATOR_WEIGHTS_LABEL = "Indicator weights within each theme"


@dataclass(frozen=True)
class Method:
    """The method choices made on the page."""

    indicators: list[str]
    weights: Weights
    rule: ExemplarRule
    settings: StabilitySettings
    use_maturity: bool


def choose_period(wh: Warehouse, container: Any = st) -> str:
    """The period select (latest first); stops the page when there is no data. The default is the
    newest period with values for at least half as many indicators as the fullest one
    (:func:`~dashboard.common.periods.full_period`): a composite of one indicator is no ranking."""
    frame = value_period_frame(wh)
    if frame.empty:
        st.warning("The warehouse holds no indicator values yet.")
        st.stop()
    default = full_period(frame["period"], frame["indicators"])
    return url_selectbox("Period", frame["period"].tolist(), key="period", default=default, container=container)


def choose_type_and_region(
    candidates: pd.DataFrame, container: Any = st, region_container: Any = None
) -> tuple[str, str]:
    """The authority type (``type``, default the commonest) and region (``region``, default
    :data:`~dashboard.exemplars.finder.ALL_REGIONS`) among ``candidates`` (the period's councils);
    the region goes in ``region_container`` when given (side by side), else under the type."""
    types = candidates["authority_type"].value_counts()
    kind = url_selectbox(
        "Authority type",
        sorted(types.index),
        key="type",
        default=types.index[0] if len(types) else None,
        container=container,
    )
    regions = sorted(candidates.loc[candidates["authority_type"] == kind, "region"].dropna().unique())
    region = url_selectbox(
        "Region", [ALL_REGIONS, *regions], key="region", default=ALL_REGIONS, container=region_container or container
    )
    return kind, region


def _weight(name: str, key: str, container: Any) -> float:
    """One weight (0 to :data:`MAX_WEIGHT`, default :data:`DEFAULT_WEIGHT`) kept in the URL under
    ``key`` only when changed; ``name`` (a theme or indicator name from the data) is its label."""
    return float(
        url_number(
            markdown(name),
            key=key,
            default=DEFAULT_WEIGHT,
            min_value=0.0,
            max_value=MAX_WEIGHT,
            step=WEIGHT_STEP,
            container=container,
            omit_default=True,
        )
    )


def weight_keys(themes: Sequence[str], indicators: Sequence[str]) -> list[str]:
    """The URL keys of the weights of ``themes`` and ``indicators``: ``w_<theme-slug>``, ``wi_<id>``."""
    return [f"w_{theme_slug(t)}" for t in themes] + [f"wi_{i}" for i in indicators]


def _current_weight(key: str) -> float:
    """The weight under ``key`` as the reader left it (the widget's state) or as the link gives
    it, without drawing a widget; :data:`DEFAULT_WEIGHT` when neither says, or when the link's
    text is not a weight (the widget, once drawn, says so with a notice)."""
    if key in st.session_state:
        return float(st.session_state[key])
    try:
        value = float(st.query_params.get(key, DEFAULT_WEIGHT))
    except ValueError:
        return DEFAULT_WEIGHT
    return value if 0.0 <= value <= MAX_WEIGHT else DEFAULT_WEIGHT


def reset_weights(keys: Sequence[str]) -> None:
    """Every weight in ``keys`` back to equal (:data:`DEFAULT_WEIGHT`) and out of the URL: the
    "Reset to equal" button's action (a callback, so it runs before the widgets are drawn)."""
    for key in keys:
        st.session_state[key] = DEFAULT_WEIGHT
        if key in st.query_params:
            del st.query_params[key]


def _columns(container: Any, count: int) -> list[Any]:
    """Up to :data:`WEIGHTS_PER_ROW` columns for ``count`` controls (fewer when there are fewer)."""
    return list(container.columns(max(1, min(count, WEIGHTS_PER_ROW))))


def choose_theme_weights(themes: Sequence[str], container: Any = st) -> dict[str, float]:
    """One weight control per theme, side by side (``w_<theme-slug>``)."""
    if not themes:
        return {}
    cells = _columns(container, len(themes))
    return {theme: _weight(theme, f"w_{theme_slug(theme)}", cells[n % len(cells)]) for n, theme in enumerate(themes)}


def choose_indicator_weights(chosen: pd.DataFrame, container: Any = st, boxed: bool = False) -> dict[str, float]:
    """Per-indicator weights within their theme (``wi_<id>``), grouped by theme, behind an
    expander; ``chosen`` has indicator_id, name, theme.

    The expander draws its controls only while open (``on_change="rerun"``): a page with dozens
    of indicators does not draw dozens of inputs nobody opened. Closed, the weights are the ones
    the reader set or the link gives (:func:`_current_weight`). Its label never changes (a new
    label would be a new expander, closed again). ``boxed``: the controls go straight into
    ``container``, which is already an expander (expanders cannot nest).
    """
    current = {str(i): _current_weight(f"wi_{i}") for i in chosen["indicator_id"]}
    if boxed:
        box = container
        box.markdown(f"**{INDICATOR_WEIGHTS_LABEL}**")
    else:
        box = container.expander(INDICATOR_WEIGHTS_LABEL, key=INDICATOR_WEIGHTS_OPEN, on_change="rerun")
        if not box.open:
            return current
    weights: dict[str, float] = {}
    for theme, rows in chosen.groupby("theme", sort=True):
        box.markdown(f"*{markdown(theme)}*")
        cells = _columns(box, len(rows))
        for n, row in enumerate(rows.itertuples(index=False)):
            weights[str(row.indicator_id)] = _weight(str(row.name), f"wi_{row.indicator_id}", cells[n % len(cells)])
    return weights


def changed_weights_text(themes: Sequence[str], indicators: Sequence[str]) -> str:
    """ "2 theme weights and 1 indicator weight changed from equal", or "" when none is."""
    counts = [
        (sum(_current_weight(f"w_{theme_slug(t)}") != DEFAULT_WEIGHT for t in themes), "theme weight"),
        (sum(_current_weight(f"wi_{i}") != DEFAULT_WEIGHT for i in indicators), "indicator weight"),
    ]
    parts = [f"{n} {what}{'s' if n != 1 else ''}" for n, what in counts if n]
    return f"{' and '.join(parts)} changed from equal" if parts else ""


def choose_method(wh: Warehouse, container: Any = st, resampling: bool = True, boxed: bool = False) -> Method:
    """Theme weights on the page (one control each, a "Reset to equal" button), indicator
    weights behind an expander, and the indicator set, rule thresholds and resampling settings
    behind another; ``boxed``: all of it straight into ``container`` (an expander the caller
    made: expanders cannot nest). Only values that differ from their defaults go in the URL."""
    weights_area = container.container()  # drawn above the rule, filled once the indicators are known
    rule_box = container if boxed else container.expander("Rule, indicators and resampling", expanded=False)
    indicators, catalogue = _choose_indicators(wh, rule_box)
    chosen = catalogue[catalogue["indicator_id"].isin(indicators)]
    themes = sorted(chosen["theme"].unique())
    keys = weight_keys(themes, chosen["indicator_id"].tolist())
    heading, reset = weights_area.columns([4, 1], vertical_alignment="bottom")
    changed = changed_weights_text(themes, chosen["indicator_id"].tolist())
    heading.markdown(
        "**Theme weights** (0 leaves a theme out; equal by default" + (f"; {changed})" if changed else ")")
    )
    reset.button("Reset to equal", key="reset_weights", on_click=reset_weights, args=(keys,), disabled=not changed)
    theme_weights = choose_theme_weights(themes, weights_area)
    indicator_weights = choose_indicator_weights(chosen, weights_area, boxed)
    rule, settings = _choose_rule(rule_box, resampling)
    return Method(
        indicators=sorted(indicators),
        weights=Weights(theme=theme_weights, indicator=indicator_weights),
        rule=rule,
        settings=settings,
        use_maturity=rule.require_maturity,
    )


def _choose_indicators(wh: Warehouse, box: Any) -> tuple[list[str], pd.DataFrame]:
    """The indicator set (URL key ``indicators``, default every rankable one) and the catalogue
    rows it was chosen from. More rankable indicators than
    :data:`~dashboard.common.limits.FINDER_INDICATOR_LIMIT`: the default is the first that many
    in theme order, at most that many can be chosen, a search (URL key ``find``) lists others to
    add, and a notice says so."""
    limit = limits.FINDER_INDICATOR_LIMIT
    total = rankable_count(wh)
    defaults = rankable_indicators(wh)
    default_ids = defaults["indicator_id"].tolist()
    find, capped = "", total > limit
    if capped:
        find = url_text(
            "Find indicators to add", key="find", placeholder="Part of a name, theme or code", container=box
        ).strip()
    current = st.session_state.get("indicators")
    if current is None:
        current = [i for i in (st.query_params.get("indicators") or "").split(",") if i]
    found = rankable_indicators(wh, find, chosen=current, limit=limits.MENU_LIMIT) if find else defaults.iloc[0:0]
    known = rankable_indicators(wh, chosen=current, limit=0) if current else defaults.iloc[0:0]
    catalogue = pd.concat([defaults, found, known]).drop_duplicates("indicator_id")
    catalogue = catalogue.sort_values(["theme", "name", "indicator_id"]).reset_index(drop=True)
    names = dict(zip(catalogue["indicator_id"], catalogue["name"], strict=True))
    indicators = url_multiselect(
        "Indicators (neutral ones are never ranked)",
        catalogue["indicator_id"].tolist(),
        key="indicators",
        default=default_ids,
        format_func=lambda i: names.get(i, i),
        container=box,
        omit_default=True,
        max_selections=limit if capped else None,
    )
    if capped:
        st.info(
            f"{total:,} indicators can be ranked; the finder scores up to {limit:,} at once, so it "
            f"starts with the first {limit:,} in theme order. To score others, find them by name, theme "
            "or code beside the indicators chosen (with the rule settings), removing some to make room."
        )
    return indicators, catalogue


def _choose_rule(box: Any, resampling: bool) -> tuple[ExemplarRule, StabilitySettings]:
    """The rule's thresholds and the resampling settings (defaults left out of the URL)."""
    completeness = url_number(
        "Minimum completeness (%)",
        key="completeness",
        default=75,
        min_value=0,
        max_value=100,
        step=5,
        container=box,
        omit_default=True,
    )
    top = url_number(
        "Top share of the peer group (%)",
        key="top",
        default=25,
        min_value=5,
        max_value=50,
        step=5,
        container=box,
        omit_default=True,
    )
    k = url_number(
        "Improvement over the last K periods",
        key="k",
        default=DEFAULT_K,
        min_value=1,
        max_value=MAX_K,
        step=1,
        container=box,
        omit_default=True,
    )
    improving = url_toggle("Require improvement", key="improving", default=True, container=box, omit_default=True)
    improvement = url_selectbox(
        "How improvement is decided",
        list(IMPROVEMENT_METHODS),
        key="improvement",
        default=TESTED_TREND,
        format_func=lambda m: IMPROVEMENT_METHODS[m],
        container=box,
        omit_default=True,
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
            omit_default=True,
        )
    )
    use_maturity = url_toggle(
        "Require self-assessment maturity above the peer median",
        key="maturity",
        default=True,
        container=box,
        omit_default=True,
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
            omit_default=True,
        )
        seed = url_number(
            "Resampling seed",
            key="seed",
            default=DEFAULT_SEED,
            min_value=0,
            max_value=2**31 - 1,
            step=1,
            container=box,
            omit_default=True,
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
    return rule, StabilitySettings(draws=int(draws), seed=int(seed), top_share=rule.top_share)


def weights_table(wh: Warehouse, method: Method) -> pd.DataFrame:
    """The weights in use, one row per chosen indicator: theme, theme weight, indicator weight
    and its nominal share of the composite (when a council has every value)."""
    catalogue = rankable_indicators(wh, chosen=method.indicators, limit=0)
    chosen = catalogue[catalogue["indicator_id"].isin(method.indicators)].copy()
    chosen["theme_weight"] = [float(method.weights.theme.get(t, DEFAULT_WEIGHT)) for t in chosen["theme"]]
    chosen["indicator_weight"] = [
        float(method.weights.indicator.get(i, DEFAULT_WEIGHT)) for i in chosen["indicator_id"]
    ]
    chosen = chosen.astype({"theme_weight": float, "indicator_weight": float})
    live = chosen[(chosen["theme_weight"] > 0) & (chosen["indicator_weight"] > 0)]
    theme_total = live.drop_duplicates("theme")["theme_weight"].sum()
    within = live.groupby("theme")["indicator_weight"].transform("sum")
    chosen["share_of_composite"] = live["theme_weight"] / theme_total * live["indicator_weight"] / within
    chosen["share_of_composite"] = chosen["share_of_composite"].fillna(0.0)
    return chosen[["theme", "name", "polarity", "theme_weight", "indicator_weight", "share_of_composite"]]
