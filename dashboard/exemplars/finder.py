"""The exemplar finder in one call, and the rule run in every (authority type, region) group.

Self-assessment maturity is an input here (a frame of ``authority_code, mean_maturity``), not
something this feature reads: the pages fetch it from the self-assessment feature and pass it
in (``dashboard.views.compose``), so exemplars and self-assessment never import each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from dashboard.exemplars import stability
from dashboard.exemplars.rule import ExemplarRule, evaluate, near_misses
from dashboard.exemplars.scoring import GroupScores, Weights, group_scores
from dashboard.warehouse import Warehouse

__all__ = [
    "ALL_REGIONS",
    "GROUP_SEPARATOR",
    "Finding",
    "find_exemplars",
    "group_candidates",
    "national_overview",
]

GROUP_SEPARATOR = "|"  # joins type and region into one group key; neither name contains it
ALL_REGIONS = "All regions"  # the region choice that means "the authority type nationally"
OVERVIEW_COLUMNS = [
    "authority_code",
    "authority_type",
    "region",
    "is_exemplar",
    "composite",
    "composite_rank",
    "n_composite",
    "completeness",
]


@dataclass
class Finding:
    """Everything the finder shows for one peer group and one set of choices."""

    scores: GroupScores
    table: pd.DataFrame  # rule.evaluate(): one row per council
    near_misses: pd.DataFrame
    maturity_used: bool


def group_candidates(wh: Warehouse, period: str) -> pd.DataFrame:
    """Councils that belong to ``period`` (the warehouse's ``councils_in``) with what the exemplar
    pages group and map them by: authority_code, short_name, nation, region, authority_type, lat,
    lon. The finder's choices and the overview's groups."""
    return wh.query("exemplar_councils", period=period)


def find_exemplars(
    wh: Warehouse,
    codes: Sequence[str],
    period: str,
    rule: ExemplarRule,
    weights: Weights | None = None,
    indicators: Sequence[str] | None = None,
    settings: stability.StabilitySettings | None = None,
    maturity: pd.DataFrame | None = None,
) -> Finding:
    """Score the group, resample for stability and apply ``rule``: the finder in one call.

    ``settings`` sets the resampling (default draws and seed); its top share follows the rule's.
    ``maturity`` (authority_code, mean_maturity) enables the rule's maturity condition.
    """
    scores = group_scores(
        wh, codes, period, weights, indicators, rule.min_completeness, rule.k, trend=rule.trend_to_score
    )
    eligible = scores.councils.loc[scores.councils["composite"].notna(), "authority_code"].tolist()
    settings = replace(settings or stability.StabilitySettings(), top_share=rule.top_share)
    stab = stability.rank_stability(scores.values, eligible, settings)
    table = evaluate(scores, rule, maturity, stab)
    return Finding(
        scores=scores, table=table, near_misses=near_misses(table, rule.top_share), maturity_used=maturity is not None
    )


def national_overview(
    wh: Warehouse,
    councils: pd.DataFrame,
    period: str,
    rule: ExemplarRule,
    weights: Weights | None = None,
    indicators: Sequence[str] | None = None,
    maturity: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Run the rule in every (authority type, region) group of ``councils`` (:func:`group_candidates`),
    every group scored within itself in one query; ``maturity`` as in :func:`find_exemplars`.

    Returns one row per council with authority_type, region, is_exemplar, composite,
    composite_rank, n_composite, completeness (stability is not resampled here: it does not
    enter the rule).
    """
    if councils.empty:
        return pd.DataFrame(columns=OVERVIEW_COLUMNS)
    keys = (councils["authority_type"] + GROUP_SEPARATOR + councils["region"].fillna("")).tolist()
    codes = councils["authority_code"].tolist()
    scores = group_scores(
        wh, codes, period, weights, indicators, rule.min_completeness, rule.k, groups=keys, trend=rule.trend_to_score
    )
    table = evaluate(scores, rule, maturity, explain=False)
    table[["authority_type", "region"]] = table["group_key"].str.split(GROUP_SEPARATOR, n=1, expand=True)
    return table[OVERVIEW_COLUMNS].sort_values(["authority_type", "region", "authority_code"]).reset_index(drop=True)
