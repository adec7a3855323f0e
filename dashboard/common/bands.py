"""Quartile bands in words: the warehouse macro ``quartile_band`` gives 1 (the best quarter) to 4;
pages and exports put the number in words here, the same words everywhere.

Band 1 is the best quarter for ranked indicators; neutral ones are banded by value, so their
labels only say higher or lower, never better or worse.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["BAND_LABELS", "MIN_BAND_N", "band_label", "band_labels"]

MIN_BAND_N = 4  # quartiles of fewer than four values say nothing about quarters of a group
BAND_LABELS = {
    "ranked": {1: "Top quartile", 2: "Second quartile", 3: "Third quartile", 4: "Bottom quartile"},
    "neutral": {1: "Highest quarter", 2: "Upper middle", 3: "Lower middle", 4: "Lowest quarter"},
}


def band_label(band: Any, polarity: Any) -> str:
    """The words for quartile ``band`` (1-4) of an indicator of ``polarity``; "" when no band."""
    if band is None or pd.isna(band):
        return ""
    return BAND_LABELS["neutral" if polarity == "neutral" else "ranked"][int(band)]


def band_labels(bands: pd.Series, polarities: pd.Series | str) -> pd.Series:
    """:func:`band_label` of every row (``polarities`` per row, or one for all); NA when no band."""
    polarity = polarities if isinstance(polarities, pd.Series) else pd.Series(polarities, index=bands.index)
    words = [band_label(b, p) or None for b, p in zip(bands, polarity, strict=True)]
    return pd.Series(words, index=bands.index, dtype=object)
