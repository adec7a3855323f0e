"""The council profile's summary, read in ten seconds: how many indicators fall in each quartile
band within the peer group, how many are improving or worsening, and where each sits on the
spine chart.

Pure functions of the frame :func:`dashboard.peers.statistics.peer_profile` returns (they pick
its columns by name, so extra columns do no harm).

The spine chart puts every indicator on one scale (after OHID Fingertips' area profiles): the
peer median in the middle, the group's value furthest from the median at the edge, and the
**better side on the right for every ranked indicator** (a lower-is-better indicator is
mirrored). For an indicator where neither direction is better, higher is to the right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard.common.bands import BAND_LABELS
from dashboard.common.text import format_value
from dashboard.peers.significance import BETTER, HIGHER, LOWER, WORSE

__all__ = [
    "ProfileSummary",
    "profile_summary",
    "spine_rows",
    "spine_table",
    "summary_sentence",
    "summary_table",
]

IMPROVING, WORSENING = "Improving", "Worsening"  # the change_direction macro's words for ranked indicators


@dataclass(frozen=True)
class ProfileSummary:
    """Counts behind the profile's summary.

    ``bands`` counts ranked indicators per quartile band (1 = top quartile .. 4 = bottom);
    ``not_banded`` counts ranked indicators without a band (no value, or too few in the group);
    ``neutral`` counts indicators where neither direction is better (never banded as good or bad);
    ``improving``/``worsening``/``unchanged`` count ranked indicators by their change since the
    previous period, ``no_change_known`` those without an earlier value.
    """

    indicators: int
    bands: dict[int, int]
    not_banded: int
    neutral: int
    improving: int
    worsening: int
    unchanged: int
    no_change_known: int

    @property
    def ranked(self) -> int:
        """Indicators where higher or lower is better."""
        return self.indicators - self.neutral

    @property
    def banded(self) -> int:
        """Ranked indicators with a quartile band."""
        return sum(self.bands.values())


def _band_number(row: Any) -> int | None:
    band = row.get("band_number")
    return None if band is None or pd.isna(band) else int(band)


def profile_summary(profile: pd.DataFrame) -> ProfileSummary:
    """The counts of ``profile`` (one row per indicator, from ``statistics.peer_profile``)."""
    ranked = profile[profile["polarity"] != "neutral"]
    bands = {band: 0 for band in BAND_LABELS["ranked"]}
    for number in ranked["band_number"].dropna():
        bands[int(number)] += 1
    directions = ranked["direction"]
    return ProfileSummary(
        indicators=len(profile),
        bands=bands,
        not_banded=int(ranked["band_number"].isna().sum()),
        neutral=len(profile) - len(ranked),
        improving=int((directions == IMPROVING).sum()),
        worsening=int((directions == WORSENING).sum()),
        unchanged=int((directions == "No change").sum()),
        no_change_known=int(directions.isna().sum()),
    )


def summary_sentence(summary: ProfileSummary, council_name: str) -> str:
    """The summary in one plain sentence (plain text: escape it before Markdown)."""
    if summary.banded == 0:
        return (
            f"{council_name} has no quartile band in this peer group: no ranked indicator has both its "
            "value and enough councils with a value to band."
        )
    top, bottom = summary.bands[1], summary.bands[4]
    return (
        f"Of {summary.banded} indicators with a band, {council_name} is in the top quartile of its peer "
        f"group on {top} and in the bottom quartile on {bottom}. Since the previous period it improved "
        f"on {summary.improving} and worsened on {summary.worsening}."
    )


def summary_table(summary: ProfileSummary) -> pd.DataFrame:
    """The summary as rows of (Measure, Indicators): for the report and for screen readers."""
    rows = [(f"{BAND_LABELS['ranked'][band]}", count) for band, count in summary.bands.items()]
    rows += [
        ("Ranked, but no band (no value, or too few councils with a value)", summary.not_banded),
        ("Neither higher nor lower is better (not ranked)", summary.neutral),
        ("Improving since the previous period", summary.improving),
        ("Worsening since the previous period", summary.worsening),
        ("No change since the previous period", summary.unchanged),
        ("No earlier value to compare with", summary.no_change_known),
        ("Indicators in total", summary.indicators),
    ]
    return pd.DataFrame(rows, columns=["Measure", "Indicators"])


def _scale(values: pd.Series, median: pd.Series, half: pd.Series, side: pd.Series) -> pd.Series:
    """``values`` on the spine's scale: 0 at the median, +-1 at the furthest value, better side +."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = side * (values - median) / half
    return scaled.where(half > 0, 0.0).where(median.notna())


SIGNIFICANT = (BETTER, WORSE, HIGHER, LOWER)  # labels of a value whose interval excludes the median


def spine_rows(profile: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator of ``profile`` with its place on the spine chart.

    Columns: indicator_id, name, polarity, band, band_number, value, median, unit, decimals, and
    on the spine's scale (-1 .. 1, median 0, better side positive): range_low, range_high,
    middle_low, middle_high (the interquartile range) and council (the council's value, clipped
    to the scale when it lies outside the group). Scaled columns are missing when the group has
    no value; ``council`` is missing when the council has none. ``significance`` is the value's
    label against the peer median (``peers.significance``; None when the profile carries none)
    and ``significant`` whether its 95% interval excludes the median.
    """
    frame = profile.reset_index(drop=True)
    significance = (
        frame["significance"] if "significance" in frame else pd.Series(None, index=frame.index, dtype=object)
    )
    numbers = {
        c: pd.to_numeric(frame[c], errors="coerce").astype(float)
        for c in ("value", "median", "lower_quartile", "upper_quartile", "min", "max")
    }
    median = numbers["median"]
    side = pd.Series(np.where(frame["polarity"] == "lower", -1.0, 1.0), index=frame.index)
    half = pd.concat([numbers["max"] - median, median - numbers["min"]], axis=1).max(axis=1)

    def scaled(column: str) -> pd.Series:
        return _scale(numbers[column], median, half, side)

    ends = pd.concat([scaled("min"), scaled("max")], axis=1)
    quartiles = pd.concat([scaled("lower_quartile"), scaled("upper_quartile")], axis=1)
    return pd.DataFrame(
        {
            "indicator_id": frame["indicator_id"],
            "name": frame["name"],
            "polarity": frame["polarity"],
            "band": frame["band"],
            "band_number": frame["band_number"],
            "value": numbers["value"],
            "median": median,
            "unit": frame["unit"],
            "decimals": frame["decimals"],
            "range_low": ends.min(axis=1, skipna=False),
            "range_high": ends.max(axis=1, skipna=False),
            "middle_low": quartiles.min(axis=1, skipna=False),
            "middle_high": quartiles.max(axis=1, skipna=False),
            "council": scaled("value").clip(-1.0, 1.0),
            "significance": significance,
            "significant": significance.isin(SIGNIFICANT),
        }
    )


def _text(value: Any) -> str:
    """A label, or "" for a missing one (None or NaN)."""
    return value if isinstance(value, str) else ""


def spine_table(profile: pd.DataFrame) -> pd.DataFrame:
    """The spine chart's figures as a table (its Table tab): each indicator's value and band and
    the peer group's median, quartiles and range, formatted with the indicator's unit, and the
    value against the peer median (from its 95% limits) when the profile carries it."""
    rows = []
    row: Any
    for row in profile.itertuples(index=False):

        def fmt(value: Any, row: Any = row) -> str:
            return format_value(value, row.decimals, row.unit)

        rows.append(
            {
                "Indicator": row.name,
                "Better when": {"higher": "higher", "lower": "lower"}.get(row.polarity, "neither"),
                "Council value": fmt(row.value),
                "Quartile band": "" if row.band is None or pd.isna(row.band) else row.band,
                "Peer median": fmt(row.median),
                "Lower quartile": fmt(row.lower_quartile),
                "Upper quartile": fmt(row.upper_quartile),
                "Lowest": fmt(row.min),
                "Highest": fmt(row.max),
                "Against the peer median": _text(getattr(row, "significance", None)),
            }
        )
    return pd.DataFrame(rows)
