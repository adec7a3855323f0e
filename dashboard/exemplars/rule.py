"""The exemplar rule: top of the peer group AND improving AND complete AND (with self-assessment)
mature, applied to a group's scores, with the reasons in words and the near misses.

The method is written up in ``docs/exemplar-method.md``. The maturity condition uses the
self-assessment disclosure rule (``common.disclosure``): the peer median maturity is quoted only
when enough councils responded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.common.disclosure import peer_stat_allowed
from dashboard.exemplars.scoring import DEFAULT_K, DEFAULT_MIN_COMPLETENESS, GroupScores, improvement
from dashboard.exemplars.trend import TrendSettings, council_trend_counts, level_text

__all__ = [
    "CONDITIONS",
    "DEFAULT_TOP_SHARE",
    "ENDPOINTS",
    "IMPROVEMENT_METHODS",
    "NEAR_MISS_REACH",
    "TESTED_TREND",
    "STABLE_SHARE",
    "ExemplarRule",
    "evaluate",
    "near_misses",
]

DEFAULT_TOP_SHARE = 0.25  # "top quartile"
STABLE_SHARE = 0.8  # "stable" when in the top quartile in at least 4 of 5 resamples
NEAR_MISS_REACH = 2  # a near miss ranks within twice the top share (the top half for a top quartile)
TESTED_TREND, ENDPOINTS = "trend", "endpoints"  # how "improving" is decided (the finder's ``improvement`` key)
IMPROVEMENT_METHODS = {
    TESTED_TREND: "Tested trend (significant change over the recent points)",
    ENDPOINTS: "Two end points (now against K periods ago)",
}
TREND_COUNTS = ["trend_improving", "trend_worsening", "trend_tested", "trend_wls", "trend_mk"]
CONDITIONS = ("cond_top", "cond_improving", "cond_complete", "cond_maturity")  # evaluate()'s columns, all needed


@dataclass(frozen=True)
class ExemplarRule:
    """The exemplar rule's conditions; every default is the issue's."""

    top_share: float = DEFAULT_TOP_SHARE  # composite percentile rank >= 1 - top_share
    min_completeness: float = DEFAULT_MIN_COMPLETENESS
    k: int = DEFAULT_K
    require_improving: bool = True
    require_maturity: bool = True  # only applied when self-assessment results are available
    improvement: str = TESTED_TREND  # TESTED_TREND or ENDPOINTS
    trend: TrendSettings = field(default_factory=TrendSettings)

    def __post_init__(self) -> None:
        if self.improvement not in IMPROVEMENT_METHODS:
            raise ValueError(f"improvement must be one of {sorted(IMPROVEMENT_METHODS)}, not {self.improvement!r}")

    @property
    def tests_trend(self) -> bool:
        """True when "improving" is the tested trend (the scores must carry trends)."""
        return self.require_improving and self.improvement == TESTED_TREND

    @property
    def trend_to_score(self) -> TrendSettings | None:
        """What ``scoring.group_scores(trend=...)`` needs for this rule: its trend settings when it
        tests the trend, else None (the end-point rule needs no trend, so the query is skipped)."""
        return self.trend if self.tests_trend else None

    def describe(self) -> str:
        """The rule in one sentence (for captions and exports)."""
        parts = [
            f"composite in the top {self.top_share:.0%} of the peer group",
            f"completeness at least {self.min_completeness:.0%}",
        ]
        if self.tests_trend:
            parts.append(
                "improving: more indicators with a significant improving trend than a significant "
                f"worsening one ({self.trend.describe()})"
            )
        elif self.require_improving:
            parts.append(
                f"improving over the last {self.k} periods (composite not lower than "
                f"{self.k} periods ago and more indicators improving than worsening)"
            )
        if self.require_maturity:
            parts.append("mean self-assessment maturity above the peer median (when available)")
        return "; ".join(parts)

    def requirement(self, condition: str) -> str:
        """What passing ``condition`` needs, in :meth:`describe`'s words (a near miss quotes it
        beside the figure that failed). ``condition`` is one of :data:`CONDITIONS`.

        Raises:
            KeyError: ``condition`` is not one of the rule's conditions.
        """
        improving = (
            "more indicators with a significant improving trend than a significant worsening one"
            if self.improvement == TESTED_TREND
            else f"composite not lower than {self.k} periods ago and more indicators improving than worsening"
        )
        return {
            "cond_top": f"composite in the top {self.top_share:.0%} of the peer group",
            "cond_complete": f"completeness at least {self.min_completeness:.0%}",
            "cond_improving": improving,
            "cond_maturity": "mean self-assessment maturity above the peer median",
        }[condition]


def evaluate(
    scores: GroupScores,
    rule: ExemplarRule,
    maturity: pd.DataFrame | None = None,
    stability: pd.DataFrame | None = None,
    explain: bool = True,
) -> pd.DataFrame:
    """Apply ``rule`` to every council of the group: one row per council with each condition,
    ``is_exemplar``, ``failed`` (conditions not met, in words) and ``reason`` (in words).

    ``maturity`` (authority_code, mean_maturity) enables the maturity condition when the rule
    asks for it; ``stability`` (authority_code, rank_p05, rank_p95, top_share_draws) adds the
    stability phrase and columns. When the scores carry tested trends, the columns
    trend_improving, trend_worsening, trend_tested, trend_wls and trend_mk count them per council
    (the tested-trend condition reads them). ``explain=False`` leaves out ``failed``,
    ``n_failed`` and ``reason`` (the verdicts alone, for many groups at once).

    Raises:
        ValueError: the rule tests the trend but ``scores`` were computed without
            ``rule.trend`` (``scoring.group_scores(trend=rule.trend)``).
    """
    if rule.tests_trend and (scores.trends is None or scores.trend_settings != rule.trend):
        raise ValueError("the rule tests the trend: score the group with group_scores(..., trend=rule.trend)")
    key = ["group_key", "authority_code"]
    table = scores.councils.merge(improvement(scores), on=key, how="left")
    if scores.trends is not None:
        table = table.merge(council_trend_counts(scores.trends), on="authority_code", how="left")
        table[TREND_COUNTS] = table[TREND_COUNTS].fillna(0).astype(int)
    table = table.merge(_indicator_tops(scores.values, rule.top_share), on=key, how="left")
    table["top_indicators"] = table["top_indicators"].fillna(0).astype(int)
    n = table["n_composite"].fillna(0)
    rank = table["composite_rank"]
    table["composite_pct"] = np.where(n > 1, (n - rank) / (n - 1).clip(lower=1), 0.5)
    table.loc[table["composite"].isna(), "composite_pct"] = np.nan
    table["cond_complete"] = table["completeness"] >= rule.min_completeness
    table["cond_top"] = table["cond_complete"] & (table["composite_pct"] >= 1 - rule.top_share)
    if rule.tests_trend:
        improving = table["trend_improving"] > table["trend_worsening"]
    else:
        improving = (table["composite_change"] >= 0) & (table["improving"] > table["worsening"])
    table["cond_improving"] = improving.fillna(False).astype(bool) if rule.require_improving else True
    use_maturity = rule.require_maturity and maturity is not None
    if use_maturity and maturity is not None:
        m = maturity[["authority_code", "mean_maturity"]].drop_duplicates("authority_code")
        table = table.merge(m, on="authority_code", how="left")
        # median of the group's councils that have a maturity (NaN are skipped)
        table["maturity_median"] = table.groupby("group_key")["mean_maturity"].transform("median")
        # the self-assessment disclosure rule: a peer statistic needs enough respondents
        respondents = table.groupby("group_key")["mean_maturity"].transform("count")
        table["maturity_median_shown"] = respondents.map(peer_stat_allowed)
        table["cond_maturity"] = (table["mean_maturity"] > table["maturity_median"]).fillna(False).astype(bool)
    else:
        table["cond_maturity"] = True
    if stability is not None:
        table = table.merge(stability, on="authority_code", how="left")
    conditions = ["cond_top", "cond_improving", "cond_complete", "cond_maturity"]
    table["is_exemplar"] = table[conditions].all(axis=1)
    if explain:
        table["failed"] = table.apply(lambda row: _failed(row, rule, use_maturity), axis=1)
        table["n_failed"] = table["failed"].map(len)
        table["reason"] = table.apply(lambda row: _reason(row, rule, use_maturity), axis=1)
        table["failed"] = table["failed"].map("; ".join)
    return table.sort_values(
        ["is_exemplar", "composite_rank", "authority_code"], ascending=[False, True, True], na_position="last"
    ).reset_index(drop=True)


def _indicator_tops(values: pd.DataFrame, top_share: float) -> pd.DataFrame:
    """Per council: how many of its indicators sit in the group's top ``top_share``."""
    tops = values.assign(top=values["pct_rank"] >= 1 - top_share)
    return tops.groupby(["group_key", "authority_code"], as_index=False).agg(top_indicators=("top", "sum"))


def _failed(row: pd.Series, rule: ExemplarRule, use_maturity: bool) -> list[str]:
    failed = []
    if not row["cond_complete"]:
        failed.append(f"incomplete: {row['completeness']:.0%} < {rule.min_completeness:.0%}")
    elif pd.isna(row["composite_rank"]):  # complete by the threshold (0 allows it) but nothing to score
        failed.append("no composite: no values of the chosen indicators")
    elif not row["cond_top"]:
        failed.append(
            f"not in the top {rule.top_share:.0%} (rank {int(row['composite_rank'])} of {int(row['n_composite'])})"
        )
    if rule.tests_trend and not row["cond_improving"]:
        if not row["trend_tested"]:
            failed.append(f"no trend could be tested (fewer than {rule.trend.min_points} points)")
        else:
            failed.append(
                f"not more indicators improving significantly ({int(row['trend_improving'])}) "
                f"than worsening significantly ({int(row['trend_worsening'])})"
            )
    elif rule.require_improving and not row["cond_improving"]:
        if pd.isna(row.get("composite_change")):
            failed.append(f"no composite {rule.k} periods ago to compare with")
        elif row["composite_change"] < 0:
            failed.append(f"composite fell by {-row['composite_change']:.3f} over {rule.k} periods")
        else:
            failed.append(
                f"not more indicators improving ({int(row['improving'])}) than worsening ({int(row['worsening'])})"
            )
    if use_maturity and not row["cond_maturity"]:
        if pd.isna(row.get("mean_maturity")):
            failed.append("no published self-assessment")
        else:
            failed.append(f"maturity {row['mean_maturity']:.2f} not above the peer median{_median_text(row)}")
    return failed


def _reason(row: pd.Series, rule: ExemplarRule, use_maturity: bool) -> str:
    """The council's position in words, as the candidates table prints it."""
    parts = [
        f"top quartile on {int(row['top_indicators'])} of {int(row['n_values'])} indicators"
        if row["n_values"]
        else "no indicator values"
    ]
    if rule.tests_trend:
        parts.append(_trend_phrase(row, rule.trend))
    elif row.get("compared", 0):
        parts.append(f"improving on {int(row['improving'])} of {int(row['compared'])}")
    parts.append(f"{row['completeness']:.0%} complete")
    if pd.notna(row.get("composite_rank")):
        rank = f"rank {int(row['composite_rank'])} of {int(row['n_composite'])}"
        if pd.notna(row.get("top_share_draws")):
            steady = "stable" if row["top_share_draws"] >= STABLE_SHARE else "unstable"
            rank += (
                f", {steady}: in the top quartile in {row['top_share_draws']:.0%} of resamples "
                f"(rank {int(row['rank_p05'])}–{int(row['rank_p95'])})"
            )
        parts.append(rank)
    else:
        parts.append("no composite (incomplete)" if not row["cond_complete"] else "no composite (no values)")
    if use_maturity and pd.notna(row.get("mean_maturity")):
        parts.append(
            f"maturity {row['mean_maturity']:.2f} (above the peer median{_median_text(row)})"
            if row["cond_maturity"]
            else f"maturity {row['mean_maturity']:.2f}"
        )
    return "; ".join(parts)


def _trend_phrase(row: pd.Series, trend: TrendSettings) -> str:
    """ "improving significantly on 9 of 25 indicators (5 points, 99.8%)", with the worsening
    ones and the untested ones when there are any."""
    tested, untested = int(row["trend_tested"]), int(row["n_values"]) - int(row["trend_tested"])
    if not tested:
        return f"no trend could be tested (fewer than {trend.min_points} points)"
    wls, mk = level_text(trend.level), level_text(trend.nonparametric_level)
    levels = (
        f"{wls} with limits, {mk} without"
        if row["trend_wls"] and row["trend_mk"]
        else (wls if row["trend_wls"] else f"{mk}, no limits: Mann-Kendall")
    )
    phrase = f"improving significantly on {int(row['trend_improving'])} of {tested} indicators"
    if row["trend_worsening"]:
        phrase += f", worsening on {int(row['trend_worsening'])}"
    phrase += f" ({trend.points} points, {levels})"
    if untested > 0:
        phrase += f", {untested} without enough points"
    return phrase


def _median_text(row: pd.Series) -> str:
    """ " 3.04", or a note that the peer median is withheld (too few respondents)."""
    if row.get("maturity_median_shown", False):
        return f" {row['maturity_median']:.2f}"
    return " (withheld: too few councils responded)"


def near_misses(table: pd.DataFrame, top_share: float = DEFAULT_TOP_SHARE, max_failed: int = 1) -> pd.DataFrame:
    """Councils that are not exemplars but have a composite, fail at most ``max_failed``
    conditions and rank within ``NEAR_MISS_REACH`` x ``top_share`` of the group, best first."""
    close = table["composite_pct"] >= 1 - NEAR_MISS_REACH * top_share
    misses = table[~table["is_exemplar"] & table["composite"].notna() & close & (table["n_failed"] <= max_failed)]
    return misses.sort_values(["composite_rank", "authority_code"]).reset_index(drop=True)
