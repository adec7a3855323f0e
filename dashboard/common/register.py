"""The council register as every feature reads it, and the one existence rule's Python mirror.

Which councils belong to a period is decided once, by the warehouse macro ``councils_in(p)``
(``etl/sql/macros.sql``): councils (never combined or strategic authorities) that existed on at
least one day of the period by the register's life dates, plus those the data reports a value for
in that period however outside their life. Every query that draws councils for a period calls
it. :func:`belongs_to_period` is the same rule for the rare Python caller that already holds the
register's dates (a predecessor series walking back in time); a test checks the two agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from dashboard.warehouse import Warehouse

__all__ = [
    "DEFAULT_COUNCIL",
    "UnknownCouncil",
    "belongs_to_period",
    "council_choices",
    "council_facts",
    "to_date",
]

DEFAULT_COUNCIL = "E08000025"  # Birmingham: the largest council, with a series in every period


class UnknownCouncil(ValueError):
    """The code is not a council in the warehouse (unknown, or a combined authority)."""


def to_date(value: Any) -> dt.date | None:
    """A register or period date as a ``datetime.date``; None for a missing one (NULL, NaT, NaN)."""
    if value is None or value is pd.NaT or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def belongs_to_period(
    start_date: Any, end_date: Any, period_start: Any, period_end: Any, reported: bool = False
) -> bool:
    """True when a council belongs to a period (the warehouse's ``councils_in``, in Python).

    It belongs when the data ``reported`` a value for it in the period, or when it existed on at
    least one day of it: started (``start_date``, None = always) on or before ``period_end`` and
    not gone by ``period_start`` (``end_date``, None = still exists, is the first day it no
    longer exists).
    """
    if reported:
        return True
    first, last = to_date(start_date) or dt.date.min, to_date(end_date) or dt.date.max
    begins, ends = to_date(period_start), to_date(period_end)
    if begins is None or ends is None:
        raise ValueError("a period needs both its first and its last day")
    return first <= ends and last > begins


def council_facts(wh: Warehouse, code: str) -> pd.Series:
    """The reference facts of council ``code``.

    Raises:
        UnknownCouncil: ``code`` is not a council (unknown, or a combined authority).
    """
    frame = wh.query("authority", code=code)
    if frame.empty or not bool(frame.iloc[0]["is_council"]) or frame.iloc[0]["tier"] == "combined":
        raise UnknownCouncil(f"{code!r} is not a council in the warehouse")
    return frame.iloc[0]


def council_choices(wh: Warehouse) -> pd.DataFrame:
    """Every council a user can pick (current first, former ones labelled "(until YYYY)"):
    authority_code, short_name, nation, region, authority_type, is_current, label."""
    return wh.query("council_choices")
