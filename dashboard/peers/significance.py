"""Significance against the peer benchmark, and distance from the peer median in MADs.

Both are written once here and applied to whole columns (numpy), so the profile table, its CSV
and the spine chart read the same labels. docs/exemplar-method.md ("Significance against the
peer benchmark") gives the formulas with a worked example.

- **Significance** (Fingertips' method for indicators with confidence intervals): a value whose
  published 95% interval lies wholly above or below the benchmark (the peer group's median) is
  significantly different from it; an interval that contains the benchmark is not. Which side is
  "better" follows the polarity; neutral indicators are only "higher" or "lower". A value without
  limits is "no interval published" (pages then fall back on the quartile band).
- **Distance in MADs** (as Oflog published it): ``(value - median) / MAD`` where MAD is the
  group's median absolute deviation ``median(|x - median(x)|)``, unscaled (no 1.4826 factor).
  Positive = above the median, whatever the polarity. Not computed when MAD is 0 (at least half
  the group share the median value, so every other value would be infinitely far away).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BETTER",
    "HIGHER",
    "LOWER",
    "MAD_METHOD",
    "MAD_ZERO",
    "NO_INTERVAL",
    "SIGNIFICANCE_METHOD",
    "SIMILAR",
    "WORSE",
    "benchmark_significance",
    "mad_distance",
]

BETTER, SIMILAR, WORSE = "significantly better", "not significantly different", "significantly worse"
HIGHER, LOWER = "higher", "lower"  # neutral indicators: the middle word is "similar"
NEUTRAL_SIMILAR = "similar"
NO_INTERVAL = "no interval published"
MAD_ZERO = "not computed: half or more of the group share the median value (MAD is 0)"

SIGNIFICANCE_METHOD = (
    "against the peer median: significantly better or worse when the value's published 95% confidence "
    "interval lies wholly on one side of the median (Fingertips' method), not significantly different "
    "when it contains the median; neutral indicators: higher, similar or lower; 'no interval published' "
    "without limits"
)
MAD_METHOD = (
    "distance from the peer median in median absolute deviations: (value - median) / MAD, "
    "MAD = median(|x - median|) over the group's values, unscaled; positive = above the median; "
    "not computed when MAD is 0"
)


def benchmark_significance(polarity: Any, value: Any, lower: Any, upper: Any, benchmark: Any) -> np.ndarray:
    """The significance label of each value against its ``benchmark`` (columns or scalars).

    ``polarity`` is ``higher``/``lower``/``neutral``; ``lower``/``upper`` the 95% limits. Returns
    an object array: a label, :data:`NO_INTERVAL` when either limit is missing, or None when the
    value or the benchmark is missing.
    """
    polarity, value, low, high, mark = np.broadcast_arrays(
        np.asarray(polarity, dtype=object),
        _floats(value),
        _floats(lower),
        _floats(upper),
        _floats(benchmark),
    )
    above = low > mark  # the whole interval is above the benchmark
    below = high < mark
    known = ~np.isnan(value) & ~np.isnan(mark)
    has_interval = ~np.isnan(low) & ~np.isnan(high)
    good_when_above = polarity == "higher"
    good_when_below = polarity == "lower"
    neutral = ~(good_when_above | good_when_below)
    labels = np.select(
        [
            neutral & above,
            neutral & below,
            neutral,
            (good_when_above & above) | (good_when_below & below),
            (good_when_above & below) | (good_when_below & above),
        ],
        [HIGHER, LOWER, NEUTRAL_SIMILAR, BETTER, WORSE],
        default=SIMILAR,
    ).astype(object)
    labels[~has_interval] = NO_INTERVAL
    labels[~known] = None
    return labels


def mad_distance(value: Any, median: Any, mad: Any) -> tuple[np.ndarray, np.ndarray]:
    """``((value - median) / mad, note)`` per value: the distance (NaN where it cannot be
    computed) and a note saying why not (:data:`MAD_ZERO`; "" otherwise)."""
    value, median, mad = np.broadcast_arrays(_floats(value), _floats(median), _floats(mad))
    usable = ~np.isnan(value) & ~np.isnan(median) & ~np.isnan(mad) & (mad > 0)
    distance = np.full(value.shape, np.nan)
    np.divide(value - median, mad, out=distance, where=usable)
    note = np.where(~np.isnan(value) & (mad == 0), MAD_ZERO, "").astype(object)
    return distance, note


def _floats(values: Any) -> np.ndarray:
    """Numbers as a float array with NaN for missing (pandas NA, None and NaN alike)."""
    return pd.to_numeric(pd.Series(np.atleast_1d(np.asarray(values, dtype=object))), errors="coerce").to_numpy(
        dtype=float
    )
