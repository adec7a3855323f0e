"""Maturity against outcomes: each council's mean self-assessment maturity against its outcome
score, in four quadrants split at the peer group's medians (withheld below the disclosure rule's
respondents). The outcome score is given (the exemplar finder's composite, joined in by
``dashboard.views.compose``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.common.disclosure import peer_stat_allowed

__all__ = ["QUADRANTS", "QUADRANT_SHORT", "Quadrant", "classify_quadrants"]

# Quadrant labels, keyed by (maturity is high, outcomes are high).
QUADRANTS = {
    (True, True): "High maturity, high outcomes",
    (True, False): "Says more than it shows (high maturity, low outcomes)",
    (False, True): "Shows more than it says (low maturity, high outcomes)",
    (False, False): "Low maturity, low outcomes",
}
# Short names for headline figures, same keys as QUADRANTS.
QUADRANT_SHORT = {
    (True, True): "High-high",
    (True, False): "Says more than it shows",
    (False, True): "Shows more than it says",
    (False, False): "Low-low",
}


@dataclass(frozen=True)
class Quadrant:
    """The quadrant table and the split it used (NaN splits when it may not be shown)."""

    table: pd.DataFrame
    maturity_median: float
    outcome_median: float
    respondents: int

    @property
    def disclosed(self) -> bool:
        """True when enough councils responded for the medians (and quadrants) to be shown."""
        return peer_stat_allowed(self.respondents)


def classify_quadrants(maturity: pd.DataFrame, outcomes: pd.DataFrame) -> Quadrant:
    """Place each council with both a mean maturity and an outcome score in a quadrant.

    The split is at the medians of the councils that have both; a value at the median counts as
    high. With fewer than ``MIN_PEER_RESPONDENTS`` such councils the medians and quadrants are
    withheld (NaN / empty labels). Returns a ``Quadrant`` whose table has ``authority_code,
    mean_maturity, outcome_score, maturity_high, outcome_high, quadrant``.
    """
    both = (
        maturity[["authority_code", "mean_maturity"]]
        .merge(outcomes[["authority_code", "outcome_score"]], on="authority_code", how="inner")
        .dropna(subset=["mean_maturity", "outcome_score"])
    )
    count = int(both["authority_code"].nunique())
    if not peer_stat_allowed(count):
        both = both.assign(maturity_high=None, outcome_high=None, quadrant="")
        return Quadrant(both.reset_index(drop=True), float("nan"), float("nan"), count)
    m_median = float(both["mean_maturity"].median())
    o_median = float(both["outcome_score"].median())
    both["maturity_high"] = both["mean_maturity"] >= m_median
    both["outcome_high"] = both["outcome_score"] >= o_median
    both["quadrant"] = [
        QUADRANTS[(bool(m), bool(o))] for m, o in zip(both["maturity_high"], both["outcome_high"], strict=True)
    ]
    table = both.sort_values(["quadrant", "authority_code"], ignore_index=True)
    return Quadrant(table, m_median, o_median, count)
