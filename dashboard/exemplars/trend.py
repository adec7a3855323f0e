"""The tested trend: is a council's recent series really moving, or is it noise?

Per council and indicator, over its most recent points (``exemplar_series.sql``: the council's
own values up to the chosen period, latest :data:`DEFAULT_POINTS`), vectorised across every
council x indicator series at once with numpy (docs/exemplar-method.md, "Tested trend"):

- **With 95% limits on every point** (Fingertips' recent-trend method for values with
  intervals): weighted least squares with weights ``w = 1 / SE^2``,
  ``SE = (upper - lower) / (2 x 1.96)``. With ``S1 = Σw, S2 = Σwxy, S3 = Σwx, S4 = Σwy,
  S5 = Σwx²``: ``slope = (S1·S2 - S3·S4) / (S1·S5 - S3²)``, ``SE(slope) = sqrt(S1 / (S1·S5 - S3²))``
  and ``chi² = (slope / SE(slope))²`` on 1 degree of freedom. Significant when chi² exceeds the
  chosen level's critical value (99.8%: 9.5495) **and** the slope keeps its sign when any one
  point is left out (Fingertips' outlier check).
- **Otherwise**: the Mann-Kendall test (Kendall's tau between time and value: ``S = Σ_{i<j}
  sign(y_j - y_i)``; exact p-value without ties, normal approximation with the tie-corrected
  variance otherwise, both two-sided, as ``scipy.stats.kendalltau``) with the Theil-Sen slope
  (median of the pairwise slopes, as ``scipy.stats.theilslopes``), significant when
  ``p < 1 - level`` (default 95%: with 5 points the smallest possible p is 1/60, so 99.8% could
  never be reached).

Time ``x`` is in years (``year + (month - 1) / 12``), so yearly points are one apart as in
Fingertips and a gap in a series counts as the time it was. A series with fewer than
``min_points`` points "cannot be calculated". Polarity turns the slope's sign into
improving/worsening; neutral indicators are only increasing/decreasing and never count as
improving. scipy supplies the chi-square and normal distributions; its one-series-at-a-time
tests are the reference implementation in the tests.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.warehouse import Warehouse

__all__ = [
    "CANNOT",
    "DECREASING",
    "DEFAULT_LEVEL",
    "DEFAULT_MIN_POINTS",
    "DEFAULT_NONPARAMETRIC_LEVEL",
    "DEFAULT_POINTS",
    "IMPROVING",
    "INCREASING",
    "MANN_KENDALL",
    "NO_CHANGE",
    "TREND_COLUMNS",
    "WLS",
    "WORSENING",
    "TrendSettings",
    "council_trend_counts",
    "council_trends",
    "level_text",
    "mann_kendall",
    "tested_trends",
    "weighted_trend",
]

DEFAULT_POINTS = 5  # Fingertips' recent trend: the five most recent points
DEFAULT_MIN_POINTS = 5  # ... and none with fewer
MIN_POSSIBLE_POINTS = 3  # a slope that survives leaving a point out needs at least three
DEFAULT_LEVEL = 0.998  # Fingertips' level for the weighted trend: chi-square 9.5495
DEFAULT_NONPARAMETRIC_LEVEL = 0.95  # the strictest conventional level that five points can pass
Z_95 = 1.96  # SE from a 95% interval: (upper - lower) / (2 x 1.96), as the issue and Fingertips state
WLS, MANN_KENDALL = "weighted least squares", "Mann-Kendall"
IMPROVING, WORSENING, NO_CHANGE = "improving", "worsening", "no significant change"
INCREASING, DECREASING = "increasing", "decreasing"  # neutral indicators
CANNOT = "cannot be calculated"

TREND_COLUMNS = [
    "authority_code",
    "indicator_id",
    "polarity",
    "n_points",
    "method",
    "slope",
    "slope_se",
    "chi_square",
    "mk_s",
    "p_value",
    "significant",
    "trend",
]


@dataclass(frozen=True)
class TrendSettings:
    """How the trend is tested: ``points`` most recent, at least ``min_points``, the weighted
    trend's chi-square ``level`` and the Mann-Kendall test's ``nonparametric_level``."""

    points: int = DEFAULT_POINTS
    min_points: int = DEFAULT_MIN_POINTS
    level: float = DEFAULT_LEVEL
    nonparametric_level: float = DEFAULT_NONPARAMETRIC_LEVEL

    def __post_init__(self) -> None:
        if not MIN_POSSIBLE_POINTS <= self.min_points <= self.points:
            raise ValueError(
                f"trend points: need {MIN_POSSIBLE_POINTS} <= min_points ({self.min_points}) <= points ({self.points})"
            )
        if not (0 < self.level < 1 and 0 < self.nonparametric_level < 1):
            raise ValueError("trend levels are shares between 0 and 1")

    @property
    def chi_square(self) -> float:
        """The weighted trend's critical value: chi-square on 1 df at ``level`` (99.8%: 9.5495)."""
        return float(stats.chi2.ppf(self.level, 1))

    def describe(self) -> str:
        """The test in one phrase, for rule descriptions and exports."""
        return (
            f"trend over the last {self.points} points (at least {self.min_points}): weighted least squares "
            f"at {level_text(self.level)} (chi-square > {self.chi_square:.4f}, stable sign leaving any point out) "
            f"where every point has 95% limits, else Mann-Kendall with a Theil-Sen slope at "
            f"{level_text(self.nonparametric_level)}, two-sided"
        )


def level_text(share: float) -> str:
    """A level as a percentage: 0.998 -> "99.8%", 0.95 -> "95%"."""
    return f"{share * 100:.1f}%".replace(".0%", "%")


# -- the two tests, on (series x points) arrays; NaN marks an absent point ----------------------
def weighted_trend(x: np.ndarray, y: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, ...]:
    """Weighted least-squares slope per row with known variances ``se**2``.

    Returns ``(slope, slope_se, chi_square, stable)``: ``stable`` is True where the slope keeps
    its sign (numpy ``sign``) when each present point in turn is left out. Rows need 3 points.
    """
    present = ~(np.isnan(x) | np.isnan(y) | np.isnan(se)) & (se > 0)
    w = np.where(present, 1.0 / np.where(present, se, 1.0) ** 2, 0.0)
    # time measured from each row's first point: the slope is the same, the sums lose no digits
    origin = np.nanmin(np.where(present, x, np.nan), axis=1, initial=np.inf, where=present)[:, None]
    x0, y0 = np.where(present, x - np.where(np.isfinite(origin), origin, 0.0), 0.0), np.where(present, y, 0.0)
    terms = np.stack([w, w * x0 * y0, w * x0, w * y0, w * x0 * x0])  # S1..S5 terms: (5, S, P)
    sums = terms.sum(axis=2)
    slope, denominator = _wls_slope(sums)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope_se = np.sqrt(sums[0] / denominator)
        chi_square = (slope / slope_se) ** 2
    # leaving point j out subtracts its terms: every leave-one-out slope at once, (S, P)
    left_out, _ = _wls_slope(sums[:, :, None] - terms)
    same_sign = (np.sign(left_out) == np.sign(slope)[:, None]) | ~present
    return slope, slope_se, chi_square, same_sign.all(axis=1)


def _wls_slope(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s1, s2, s3, s4, s5 = sums
    denominator = s1 * s5 - s3**2
    with np.errstate(divide="ignore", invalid="ignore"):
        return (s1 * s2 - s3 * s4) / denominator, denominator


def mann_kendall(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mann-Kendall test per row (points in time order along each row; NaN = absent).

    Returns ``(s, p_value, sen_slope)``: Kendall's S (concordant minus discordant pairs), the
    two-sided p-value (exact without ties, normal approximation with the tie-corrected variance
    otherwise; 1 when every value is equal) and the Theil-Sen slope (median pairwise slope).
    """
    present = ~(np.isnan(x) | np.isnan(y))
    n = present.sum(axis=1)
    i, j = np.triu_indices(x.shape[1], k=1)
    both = present[:, i] & present[:, j]
    dy, dx = y[:, j] - y[:, i], x[:, j] - x[:, i]
    s = np.where(both, np.sign(np.where(both, dy, 0.0)), 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        pair_slopes = np.where(both & (dx > 0), dy / dx, np.nan)
    sen = _nanmedian(pair_slopes)
    equal = (y[:, :, None] == y[:, None, :]) & present[:, :, None] & present[:, None, :]
    same = equal.sum(axis=2)  # per point: how many present points share its value (itself included)
    ties = np.where(present, (same - 1) * (2 * same + 5), 0).sum(axis=1)
    variance = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(variance > 0, 2 * stats.norm.sf(np.abs(s) / np.sqrt(variance)), 1.0)
    no_ties = (ties == 0) & (n >= 2)
    for size in np.unique(n[no_ties]):
        rows = no_ties & (n == size)
        p[rows] = _exact_p(int(size), s[rows])
    return s, p, sen


def _nanmedian(values: np.ndarray) -> np.ndarray:
    """Row medians ignoring NaN, NaN for an all-NaN row (without numpy's warning)."""
    out = np.full(values.shape[0], np.nan)
    has = ~np.isnan(values).all(axis=1)
    if has.any():
        out[has] = np.nanmedian(values[has], axis=1)
    return out


@functools.cache
def _inversion_cdf(n: int) -> np.ndarray:
    """P(D <= d) for the number of discordant pairs D of n untied points under no trend: the
    Mahonian numbers (permutations of n by inversions) divided by n!."""
    counts = np.ones(1)
    for m in range(2, n + 1):
        counts = np.convolve(counts, np.ones(m))
    return np.cumsum(counts) / math.factorial(n)


def _exact_p(n: int, s: np.ndarray) -> np.ndarray:
    """Two-sided exact p-value of Kendall's S for ``n`` untied points."""
    pairs = n * (n - 1) // 2
    discordant = np.rint((pairs - np.abs(s)) / 2).astype(int)  # the rarer side
    return np.minimum(1.0, 2 * _inversion_cdf(n)[discordant])


# -- series in, one verdict per series out ---------------------------------------------------
def _time_in_years(starts: pd.Series) -> np.ndarray:
    """``year + (month - 1) / 12 + (day - 1) / 365.25``: yearly periods exactly one apart."""
    when = pd.to_datetime(starts)
    return (when.dt.year + (when.dt.month - 1) / 12 + (when.dt.day - 1) / 365.25).to_numpy(dtype=float)


def tested_trends(series: pd.DataFrame, settings: TrendSettings | None = None) -> pd.DataFrame:
    """One verdict per (council, indicator) series of ``series`` (``exemplar_series.sql`` rows:
    authority_code, indicator_id, polarity, period_start, value, lower_ci, upper_ci, ``back``
    (1 = the latest point) and ``series`` (the series' number, 0..n-1)).

    Columns :data:`TREND_COLUMNS`: n_points, method (:data:`WLS` or :data:`MANN_KENDALL`; None
    when it cannot be calculated), slope (per year: WLS or Theil-Sen), slope_se and chi_square
    (WLS), mk_s and p_value (Mann-Kendall), significant, and trend (improving / worsening /
    increasing / decreasing / no significant change / cannot be calculated).
    """
    settings = settings or TrendSettings()
    if series.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    # one row of the matrices per series (the query numbers them), latest point in the last column
    which = series["series"].to_numpy(dtype=int)
    width = int(series["back"].max())
    column = width - series["back"].to_numpy(dtype=int)
    latest = series[series["back"] == 1].sort_values("series")
    keys = latest[["authority_code", "indicator_id"]].reset_index(drop=True)

    def matrix(values: np.ndarray) -> np.ndarray:
        out = np.full((len(keys), width), np.nan)
        out[which, column] = values
        return out

    x = matrix(_time_in_years(series["period_start"]))
    y = matrix(series["value"].to_numpy(dtype=float))
    se = matrix(((series["upper_ci"] - series["lower_ci"]) / (2 * Z_95)).to_numpy(dtype=float))
    polarity = latest["polarity"].to_numpy(dtype=object)

    n = (~np.isnan(y)).sum(axis=1)
    with_limits = ((~np.isnan(se)) & (se > 0)).sum(axis=1) == n  # every point has usable limits
    slope, slope_se, chi_square, stable = weighted_trend(x, y, se)
    mk_s, p_value, sen = mann_kendall(x, y)
    enough = n >= settings.min_points
    use_wls = enough & with_limits
    use_mk = enough & ~with_limits
    significant = np.where(
        use_wls,
        (chi_square > settings.chi_square) & stable,
        use_mk & (p_value < 1 - settings.nonparametric_level),
    )
    final_slope = np.where(use_wls, slope, np.where(use_mk, sen, np.nan))
    direction = np.where(use_wls, np.sign(slope), np.sign(mk_s))
    out = keys.assign(
        polarity=polarity,
        n_points=n,
        method=_methods(use_wls, use_mk),
        slope=final_slope,
        slope_se=np.where(use_wls, slope_se, np.nan),
        chi_square=np.where(use_wls, chi_square, np.nan),
        mk_s=np.where(use_mk, mk_s, np.nan),
        p_value=np.where(use_mk, p_value, np.nan),
        significant=significant.astype(bool),
        trend=_labels(polarity, direction, significant, enough),
    )
    return out[TREND_COLUMNS]


def _methods(use_wls: np.ndarray, use_mk: np.ndarray) -> np.ndarray:
    """Which test each series used; None where it could not be calculated."""
    methods = np.select([use_wls, use_mk], [WLS, MANN_KENDALL], default="").astype(object)
    methods[~(use_wls | use_mk)] = None
    return methods


def _labels(polarity: np.ndarray, direction: np.ndarray, significant: np.ndarray, enough: np.ndarray) -> np.ndarray:
    up, down = direction > 0, direction < 0
    higher, lower = polarity == "higher", polarity == "lower"
    labels = np.select(
        [
            ~enough,
            ~significant,
            (higher & up) | (lower & down),
            (higher & down) | (lower & up),
            up,
            down,
        ],
        [CANNOT, NO_CHANGE, IMPROVING, WORSENING, INCREASING, DECREASING],
        default=NO_CHANGE,
    )
    return labels.astype(object)


def council_trend_counts(trends: pd.DataFrame) -> pd.DataFrame:
    """Per council: trend_improving, trend_worsening (significant, by polarity), trend_tested
    (series that could be calculated), trend_wls and trend_mk (how many used each test)."""
    columns = ["authority_code", "trend_improving", "trend_worsening", "trend_tested", "trend_wls", "trend_mk"]
    if trends.empty:
        return pd.DataFrame(columns=columns)
    counted = trends.assign(
        trend_improving=trends["trend"] == IMPROVING,
        trend_worsening=trends["trend"] == WORSENING,
        trend_tested=trends["method"].notna(),
        trend_wls=trends["method"] == WLS,
        trend_mk=trends["method"] == MANN_KENDALL,
    )
    return (
        counted.groupby("authority_code", as_index=False)[columns[1:]]
        .sum()
        .astype({c: int for c in columns[1:]})[columns]
    )


def council_trends(
    wh: Warehouse, codes: Sequence[str], period: str, indicators: Sequence[str], settings: TrendSettings | None = None
) -> pd.DataFrame:
    """:func:`tested_trends` of every series of ``codes`` x ``indicators`` ending in ``period``."""
    settings = settings or TrendSettings()
    series = wh.query(
        "exemplar_series",
        codes=sorted(set(codes)) or [""],
        period=period,
        indicator_ids=sorted(set(indicators)) or [""],
        points=int(settings.points),
    )
    return tested_trends(series, settings)
