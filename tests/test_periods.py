"""Period parsing: every accepted spelling, canonical labels that round-trip, sortable dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.periods import EARLIEST_YEAR, LATEST_YEAR, PeriodError, parse_period

years = st.integers(min_value=EARLIEST_YEAR, max_value=LATEST_YEAR - 1)


def fy_spellings(year: int) -> list[str]:
    """Every way the contract lets a publisher write the financial year starting in ``year``."""
    short = f"{(year + 1) % 100:02d}"
    return [f"{year}/{short}", f"{year}-{short}", f"{year}/{year + 1}", f"{year}-{year + 1}",
            f"FY{year}", f"fy {year}", f" {year} / {short} ", f"{year}–{short}"]


@given(years)
def test_every_financial_year_spelling_gives_one_canonical_label(year):
    labels = {parse_period(text).label for text in fy_spellings(year)}
    assert labels == {f"{year}/{str(year + 1)[-2:]}"}


@given(years)
def test_financial_year_runs_april_to_march_and_round_trips(year):
    period = parse_period(f"{year}-{(year + 1) % 100:02d}")
    assert period.kind == "financial_year"
    assert (period.start, period.end) == (dt.date(year, 4, 1), dt.date(year + 1, 3, 31))
    assert parse_period(period.label) == period


@given(years)
def test_calendar_year_round_trips(year):
    period = parse_period(str(year))
    assert (period.kind, period.start, period.end) == ("calendar_year", dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert parse_period(period.label) == period


@given(years, st.integers(min_value=1, max_value=4), st.sampled_from(["{y} Q{q}", "{y}Q{q}", "{y}-q{q}", "{y}/Q{q}"]))
def test_quarter_covers_three_months_and_round_trips(year, quarter, form):
    period = parse_period(form.format(y=year, q=quarter))
    assert period.label == f"{year} Q{quarter}"
    assert period.start == dt.date(year, 3 * quarter - 2, 1)
    following = period.end + dt.timedelta(days=1)
    assert following.day == 1 and (following.month - period.start.month) % 12 == 3
    assert parse_period(period.label) == period


@given(years, st.integers(min_value=2, max_value=20))
def test_multi_year_span_round_trips(first, length):
    last = first + length
    if last > LATEST_YEAR:
        return
    period = parse_period(f"{first}-{last % 100:02d}")
    assert period.kind == "span"
    assert (period.start, period.end) == (dt.date(first, 1, 1), dt.date(last, 12, 31))
    assert parse_period(period.label) == period
    assert parse_period(f"{first}-{last}") == period


period_texts = st.one_of(
    years.map(lambda y: f"{y}/{(y + 1) % 100:02d}"),
    years.map(str),
    st.tuples(years, st.integers(1, 4)).map(lambda t: f"{t[0]} Q{t[1]}"),
)


@given(period_texts)
def test_start_is_before_end(text):
    period = parse_period(text)
    assert period.start < period.end


@given(st.lists(years, min_size=2, max_size=12, unique=True))
def test_financial_years_sort_by_start_date_like_their_years(year_list):
    periods = [parse_period(f"{y}/{(y + 1) % 100:02d}") for y in year_list]
    by_start = sorted(periods)  # Period orders by start first
    assert [p.start.year for p in by_start] == sorted(year_list)
    # The canonical label sorts the same way as the date (YYYY/YY is zero-padded).
    assert sorted(p.label for p in periods) == [p.label for p in by_start]


def test_century_boundary_expands_two_digit_year():
    assert parse_period("1999/00").end == dt.date(2000, 3, 31)
    assert parse_period("1999-00").label == "1999/00"


@pytest.mark.parametrize("text", [
    "", "   ", "abc", "2019/21/22", "19/20", "2019/2019", "2019-19", "2020/19", "2019-18",
    "1800", "2200/01", "FY2019/21", "2019 Q5", "2019 Q0", "2019-2050", "2019.5", "20 19",
])
def test_rejects_text_that_is_not_one_period(text):
    with pytest.raises(PeriodError):
        parse_period(text)


@pytest.mark.slow  # hypothesis
@given(st.text(max_size=12))
def test_arbitrary_text_either_parses_consistently_or_raises_period_error(text):
    try:
        period = parse_period(text)
    except PeriodError as exc:
        assert str(exc)  # the message says why
        return
    assert period.start < period.end
    assert parse_period(period.label) == period
