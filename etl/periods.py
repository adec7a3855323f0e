"""Parse the period labels publishers use into one canonical label and a sortable date range.

Canonical labels (``kind`` in brackets; it is the ``period_kind`` the warehouse stores, and
change-since-previous-period only ever compares periods of the same kind):

- financial year: ``2019/20`` (1 April 2019 to 31 March 2020) [financial_year]
- academic year: ``2019/20 academic`` (1 August 2019 to 31 July 2020) [academic_year]
- calendar year: ``2019`` [calendar_year]
- a year from another day: ``2015/16 from 16 Nov`` (16 November 2015 to 15 November 2016)
  [year_from_11-16: the start day is part of the kind, so only like years are compared]
- calendar quarter: ``2019 Q1`` [quarter]; calendar month: ``2023 Jul`` [month]
- multi-year span of calendar years: ``2014-16`` (1 January 2014 to 31 December 2016) [span],
  two of them ``2019 to 2020`` (``2019-20`` is a financial year, as publishers write it);
  of financial years ``2014/15 to 2016/17`` [financial_span]; of academic years
  ``2014/15 to 2016/17 academic`` [academic_span]; of years from another day
  ``2015/16 to 2017/18 from 16 Nov`` [span_from_11-16]
- a point in time: ``2026-01-01`` (that one day) [point]
- any other stretch: ``2023-07-15 to 2023-09-14`` [2_months, or 10_days for a stretch that is
  not whole months]

ISO 8601 intervals as official statistics publish them (``2019-04-01/P1Y``, ``2019-01-01/P3Y``,
``2023-07-01/P1M``, ``2019-04-01/P3M``, ``2019-04-01/2020-03-31``) and bare dates become the
same labels. Invariants the warehouse relies on: **every label starts with the 4-digit year of
its first day** (queries narrow by it), labels of different kinds never collide, and every
label parses back to itself.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["Period", "PeriodError", "parse_period", "period_between"]

# A year outside this window is far more likely a typo than real data.
EARLIEST_YEAR = 1950
LATEST_YEAR = 2100
MAX_SPAN_YEARS = 20  # a span ends at most this many years after it starts: longer is a typo

# Start days (month, day) whose years have a name of their own.
NAMED_YEARS = {(1, 1): "calendar", (4, 1): "financial", (8, 1): "academic"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBER = {m.casefold(): n for n, m in enumerate(MONTHS, 1)} | {
    full.casefold(): n
    for n, full in enumerate(
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        1,
    )
}
_MONTH_WORD = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))

_FY_SHORT = re.compile(r"^(\d{4})\s*[/\-–]\s*(\d{2})$")
_FY_LONG = re.compile(r"^(\d{4})\s*[/\-–]\s*(\d{4})$")
_FY_PREFIX = re.compile(r"^FY\s*(\d{4})(?:\s*[/\-–]\s*(\d{2}|\d{4}))?$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_CALENDAR_SPAN = re.compile(r"^(\d{4})\s+to\s+(\d{4})$", re.IGNORECASE)
_QUARTER = re.compile(r"^(\d{4})\s*[-/ ]?\s*Q([1-4])$", re.IGNORECASE)
_DATE = r"(\d{4})-(\d{2})-(\d{2})"
_ISO = re.compile(rf"^{_DATE}(?:\s*/\s*(?:P(\d+)([YMWD])|{_DATE}))?$", re.IGNORECASE)
_STRETCH = re.compile(rf"^{_DATE}\s+to\s+{_DATE}$", re.IGNORECASE)
_YY = r"(\d{4})\s*/\s*(\d{2})"
_ACADEMIC = re.compile(rf"^(?:AY\s*{_YY}|{_YY}\s*(?:academic(?:\s+year)?|AY))$", re.IGNORECASE)
_YEAR_FROM = re.compile(rf"^{_YY}\s+from\s+(\d{{1,2}})\s+({_MONTH_WORD})$", re.IGNORECASE)
_YEARS_SPAN = re.compile(
    rf"^{_YY}\s+to\s+{_YY}(?:\s+(academic)|\s+from\s+(\d{{1,2}})\s+({_MONTH_WORD}))?$", re.IGNORECASE
)
_MONTH = re.compile(rf"^(?:(\d{{4}})\s+({_MONTH_WORD})|({_MONTH_WORD})\s+(\d{{4}}))$", re.IGNORECASE)


class PeriodError(ValueError):
    """Raised when a text cannot be read as a period; the message says why."""


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: sortable by ``start``, shown by ``label``; ``end`` is its last day."""

    start: dt.date
    end: dt.date
    label: str
    kind: str  # see the module docstring: financial_year, academic_year, calendar_year, span, month...


def _check_year(year: int) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise PeriodError(f"has year {year}, outside {EARLIEST_YEAR}-{LATEST_YEAR}")


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months; the 31st becomes the last day of a shorter month."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


def _whole_months(start: dt.date, end: dt.date) -> int | None:
    """How many whole months run from ``start`` to ``end`` (its last day), if a whole number."""
    following = end + dt.timedelta(days=1)
    months = (following.year - start.year) * 12 + following.month - start.month
    return months if months > 0 and _add_months(start, months) == following else None


def _two_digit_follow(first: int, second_two: int) -> int:
    """Expand the two-digit end year of ``2019-20`` or ``1999-00`` relative to its start."""
    century = first - first % 100
    second = century + second_two
    return second + 100 if second < first else second


def _year_pair(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def financial_year(start_year: int) -> Period:
    """The UK financial year that starts on 1 April of ``start_year``."""
    return period_between(dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31))


def period_between(start: dt.date, end: dt.date) -> Period:
    """The canonical period running from ``start`` to ``end`` (both days included).

    Raises:
        PeriodError: ``end`` is before ``start``, a year is implausible, or it spans more than
            20 years.
    """
    _check_year(start.year)
    _check_year(end.year)
    if end < start:
        raise PeriodError("ends before it starts")
    if start == end:
        return Period(start, end, start.isoformat(), "point")
    months = _whole_months(start, end)
    if months is not None and months % 12 == 0:
        return _years(start, end, months // 12)
    if months == 1 and start.day == 1:
        return Period(start, end, f"{start.year} {MONTHS[start.month - 1]}", "month")
    if months == 3 and start.day == 1 and start.month % 3 == 1:
        return Period(start, end, f"{start.year} Q{start.month // 3 + 1}", "quarter")
    stretch = f"{months}_months" if months is not None else f"{(end - start).days + 1}_days"
    if (end - start).days > 366 * (MAX_SPAN_YEARS + 1):
        raise PeriodError(f"spans more than {MAX_SPAN_YEARS} years")
    return Period(start, end, f"{start.isoformat()} to {end.isoformat()}", stretch)


def _years(start: dt.date, end: dt.date, count: int) -> Period:
    """Whole years from ``start``: named (calendar, financial, academic) or from another day."""
    if count - 1 > MAX_SPAN_YEARS:
        raise PeriodError(f"spans more than {MAX_SPAN_YEARS} years")
    named = NAMED_YEARS.get((start.month, start.day))
    first, last = start.year, start.year + count - 1
    if named == "calendar":
        if count == 1:
            return Period(start, end, str(first), "calendar_year")
        # two calendar years written 2019-20 would read back as a financial year
        text = f"{first} to {last}" if count == 2 else f"{first}-{last % 100:02d}"
        return Period(start, end, text, "span")
    label = _year_pair(first) if count == 1 else f"{_year_pair(first)} to {_year_pair(last)}"
    if named == "financial":
        return Period(start, end, label, "financial_year" if count == 1 else "financial_span")
    if named == "academic":
        return Period(start, end, f"{label} academic", "academic_year" if count == 1 else "academic_span")
    day = f"{start.month:02d}-{start.day:02d}"
    kind = f"year_from_{day}" if count == 1 else f"span_from_{day}"
    return Period(start, end, f"{label} from {start.day} {MONTHS[start.month - 1]}", kind)


def _date(year: str, month: str, day: str) -> dt.date:
    _check_year(int(year))
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise PeriodError(f"has an impossible date ({exc})") from exc


def _iso(m: re.Match[str]) -> Period:
    """``2019-04-01``, ``2019-04-01/P1Y`` (also M, W, D) or ``2019-04-01/2020-03-31``."""
    start = _date(m[1], m[2], m[3])
    if m[4] is None and m[6] is None:
        return period_between(start, start)
    if m[6] is not None:
        return period_between(start, _date(m[6], m[7], m[8]))
    count, unit = int(m[4]), m[5].upper()
    if count == 0:
        raise PeriodError("has a duration of nothing")
    if unit in "YM":
        months = count * (12 if unit == "Y" else 1)
        if months > 12 * (MAX_SPAN_YEARS + 1):
            raise PeriodError(f"spans more than {MAX_SPAN_YEARS} years")
        return period_between(start, _add_months(start, months) - dt.timedelta(days=1))
    days = count * (7 if unit == "W" else 1)
    if days > 366 * (MAX_SPAN_YEARS + 1):
        raise PeriodError(f"spans more than {MAX_SPAN_YEARS} years")
    return period_between(start, start + dt.timedelta(days=days - 1))


def _pair_start(year: str, follow: str) -> int:
    """The first year of ``2019/20`` after checking the second is the one that follows."""
    first = int(year)
    _check_year(first)
    if _two_digit_follow(first, int(follow)) != first + 1:
        raise PeriodError(f"{year}/{follow} is not two consecutive years")
    return first


def _month_number(word: str) -> int:
    return _MONTH_NUMBER[word.casefold()]


def _named_forms(text: str) -> Period | None:
    """The labels this module writes (and a few spellings of them) other than the plain ones."""
    if m := _ACADEMIC.match(text):
        first = _pair_start(m[1] or m[3], m[2] or m[4])
        return period_between(dt.date(first, 8, 1), dt.date(first + 1, 7, 31))
    if m := _YEAR_FROM.match(text):
        start = _date(str(_pair_start(m[1], m[2])), str(_month_number(m[4])), m[3])
        return period_between(start, _add_months(start, 12) - dt.timedelta(days=1))
    if m := _YEARS_SPAN.match(text):
        first, last = _pair_start(m[1], m[2]), _pair_start(m[3], m[4])
        if last <= first:
            raise PeriodError("ends before it starts")
        month, day = (8, 1) if m[5] else (_month_number(m[7]), int(m[6])) if m[6] else (4, 1)
        start = _date(str(first), str(month), str(day))
        return period_between(start, _add_months(start, 12 * (last - first + 1)) - dt.timedelta(days=1))
    if m := _MONTH.match(text):
        year, word = (m[1], m[2]) if m[1] else (m[4], m[3])
        start = _date(year, str(_month_number(word)), "1")
        return period_between(start, _add_months(start, 1) - dt.timedelta(days=1))
    if m := _STRETCH.match(text):
        return period_between(_date(m[1], m[2], m[3]), _date(m[4], m[5], m[6]))
    return None


def parse_period(text: str) -> Period:
    """Read ``text`` as a period.

    Accepts ``2019/20``, ``2019-20``, ``2019/2020``, ``2019-2020`` and ``FY2019`` (financial
    years), ``2019`` (calendar year), ``2019 Q1`` (calendar quarter), spans such as ``2014-16``
    (calendar years 2014 to 2016 inclusive), ISO 8601 dates and intervals (``2019-08-01/P1Y``,
    ``2019-01-01/P3Y``, ``2023-07-01/P1M``, ``2026-01-01``) and every canonical label the module
    docstring lists.

    Raises:
        PeriodError: the text is empty, has an unknown form or an implausible year.
    """
    text = " ".join((text or "").split())
    if not text:
        raise PeriodError("is empty")
    if m := _YEAR.match(text):
        year = int(m[1])
        _check_year(year)
        return period_between(dt.date(year, 1, 1), dt.date(year, 12, 31))
    if m := _CALENDAR_SPAN.match(text):
        first, last = int(m[1]), int(m[2])
        _check_year(first)
        if first < last <= first + MAX_SPAN_YEARS:
            return _span(first, last)
        raise PeriodError(f"ends before it starts or spans more than {MAX_SPAN_YEARS} years")
    if m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        _check_year(year)
        start = dt.date(year, 3 * quarter - 2, 1)
        return period_between(start, _add_months(start, 3) - dt.timedelta(days=1))
    if m := _ISO.match(text):
        return _iso(m)
    if m := _FY_PREFIX.match(text):
        year = int(m[1])
        _check_year(year)
        if m[2]:
            end_year = int(m[2]) if len(m[2]) == 4 else _two_digit_follow(year, int(m[2]))
            if end_year != year + 1:
                raise PeriodError("is not a single financial year")
        return financial_year(year)
    if m := _FY_LONG.match(text):
        first, second = int(m[1]), int(m[2])
        _check_year(first)
        if second == first + 1:
            return financial_year(first)
        if first + 1 < second <= first + MAX_SPAN_YEARS:
            return _span(first, second)
        raise PeriodError(f"ends before it starts or spans more than {MAX_SPAN_YEARS} years")
    if m := _FY_SHORT.match(text):
        first = int(m[1])
        _check_year(first)
        second = _two_digit_follow(first, int(m[2]))
        if second == first + 1:
            return financial_year(first)
        # ``2019-19`` expands to 2019 itself: neither a financial year nor a span.
        if first + 1 < second <= first + MAX_SPAN_YEARS:
            return _span(first, second)
        raise PeriodError(f"ends before it starts or spans more than {MAX_SPAN_YEARS} years")
    found = _named_forms(text)
    if found is not None:
        return found
    raise PeriodError(
        "is not a period (expected forms like 2019/20, 2019-20, 2019, 2019 Q1, 2014-16, 2019-04-01/P1Y, 2026-01-01)"
    )


def _span(first: int, last: int) -> Period:
    _check_year(last)
    return period_between(dt.date(first, 1, 1), dt.date(last, 12, 31))
