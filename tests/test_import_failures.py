"""etl import: every failure is reported with file, row, column and reason, and nothing is written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb
import pytest

from etl.importer import SpecError, import_file, read_spec
from etl.importer.match import Matcher
from etl.importer.read import ReadError
from etl.warehouse import WarehousePaths

DEFAULTS = """
[indicators.defaults]
theme = "Housing"
unit = "%"
polarity = "higher"
source = "Test publisher"
"""
WIDE = """
source_name = "bad-test"
[councils]
column = "Council"
{councils}
[shape]
form = "wide"
columns_are = "indicator"
period_column = "Year"
{values}
"""


def spec_file(folder: Path, text: str) -> Path:
    path = folder / "spec.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(tmp_path: Path, csv: str, matcher: Matcher, councils: str = "", values: str = "",
        warehouse: Path | None = None, dry_run: bool = True, extra: str = DEFAULTS):
    (tmp_path / "data.csv").write_text(textwrap.dedent(csv).lstrip(), encoding="utf-8")
    spec = spec_file(tmp_path, WIDE.format(councils=councils, values=values) + extra)
    return import_file(tmp_path / "data.csv", spec, warehouse or tmp_path / "wh" / "w.duckdb",
                       dry_run=dry_run, matcher=matcher)


def reasons(report) -> str:
    return "\n".join(p.describe() for p in report.problems)


def test_unmatched_names_are_listed_and_fail_the_import(tmp_path, matcher):
    report = run(tmp_path, """
        Council,Year,Arrears
        Birmingham,2019,1
        Atlantis Borough Council,2019,2
        Gotham,2019,3
        Gotham,2020,3
    """, matcher)
    assert not report.ok
    assert report.unmatched == [("Atlantis Borough Council", 1), ("Gotham", 2)]
    text = reasons(report)
    assert "data.csv, row 3, column Council: 'Atlantis Borough Council': is not a council name" in text
    assert "data.csv, row 4, column Council: 'Gotham'" in text


def test_skip_unmatched_leaves_the_rows_out_but_still_lists_them(tmp_path, matcher):
    report = run(tmp_path, """
        Council,Year,Arrears
        Birmingham,2019,1
        Gotham,2019,3
    """, matcher, councils="skip_unmatched = true")
    assert report.ok, reasons(report)
    assert report.unmatched == [("Gotham", 1)] and report.values_written == 1


def test_ambiguous_names_are_reported_with_candidates_and_never_picked(tmp_path, matcher):
    csv = """
        Council,Year,Arrears
        Somerset,2019,1
        North Yorkshire,2019,2
    """
    report = run(tmp_path, csv, matcher)
    assert not report.ok and report.rows_matched == 0 and report.rows_ambiguous == 2
    text = reasons(report)
    assert "'Somerset': is ambiguous, could be E06000066 (Somerset); E10000027 (Somerset)" in text
    # skip_unmatched does not pick either: the rows are left out.
    report = run(tmp_path, csv, matcher, councils="skip_unmatched = true")
    assert report.values_written == 0 and len(report.ambiguous) == 2
    # An explicit override settles it.
    report = run(tmp_path, csv, matcher, councils='overrides = { "Somerset" = "E10000027", '
                                                  '"North Yorkshire" = "NYK" }')
    assert report.ok, reasons(report)
    assert report.rows_matched == 2


def test_text_that_is_not_a_number_or_marker_names_file_row_and_column(tmp_path, matcher):
    report = run(tmp_path, """
        Council,Year,Arrears,Voids
        Birmingham,2019,1,2
        Leeds,2019,12 (est),3
        Bristol,2019,4,"1,2"
    """, matcher)
    text = reasons(report)
    assert "data.csv, row 3, column Arrears: '12 (est)': is not a number" in text
    assert "data.csv, row 4, column Voids: '1,2': is not a number" in text


def test_spec_listed_markers_are_accepted(tmp_path, matcher):
    report = run(tmp_path, """
        Council,Year,Arrears
        Birmingham,2019,~
        Leeds,2019,DNS
        Bristol,2019,[c]
    """, matcher, values='[values]\nmarkers = { "~" = "suppressed", "DNS" = "missing" }')
    assert report.ok, reasons(report)
    assert (report.suppressed, report.missing) == (2, 1)


def test_bad_and_missing_periods_are_reported(tmp_path, matcher):
    report = run(tmp_path, """
        Council,Year,Arrears
        Birmingham,2019,1
        Leeds,Spring 2019,2
        Bristol,,3
    """, matcher)
    text = reasons(report)
    assert "data.csv, row 3, column Year: 'Spring 2019': period is not a period" in text
    assert "row 4, column Year" in text and "no period given" in text


def test_duplicates_fail_unless_identical_repeats_may_be_dropped(tmp_path, matcher):
    csv = """
        Council,Year,Arrears
        Birmingham,2019,1
        Birmingham City Council,2019,1
        Leeds,2019,2
    """
    report = run(tmp_path, csv, matcher)
    assert not report.ok and report.duplicates == 1
    assert "row 3, column Arrears: repeats the council, indicator and period of row 2" in reasons(report)
    report = run(tmp_path, csv, matcher, values='[values]\nduplicates = "drop_identical"')
    assert report.ok and report.duplicates_dropped == 1 and report.values_written == 2
    conflicting = csv.replace("Birmingham City Council,2019,1", "Birmingham City Council,2019,9")
    report = run(tmp_path, conflicting, matcher, values='[values]\nduplicates = "drop_identical"')
    assert not report.ok and "gives a different value" in reasons(report)


def test_a_load_check_failure_points_back_at_the_input_row(tmp_path, matcher, warehouse_path):
    # min/max ranges are checked by the load itself; the problem must still name data.csv's row.
    report = run(tmp_path, """
        Council,Year,Arrears
        Birmingham,2019,50
        Leeds,2019,150
    """, matcher, warehouse=warehouse_path, dry_run=False,
        extra=DEFAULTS + 'max_value = "100"\n')
    assert not report.ok
    assert "data.csv, row 3, column Arrears: '150': is above the indicator's max_value 100.0" in reasons(report)
    assert WarehousePaths(warehouse_path).current_file() is None  # nothing published


def test_blank_council_and_unknown_codes(tmp_path, matcher):
    report = run(tmp_path, """
        Council,Year,Arrears
        E08000025,2019,1
        ,2019,2
        E99999999,2019,3
    """, matcher, councils='by = "gss"')
    text = reasons(report)
    assert "row 3, column Council: '': no council given" in text
    assert "row 4, column Council: 'E99999999': is not a council code" in text


def test_missing_column_and_unreadable_file(tmp_path, matcher):
    with pytest.raises(ReadError, match=r"councils\.column names column .Council., which is not in the file"):
        run(tmp_path, "Authority,Year,Arrears\nLeeds,2019,1\n", matcher)
    spec = spec_file(tmp_path, WIDE.format(councils="", values="") + DEFAULTS)
    with pytest.raises(ReadError, match="no such file"):
        import_file(tmp_path / "absent.csv", spec, tmp_path / "w.duckdb", matcher=matcher)
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(ReadError, match="cannot be read as xlsx"):
        import_file(tmp_path / "broken.xlsx", spec, tmp_path / "w.duckdb", matcher=matcher)


@pytest.mark.parametrize("text, message", [
    ('[councils]\ncolumn = "A"\n', "source_name is required"),
    ('source_name = "x"\n', r"\[councils\] is required"),
    ('source_name = "x"\nshapes = 1\n[councils]\ncolumn = "A"\n', "unknown key shapes"),
    ('source_name = "x"\n[councils]\ncolumn = "A"\nby = "fuzzy"\n', "councils.by = 'fuzzy'"),
    ('source_name = "x"\n[councils]\ncolumn = "A"\n[shape]\nform = "wide"\ncolumns_are = "indicator_period"\n'
     'column_pattern = "(?P<indicator>.+)"\n', "needs named groups"),
    ('source_name = "x"\n[councils]\ncolumn = "A"\n[shape]\nform = "wide"\ncolumns_are = "period"\n'
     'column_pattern = "(["\n', "not a regular expression"),
    ('source_name = "x"\nperiod = "spring"\n[councils]\ncolumn = "A"\n', "period = 'spring'"),
    ('source_name = "x"\n[councils]\ncolumn = "A"\n[shape]\nform = "long"\nvalue_column = "V"\n'
     'indicator_column = "I"\nperiod_column = "P"\n', r"give metadata"),
    ('source_name = "x"\n[councils]\ncolumn = "A"\n[values]\nmarkers = { "~" = "zero" }\n', "maps to 'zero'"),
    ('source_name = "x"\n[councils]\ncolumn = "A"\nby = "lookup"\n', "councils.lookup.file is required"),
    ('source_name = "x"\nkind = "family"\n[councils]\ncolumn = "A"\n[set]\nid = "f"\nname = "F"\nmethod = "m"\n',
     "family.group_column is required"),
    ('source_name = "x"\nperiod = "2019"\n[councils]\ncolumn = "A"\n[shape]\nform = "wide"\ncolumns_are = "indicator"\n'
     '[indicators.polarity_map]\n"Yes" = "good"\n',
     "must be one of higher, lower, neutral"),
    ("source_name = \n", "not valid TOML"),
])
def test_spec_errors_name_the_key(tmp_path, text, message):
    with pytest.raises(SpecError, match=message):
        read_spec(spec_file(tmp_path, text))


def test_a_failed_reimport_leaves_the_published_version_byte_for_byte(tmp_path, matcher, warehouse_path):
    good = run(tmp_path, "Council,Year,Arrears\nBirmingham,2019,1\n", matcher, warehouse=warehouse_path,
               dry_run=False)
    assert good.ok
    live = WarehousePaths(warehouse_path).current_file()
    before = live.read_bytes()
    bad = run(tmp_path, "Council,Year,Arrears\nBirmingham,2019,oops\n", matcher, warehouse=warehouse_path,
              dry_run=False)
    assert not bad.ok
    assert WarehousePaths(warehouse_path).current_file() == live and live.read_bytes() == before


def test_by_period_settles_a_name_only_one_candidate_bore_in_that_period(tmp_path, matcher, warehouse_path):
    # "Somerset" is the county until 31 March 2023 and the unitary from 1 April 2023.
    csv = """
        Council,Year,Arrears
        Somerset,2022-23,1
        Somerset,2023-24,2
        Birmingham,2023-24,3
    """
    report = run(tmp_path, csv, matcher, councils="by_period = true", warehouse=warehouse_path, dry_run=False)
    assert report.ok, reasons(report)
    assert report.settled_by_period == 2
    con = duckdb.connect(str(WarehousePaths(warehouse_path).current_file()), read_only=True)
    got = con.execute("SELECT period, authority_code FROM indicator_values ORDER BY period, authority_code").fetchall()
    con.close()
    assert got == [("2022/23", "E10000027"), ("2023/24", "E06000066"), ("2023/24", "E08000025")]
    # calendar 2023 saw both (the county to 31 March): the one existing on its last day is meant,
    # as a publisher reports a period on the geography at its end; the report says each way
    report = run(tmp_path, csv.replace("2022-23", "2023"), matcher, councils="by_period = true")
    assert report.ok, reasons(report)
    assert report.settled == [("Somerset", "E06000066 Somerset (Unitary authority)", 2)]
    # a name that is a region as well as a council is never settled by dates
    report = run(tmp_path, "Council,Year,Arrears\nNorth East,2023,1\n", matcher, councils="by_period = true")
    assert not report.ok
    assert "data.csv, row 2, column Council: 'North East': is ambiguous in 2023, could be" in reasons(report)


def test_bad_status_and_indicator_ids_are_reported(tmp_path, matcher):
    (tmp_path / "long.csv").write_text(
        "Council,Measure,Year,Value,Flag\n"
        "Birmingham,Rent arrears (%),2019,1,dodgy\n"
        "Birmingham,Rent arrears %,2019,2,\n"
        "Leeds,Void days,2019,3,\n")
    spec = spec_file(tmp_path, """
        source_name = "ids"
        [councils]
        column = "Council"
        [shape]
        form = "long"
        indicator_column = "Measure"
        period_column = "Year"
        value_column = "Value"
        status_column = "Flag"
        [indicators]
        ids = "{ids}"
        defaults = {{ theme = "T", unit = "%", source = "S", polarity = "higher" }}
    """.replace("{ids}", "slug").replace("{{", "{").replace("}}", "}"))
    report = import_file(tmp_path / "long.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    text = reasons(report)
    assert "data.csv" not in text and "long.csv, row 2, column Flag: 'dodgy': is not a status" in text
    assert "'Rent arrears %; Rent arrears (%)': all become indicator id 'rent_arrears_pct'" in text
    spec.write_text(spec.read_text().replace('ids = "slug"', 'ids = "as_is"'))
    report = import_file(tmp_path / "long.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    assert "'Void days': gives indicator id 'Void days', which is not letters" in reasons(report)
