"""Rank stability: how far a council's composite rank moves when the weights and the indicator
set change a little. Deterministic resampling, vectorised with numpy over the council x
indicator matrix of percentile ranks that the composite query already fetched.

Each draw *d* (see docs/exemplar-method.md):

1. multiplies every theme weight and every indicator weight by its own lognormal jitter
   ``exp(N(0, sigma))`` (theme jitters drawn first, shape (draws, themes); then indicator
   jitters, shape (draws, indicators); indicators sorted by id, themes by name);
2. drops each indicator with probability ``drop_share`` (``uniform(draws, indicators) <
   drop_share``; a draw that would drop every indicator keeps them all);
3. recomputes each eligible council's composite with the same formula as the SQL (indicator-
   weighted mean per theme over the council's values, then theme-weighted mean over its themes);
   a council left with no value in a draw ranks last;
4. ranks the eligible councils (rank 1 = best, ties share the best rank, scores equal to 12
   decimals tie) and marks the top quartile with the same percentile rule as the composite.

Eligible councils are those with a composite in the chosen calculation (completeness is not
re-tested per draw, so no council enters or leaves the ranking because of a resample).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "StabilitySettings",
    "percentile_matrix",
    "draw_weights",
    "resampled_composites",
    "rank_rows",
    "rank_stability",
]

DEFAULT_DRAWS = 200  # enough for a steady 5th-95th percentile interval, fast at demo scale
DEFAULT_SEED = 2006  # fixed so the same inputs always give the same intervals
DEFAULT_SIGMA = 0.25  # lognormal jitter: a weight typically moves by about a quarter either way
DEFAULT_DROP_SHARE = 0.10  # each indicator is left out of one draw in ten
TIE_DECIMALS = 12  # summation order must not break a tie


@dataclass(frozen=True)
class StabilitySettings:
    """How the resampling is done; kept in exports so it can be repeated."""

    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    sigma: float = DEFAULT_SIGMA
    drop_share: float = DEFAULT_DROP_SHARE
    top_share: float = 0.25


@dataclass
class PercentileMatrix:
    """Eligible councils x chosen indicators: percentile ranks (NaN = no value) and weights."""

    codes: list[str]
    indicators: list[str]
    themes: list[str]
    theme_of: np.ndarray  # theme index per indicator
    pct: np.ndarray  # (councils, indicators)
    indicator_weight: np.ndarray  # (indicators,)
    theme_weight: np.ndarray  # (themes,)


def percentile_matrix(values: pd.DataFrame, eligible: list[str]) -> PercentileMatrix:
    """Pivot the long score rows (exemplar_scores.sql) of ``eligible`` councils into a matrix."""
    rows = values[values["authority_code"].isin(eligible)]
    indicators = sorted(values["indicator_id"].unique())
    meta = values.drop_duplicates("indicator_id").set_index("indicator_id").loc[indicators]
    themes = sorted(meta["theme"].unique())
    codes = sorted(eligible)
    pct = rows.pivot(index="authority_code", columns="indicator_id", values="pct_rank")
    pct = pct.reindex(index=codes, columns=indicators)
    theme_weight = meta.groupby("theme")["theme_weight"].first().reindex(themes)
    return PercentileMatrix(
        codes=codes,
        indicators=indicators,
        themes=themes,
        theme_of=np.array([themes.index(t) for t in meta["theme"]], dtype=int),
        pct=pct.to_numpy(dtype=float),
        indicator_weight=meta["indicator_weight"].to_numpy(dtype=float),
        theme_weight=theme_weight.to_numpy(dtype=float),
    )


def draw_weights(
    n_indicators: int, n_themes: int, settings: StabilitySettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The draws' random parts: theme jitter (draws, themes), indicator jitter (draws,
    indicators) and keep mask (draws, indicators), from one generator seeded ``settings.seed``."""
    rng = np.random.default_rng(settings.seed)
    theme_jitter = rng.lognormal(0.0, settings.sigma, size=(settings.draws, n_themes))
    indicator_jitter = rng.lognormal(0.0, settings.sigma, size=(settings.draws, n_indicators))
    keep = rng.random((settings.draws, n_indicators)) >= settings.drop_share
    keep[~keep.any(axis=1)] = True
    return theme_jitter, indicator_jitter, keep


def resampled_composites(matrix: PercentileMatrix, settings: StabilitySettings) -> np.ndarray:
    """Composite of every eligible council in every draw: array (draws, councils), NaN when a
    council has no kept value."""
    theme_jitter, indicator_jitter, keep = draw_weights(len(matrix.indicators), len(matrix.themes), settings)
    present = ~np.isnan(matrix.pct)  # (C, I)
    pct = np.where(present, matrix.pct, 0.0)
    onehot = np.eye(len(matrix.themes))[matrix.theme_of]  # (I, T)
    w = matrix.indicator_weight * indicator_jitter * keep  # (D, I)
    num = np.einsum("ci,di,it->dct", pct, w, onehot)
    den = np.einsum("ci,di,it->dct", present.astype(float), w, onehot)
    has_theme = den > 0
    theme_score = np.divide(num, den, out=np.zeros_like(num), where=has_theme)
    tw = (matrix.theme_weight * theme_jitter)[:, None, :] * has_theme  # (D, C, T)
    total = tw.sum(axis=2)
    composite = np.divide((tw * theme_score).sum(axis=2), total, out=np.full(total.shape, np.nan), where=total > 0)
    return composite


def rank_rows(scores: np.ndarray) -> np.ndarray:
    """Rank each row's scores (1 = highest; ties share the best rank; NaN ranks last)."""
    filled = np.where(np.isnan(scores), -np.inf, np.round(scores, TIE_DECIMALS))
    ordered = np.sort(filled, axis=1)
    n = scores.shape[1]
    ranks = np.empty(scores.shape, dtype=int)
    for d in range(scores.shape[0]):  # searchsorted is per row; draws are few
        ranks[d] = 1 + n - np.searchsorted(ordered[d], filled[d], side="right")
    return ranks


def rank_stability(
    values: pd.DataFrame, eligible: list[str], settings: StabilitySettings | None = None
) -> pd.DataFrame:
    """Each eligible council's rank interval over the resamples and its share of draws in the
    top quartile (``settings.top_share``).

    Columns: authority_code, rank_p05, rank_p95 (5th and 95th percentiles of its rank,
    numpy "nearest" method), top_share_draws (0..1), draws.
    """
    settings = settings or StabilitySettings()
    columns = ["authority_code", "rank_p05", "rank_p95", "top_share_draws", "draws"]
    if not eligible or values.empty:
        return pd.DataFrame(columns=columns)
    matrix = percentile_matrix(values, eligible)
    ranks = rank_rows(resampled_composites(matrix, settings))
    n = len(matrix.codes)
    pct = (n - ranks) / (n - 1) if n > 1 else np.full(ranks.shape, 0.5)
    in_top = pct >= 1 - settings.top_share
    low, high = np.quantile(ranks, [0.05, 0.95], axis=0, method="nearest")
    return pd.DataFrame(
        {
            "authority_code": matrix.codes,
            "rank_p05": low.astype(int),
            "rank_p95": high.astype(int),
            "top_share_draws": in_top.mean(axis=0),
            "draws": settings.draws,
        }
    )
