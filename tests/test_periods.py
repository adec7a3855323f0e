"""Period parsing: every accepted spelling, canonical labels that round-trip, sortable dates."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.common.periods import FULL_SHARE, full_period
from etl.periods import EARLIEST_YEAR, LATEST_YEAR, PeriodError, parse_period, period_between

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
    assert period.start <= period.end  # a bare date is a point in time: one day
    assert parse_period(period.label) == period
    assert period.label[:4] == str(period.start.year)


# -- ISO 8601 periods as official statistics publish them ----------------------------------------
@pytest.mark.parametrize("text, label, kind, start, end", [
    ("2019-04-01/P1Y", "2019/20", "financial_year", "2019-04-01", "2020-03-31"),
    ("2019-08-01/P1Y", "2019/20 academic", "academic_year", "2019-08-01", "2020-07-31"),
    ("2019-01-01/P1Y", "2019", "calendar_year", "2019-01-01", "2019-12-31"),
    ("2015-11-16/P1Y", "2015/16 from 16 Nov", "year_from_11-16", "2015-11-16", "2016-11-15"),
    ("2016-09-01/P1Y", "2016/17 from 1 Sep", "year_from_09-01", "2016-09-01", "2017-08-31"),
    ("2019-01-01/P2Y", "2019 to 2020", "span", "2019-01-01", "2020-12-31"),  # 2019-20 is a financial year
    ("2019-01-01/P3Y", "2019-21", "span", "2019-01-01", "2021-12-31"),
    ("2019-01-01/P5Y", "2019-23", "span", "2019-01-01", "2023-12-31"),
    ("2014-04-01/P3Y", "2014/15 to 2016/17", "financial_span", "2014-04-01", "2017-03-31"),
    ("2014-08-01/P2Y", "2014/15 to 2015/16 academic", "academic_span", "2014-08-01", "2016-07-31"),
    ("2015-11-16/P3Y", "2015/16 to 2017/18 from 16 Nov", "span_from_11-16", "2015-11-16", "2018-11-15"),
    ("2023-07-01/P1M", "2023 Jul", "month", "2023-07-01", "2023-07-31"),
    ("2024-02-01/P1M", "2024 Feb", "month", "2024-02-01", "2024-02-29"),
    ("2019-04-01/P3M", "2019 Q2", "quarter", "2019-04-01", "2019-06-30"),
    ("2019-02-01/P3M", "2019-02-01 to 2019-04-30", "3_months", "2019-02-01", "2019-04-30"),
    ("2019-01-01/P12M", "2019", "calendar_year", "2019-01-01", "2019-12-31"),
    ("2019-04-01/P1W", "2019-04-01 to 2019-04-07", "7_days", "2019-04-01", "2019-04-07"),
    ("2019-04-01/2020-03-31", "2019/20", "financial_year", "2019-04-01", "2020-03-31"),
    ("2026-01-01", "2026-01-01", "point", "2026-01-01", "2026-01-01"),
    ("2019/20 academic", "2019/20 academic", "academic_year", "2019-08-01", "2020-07-31"),
    ("AY2019/20", "2019/20 academic", "academic_year", "2019-08-01", "2020-07-31"),
    ("July 2023", "2023 Jul", "month", "2023-07-01", "2023-07-31"),
    ("2013/14 to 2015/16", "2013/14 to 2015/16", "financial_span", "2013-04-01", "2016-03-31"),
])
def test_iso_intervals_and_named_years(text, label, kind, start, end):
    period = parse_period(text)
    assert (period.label, period.kind) == (label, kind)
    assert (period.start, period.end) == (dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    assert parse_period(period.label) == period


def test_existing_labels_keep_their_meaning():
    assert parse_period("2019/20") == parse_period("2019-04-01/P1Y")
    assert parse_period("2019") == parse_period("2019-01-01/P1Y")
    assert parse_period("2014-16") == parse_period("2014-01-01/P3Y")
    assert parse_period("2019 Q1") == parse_period("2019-01-01/P3M")


@pytest.mark.parametrize("text", [
    "2019-13-01/P1Y", "2019-02-30", "2019-04-01/P0Y", "2019-04-01/P30Y", "2019-04-01/2019-03-01",
    "2019-04-01/P1X", "1800-01-01/P1Y", "2019/21 academic", "2019/20 from 31 Feb",
])
def test_rejects_impossible_iso_periods(text):
    with pytest.raises(PeriodError):
        parse_period(text)


starts = st.dates(min_value=dt.date(EARLIEST_YEAR, 1, 1), max_value=dt.date(LATEST_YEAR - 25, 12, 31))


@given(starts, st.sampled_from(["P1Y", "P2Y", "P3Y", "P5Y", "P1M", "P3M", "P6M", "P2W", "P10D"]))
def test_every_iso_interval_has_a_label_that_round_trips_and_starts_with_its_year(start, duration):
    period = parse_period(f"{start.isoformat()}/{duration}")
    assert period.start == start and period.end >= start
    assert period.label[:4] == str(start.year)
    assert parse_period(period.label) == period


@given(starts, st.integers(min_value=0, max_value=800), starts, st.integers(min_value=0, max_value=800))
def test_labels_of_different_periods_never_collide(a, a_days, b, b_days):
    first = period_between(a, a + dt.timedelta(days=a_days))
    second = period_between(b, b + dt.timedelta(days=b_days))
    if (first.start, first.end) != (second.start, second.end):
        assert first.label != second.label
    else:
        assert first == second


@given(starts)
def test_years_of_different_kinds_starting_the_same_year_have_different_labels(day):
    year = day.year
    kinds = {parse_period(f"{year}-{md}/P1Y") for md in ("01-01", "04-01", "08-01", "09-01", "11-16")}
    assert len({p.label for p in kinds}) == len({p.kind for p in kinds}) == 5


SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ons-local-statistics" / "indicators"


def test_every_period_in_the_ons_local_statistics_files_parses():
    files = sorted(SHARED.glob("*.csv"))
    if not files:
        pytest.skip(f"{SHARED} is not here")
    texts = set()
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            texts |= {row["period"] for row in csv.DictReader(handle)}
    assert len(texts) > 200
    periods = {text: parse_period(text) for text in texts}  # raises naming the text if one fails
    by_label: dict[str, set[tuple[dt.date, dt.date]]] = {}
    for period in periods.values():
        assert parse_period(period.label) == period
        assert period.label[:4] == str(period.start.year)
        by_label.setdefault(period.label, set()).add((period.start, period.end))
    assert all(len(ranges) == 1 for ranges in by_label.values())  # one label, one period
    kinds = {p.kind for p in periods.values()}
    assert {"calendar_year", "financial_year", "academic_year", "span", "financial_span", "month", "point"} <= kinds


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=30))
def test_pages_open_on_the_newest_period_with_at_least_half_the_fullest_count(counts):
    periods = pd.Series([f"p{n}" for n in range(len(counts))])  # newest first
    chosen = int(full_period(periods, pd.Series(counts))[1:])
    assert counts[chosen] >= FULL_SHARE * max(counts)
    assert all(c < FULL_SHARE * max(counts) for c in counts[:chosen])


def test_no_period_is_no_default():
    assert full_period(pd.Series([], dtype=str), pd.Series([], dtype=int)) is None
