"""Peer statistics: a council against its peer group, computed in the warehouse.

Every figure here comes from a named query in ``dashboard/peers/sql`` (``peer_profile``,
``peer_ranked_values``, ``peer_trend``, ``peer_progress``) run on the group's member codes, and
the rules they share are warehouse macros (``polarity_rank``, ``quartile_band``,
``change_direction``, ``value_status``); this module only chooses the parameters, filters small
results and formats them for display.

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
  No band when fewer than :data:`~dashboard.common.bands.MIN_BAND_N` members have values.
- **Change**: the council's value minus its value in its latest earlier period of the same
  kind that has a value; Improving/Worsening by polarity, Increasing/Decreasing for neutral,
  "No change" when equal; flagged when that earlier period is not the one just before.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from dashboard.common import limits
from dashboard.common.bands import MIN_BAND_N, band_labels
from dashboard.common.catalogue import indicator_themes
from dashboard.common.periods import full_period, value_period_frame, value_periods
from dashboard.common.text import decimals_or_default, format_value
from dashboard.peers.groups import PeerGroup
from dashboard.peers.significance import benchmark_significance, mad_distance
from dashboard.warehouse import Warehouse

__all__ = [
    "BAND_METHOD",
    "PROFILE_KEY_COLUMNS",
    "CHANGE_METHOD",
    "QUARTILE_METHOD",
    "RANK_METHOD",
    "council_series",
    "default_period",
    "default_start",
    "direction_text",
    "indicator_list",
    "ordered_periods",
    "peer_profile",
    "peer_progress",
    "peer_trend",
    "peer_values",
    "periods_like",
    "periods_with_values",
    "profile_display",
    "progress_display",
    "rank_text",
    "themes",
    "trend_display",
    "values_display",
]

RANK_METHOD = (
    "1 is the best value in the peer group, by whether higher or lower is better; councils with "
    "the same value share the better rank (values 9, 7, 7, 5 rank 1, 2, 2, 4); missing and "
    "suppressed values are not ranked, and indicators where neither is better are never ranked"
)
QUARTILE_METHOD = (
    "the median and quartiles of the peer group's councils that have a value, interpolating "
    "between the two nearest values when a quartile falls between them (as Excel's QUARTILE.INC)"
)
BAND_METHOD = (
    "which quarter of the peer group the council's value falls in, against the group's quartiles, "
    "best quarter first; a value exactly on a quartile takes the better band; no band when fewer "
    f"than {MIN_BAND_N} councils have a value"
)
CHANGE_METHOD = (
    "the council's value minus its value in its latest earlier period of the same kind (financial "
    "year, calendar year...) that has one; 'Gap in series' when that period is not the one just before"
)

PROGRESS_SPAN = 5  # default "from" period: five periods before "to", a typical plan's horizon

# Arrows show the direction of the number; the words say whether that is good (by polarity).
_ARROWS = {"Improving": "↑", "Worsening": "↓", "Increasing": "↑", "Decreasing": "↓", "No change": "→"}


def indicator_list(wh: Warehouse) -> pd.DataFrame:
    """Every indicator's id, name, theme, unit, polarity, description, source and decimals."""
    return wh.query("indicator_list")


def themes(wh: Warehouse) -> list[str]:
    """The indicator themes in alphabetical order."""
    return indicator_themes(wh)


def peer_profile(
    wh: Warehouse,
    group: PeerGroup,
    period: str,
    theme: str | None = None,
    page: int = 1,
    page_size: int | None = None,
    indicators: list[str] | None = None,
) -> pd.DataFrame:
    """One row per indicator: the group's council against the group in ``period``, for page
    ``page`` (1-based) of ``page_size`` indicators in theme order (default
    :data:`~dashboard.common.limits.PROFILE_PAGE_SIZE`: one page never reads every indicator).

    Columns: indicator_id, name, theme, unit, polarity, decimals, period, value, status,
    median, lower_quartile, upper_quartile, min, max, mean, rank, n_ranked, n_values, band
    (in words), band_number (1-4), previous_period, previous_value, change, direction,
    previous_consecutive, lower_ci, upper_ci (the value's 95% limits), mad (the group's median
    absolute deviation), significance (against the peer median), mad_distance and mad_note
    (``dashboard.peers.significance``); callers select by name, so the query may carry more.
    ``theme`` keeps one theme's indicators (None: all); ``indicators`` keeps those ids (None:
    all), applied in the query, so a narrower profile reads only its indicators' rows.
    """
    size = limits.PROFILE_PAGE_SIZE if page_size is None else page_size
    frame = wh.query(
        "peer_profile",
        codes=group.codes,
        council=group.spec.council,
        period=period,
        min_band_n=MIN_BAND_N,
        theme=theme or "",
        indicators=None if indicators is None else list(indicators),
        limit=size,
        offset=(max(page, 1) - 1) * size,
    )
    frame["band_number"] = frame["band"].astype("Int64")  # the macro's 1 (best quarter) to 4...
    frame["band"] = band_labels(frame["band"], frame["polarity"])  # ...and the same in words
    frame["significance"] = benchmark_significance(
        frame["polarity"], frame["value"], frame["lower_ci"], frame["upper_ci"], frame["median"]
    )
    frame["mad_distance"], frame["mad_note"] = mad_distance(frame["value"], frame["median"], frame["mad"])
    return frame


def peer_values(wh: Warehouse, group: PeerGroup, indicator: str, period: str) -> pd.DataFrame:
    """Every member's value, status and rank for ``indicator`` in ``period``, best first;
    ``is_council`` marks the group's own council."""
    frame = wh.query("peer_ranked_values", codes=group.codes, indicator=indicator, periods=[period])
    frame["is_council"] = frame["authority_code"] == group.spec.council
    return frame


def peer_trend(wh: Warehouse, group: PeerGroup, indicator: str) -> pd.DataFrame:
    """The council's value and the group's median, quartiles and range in every period with data.

    The member set is the group as resolved (for its period); each period's statistics use
    whichever members have a value then.
    """
    return wh.query("peer_trend", codes=group.codes, council=group.spec.council, indicator=indicator)


def peer_progress(wh: Warehouse, group: PeerGroup, indicator: str, start: str, end: str) -> pd.DataFrame:
    """Every member's value and rank in ``start`` and ``end``, the change and the rank change
    (positive = moved up); ``is_council`` marks the group's own council."""
    frame = wh.query("peer_progress", codes=group.codes, indicator=indicator, **{"from": start, "to": end})
    frame["is_council"] = frame["authority_code"] == group.spec.council
    return frame


def default_period(wh: Warehouse, council: str, indicator: str | None = None) -> str:
    """The period a page opens on for ``council``: the newest one it belongs to (``councils_in``:
    for a former council its last years) in which it has figures, of ``indicator`` or, when None,
    for at least :data:`~dashboard.common.periods.FULL_SHARE` of the indicators of its fullest period (so the profile does
    not open on a year only a few figures are out for). Falls back to the newest period it
    belongs to, else the newest period."""
    belongs = wh.query("council_periods", council=council)["period"].tolist()
    counts = wh.query("council_value_counts", council=council, indicator=indicator)
    counts = counts[counts["period"].isin(belongs)]
    if len(counts):
        return str(full_period(counts["period"], counts["n_values"]))
    return str(belongs[0]) if belongs else value_periods(wh)[0]


def default_start(periods: list[str], end: str, with_data: list[str] | None = None) -> str:
    """The default "from" period: :data:`PROGRESS_SPAN` periods before ``end`` in ``periods``
    (newest first), or the oldest available; with ``with_data`` (the periods the council has a
    value in), the nearest such period at or before that one, else the oldest one before ``end``."""
    if end not in periods:
        return periods[-1]
    target = periods[min(periods.index(end) + PROGRESS_SPAN, len(periods) - 1)]
    if with_data is None:
        return target
    earlier = [p for p in periods[periods.index(end) + 1 :] if p in set(with_data)]
    if not earlier:
        return target
    at_or_before = [p for p in earlier if periods.index(p) >= periods.index(target)]
    return at_or_before[0] if at_or_before else earlier[-1]


def periods_with_values(wh: Warehouse, council: str, indicator: str) -> list[str]:
    """The periods in which ``council`` has a value of ``indicator``, newest first."""
    return wh.query("council_value_counts", council=council, indicator=indicator)["period"].tolist()


def periods_like(wh: Warehouse, period: str) -> list[str]:
    """The periods with values of the same kind as ``period`` (financial years, calendar
    years...), newest first: a change is measured between two periods of one kind."""
    frame = value_period_frame(wh)
    kind = frame.loc[frame["period"] == period, "period_kind"]
    return frame.loc[frame["period_kind"] == kind.iloc[0], "period"].tolist() if len(kind) else frame["period"].tolist()


def ordered_periods(periods: list[str], start: str, end: str) -> tuple[str, str, str]:
    """``(start, end, note)`` with ``start`` not after ``end`` (``periods`` newest first);
    ``note`` explains a swap or an empty comparison ("" when nothing was changed)."""
    if start == end:
        return start, end, f"From and To are both {start}, so every change is empty. Choose two periods."
    if periods.index(start) < periods.index(end):
        return end, start, f"From ({start}) was later than To ({end}), so they were swapped."
    return start, end, ""


def rank_text(rank: Any, n_ranked: Any) -> str:
    """ "r of n" for a ranked value, "not ranked" otherwise (neutral or no value)."""
    if pd.isna(rank) or pd.isna(n_ranked):
        return "not ranked"
    return f"{int(rank)} of {int(n_ranked)}"


def direction_text(direction: Any) -> str:
    """The direction word with an arrow for the number's direction ("" when no change known)."""
    if direction is None or pd.isna(direction):
        return ""
    return f"{_ARROWS.get(direction, '')} {direction}".strip()


PROFILE_KEY_COLUMNS = ("Indicator", "Value", "Peer median", "Rank", "Band", "Change", "Direction", "Trend", "Details")
TREND_PERIODS = 10  # the small trend line's length: the last ten periods, like a decade of annual data


def profile_display(
    frame: pd.DataFrame,
    series: Mapping[str, list[float]] | None = None,
    links: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The profile as shown on the page: one row per indicator, text formatted with each
    indicator's decimals and unit. The first columns (:data:`PROFILE_KEY_COLUMNS`) are the ones
    a reader needs; the rest are shown on request. ``series`` gives each indicator's recent
    values (oldest first) for the Trend column, ``links`` its Indicator-page address for the
    Details column."""
    rows = []
    row: Any  # itertuples' fields are untyped scalars (text, numbers or missing)
    for row in frame.itertuples(index=False):
        fmt = functools.partial(format_value, decimals=row.decimals, unit=row.unit)
        rows.append(
            {
                "Indicator": row.name,
                "Value": fmt(row.value) or _status_text(row.status),
                "Peer median": fmt(row.median),
                "Rank": rank_text(row.rank, row.n_ranked),
                "Band": _text(row.band),
                "Change": format_value(row.change, row.decimals, signed=True),
                "Direction": direction_text(row.direction),
                "Trend": list((series or {}).get(row.indicator_id, [])),
                "Details": (links or {}).get(row.indicator_id, ""),
                "Theme": row.theme,
                "Status": _status_text(row.status),
                "Better": {"higher": "Higher", "lower": "Lower"}.get(row.polarity, "Neither"),
                "Lower quartile": fmt(row.lower_quartile),
                "Upper quartile": fmt(row.upper_quartile),
                "Lowest": fmt(row.min),
                "Highest": fmt(row.max),
                "Councils with a value": int(row.n_values),
                "Since": _text(row.previous_period),
                "Gap in series": "Yes" if _is_false(row.previous_consecutive) else "",
                "Against the peer median": "" if row.significance is None else row.significance,
                "Distance from the median (MADs)": _mad_text(row.mad_distance, row.mad_note),
            }
        )
    return pd.DataFrame(rows, columns=list(_DISPLAY_COLUMNS))


def _mad_text(distance: Any, note: Any) -> str:
    """The distance in MADs to two decimals with its sign, or why it was not computed."""
    if pd.notna(distance):
        return f"{distance:+.2f}"
    return "not computed (MAD is 0)" if note else ""


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _status_text(status: Any) -> str:
    # the status words as a reader says them: "suppressed", "estimate"; nothing for a normal value
    return _text(status).replace("_", " ")


def _is_false(flag: Any) -> bool:
    # NULL (no previous period) is not a gap; numpy booleans are not the False singleton.
    return flag is not None and not pd.isna(flag) and not bool(flag)


_DISPLAY_COLUMNS = (
    *PROFILE_KEY_COLUMNS,
    "Theme",
    "Status",
    "Better",
    "Lower quartile",
    "Upper quartile",
    "Lowest",
    "Highest",
    "Councils with a value",
    "Since",
    "Gap in series",
    "Against the peer median",
    "Distance from the median (MADs)",
)


def council_series(
    wh: Warehouse, council: str, period: str, indicators: Sequence[str], periods: int = TREND_PERIODS
) -> dict[str, list[float]]:
    """Each of ``indicators``' values for ``council`` in the last ``periods`` periods of
    ``period``'s kind up to ``period``, oldest first: ``{indicator_id: [values]}``."""
    frame = wh.query("council_series", council=council, period=period, indicators=list(indicators))
    return {
        str(indicator): group["value"].tail(periods).astype(float).tolist()
        for indicator, group in frame.groupby("indicator_id", sort=False)
    }


def _rounded(series: pd.Series, decimals: Any) -> pd.Series:
    return series.astype("Float64").round(decimals_or_default(decimals))


def values_display(values: pd.DataFrame, decimals: Any) -> pd.DataFrame:
    """Every member's value for the Table tab (numbers kept numeric, so columns sort)."""
    return pd.DataFrame(
        {
            "Council": values["short_name"],
            "Code": values["authority_code"],
            "This council": values["is_council"].map({True: "Yes", False: ""}),
            "Value": _rounded(values["value"], decimals),
            "Status": values["status"].fillna(""),
            "Rank": [rank_text(r, n) for r, n in zip(values["rank"], values["n_ranked"], strict=True)],
        }
    )


def trend_display(trend: pd.DataFrame, decimals: Any) -> pd.DataFrame:
    """The council's series and the group's statistics per period, for the Table tab."""
    return pd.DataFrame(
        {
            "Period": trend["period"],
            "Council value": _rounded(trend["council_value"], decimals),
            "Council status": trend["council_status"].fillna(""),
            "Peer median": _rounded(trend["median"], decimals),
            "Lower quartile": _rounded(trend["lower_quartile"], decimals),
            "Upper quartile": _rounded(trend["upper_quartile"], decimals),
            "Min": _rounded(trend["min"], decimals),
            "Max": _rounded(trend["max"], decimals),
            "Councils with a value": trend["n_values"],
        }
    )


def progress_display(progress: pd.DataFrame, decimals: Any) -> pd.DataFrame:
    """Every member's values, change and ranks in two periods; numeric, so the table sorts."""
    return pd.DataFrame(
        {
            "Council": progress["short_name"],
            "This council": progress["is_council"].map({True: "Yes", False: ""}),
            "From value": _rounded(progress["value_from"], decimals),
            "To value": _rounded(progress["value_to"], decimals),
            "Change": _rounded(progress["change"], decimals),
            "Direction": progress["direction"].map(direction_text),
            "From rank": progress["rank_from"].astype("Int64"),
            "To rank": progress["rank_to"].astype("Int64"),
            "Rank change (up is +)": progress["rank_change"].astype("Int64"),
            "Ranked (to)": progress["n_ranked_to"].astype("Int64"),
            "Status (to)": progress["status_to"].fillna(""),
        }
    )
