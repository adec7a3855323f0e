"""The periods that hold indicator values: one query, in the order every period menu uses."""

from __future__ import annotations

import pandas as pd

from dashboard.warehouse import Warehouse

__all__ = ["FULL_SHARE", "full_period", "value_periods", "value_period_frame"]

FULL_SHARE = 0.5  # a page opens on a period holding at least half as many figures as the fullest one


def value_period_frame(wh: Warehouse) -> pd.DataFrame:
    """Periods that hold values, newest first: period, period_start, period_end, period_kind and
    indicators (how many indicators have a value in it)."""
    return wh.query("value_periods")


def value_periods(wh: Warehouse) -> list[str]:
    """The labels of :func:`value_period_frame`, newest first (``[::-1]``: oldest first)."""
    return value_period_frame(wh)["period"].tolist()


def full_period(periods: pd.Series, counts: pd.Series) -> str | None:
    """The newest of ``periods`` (newest first) whose count in ``counts`` (same order) is at least
    :data:`FULL_SHARE` of the largest: the period a page opens on, so it does not open on one
    only a few figures are out for yet. None when there are no periods."""
    if not len(periods):
        return None
    full = counts.to_numpy() >= FULL_SHARE * counts.max()
    return str(periods[full].iloc[0])
