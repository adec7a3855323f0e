"""The composite score and completeness of every council in a peer group, and its improvement.

Everything is computed *within a peer group* (a list of authority codes) for one period. The
composite itself is computed in SQL (``dashboard/exemplars/sql/exemplar_scores.sql``, ranking
with the warehouse's ``polarity_rank`` macro); this module chooses the parameters and derives
improvement from two periods. The method is written up in ``docs/exemplar-method.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.common import catalogue, limits
from dashboard.common.periods import value_period_frame
from dashboard.exemplars.trend import TrendSettings, council_trends
from dashboard.warehouse import Warehouse

__all__ = [
    "DEFAULT_K",
    "DEFAULT_MIN_COMPLETENESS",
    "SCORE_COLUMNS",
    "GroupScores",
    "Weights",
    "base_period",
    "composite_scores",
    "default_indicators",
    "group_scores",
    "improvement",
    "period_sequence",
    "rankable_count",
    "rankable_indicators",
    "theme_slug",
]

DEFAULT_MIN_COMPLETENESS = 0.75  # the default: a council must report 3 in 4 indicators
DEFAULT_K = 3  # periods to look back for improvement: long enough to see a trend, short enough to be current


SCORE_COLUMNS = [  # per-council columns of exemplar_scores.sql
    "group_key",
    "period",
    "authority_code",
    "n_values",
    "n_applicable",
    "completeness",
    "raw_composite",
    "composite",
    "composite_rank",
    "n_composite",
]


def theme_slug(theme: str) -> str:
    """A URL-safe slug of a theme name (``w_<slug>`` is the theme weight's query key)."""
    return re.sub(r"[^a-z0-9]+", "-", theme.lower()).strip("-")


@dataclass(frozen=True)
class Weights:
    """Theme weights and indicator weights (missing entries weigh 1; 0 leaves a theme or
    indicator out). Within a council, indicator *i* of theme *t* counts
    ``theme[t] / sum(theme weights of themes where it has a value)``
    ``* indicator[i] / sum(indicator weights of its valued indicators in t)``."""

    theme: Mapping[str, float] = field(default_factory=dict)
    indicator: Mapping[str, float] = field(default_factory=dict)

    def as_params(self) -> dict[str, list]:
        """The weights as the SQL's parallel-list parameters (sorted; unlisted weigh 1)."""
        ids, themes = sorted(self.indicator), sorted(self.theme)
        return {  # a sentinel entry keeps each list typed when there is no weight to pass
            "weight_ids": ids or [""],
            "weight_values": [float(self.indicator[i]) for i in ids] or [1.0],
            "themes": themes or [""],
            "theme_weights": [float(self.theme[t]) for t in themes] or [1.0],
        }


@dataclass
class GroupScores:
    """What one peer group's scoring produced: per-council rows and per-indicator rows."""

    councils: pd.DataFrame  # one row per council: SCORE_COLUMNS
    values: pd.DataFrame  # one row per (council, indicator with a value) in the period
    period: str
    base_period: str | None
    base_values: pd.DataFrame  # the same, K periods ago (empty without a base period)
    base_councils: pd.DataFrame
    trends: pd.DataFrame | None = None  # trend.tested_trends per (council, indicator); None: not tested
    trend_settings: TrendSettings | None = None  # how ``trends`` were tested


def rankable_indicators(
    wh: Warehouse, find: str = "", chosen: Sequence[str] = (), limit: int | None = None
) -> pd.DataFrame:
    """Indicators that can enter a composite (higher/lower polarity): id, name, theme, unit,
    polarity; the first ``limit`` (default :data:`~dashboard.common.limits.FINDER_INDICATOR_LIMIT`)
    in theme order whose name, theme or code contains ``find`` (any case), plus every one of
    ``chosen``. Up to the limit, with no search, that is every rankable indicator."""
    size = limits.FINDER_INDICATOR_LIMIT if limit is None else limit
    menu = catalogue.indicator_menu(wh, find, chosen, size, rankable_only=True)
    return menu[["indicator_id", "name", "theme", "unit", "polarity"]]


def rankable_count(wh: Warehouse) -> int:
    """How many indicators can enter a composite."""
    return catalogue.indicator_count(wh, rankable_only=True)


def default_indicators(wh: Warehouse) -> list[str] | None:
    """The indicators a composite uses when none are chosen: None (every rankable one) when they
    are at most :data:`~dashboard.common.limits.FINDER_INDICATOR_LIMIT`, else the first that
    many in theme order, so one score never reads every indicator of a huge warehouse."""
    if rankable_count(wh) <= limits.FINDER_INDICATOR_LIMIT:
        return None
    return rankable_indicators(wh)["indicator_id"].tolist()


def period_sequence(wh: Warehouse, like: str | None = None) -> list[str]:
    """Periods holding values, oldest first (the sequence "K periods ago" counts back along).

    With ``like``, only the periods of the same kind as ``like``: publishers put indicators on
    different calendars (ONS mixes calendar, financial and academic years), and a calendar year
    compared with an academic year shares no indicator, so "K periods ago" counts back along
    periods of one kind, as change since the previous period does.
    """
    frame = value_period_frame(wh)
    kind = frame.loc[frame["period"] == like, "period_kind"]
    if len(kind):
        frame = frame[frame["period_kind"] == kind.iloc[0]]
    return frame["period"].tolist()[::-1]


def base_period(periods: Sequence[str], period: str, k: int) -> str | None:
    """The period ``k`` steps before ``period`` in ``periods`` (oldest first), or None."""
    if period not in periods or k < 1:
        return None
    at = list(periods).index(period) - k
    return periods[at] if at >= 0 else None


def group_scores(
    wh: Warehouse,
    codes: Sequence[str],
    period: str,
    weights: Weights | None = None,
    indicators: Sequence[str] | None = None,
    min_completeness: float = DEFAULT_MIN_COMPLETENESS,
    k: int = DEFAULT_K,
    groups: Sequence[str] | None = None,
    detail: bool = True,
    trend: TrendSettings | None = TrendSettings(),  # noqa: B008 -- frozen, so one shared default is safe
) -> GroupScores:
    """Score the peer group ``codes`` in ``period`` and ``k`` periods before (one SQL query).

    ``indicators`` limits the indicator set (default: :func:`default_indicators`). ``groups``
    (parallel to ``codes``) scores several peer groups at once, each within itself; the frames
    then carry each row's ``group_key`` (default: one group, key ""). ``detail=False`` fetches
    the per-council figures only (``values`` is then empty). ``trend`` tests each member's
    recent trend on every chosen indicator it has a value for (``trend.council_trends``: one
    more query; a trend is the council's own, the same in every group); None skips it.
    """
    keys = list(groups) if groups is not None else [""] * len(codes)
    pairs = sorted(set(zip(codes, keys, strict=True)))
    weights = weights or Weights()
    if indicators is None:
        indicators = default_indicators(wh)
    chosen = sorted(set(indicators)) if indicators is not None else []
    base = base_period(period_sequence(wh, like=period), period, k) if k > 0 else None  # k = 0: no look back
    periods = [period] + ([base] if base else [])
    long = wh.query(
        "exemplar_scores",
        codes=[c for c, _ in pairs],
        group_keys=[g for _, g in pairs],
        periods=periods,
        indicator_ids=chosen or [""],
        all_indicators=indicators is None,
        **weights.as_params(),
        min_completeness=float(min_completeness),
        detail=bool(detail),
    )
    parts = {p: long[long["period"] == p] for p in periods} if base else {period: long}

    def councils(frame: pd.DataFrame, label: str) -> pd.DataFrame:
        out = frame.drop_duplicates(["group_key", "period", "authority_code"]) if detail else frame
        return _with_members(out[SCORE_COLUMNS].reset_index(drop=True), pairs, label)

    def values(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["indicator_id"].notna()].reset_index(drop=True) if detail else frame.iloc[0:0]

    now = parts[period]
    now_values = values(now)
    trends = None
    if trend is not None:
        # the indicators that enter the composite: those valued now (detail), else every chosen one
        # with weight (the series query returns only series with a value now: the same set)
        chosen_now = now_values["indicator_id"].unique().tolist() if detail else _weighted(wh, indicators, weights)
        trends = council_trends(wh, [c for c, _ in pairs], period, chosen_now, trend)
    tested_with = trend if trends is not None else None
    if base is None:  # nothing to compare with: empty frames of the same shape
        return GroupScores(
            councils=councils(now, period),
            values=now_values,
            period=period,
            base_period=None,
            base_values=now.iloc[0:0],
            base_councils=now.iloc[0:0][SCORE_COLUMNS],
            trends=trends,
            trend_settings=tested_with,
        )
    return GroupScores(
        councils=councils(now, period),
        values=now_values,
        period=period,
        base_period=base,
        base_values=values(parts[base]),
        base_councils=councils(parts[base], base),
        trends=trends,
        trend_settings=tested_with,
    )


def _weighted(wh: Warehouse, indicators: Sequence[str] | None, weights: Weights) -> list[str]:
    """The chosen rankable indicators whose own and theme weight are above 0 (as the SQL chooses)."""
    catalogue = rankable_indicators(wh, chosen=indicators or ())  # None: every one, within the limit
    if indicators is not None:
        catalogue = catalogue[catalogue["indicator_id"].isin(list(indicators))]
    keep = [
        weights.indicator.get(i, 1.0) > 0 and weights.theme.get(t, 1.0) > 0
        for i, t in zip(catalogue["indicator_id"], catalogue["theme"], strict=True)
    ]
    return catalogue.loc[keep, "indicator_id"].tolist()


def _with_members(councils: pd.DataFrame, pairs: Sequence[tuple[str, str]], period: str) -> pd.DataFrame:
    """Every member listed, even when no chosen indicator applies to its group (no rows at all)."""
    missing = sorted(set(pairs) - set(zip(councils["authority_code"], councils["group_key"], strict=True)))
    if not missing:
        return councils
    extra = pd.DataFrame(
        {
            "group_key": [g for _, g in missing],
            "period": period,
            "authority_code": [c for c, _ in missing],
            "n_values": 0,
            "n_applicable": 0,
            "completeness": 0.0,
        }
    )
    return pd.concat([councils, extra], ignore_index=True)


def composite_scores(
    wh: Warehouse,
    codes: Sequence[str],
    period: str,
    weights: Weights | None = None,
    indicators: Sequence[str] | None = None,
    min_completeness: float = DEFAULT_MIN_COMPLETENESS,
) -> pd.DataFrame:
    """Composite, completeness and rank of each council in the group ``codes`` in ``period``.

    Columns: authority_code, composite (NULL below ``min_completeness``), completeness,
    n_values, n_applicable, raw_composite, composite_rank, n_composite.
    """
    scores = group_scores(wh, codes, period, weights, indicators, min_completeness, k=0, detail=False, trend=None)
    return scores.councils.drop(columns=["period", "group_key"])


def improvement(scores: GroupScores) -> pd.DataFrame:
    """Per council: indicators improving / worsening / unchanged between the base period and now
    (polarity-aware; only indicators with a value in both), and the composite's change.

    Columns: authority_code, improving, worsening, unchanged, compared, composite_then,
    composite_change (NaN when either composite is missing).
    """
    key = ["group_key", "authority_code"]
    now = scores.values[[*key, "indicator_id", "polarity", "value"]]
    then = scores.base_values[[*key, "indicator_id", "value"]]
    both = now.merge(then, on=[*key, "indicator_id"], suffixes=("", "_then"))
    sign = np.where(both["polarity"] == "lower", -1.0, 1.0)
    delta = sign * (both["value"] - both["value_then"])
    both = both.assign(improving=delta > 0, worsening=delta < 0, unchanged=delta == 0)
    counts = both.groupby(key)[["improving", "worsening", "unchanged"]].sum()
    counts["compared"] = counts.sum(axis=1)
    out = scores.councils[[*key, "composite"]].merge(counts.reset_index(), on=key, how="left")
    for column in ("improving", "worsening", "unchanged", "compared"):
        out[column] = out[column].fillna(0).astype(int)
    then_composite = scores.base_councils[[*key, "composite"]].rename(columns={"composite": "composite_then"})
    out = out.merge(then_composite, on=key, how="left")
    out["composite_change"] = out["composite"] - out["composite_then"]
    return out.drop(columns="composite")
