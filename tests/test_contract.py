"""The contract registry and what it declares: confidence limits, and loads on top of a warehouse
built by an older schema.

The registry is the one place a file's columns, checks, key, view and storage are declared, so
these tests hold it to its own promises (every stored column exists in the schema, every check
names a column of its file) and then check one column added through it end to end.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.contract import CONTENTS, CONTRACT, FILE_SPECS
from etl.load import SCHEMA_SQL, Source, load_sources
from etl.warehouse import SCHEMA_VERSION, WarehousePaths
from tests.support.sources import query_warehouse, write_source

INDICATORS = (
    "indicator_id,name,theme,unit,polarity,description,source,min_value,max_value\n"
    "ci_pct,CI share,Health,%,higher,Share with limits,Test,0,100\n"
)
COUNCILS = ("E06000001", "E06000002", "E06000003", "E06000004", "E06000005")


def schema_columns() -> dict[str, list[str]]:
    con = duckdb.connect()
    try:
        con.execute(SCHEMA_SQL.read_text())
        rows = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' ORDER BY column_index"
        ).fetchall()
    finally:
        con.close()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


# -- the registry keeps its promises --------------------------------------------------------------
def test_every_stored_column_is_a_column_of_its_table():
    tables = schema_columns()
    for spec in CONTRACT:
        assert spec.storage is not None, spec.file_name
        stored = [column for column, _ in spec.storage.columns] + ["source_name"]
        assert set(stored) <= set(tables[spec.storage.table]), spec.file_name


def test_every_check_names_a_column_of_its_file():
    for spec in CONTRACT:
        for check in spec.checks:
            assert check.column in spec.columns, (spec.file_name, check.column)


def test_files_come_after_the_definitions_they_use():
    order = [spec.file_name for spec in CONTRACT]
    for definitions, users in (
        ("indicators.csv", ("values.csv", "comparators.csv")),
        ("questions.csv", ("responses.csv",)),
        ("peer_sets.csv", ("peer_set_members.csv", "peer_set_groups.csv")),
    ):
        assert all(order.index(definitions) < order.index(user) for user in users)
    assert list(FILE_SPECS) == order


# -- confidence limits ------------------------------------------------------------------------------
def values_with(rows: list[str], header: str = "authority_code,indicator_id,period,value,lower_ci,upper_ci") -> str:
    return header + "\n" + "\n".join(rows) + "\n"


def test_confidence_limits_are_stored_with_values_and_comparators(warehouse_path, reference_dir, tmp_path):
    source = write_source(
        tmp_path / "ci",
        {
            "indicators.csv": INDICATORS,
            "values.csv": values_with(
                [
                    "E06000001,ci_pct,2019/20,50,45.5,54.5",
                    "E06000002,ci_pct,2019/20,60,,",
                    "E06000003,ci_pct,2019/20,,1,9",
                ]
            ),
            "comparators.csv": "indicator_id,period,area_name,value,lower_ci,upper_ci\n"
            "ci_pct,2019/20,England,55,54,56\nci_pct,2019/20,Wales,52,,\n",
        },
    )
    result = load_sources([Source.of(source)], warehouse_path, reference_dir=reference_dir, progress=False)
    assert result.outcome == "published", result.problems
    assert query_warehouse(
        warehouse_path, "SELECT authority_code, value, lower_ci, upper_ci FROM indicator_values ORDER BY 1"
    ) == [("E06000001", 50.0, 45.5, 54.5), ("E06000002", 60.0, None, None), ("E06000003", None, 1.0, 9.0)]
    assert query_warehouse(
        warehouse_path, "SELECT area_name, lower_ci, upper_ci FROM comparator_values ORDER BY 1"
    ) == [
        ("England", 54.0, 56.0),
        ("Wales", None, None),
    ]


def test_files_without_confidence_limits_load_as_before(warehouse_path, reference_dir, tmp_path):
    source = write_source(
        tmp_path / "plain",
        {
            "indicators.csv": INDICATORS,
            "values.csv": "authority_code,indicator_id,period,value\nE06000001,ci_pct,2019/20,5\n",
        },
    )
    result = load_sources([Source.of(source)], warehouse_path, reference_dir=reference_dir, progress=False)
    assert result.outcome == "published", result.problems
    assert query_warehouse(warehouse_path, "SELECT lower_ci, upper_ci FROM indicator_values") == [(None, None)]


BAD_LIMITS = [
    ("lower_not_a_number", "E06000001,ci_pct,2019/20,50,low,55", "lower_ci", "is not a number"),
    ("upper_infinite", "E06000001,ci_pct,2019/20,50,45,inf", "upper_ci", "is not a finite number"),
    ("only_lower", "E06000001,ci_pct,2019/20,50,45,", "upper_ci", "is required when lower_ci is given"),
    ("only_upper", "E06000001,ci_pct,2019/20,50,,55", "lower_ci", "is required when upper_ci is given"),
    ("lower_above_value", "E06000001,ci_pct,2019/20,50,51,55", "lower_ci", "is above the value 50"),
    ("upper_below_value", "E06000001,ci_pct,2019/20,50,45,49.5", "upper_ci", "is below the value 50"),
    ("limits_reversed_without_value", "E06000001,ci_pct,2019/20,,9,1", "upper_ci", "is below lower_ci 9"),
]


@pytest.mark.parametrize("file", ["values.csv", "comparators.csv"])
@pytest.mark.parametrize(("case", "row", "column", "reason"), BAD_LIMITS, ids=[c[0] for c in BAD_LIMITS])
def test_bad_confidence_limits_are_refused_naming_file_row_and_column(
    warehouse_path, reference_dir, tmp_path, file, case, row, column, reason
):
    good = "E06000002,ci_pct,2019/20,60,58,62"
    if file == "values.csv":
        files = {"indicators.csv": INDICATORS, "values.csv": values_with([good, row])}
    else:  # the same cells in a comparators file: area names instead of council codes

        def as_area(line: str) -> str:
            code, indicator, period, *rest = line.split(",")
            return ",".join([indicator, period, f"Area {code}", *rest])

        files = {
            "indicators.csv": INDICATORS,
            "comparators.csv": values_with(
                [as_area(good), as_area(row)], "indicator_id,period,area_name,value,lower_ci,upper_ci"
            ),
        }
    source = write_source(tmp_path / case, files)
    result = load_sources([Source.of(source)], warehouse_path, reference_dir=reference_dir, progress=False)
    assert result.outcome == "failed"
    found = [(p.file, p.row, p.column) for p in result.problems if reason in p.reason]
    assert found == [(file, 3, column)], [p.describe() for p in result.problems]
    assert WarehousePaths(warehouse_path).current_file() is None


def limits_problems(value: float | None, lower: float | None, upper: float | None) -> set[str]:
    """The contract's rule for one row, written independently of the SQL: the columns refused."""
    refused = set()
    if (lower is None) != (upper is None):
        refused.add("upper_ci" if upper is None else "lower_ci")
    if value is not None and lower is not None and lower > value:
        refused.add("lower_ci")
    if value is not None and upper is not None and upper < value:
        refused.add("upper_ci")
    if value is None and lower is not None and upper is not None and upper < lower:
        refused.add("upper_ci")
    return refused


def cell(x: float | None) -> str:
    return "" if x is None else repr(x)


numbers = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda x: round(x, 2)))


# At most five rows, so every offending row is among the report's examples (five per problem).
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(numbers, numbers, numbers), min_size=1, max_size=5))
def test_limits_are_refused_exactly_where_the_rule_says(tmp_path_factory, reference_dir, rows):
    folder = tmp_path_factory.mktemp("limits")
    lines = [
        f"{code},ci_pct,2019/20,{cell(v)},{cell(lo)},{cell(hi)}"
        for code, (v, lo, hi) in zip(COUNCILS, rows, strict=False)
    ]
    source = write_source(folder / "src", {"indicators.csv": INDICATORS, "values.csv": values_with(lines)})
    result = load_sources(
        [Source.of(source)],
        folder / "wh" / "exemplar.duckdb",
        validate_only=True,
        reference_dir=reference_dir,
        progress=False,
    )
    expected = {(i + 2, column) for i, row in enumerate(rows) for column in limits_problems(*row)}
    assert {(p.row, p.column) for p in result.problems} == expected, [p.describe() for p in result.problems]
    assert result.ok == (not expected)


# -- a warehouse built by the previous schema ---------------------------------------------------
def downgrade_to_schema_2(live: Path) -> None:
    """Make the published file look as schema 2 wrote it: no confidence limits, no outside_life."""
    con = duckdb.connect(str(WarehousePaths(live).current_file()))
    try:
        for table in ("indicator_values", "comparator_values"):
            present = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table]
                ).fetchall()
            }
            for column in ("lower_ci", "upper_ci", "outside_life"):
                if column in present:
                    con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    finally:
        con.close()


def test_a_load_on_top_of_a_schema_2_warehouse_carries_its_data_over(warehouse_path, reference_dir, tmp_path):
    old = write_source(
        tmp_path / "old",
        {
            "indicators.csv": INDICATORS,
            # E06000066 (Somerset unitary) began in 2023: its 2019/20 value lies outside its life
            "values.csv": "authority_code,indicator_id,period,value\nE06000001,ci_pct,2019/20,5\nE06000066,ci_pct,2019/20,6\n",
            "comparators.csv": "indicator_id,period,area_name,value\nci_pct,2019/20,England,5.5\n",
        },
    )
    assert load_sources([Source.of(old)], warehouse_path, reference_dir=reference_dir, progress=False).ok
    downgrade_to_schema_2(warehouse_path)
    new = write_source(
        tmp_path / "new",
        {
            "indicators.csv": INDICATORS.replace("ci_pct", "ci_new"),
            "values.csv": values_with(["E06000003,ci_new,2019/20,7,6,8"]),
        },
    )
    result = load_sources([Source.of(new)], warehouse_path, reference_dir=reference_dir, progress=False)
    assert result.outcome == "published", result.problems
    assert query_warehouse(warehouse_path, "SELECT value FROM meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    assert query_warehouse(
        warehouse_path,
        "SELECT source_name, authority_code, value, lower_ci, upper_ci, outside_life FROM indicator_values ORDER BY 2",
    ) == [
        ("old", "E06000001", 5.0, None, None, False),
        ("new", "E06000003", 7.0, 6.0, 8.0, False),
        ("old", "E06000066", 6.0, None, None, True),  # the old file had no such column: computed
    ]
    assert query_warehouse(warehouse_path, "SELECT area_name, value, lower_ci FROM comparator_values") == [
        ("England", 5.5, None)
    ]
    assert {r[0] for r in query_warehouse(warehouse_path, "SELECT source_name FROM source_files")} == {"old", "new"}


def test_the_app_asks_for_a_reload_of_a_schema_2_warehouse(warehouse_path, reference_dir, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    source = write_source(
        tmp_path / "old",
        {"indicators.csv": INDICATORS, "values.csv": values_with(["E06000001,ci_pct,2019/20,5,4,6"])},
    )
    assert load_sources([Source.of(source)], warehouse_path, reference_dir=reference_dir, progress=False).ok
    downgrade_to_schema_2(warehouse_path)
    monkeypatch.setenv("EXEMPLAR_WAREHOUSE", str(warehouse_path))
    at = AppTest.from_file("../streamlit_app.py", default_timeout=60).run()
    assert not at.exception
    assert any("schema version 2" in e.value and "python -m etl load" in e.value for e in at.error)


def test_status_still_reads_a_schema_2_warehouse(warehouse_path, reference_dir, tmp_path, capsys):
    from etl.cli import main

    source = write_source(
        tmp_path / "old", {"indicators.csv": INDICATORS, "values.csv": values_with(["E06000001,ci_pct,2019/20,5,4,6"])}
    )
    assert load_sources([Source.of(source)], warehouse_path, reference_dir=reference_dir, progress=False).ok
    downgrade_to_schema_2(warehouse_path)
    assert main(["--warehouse", str(warehouse_path), "status"]) == 0
    assert "indicator_values 1" in capsys.readouterr().out


# -- schema 4: what each file holds, indicator notes, group descriptions ---------------------------
def test_every_file_says_what_it_holds():
    assert {spec.holds for spec in CONTRACT} == set(CONTENTS)


def test_indicator_notes_and_provenance_are_stored(warehouse_path, reference_dir, tmp_path):
    source = write_source(
        tmp_path / "noted",
        {
            "indicators.csv": "indicator_id,name,theme,unit,polarity,description,source,source_url,caveats,polarity_reason\n"
            'ci_pct,CI share,Health,%,higher,Share,Test,https://example.org/ci,"Survey based.\n\nSmall samples.",'
            "Higher is better: more of it\n",
            "values.csv": "authority_code,indicator_id,period,value\nE06000001,ci_pct,2019/20,5\n",
        },
    )
    result = load_sources(
        [Source.of(source, publisher="Test Office", licence="OGL v3")], warehouse_path, reference_dir=reference_dir,
        progress=False,
    )
    assert result.outcome == "published", result.problems
    assert query_warehouse(warehouse_path, "SELECT source_url, caveats, polarity_reason FROM indicators") == [
        ("https://example.org/ci", "Survey based.\n\nSmall samples.", "Higher is better: more of it")
    ]
    assert query_warehouse(
        warehouse_path, "SELECT file_name, holds, is_synthetic, publisher, licence FROM source_files ORDER BY 1"
    ) == [
        ("indicators.csv", "indicators", False, "Test Office", "OGL v3"),
        ("values.csv", "indicators", False, "Test Office", "OGL v3"),
    ]


def downgrade_to_schema_3(live: Path) -> None:
    """Make the published file look as schema 3 wrote it: no indicator notes, no group
    descriptions, source files that do not say what they hold."""
    con = duckdb.connect(str(WarehousePaths(live).current_file()))
    try:
        for column in ("source_url", "caveats", "polarity_reason"):
            con.execute(f"ALTER TABLE indicators DROP COLUMN {column}")
        for column in ("holds", "publisher", "licence"):
            con.execute(f"ALTER TABLE source_files DROP COLUMN {column}")
        con.execute("DROP TABLE peer_set_groups")
        con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    finally:
        con.close()


def test_a_load_on_top_of_a_schema_3_warehouse_carries_its_data_over(warehouse_path, reference_dir, tmp_path):
    old = write_source(
        tmp_path / "old",
        {
            "indicators.csv": INDICATORS,
            "values.csv": "authority_code,indicator_id,period,value\nE06000001,ci_pct,2019/20,5\n",
            "peer_sets.csv": "set_id,name,kind,method\nfam,Families,family,Test\n",
            "peer_set_members.csv": "set_id,authority_code,group_id\nfam,E06000001,A\n",
        },
    )
    assert load_sources([Source.of(old, synthetic=True)], warehouse_path, reference_dir=reference_dir,
                        progress=False).ok
    downgrade_to_schema_3(warehouse_path)
    new = write_source(tmp_path / "new", {"indicators.csv": INDICATORS.replace("ci_pct", "ci_new")})
    result = load_sources([Source.of(new)], warehouse_path, reference_dir=reference_dir, progress=False)
    assert result.outcome == "published", result.problems
    assert query_warehouse(warehouse_path, "SELECT value FROM meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    assert query_warehouse(warehouse_path, "SELECT indicator_id, polarity_reason FROM indicators ORDER BY 1") == [
        ("ci_new", None),
        ("ci_pct", None),
    ]
    assert query_warehouse(warehouse_path, "SELECT count(*) FROM peer_set_groups") == [(0,)]
    assert query_warehouse(
        warehouse_path, "SELECT source_name, file_name, holds, is_synthetic FROM source_files ORDER BY 1, 2"
    ) == [
        ("new", "indicators.csv", "indicators", False),
        ("old", "indicators.csv", "indicators", True),  # what each old file holds, from its name
        ("old", "peer_set_members.csv", "peer groups", True),
        ("old", "peer_sets.csv", "peer groups", True),
        ("old", "values.csv", "indicators", True),
    ]


def test_group_descriptions_belong_to_the_sources_family_sets(warehouse_path, reference_dir, tmp_path):
    source = write_source(
        tmp_path / "groups",
        {
            "peer_sets.csv": "set_id,name,kind,method\nfam,Families,family,Test\nnear,Near,neighbours,Test\n",
            "peer_set_members.csv": "set_id,authority_code,group_id,member_code\nfam,E06000001,A,\n"
            "near,E06000001,,E06000002\n",
            "peer_set_groups.csv": "set_id,group_id,description\nfam,A,Coastal towns\nnear,A,Not a family\n"
            "other,B,No such set\nfam,A,Again\n",
        },
    )
    result = load_sources([Source.of(source)], warehouse_path, reference_dir=reference_dir, progress=False)
    found = {(p.row, p.column, p.reason.split(" (")[0]) for p in result.problems}
    assert found == {
        (3, "set_id", "is not a family set"),
        (4, "set_id", "is not a peer set in this source's peer_sets.csv"),
        (5, "set_id, group_id", "repeats row 2"),
    }, [p.describe() for p in result.problems]
