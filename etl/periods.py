"""Parse the period labels publishers use into one canonical label and a sortable date range.

Canonical labels:
- financial year: ``2019/20`` (1 April 2019 to 31 March 2020)
- calendar year: ``2019``
- calendar quarter: ``2019 Q1``
- multi-year span: ``2014-16`` (1 January 2014 to 31 December 2016)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["Period", "PeriodError", "parse_period"]

# A year outside this window is far more likely a typo than real data.
EARLIEST_YEAR = 1950
LATEST_YEAR = 2100

_FY_SHORT = re.compile(r"^(\d{4})\s*[/\-–]\s*(\d{2})$")
_FY_LONG = re.compile(r"^(\d{4})\s*[/\-–]\s*(\d{4})$")
_FY_PREFIX = re.compile(r"^FY\s*(\d{4})(?:\s*[/\-–]\s*(\d{2}|\d{4}))?$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})\s*[-/ ]?\s*Q([1-4])$", re.IGNORECASE)


class PeriodError(ValueError):
    """Raised when a text cannot be read as a period; the message says why."""


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: sortable by ``start``, shown by ``label``."""

    start: dt.date
    end: dt.date
    label: str
    kind: str  # financial_year | calendar_year | quarter | span


def _check_year(year: int, text: str) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise PeriodError(f"has year {year}, outside {EARLIEST_YEAR}-{LATEST_YEAR}")


def financial_year(start_year: int) -> Period:
    """The UK financial year that starts on 1 April of ``start_year``."""
    return Period(
        dt.date(start_year, 4, 1),
        dt.date(start_year + 1, 3, 31),
        f"{start_year}/{(start_year + 1) % 100:02d}",
        "financial_year",
    )


def _two_digit_follow(first: int, second_two: int) -> int:
    """Expand the two-digit end year of ``2019-20`` or ``1999-00`` relative to its start."""
    century = first - first % 100
    second = century + second_two
    return second + 100 if second < first else second


def parse_period(text: str) -> Period:
    """Read ``text`` as a period.

    Accepts ``2019/20``, ``2019-20``, ``2019/2020``, ``2019-2020`` and ``FY2019`` (financial
    years), ``2019`` (calendar year), ``2019 Q1`` (calendar quarter) and spans such as
    ``2014-16`` (calendar years 2014 to 2016 inclusive).

    Raises:
        PeriodError: the text is empty, has an unknown form or an implausible year.
    """
    raw = text
    text = (text or "").strip()
    if not text:
        raise PeriodError("is empty")
    if m := _YEAR.match(text):
        year = int(m[1])
        _check_year(year, raw)
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year), "calendar_year")
    if m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        _check_year(year, raw)
        start = dt.date(year, 3 * quarter - 2, 1)
        end_month = 3 * quarter
        end = (dt.date(year + (end_month == 12), end_month % 12 + 1, 1)) - dt.timedelta(days=1)
        return Period(start, end, f"{year} Q{quarter}", "quarter")
    if m := _FY_PREFIX.match(text):
        year = int(m[1])
        _check_year(year, raw)
        if m[2]:
            end_year = int(m[2]) if len(m[2]) == 4 else _two_digit_follow(year, int(m[2]))
            if end_year != year + 1:
                raise PeriodError("is not a single financial year")
        return financial_year(year)
    if m := _FY_LONG.match(text):
        first, second = int(m[1]), int(m[2])
        _check_year(first, raw)
        if second == first + 1:
            return financial_year(first)
        if second > first + 1 and second - first <= 20:
            return _span(first, second, raw)
        raise PeriodError("ends before it starts or spans more than 20 years")
    if m := _FY_SHORT.match(text):
        first = int(m[1])
        _check_year(first, raw)
        second = _two_digit_follow(first, int(m[2]))
        if second == first + 1:
            return financial_year(first)
        # ``2019-19`` expands to 2019 itself: neither a financial year nor a span.
        if first + 1 < second <= first + 20:
            return _span(first, second, raw)
        raise PeriodError("ends before it starts or spans more than 20 years")
    raise PeriodError("is not a period (expected forms like 2019/20, 2019-20, 2019, 2019 Q1, 2014-16)")


def _span(first: int, last: int, raw: str) -> Period:
    _check_year(last, raw)
    return Period(dt.date(first, 1, 1), dt.date(last, 12, 31), f"{first}-{last % 100:02d}", "span")
