"""The exemplar shortlist as CSV: candidates and near misses with their reasons, composite,
completeness and stability, plus how the list was made (peer group, weights, thresholds, K,
seed) in ``about_*`` columns, then the export stamp (data version, demo flag, attribution).
Pure functions; bytes via ``common.exports.csv_bytes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from dashboard.common.exports import ExportStamp, csv_bytes
from dashboard.exemplars.robustness import ROBUSTNESS_METHOD
from dashboard.exemplars.rule import IMPROVEMENT_METHODS, ExemplarRule
from dashboard.exemplars.scoring import Weights
from dashboard.exemplars.stability import StabilitySettings

__all__ = ["SHORTLIST_COLUMNS", "shortlist_frame", "shortlist_provenance", "shortlist_csv"]

# Column order of the shortlist: who, verdict, why, then the figures behind the why.
SHORTLIST_COLUMNS = {
    "authority_code": "authority_code",
    "short_name": "council",
    "status": "status",
    "reason": "reason",
    "failed": "conditions_not_met",
    "missed": "why_missed",  # verdicts.missed_sentence: what failed and what the rule needs
    "composite": "composite",
    "composite_rank": "rank",
    "n_composite": "ranked_councils",
    "rank_p05": "rank_p05",
    "rank_p95": "rank_p95",
    "top_share_draws": "share_of_resamples_in_top_quartile",
    "completeness": "completeness",
    "n_values": "indicators_with_value",
    "n_applicable": "indicators_applicable",
    "top_indicators": "indicators_in_top_quartile",
    "improving": "indicators_improving",
    "worsening": "indicators_worsening",
    "composite_change": "composite_change_over_k",
    "mean_maturity": "mean_maturity",
    "trend_improving": "indicators_improving_significantly",
    "trend_worsening": "indicators_worsening_significantly",
    "trend_tested": "indicators_with_tested_trend",
    "robustness": "robustness_across_peer_definitions",
    "definitions_exemplar": "peer_definitions_exemplar",
    "definitions_applicable": "peer_definitions_applicable",
    "exemplar_under": "exemplar_under",
    "not_exemplar_under": "not_exemplar_under",
}


def shortlist_frame(table: pd.DataFrame, names: Mapping[str, str], misses: pd.DataFrame | None = None) -> pd.DataFrame:
    """Exemplars (status "exemplar") then near misses (status "near miss") as export rows.

    ``table`` is :func:`dashboard.exemplars.rule.evaluate`'s frame, ``names`` maps code -> short name.
    """
    exemplars = table[table["is_exemplar"]].assign(status="exemplar")
    near = (misses if misses is not None else table.iloc[0:0]).assign(status="near miss")
    rows = pd.concat([exemplars, near], ignore_index=True)
    rows["short_name"] = rows["authority_code"].map(names)
    present = [c for c in SHORTLIST_COLUMNS if c in rows.columns]
    return rows[present].rename(columns=SHORTLIST_COLUMNS)


def shortlist_provenance(
    *,
    peer_group: str,
    period: str,
    base_period: str | None,
    weights: Weights,
    indicators: Sequence[str],
    rule: ExemplarRule,
    settings: StabilitySettings,
    maturity_used: bool,
) -> dict[str, object]:
    """The parameters that made the shortlist, as ``about_*`` columns (text, one cell each)."""
    theme_weights = "; ".join(f"{t}={w:g}" for t, w in sorted(weights.theme.items()))
    indicator_weights = "; ".join(f"{i}={w:g}" for i, w in sorted(weights.indicator.items()) if w != 1)
    return {
        "peer_group": peer_group,
        "period": period,
        "compared_with_period": base_period or "none",
        "indicators": "; ".join(sorted(indicators)),
        "theme_weights": theme_weights or "equal",
        "indicator_weights_not_1": indicator_weights or "none",
        "rule": rule.describe(),
        "min_completeness": rule.min_completeness,
        "top_share": rule.top_share,
        "k_periods": rule.k,
        "improvement_method": IMPROVEMENT_METHODS[rule.improvement] if rule.require_improving else "not required",
        "trend_test": rule.trend.describe(),
        "robustness_method": ROBUSTNESS_METHOD,
        "maturity_condition": "applied" if maturity_used else "not applied",
        "percentile_rank": "(n - rank) / (n - 1) within the peer group; rank 1 = best; ties share the best rank",
        "stability_draws": settings.draws,
        "stability_seed": settings.seed,
        "stability_sigma": settings.sigma,
        "stability_drop_share": settings.drop_share,
        "method": "docs/exemplar-method.md",
    }


def shortlist_csv(
    table: pd.DataFrame,
    names: Mapping[str, str],
    provenance: Mapping[str, object],
    stamp: ExportStamp,
    misses: pd.DataFrame | None = None,
) -> bytes:
    """The shortlist CSV bytes (Excel-safe, provenance columns): see :func:`shortlist_frame`."""
    return csv_bytes(shortlist_frame(table, names, misses), stamp, provenance)
