"""Peer statistics: a council against its peer group, computed in the warehouse.

Every figure here comes from a named query in ``dashboard/sql`` (``peer_profile``,
``peer_ranked_values``, ``peer_trend``, ``peer_progress``) run on the group's member codes;
this module only chooses the parameters, filters small results and formats them for display.

The methods, stated once (pages and exports quote these constants):

- **Rank**: 1 = best by the indicator's polarity (``higher`` or ``lower`` is better); ties
  share the best rank (SQL ``rank()``, so values 9, 7, 7, 5 rank 1, 2, 2, 4); members with a
  missing or suppressed value are not ranked and do not count in n; ``neutral`` indicators
  are never ranked.
- **Quartiles and median**: DuckDB ``quantile_cont`` (linear interpolation between the two
  nearest values), the same as pandas' default ``Series.quantile``, over members' usable values.
- **Band**: where the council's value falls against the group's quartiles: for higher-is-better
  "Top quartile" is value >= upper quartile, "Second" >= median, "Third" >= lower quartile,
  else "Bottom"; mirrored for lower-is-better; a value on a cut point takes the better band.
  Neutral indicators get position words only ("Highest quarter" ... "Lowest quarter").
  No band when fewer than :data:`MIN_BAND_N` members have values.
- **Change**: the council's value minus its value in its latest earlier period of the same
  kind that has a value; Improving/Worsening by polarity, Increasing/Decreasing for neutral,
  "No change" when equal; flagged when that earlier period is not the one just before.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.peers import PeerGroup

__all__ = [
    "BAND_METHOD",
    "CHANGE_METHOD",
    "MIN_BAND_N",
    "QUARTILE_METHOD",
    "RANK_METHOD",
    "direction_text",
    "format_value",
    "indicator_list",
    "peer_profile",
    "peer_progress",
    "peer_trend",
    "peer_values",
    "profile_display",
    "rank_text",
    "themes",
    "value_periods",
]

MIN_BAND_N = 4  # quartiles of fewer than four values say nothing about quarters of a group

RANK_METHOD = (
    "1 = best by polarity; ties share the best rank (SQL rank()); missing and suppressed "
    "values are not ranked; neutral indicators are not ranked"
)
QUARTILE_METHOD = (
    "median and quartiles by linear interpolation (DuckDB quantile_cont, as pandas' default "
    "quantile) over the peer group's non-missing values"
)
BAND_METHOD = (
    f"quartile band of the council's value against the group's quartiles, best quarter first; "
    f"a value on a cut point takes the better band; no band with fewer than {MIN_BAND_N} values"
)
CHANGE_METHOD = (
    "value minus the council's value in its latest earlier period of the same kind with data; "
    "previous_consecutive is false when that period is not the one just before"
)

# Arrows show the direction of the number; the words say whether that is good (by polarity).
_ARROWS = {"Improving": "↑", "Worsening": "↓", "Increasing": "↑", "Decreasing": "↓", "No change": "→"}


def value_periods(wh: Any) -> list[str]:
    """Periods that hold indicator values, newest first."""
    return wh.query("value_periods")["period"].tolist()


def indicator_list(wh: Any) -> pd.DataFrame:
    """Every indicator's id, name, theme, unit, polarity, description, source and decimals."""
    return wh.query("indicator_list")


def themes(wh: Any) -> list[str]:
    """The indicator themes in alphabetical order."""
    return sorted(indicator_list(wh)["theme"].unique().tolist())


def peer_profile(wh: Any, group: PeerGroup, period: str, theme: str | None = None) -> pd.DataFrame:
    """One row per indicator: the group's council against the group in ``period``.

    Columns: indicator_id, name, theme, unit, polarity, decimals, period, value, status,
    median, lower_quartile, upper_quartile, min, max, mean, rank, n_ranked, n_values, band,
    previous_period, previous_value, change, direction, previous_consecutive.
    ``theme`` keeps one theme's indicators (None: all).
    """
    frame = wh.query("peer_profile", codes=group.codes, council=group.spec.council,
                     period=period, min_band_n=MIN_BAND_N)
    if theme:
        frame = frame[frame["theme"] == theme].reset_index(drop=True)
    return frame


def peer_values(wh: Any, group: PeerGroup, indicator: str, period: str) -> pd.DataFrame:
    """Every member's value, status and rank for ``indicator`` in ``period``, best first;
    ``is_council`` marks the group's own council."""
    frame = wh.query("peer_ranked_values", codes=group.codes, indicator=indicator, periods=[period])
    frame["is_council"] = frame["authority_code"] == group.spec.council
    return frame


def peer_trend(wh: Any, group: PeerGroup, indicator: str) -> pd.DataFrame:
    """The council's value and the group's median, quartiles and range in every period with data.

    The member set is the group as resolved (for its period); each period's statistics use
    whichever members have a value then.
    """
    return wh.query("peer_trend", codes=group.codes, council=group.spec.council, indicator=indicator)


def peer_progress(wh: Any, group: PeerGroup, indicator: str, start: str, end: str) -> pd.DataFrame:
    """Every member's value and rank in ``start`` and ``end``, the change and the rank change
    (positive = moved up); ``is_council`` marks the group's own council."""
    frame = wh.query("peer_progress", codes=group.codes, indicator=indicator,
                     **{"from": start, "to": end})
    frame["is_council"] = frame["authority_code"] == group.spec.council
    return frame


def rank_text(rank: Any, n_ranked: Any) -> str:
    """"r of n" for a ranked value, "not ranked" otherwise (neutral or no value)."""
    if pd.isna(rank) or pd.isna(n_ranked):
        return "not ranked"
    return f"{int(rank)} of {int(n_ranked)}"


def format_value(value: Any, decimals: Any = None, signed: bool = False) -> str:
    """A number with the indicator's decimals and thousands separators ("" when missing);
    ``signed`` puts "+" before positive numbers (for changes)."""
    if value is None or pd.isna(value):
        return ""
    places = 2 if decimals is None or pd.isna(decimals) else int(decimals)
    text = f"{float(value):,.{places}f}"
    return f"+{text}" if signed and float(value) > 0 else text


def direction_text(direction: Any) -> str:
    """The direction word with an arrow for the number's direction ("" when no change known)."""
    if direction is None or pd.isna(direction):
        return ""
    return f"{_ARROWS.get(direction, '')} {direction}".strip()


def profile_display(frame: pd.DataFrame) -> pd.DataFrame:
    """The profile as shown on the page: text cells formatted per indicator's decimals."""
    rows = []
    for row in frame.itertuples(index=False):
        fmt = lambda v, r=row: format_value(v, r.decimals)
        rows.append({
            "Indicator": row.name,
            "Theme": row.theme,
            "Value": fmt(row.value),
            "Unit": row.unit,
            "Status": "" if pd.isna(row.status) else row.status,
            "Better": {"higher": "Higher", "lower": "Lower"}.get(row.polarity, "Neither"),
            "Peer median": fmt(row.median),
            "Lower quartile": fmt(row.lower_quartile),
            "Upper quartile": fmt(row.upper_quartile),
            "Min": fmt(row.min),
            "Max": fmt(row.max),
            "Rank": rank_text(row.rank, row.n_ranked),
            "Band": "" if pd.isna(row.band) else row.band,
            "Change": format_value(row.change, row.decimals, signed=True),
            "Direction": direction_text(row.direction),
            "Since": "" if pd.isna(row.previous_period) else row.previous_period,
            "Gap in series": "Yes" if _is_false(row.previous_consecutive) else "",
        })
    return pd.DataFrame(rows, columns=list(_DISPLAY_COLUMNS))


def _is_false(flag: Any) -> bool:
    # NULL (no previous period) is not a gap; numpy booleans are not the False singleton.
    return flag is not None and not pd.isna(flag) and not bool(flag)


_DISPLAY_COLUMNS = (
    "Indicator", "Theme", "Value", "Unit", "Status", "Better", "Peer median", "Lower quartile",
    "Upper quartile", "Min", "Max", "Rank", "Band", "Change", "Direction", "Since", "Gap in series",
)
