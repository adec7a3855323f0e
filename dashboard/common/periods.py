"""The periods that hold indicator values: one query, in the order every period menu uses."""

from __future__ import annotations

import pandas as pd

from dashboard.warehouse import Warehouse

__all__ = ["value_periods", "value_period_frame"]


def value_period_frame(wh: Warehouse) -> pd.DataFrame:
    """Periods that hold values, newest first: period, period_start, period_end, period_kind."""
    return wh.query("value_periods")


def value_periods(wh: Warehouse) -> list[str]:
    """The labels of :func:`value_period_frame`, newest first (``[::-1]``: oldest first)."""
    return value_period_frame(wh)["period"].tolist()
