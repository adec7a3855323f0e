"""Values reported for a council outside its life: kept, marked ``outside_life``, counted in the
load report and ``etl status``, with successor/predecessor overlaps named.

Councils are the real register's (Somerset's 2023 reorganisation; Aylesbury Vale, whose end
date the register gives as its last day, 2020-03-31, where Somerset's districts have the
abolition day, 2023-04-01).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.cli import main
from etl.lifespan import count_outside_life, outside_life_summary
from etl.load import Source, load_sources
from etl.periods import parse_period
from etl.warehouse import WarehousePaths
from tests.support.sources import query_warehouse, write_source

SOMERSET = "E06000066"  # unitary from 2023-04-01
SOUTH_SOMERSET = "E07000189"  # district, end_date 2023-04-01 (its first day of not existing)
AYLESBURY_VALE = "E07000004"  # district, end_date 2020-03-31 (its last day)
INDICATORS = (
    "indicator_id,name,theme,unit,polarity,description,source\n"
    "life_count,Life count,Test,count,higher,A test indicator,Test\n"
)
ROWS = [  # (council, period, outside its life?)
    (SOMERSET, "2021/22", True),  # restated before it was created
    (SOMERSET, "2022/23", True),
    (SOMERSET, "2023/24", False),
    (SOUTH_SOMERSET, "2022/23", False),
    (SOUTH_SOMERSET, "2023/24", True),  # reported after abolition
    (SOUTH_SOMERSET, "2023", False),  # calendar 2023: it existed until 31 March
    (SOMERSET, "2023", False),
    (AYLESBURY_VALE, "2019/20", False),
    (AYLESBURY_VALE, "2020/21", True),
]


def values_csv(rows) -> str:
    lines = ["authority_code,indicator_id,period,value"]
    lines += [f"{code},life_count,{period},{i}" for i, (code, period, _) in enumerate(rows)]
    return "\n".join(lines) + "\n"




@pytest.fixture
def reorganised(tmp_path) -> Path:
    return write_source(tmp_path / "reorg", {"indicators.csv": INDICATORS, "values.csv": values_csv(ROWS)})


def test_values_outside_a_councils_life_are_kept_and_marked(warehouse_path, reference_dir, reorganised):
    result = load_sources([Source.of(reorganised)], warehouse_path, reference_dir=reference_dir, progress=False)
    assert result.outcome == "published", result.problems
    stored = set(query_warehouse(warehouse_path, "SELECT authority_code, period, outside_life FROM indicator_values"))
    assert stored == set(ROWS)
    found = result.outside_life
    assert (found.before_creation, found.after_abolition) == (2, 2)
    assert found.total == sum(outside for *_, outside in ROWS)


def test_overlaps_name_the_successor_beside_its_predecessor(warehouse_path, reference_dir, reorganised):
    result = load_sources([Source.of(reorganised)], warehouse_path, reference_dir=reference_dir, progress=False)
    overlaps = result.outside_life.overlaps
    assert [(o.successor, o.predecessor, o.cells) for o in overlaps] == [(SOMERSET, SOUTH_SOMERSET, 3)]
    assert (overlaps[0].first_period, overlaps[0].last_period) == ("2022/23", "2023/24")
    assert "Somerset (E06000066) beside its predecessor South Somerset (E07000189)" in overlaps[0].describe()


def test_the_load_report_and_status_say_so(capsys, warehouse_path, reference_dir, reorganised):
    args = ["--warehouse", str(warehouse_path), "--reference-dir", str(reference_dir)]
    assert main([*args, "load", str(reorganised)]) == 0
    out = capsys.readouterr().out
    assert (
        "4 values reported for councils outside their life: restated on later boundaries "
        "(2 before the council was created, 2 after it was abolished)"
    ) in out
    assert "1 successor given beside a predecessor for the same indicator and period" in out
    assert main([*args, "status"]) == 0
    status = capsys.readouterr().out
    assert "4 values reported for councils outside their life" in status
    assert "South Somerset (E07000189)" in status


def test_a_load_without_such_values_says_nothing_about_them(capsys, warehouse_path, reference_dir, tmp_path):
    inside = [row for row in ROWS if not row[2] and row[0] != SOMERSET]
    source = write_source(tmp_path / "inside", {"indicators.csv": INDICATORS, "values.csv": values_csv(inside)})
    assert main(["--warehouse", str(warehouse_path), "--reference-dir", str(reference_dir), "load", str(source)]) == 0
    assert "outside their life" not in capsys.readouterr().out


def test_kept_rows_of_other_sources_are_marked_again_at_every_load(
    warehouse_path, reference_dir, reorganised, tmp_path
):
    assert load_sources([Source.of(reorganised)], warehouse_path, reference_dir=reference_dir, progress=False).ok
    other = write_source(
        tmp_path / "other",
        {
            "indicators.csv": INDICATORS.replace("life_count", "other_count"),
            "values.csv": "authority_code,indicator_id,period,value\nE06000001,other_count,2019/20,1\n",
        },
    )
    result = load_sources([Source.of(other)], warehouse_path, reference_dir=reference_dir, progress=False)
    assert result.outcome == "published", result.problems
    stored = set(
        query_warehouse(
            warehouse_path, "SELECT authority_code, period, outside_life FROM indicator_values WHERE source_name = 'reorg'"
        )
    )
    assert stored == set(ROWS)
    assert result.outside_life.total == 0  # the report speaks of the sources just loaded


def test_the_frame_function_counts_as_the_warehouse_does(warehouse_path, reference_dir, reorganised, authorities):
    result = load_sources([Source.of(reorganised)], warehouse_path, reference_dir=reference_dir, progress=False)
    values = pd.DataFrame(
        [(code, "life_count", parse_period(period).label) for code, period, _ in ROWS],
        columns=["authority_code", "indicator_id", "period"],
    )
    periods = pd.DataFrame(
        [(p.label, p.start, p.end) for p in {parse_period(period) for _, period, _ in ROWS}],
        columns=["period", "period_start", "period_end"],
    )
    counted = count_outside_life(values, periods, authorities)
    assert (counted.after_abolition, counted.before_creation, counted.overlap_pairs) == (
        result.outside_life.after_abolition,
        result.outside_life.before_creation,
        result.outside_life.overlap_pairs,
    )


# -- property: the stored mark equals a day-by-day reading of the register ----------------------
def existed_on_some_day(start: dt.date | None, end: dt.date | None, first: dt.date, last: dt.date) -> bool:
    """Brute force, independent of the SQL's interval rule: walk every day of the period. The
    register's end_date is the first day the council no longer exists."""
    day = first
    while day <= last:
        if (start is None or start <= day) and (end is None or day < end):
            return True
        day += dt.timedelta(days=1)
    return False


PERIOD_TEXTS = (
    [f"{y}/{(y + 1) % 100:02d}" for y in range(2012, 2025)]
    + [str(y) for y in range(2012, 2025)]
    + [f"{y} Q{q}" for y in (2019, 2020, 2023) for q in (1, 2, 3, 4)]
    + ["2014-16", "2018-20", "2021-23"]
)


@pytest.fixture(scope="module")
def reorganised_councils(authorities) -> list[tuple[str, object, object]]:
    """Councils with a start or end date (the ones the rule is about) plus a few stable ones."""
    frame = authorities[authorities["is_council"] & (authorities["start_date"].notna() | authorities["end_date"].notna())]
    frame = frame[frame["authority_code"].str.match(r"^[EWSN]\d{8}$")]
    stable = authorities[authorities["is_current"] & authorities["is_council"]].head(5)
    picked = pd.concat([frame, stable])
    return list(picked[["authority_code", "start_date", "end_date"]].itertuples(index=False, name=None))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_outside_life_equals_a_day_by_day_reading_of_the_register(
    data, tmp_path_factory, reference_dir, reorganised_councils
):
    picks = data.draw(
        st.lists(
            st.tuples(st.sampled_from(reorganised_councils), st.sampled_from(PERIOD_TEXTS)),
            min_size=1,
            max_size=40,
            unique_by=lambda pick: (pick[0][0], parse_period(pick[1]).label),
        )
    )
    folder = tmp_path_factory.mktemp("life")
    rows = [(council[0], period, False) for council, period in picks]
    source = write_source(folder / "src", {"indicators.csv": INDICATORS, "values.csv": values_csv(rows)})
    live = folder / "wh" / "exemplar.duckdb"
    result = load_sources([Source.of(source)], live, reference_dir=reference_dir, progress=False)
    assert result.outcome == "published", result.problems
    stored = dict(
        ((code, period), outside)
        for code, period, outside in query_warehouse(live, "SELECT authority_code, period, outside_life FROM indicator_values")
    )
    for (code, start, end), text in picks:
        period = parse_period(text)
        expected = not existed_on_some_day(start, end, period.start, period.end)
        assert stored[(code, period.label)] == expected, (code, start, end, text)
    con = duckdb.connect(str(WarehousePaths(live).current_file()), read_only=True)
    try:
        assert outside_life_summary(con).total == sum(stored.values())
    finally:
        con.close()
