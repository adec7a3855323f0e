"""Maturity against measured improvement, question by question: Spearman's rho with a 95%
confidence interval and n, under the disclosure rule. An association, not a cause.

Per question of the round: the councils with both a published answer and a measured
improvement (``improvement``: one figure per council, from the pages), Spearman's rank
correlation between their scores (1-5) and their improvement (``scipy.stats.spearmanr``: ties
share their mean rank), and its 95% interval by Fisher's z: ``z = atanh(rho)``,
``SE = 1 / sqrt(n - 3)``, interval ``tanh(z ± 1.96 SE)``. Withheld (no rho at all) when fewer than
:data:`~dashboard.common.disclosure.MIN_PEER_RESPONDENTS` councils are behind it, as every other
peer statistic of self-assessment answers; not computed when every council gave the same score
(or has the same improvement), since ranks that never differ say nothing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.common.disclosure import MIN_PEER_RESPONDENTS, peer_stat_allowed

__all__ = ["ASSOCIATION_COLUMNS", "ASSOCIATION_METHOD", "fisher_interval", "question_associations"]

CONFIDENCE = 0.95
ASSOCIATION_COLUMNS = ["question_id", "councils", "rho", "ci_low", "ci_high", "shown", "note"]
ASSOCIATION_METHOD = (
    "Spearman's rank correlation between councils' scores on the question and their measured improvement, "
    "95% interval by Fisher's z (atanh(rho) ± 1.96 / sqrt(n - 3)); an association, not a cause; withheld "
    f"below {MIN_PEER_RESPONDENTS} councils"
)
WITHHELD = f"withheld: fewer than {MIN_PEER_RESPONDENTS} councils with a published answer and an improvement figure"
NO_SPREAD = "not computed: every council has the same score or the same improvement"


def fisher_interval(rho: float, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The ``confidence`` interval of a correlation ``rho`` over ``n`` pairs by Fisher's z
    (NaN for n <= 3; an exact ±1 stays ±1)."""
    if n <= 3 or np.isnan(rho):
        return float("nan"), float("nan")
    if abs(rho) >= 1:
        return float(rho), float(rho)
    z, half = math.atanh(rho), stats.norm.ppf(0.5 + confidence / 2) / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def question_associations(responses: pd.DataFrame, improvement: pd.DataFrame) -> pd.DataFrame:
    """One row per question of ``responses`` (published answers: authority_code, question_id,
    score) with :data:`ASSOCIATION_COLUMNS`: councils (n behind it), rho, ci_low, ci_high,
    shown (False when withheld or not computed: the figures are then NaN) and a note saying why.

    ``improvement`` has authority_code and improvement (councils without one are left out).
    """
    if responses.empty:
        return pd.DataFrame(columns=ASSOCIATION_COLUMNS)
    measured = improvement[["authority_code", "improvement"]].dropna().drop_duplicates("authority_code")
    pairs = responses[["authority_code", "question_id", "score"]].merge(measured, on="authority_code")
    rows = []
    for question in sorted(responses["question_id"].astype(str).unique()):
        one = pairs[pairs["question_id"].astype(str) == question]
        n = int(one["authority_code"].nunique())
        row = {"question_id": question, "councils": n, "rho": np.nan, "ci_low": np.nan, "ci_high": np.nan}
        if not peer_stat_allowed(n):
            rows.append({**row, "shown": False, "note": WITHHELD})
            continue
        if one["score"].nunique() < 2 or one["improvement"].nunique() < 2:
            rows.append({**row, "shown": False, "note": NO_SPREAD})
            continue
        rho = float(stats.spearmanr(one["score"], one["improvement"]).statistic)
        low, high = fisher_interval(rho, n)
        rows.append({**row, "rho": rho, "ci_low": low, "ci_high": high, "shown": True, "note": ""})
    return pd.DataFrame(rows, columns=ASSOCIATION_COLUMNS)
