"""etl import on the shapes real publishers' files take (issue 10 §2): row filters, annotated and
odd periods, ISO 8601 periods, names that depend on the period, councils outside their life,
confidence limits, and peer-set files (lookups, wide and JSON neighbour lists, cluster files).

Every fixture is a small file written here, modelled on a publisher's form; none is copied.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.importer import SpecError, format_report, import_file, read_spec
from etl.importer.pipeline import prepare_import
from etl.problems import format_problems
from etl.warehouse import WarehousePaths
from tests.support.sources import write_dedented as write

DEFAULTS = """
[indicators.defaults]
theme = "Health"
unit = "%"
polarity = "higher"
source = "Test publisher"
"""
LONG = """
source_name = "publisher"
{top}
[councils]
column = "{council}"
by = "{by}"
{councils}
[shape]
form = "long"
indicator_column = "Indicator"
period_column = "{period}"
value_column = "Value"
{shape}
{more}
""" + DEFAULTS


def long_spec(folder: Path, council="Code", by="gss", period="Period", top="", councils="", shape="", more=""):
    text = LONG.format(top=top, council=council, by=by, period=period, councils=councils, shape=shape, more=more)
    return write(folder, "spec.toml", text)


def reasons(report) -> str:
    return "\n".join(p.describe() for p in report.problems)


def live(warehouse: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(WarehousePaths(warehouse).current_file()), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


# -- row filters ---------------------------------------------------------------------------------
def test_filters_keep_and_drop_rows_by_value_list_or_pattern(tmp_path, matcher, warehouse_path):
    write(tmp_path, "data.csv", """
        Code,Name,geography,Indicator,Period,Value
        E08000025,Birmingham,Local Authority District,Obesity,2019,20
        E08000025,Birmingham,Local Authority District,Obesity (denominator),2019,1000
        E08000035,Leeds,Local Authority District,Obesity,2019,25
        E08000035,Leeds,Local Authority District,Obesity,2010-11...1090,99
        E47000001,Greater Manchester,Combined Authority or City Region,Obesity,2019,21
        E23000001,Metropolitan Police,Police Force Area,Obesity,2019,22
        E12000001,North East,Region,Obesity,2019,23
    """)
    spec = long_spec(tmp_path, more="""
        [[filters]]
        column = "geography"
        keep = ["Local Authority District", "region"]
        [[filters]]
        column = "Period"
        drop_pattern = '\\.\\.\\.'
        [[filters]]
        column = "Indicator"
        drop = ["Obesity (denominator)"]
    """)
    report = import_file(tmp_path / "data.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    assert report.rows_read == 7
    assert [rows for _, rows in report.rows_filtered] == [2, 1, 1]
    assert report.rows_matched == 2 and report.rows_aggregate == 1 and report.rows_unmatched == 0
    text = format_report(report)
    assert "rows left out by filter geography (keep: Local Authority District, region): 2" in text
    assert "rows left out by filter Period (drop matching '\\.\\.\\.'): 1" in text
    got = live(warehouse_path, "SELECT authority_code, value FROM indicator_values ORDER BY 1")
    assert got.values.tolist() == [["E08000025", 20.0], ["E08000035", 25.0]]


def test_a_filter_on_a_missing_column_names_it(tmp_path, matcher):
    write(tmp_path, "data.csv", "Code,Indicator,Period,Value\nE08000025,A,2019,1\n")
    spec = long_spec(tmp_path, more='[[filters]]\ncolumn = "geography"\nkeep = ["x"]\n')
    with pytest.raises(ValueError, match=r"filters #1: column names column 'geography', which is not in the file"):
        import_file(tmp_path / "data.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)


def test_a_filter_needs_exactly_one_rule(tmp_path):
    spec = long_spec(tmp_path, more='[[filters]]\ncolumn = "g"\nkeep = ["a"]\ndrop_pattern = "b"\n')
    with pytest.raises(SpecError, match="filters #1: give exactly one of keep, drop, keep_pattern or drop_pattern"):
        read_spec(spec)


# -- periods -------------------------------------------------------------------------------------
def test_annotated_periods_become_the_period_plus_a_status(tmp_path, matcher, warehouse_path):
    write(tmp_path, "data.csv", """
        Code,Indicator,Period,Value
        E08000025,Looked after,2016-17 (OT),10
        E08000025,Looked after,2018 (Rev),11
        E08000025,Looked after,2020 (Final),12
        E08000025,Looked after,2021 (prov),13
        E08000025,Looked after,2013/14-15/16,14
        E08000025,Looked after,2022 [r],15
    """)
    spec = long_spec(tmp_path, more="""
        [periods]
        annotations = "status"
        annotation_statuses = { "OT" = "final" }
        map = { "2013/14-15/16" = "2013/14 to 2015/16" }
    """)
    report = import_file(tmp_path / "data.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    got = live(warehouse_path, "SELECT v.period, p.period_kind, v.status FROM indicator_values v "
                               "JOIN periods p USING (period) ORDER BY v.period_start")
    assert got.fillna("").values.tolist() == [
        ["2013/14 to 2015/16", "financial_span", ""],
        ["2016/17", "financial_year", ""],
        ["2018", "calendar_year", "revised"],
        ["2020", "calendar_year", ""],
        ["2021", "calendar_year", "provisional"],
        ["2022", "calendar_year", "revised"],
    ]


def test_an_unknown_annotation_or_no_rule_is_reported_with_the_row(tmp_path, matcher):
    write(tmp_path, "data.csv", "Code,Indicator,Period,Value\nE08000025,A,2016-17 (OT),1\nE08000035,A,2018 (Rev),2\n")
    spec = long_spec(tmp_path, more='[periods]\nannotations = "status"\n')
    report = import_file(tmp_path / "data.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    assert "data.csv, row 2, column Period: '2016-17 (OT)': period has annotation 'OT', which [periods] " \
           "annotation_statuses does not map" in reasons(report)
    assert "2018 (Rev)" not in reasons(report)
    spec = long_spec(tmp_path)
    report = import_file(tmp_path / "data.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    assert "row 3, column Period: '2018 (Rev)': period is not a period" in reasons(report)
    spec = long_spec(tmp_path, more='[periods]\nannotations = "ignore"\n')
    report = import_file(tmp_path / "data.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    assert report.ok, reasons(report)


def test_iso_periods_load_with_labels_that_say_which_year(tmp_path, matcher, warehouse_path):
    write(tmp_path, "data.csv", """
        Code,Indicator,Period,Value
        E08000025,Pupils,2019-08-01/P1Y,1
        E08000025,Pupils,2019-04-01/P1Y,2
        E08000025,Pupils,2019-01-01/P1Y,3
        E08000025,Pupils,2019-01-01/P3Y,4
        E08000025,Pupils,2023-07-01/P1M,5
        E08000025,Pupils,2026-01-01,6
        E08000025,Pupils,2015-11-16/P1Y,7
    """)
    report = import_file(tmp_path / "data.csv", long_spec(tmp_path), warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    got = live(warehouse_path, "SELECT v.period, p.period_kind, v.value FROM indicator_values v "
                               "JOIN periods p USING (period) ORDER BY v.value")
    assert got.values.tolist() == [
        ["2019/20 academic", "academic_year", 1.0], ["2019/20", "financial_year", 2.0],
        ["2019", "calendar_year", 3.0], ["2019-21", "span", 4.0], ["2023 Jul", "month", 5.0],
        ["2026-01-01", "point", 6.0], ["2015/16 from 16 Nov", "year_from_11-16", 7.0]]


def test_bad_periods_are_counted_in_rows_and_distinct_texts(tmp_path, matcher):
    rows = [f"E08000025,A,Spring {year},1" for year in range(2001, 2004) for _ in range(10)]
    write(tmp_path, "data.csv", "Code,Indicator,Period,Value\n" + "\n".join(rows) + "\n")
    spec = long_spec(tmp_path, more='[values]\nduplicates = "drop_identical"\n')
    report = import_file(tmp_path / "data.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    periods = [p for p in report.problems if p.reason.startswith("period")]
    assert len(periods) == 3 and {(p.count, p.distinct) for p in periods} == {(30, 3)}
    assert "period is not a period" in format_problems(report.problems) and "(30 rows, 3 distinct values)" in \
        format_problems(report.problems)


# -- names whose council depends on the period ---------------------------------------------------
def test_dated_overrides_mean_one_code_up_to_a_date_and_another_after(tmp_path, matcher, warehouse_path):
    write(tmp_path, "data.csv", """
        Council,Indicator,Year,Value
        Bucks,Arrears,2019-20,1
        Bucks,Arrears,2020-21,2
        Bucks,Arrears,2020,3
        Birmingham,Arrears,2020-21,4
    """)
    spec = long_spec(tmp_path, council="Council", by="name", period="Year", councils="""
        [councils.overrides]
        "Bucks" = [ { code = "E10000002", until = 2020-03-31 }, { code = "E06000060", from = 2020-04-01 } ]
    """)
    report = import_file(tmp_path / "data.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    got = live(warehouse_path, "SELECT period, authority_code FROM indicator_values ORDER BY value")
    # calendar 2020 ends after the change: a period belongs to the entry covering its last day
    assert got.values.tolist() == [["2019/20", "E10000002"], ["2020/21", "E06000060"], ["2020", "E06000060"],
                                   ["2020/21", "E08000025"]]
    assert report.settled == [("Bucks", "E06000060 Buckinghamshire (Unitary authority)", 2),
                              ("Bucks", "E10000002 Buckinghamshire County (County)", 1)]
    assert "'Bucks' as E06000060 Buckinghamshire (Unitary authority): 2 cells" in format_report(report)


def test_dated_overrides_that_leave_a_gap_report_the_period(tmp_path, matcher):
    write(tmp_path, "data.csv", "Council,Indicator,Year,Value\nBucks,Arrears,2021-22,1\n")
    spec = long_spec(tmp_path, council="Council", by="name", period="Year", councils="""
        [councils.overrides]
        "Bucks" = [ { code = "E10000002", until = 2020-03-31 } ]
    """)
    report = import_file(tmp_path / "data.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    assert "row 2, column Council: 'Bucks': has no dated override covering 2021/22" in reasons(report)
    spec.write_text(spec.read_text().replace("E10000002", "E99999999"))
    with pytest.raises(ValueError, match="'E99999999' is not a code in the register"):
        import_file(tmp_path / "data.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)


def test_by_period_resolves_a_plain_name_by_the_register_and_counts_each_way(tmp_path, matcher, warehouse_path):
    years = ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    lines = [f"Somerset,Arrears,{y},{n}" for n, y in enumerate(years)] + ["North Yorkshire,Arrears,2023-24,9"]
    write(tmp_path, "data.csv", "Council,Indicator,Year,Value\n" + "\n".join(lines) + "\n")
    spec = long_spec(tmp_path, council="Council", by="name", period="Year", councils="by_period = true")
    report = import_file(tmp_path / "data.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    assert report.settled == [
        ("North Yorkshire", "E06000065 North Yorkshire (Unitary authority)", 1),
        ("Somerset", "E06000066 Somerset (Unitary authority)", 2),
        ("Somerset", "E10000027 Somerset (County)", 3),
    ]
    got = live(warehouse_path, "SELECT period, authority_code FROM indicator_values WHERE value < 9 ORDER BY value")
    assert got["authority_code"].tolist() == ["E10000027"] * 3 + ["E06000066"] * 2


def test_values_outside_a_councils_life_are_kept_and_counted(tmp_path, matcher, warehouse_path):
    # Somerset Council began on 1 April 2023 and is restated back to 2021/22; Mendip ended on
    # 1 April 2023 and is reported late for 2023/24, beside its successor.
    write(tmp_path, "data.csv", """
        Code,Indicator,Period,Value
        E06000066,Arrears,2021-22,1
        E06000066,Arrears,2022-23,2
        E06000066,Arrears,2023-24,3
        E07000187,Arrears,2022-23,4
        E07000187,Arrears,2023-24,5
        E08000025,Arrears,2021-22,6
    """)
    report = import_file(tmp_path / "data.csv", long_spec(tmp_path), warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    assert (report.outside_life, report.outside_life_before, report.outside_life_after) == (3, 2, 1)
    assert report.outside_life_councils == [("E06000066 Somerset (Unitary authority)", 2),
                                            ("E07000187 Mendip (Non-metropolitan district)", 1)]
    assert report.overlaps == [("E06000066 Somerset (Unitary authority)", "E07000187 Mendip (Non-metropolitan district)",
                                2, "arrears 2022/23")]
    text = format_report(report)
    assert "3 values reported for councils outside their life: restated on later boundaries" in text
    assert "E06000066 Somerset (Unitary authority) with E07000187 Mendip (Non-metropolitan district): 2" in text
    kept = live(warehouse_path, "SELECT count(*) AS n FROM indicator_values")
    assert kept["n"].iloc[0] == 6  # every value is stored; the load marks those outside a life


# -- confidence limits -------------------------------------------------------------------------
def test_confidence_limits_are_written_beside_each_value(tmp_path, matcher):
    write(tmp_path, "data.csv", """
        areacd,areanm,geography,Indicator,period,Value,lci_95,uci_95
        E08000025,Birmingham,Local Authority District,Obesity,2015-11-16/P1Y,25.5,24.1,26.9
        E08000035,Leeds,Local Authority District,Obesity,2015-11-16/P1Y,c,,
        E92000001,England,Nation,Obesity,2015-11-16/P1Y,22.6,22.4,22.8
    """)
    spec = long_spec(tmp_path, council="areacd", period="period", councils='aggregates = "keep"',
                     shape='lower_ci_column = "lci_95"\nupper_ci_column = "uci_95"')
    report = prepare_import(tmp_path / "data.csv", read_spec(spec), tmp_path / "out", matcher=matcher)
    assert not report.problems, reasons(report)
    values = pd.read_csv(tmp_path / "out" / "values.csv", dtype=str, keep_default_na=False)
    assert values[["authority_code", "period", "value", "lower_ci", "upper_ci"]].values.tolist() == [
        ["E08000025", "2015/16 from 16 Nov", "25.5", "24.1", "26.9"], ["E08000035", "2015/16 from 16 Nov", "", "", ""]]
    comparators = pd.read_csv(tmp_path / "out" / "comparators.csv", dtype=str)
    assert comparators[["area_name", "value", "lower_ci", "upper_ci"]].values.tolist() == [
        ["England", "22.6", "22.4", "22.8"]]
    # without the spec's limit columns, values.csv carries none
    report = prepare_import(tmp_path / "data.csv", read_spec(long_spec(tmp_path, council="areacd", period="period")),
                            tmp_path / "plain", matcher=matcher)
    assert "lower_ci" not in pd.read_csv(tmp_path / "plain" / "values.csv").columns


def test_a_confidence_limit_that_is_not_a_number_names_its_cell(tmp_path, matcher):
    write(tmp_path, "data.csv", "Code,Indicator,Period,Value,Low's,High\nE08000025,A,2019,5,about 4,6\n")
    spec = long_spec(tmp_path, shape='lower_ci_column = "Low\'s"\nupper_ci_column = "High"')
    report = import_file(tmp_path / "data.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    assert "data.csv, row 2, column Low's: 'about 4': is not a number or a known marker (lower confidence limit)" \
        in reasons(report)
    with pytest.raises(SpecError, match="go together"):
        read_spec(long_spec(tmp_path, shape='lower_ci_column = "Low"'))


def test_column_names_with_apostrophes_are_quoted_not_pasted(tmp_path, matcher, warehouse_path):
    write(tmp_path, "data.csv", "Council's code,Indicator,Year's end,Value,Flag's\nE08000025,A,2019,5,revised\n"
                                "E08000035,A,2019,oops,odd\n")
    spec = long_spec(tmp_path, council="Council's code", period="Year's end", shape="status_column = \"Flag's\"")
    report = import_file(tmp_path / "data.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    assert "row 3, column Flag's: 'odd': is not a status" in reasons(report)
    assert "row 3, column Value: 'oops': is not a number" in reasons(report)


# -- spec paths ------------------------------------------------------------------------------------
def test_spec_paths_are_relative_to_the_specs_folder(tmp_path, matcher, warehouse_path, monkeypatch):
    (tmp_path / "specs").mkdir()
    write(tmp_path / "specs", "la_numbers.csv", "LA number,GSS\n330,E08000025\n383,E08000035\n")
    write(tmp_path, "data.csv", "LA,Indicator,Period,Value\n330,A,2019,1\n383,A,2019,2\n")
    text = LONG.format(top="", council="LA", by="lookup", period="Period", shape="", more="",
                       councils='lookup = { file = "la_numbers.csv", from = "LA number", to = "GSS" }')
    spec = write(tmp_path / "specs", "spec.toml", text)
    monkeypatch.chdir(tmp_path)  # the working folder does not matter
    report = import_file(tmp_path / "data.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    assert report.matched_by == {"lookup": 2}


# -- peer-set files --------------------------------------------------------------------------------
PEER = """
source_name = "{name}"
kind = "{kind}"
[set]
id = "{name}"
name = "Test {kind}"
method = "Published by a test"
{body}
"""


def peer_spec(folder: Path, name: str, kind: str, body: str) -> Path:
    return write(folder, "spec.toml", PEER.format(name=name, kind=kind, body=textwrap.dedent(body)))


def members(warehouse: Path) -> pd.DataFrame:
    return live(warehouse, "SELECT m.*, s.name FROM peer_set_members m JOIN peer_sets s USING (set_id) "
                           "ORDER BY m.set_id, m.authority_code, m.rank, m.member_code")


def test_wide_neighbour_file_one_column_per_rank_with_closeness_per_rank(tmp_path, matcher, warehouse_path):
    write(tmp_path, "nn.csv", """
        AREACD,1,2,3,close1,close2,close3
        E08000025,E08000003,E08000035,,Very close,Close,
        E08000035,E08000019,E08000032,E08000034,Very close,Close,Fair
    """)
    spec = peer_spec(tmp_path, "ons-global", "neighbours", """
        [councils]
        column = "AREACD"
        by = "gss"
        [neighbours]
        neighbour_pattern = '^(?P<rank>[0-9]+)$'
        closeness_pattern = '^close(?P<rank>[0-9]+)$'
    """)
    report = import_file(tmp_path / "nn.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    got = members(warehouse_path)
    assert got[["authority_code", "member_code", "rank", "closeness"]].values.tolist() == [
        ["E08000025", "E08000003", 1, "Very close"], ["E08000025", "E08000035", 2, "Close"],
        ["E08000035", "E08000019", 1, "Very close"], ["E08000035", "E08000032", 2, "Close"],
        ["E08000035", "E08000034", 3, "Fair"]]


def test_family_file_with_several_family_columns_gives_several_sets(tmp_path, matcher, warehouse_path):
    write(tmp_path, "clusters.csv", """
        AREACD,AREANM,Global,Economic,Demographic
        E08000025,Birmingham,B,A,C
        E08000035,Leeds,B,B,C
        E08000003,Manchester,A,B,C
    """)
    spec = peer_spec(tmp_path, "ons-clusters", "family", """
        [councils]
        column = "AREACD"
        by = "gss"
        [family]
        group_columns = ["Global", "Economic", "Demographic"]
    """)
    report = import_file(tmp_path / "clusters.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    assert report.sets_written == ["ons-clusters-global", "ons-clusters-economic", "ons-clusters-demographic"]
    got = members(warehouse_path)
    assert got.groupby("set_id")["group_id"].apply(list).to_dict() == {
        "ons-clusters-demographic": ["C", "C", "C"], "ons-clusters-economic": ["B", "A", "B"],
        "ons-clusters-global": ["A", "B", "B"]}
    assert set(got["name"]) == {"Test family: Global", "Test family: Economic", "Test family: Demographic"}


def test_family_repeated_on_every_row_of_a_long_file_needs_drop_identical(tmp_path, matcher, warehouse_path):
    write(tmp_path, "long.csv", """
        Council,Family,Indicator,Value
        Birmingham,1,A,1
        Birmingham,1,B,2
        Leeds,1,A,3
        Leeds,2,B,4
    """)
    body = """
        [councils]
        column = "Council"
        [family]
        group_column = "Family"
    """
    spec = peer_spec(tmp_path, "fam", "family", body)
    report = import_file(tmp_path / "long.csv", spec, warehouse_path, dry_run=True, matcher=matcher)
    assert "long.csv, row 3, column Family: repeats the council of row 2 (set [values] duplicates" in reasons(report)
    spec = peer_spec(tmp_path, "fam", "family", body + '[values]\nduplicates = "drop_identical"\n')
    report = import_file(tmp_path / "long.csv", spec, warehouse_path, dry_run=True, matcher=matcher)
    assert "long.csv, row 5, column Family: repeats the council of row 4 gives a different entry" in reasons(report)
    (tmp_path / "long.csv").write_text((tmp_path / "long.csv").read_text().replace("Leeds,2,B", "Leeds,1,B"))
    report = import_file(tmp_path / "long.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    assert report.duplicates_dropped == 2 and report.members_written == 2


def test_json_neighbour_lists_in_code_order_with_the_council_itself(tmp_path, matcher, warehouse_path):
    (tmp_path / "nn.json").write_text(json.dumps({
        "E08000025": ["E08000003", "E08000025", "E08000035"],
        "E08000035": ["E08000019", "E08000035"],
    }))
    body = """
        [councils]
        column = "council"
        by = "gss"
        [neighbours]
        neighbour_column = "neighbour"
        ranked = false
        {extra}
    """
    spec = peer_spec(tmp_path, "json-nn", "neighbours", body.format(extra=""))
    report = import_file(tmp_path / "nn.json", spec, warehouse_path, dry_run=True, matcher=matcher)
    assert "nn.json, row 1, column member_code" in reasons(report) and "is the council itself" in reasons(report)
    spec = peer_spec(tmp_path, "json-nn", "neighbours", body.format(extra="drop_self = true"))
    report = import_file(tmp_path / "nn.json", spec, warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    assert report.self_neighbours_dropped == 2
    assert "councils listed as their own neighbour, left out: 2" in format_report(report)
    got = members(warehouse_path)
    assert got[["authority_code", "member_code"]].values.tolist() == [
        ["E08000025", "E08000003"], ["E08000025", "E08000035"], ["E08000035", "E08000019"]]
    assert got["rank"].isna().all()  # no ranks in the file: stored unranked, not 1..n in file order


def test_long_neighbour_list_without_ranks_is_stored_unranked(tmp_path, matcher, warehouse_path):
    write(tmp_path, "nn.csv", "LA,Neighbour\nBirmingham,Manchester\nBirmingham,Leeds\n")
    spec = peer_spec(tmp_path, "nn", "neighbours", """
        [councils]
        column = "LA"
        [neighbours]
        neighbour_column = "Neighbour"
        ranked = false
    """)
    report = import_file(tmp_path / "nn.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    assert members(warehouse_path)["rank"].isna().all()


def test_peer_set_matched_through_a_lookup_sheet_of_the_same_workbook(tmp_path, matcher, warehouse_path):
    with pd.ExcelWriter(tmp_path / "sn.xlsx") as writer:
        pd.DataFrame({"LA number": ["330", "383"], "SN1": ["352", "330"], "SN2": ["383", None]}).to_excel(
            writer, sheet_name="Neighbours", index=False)
        pd.DataFrame([["Codes used in this workbook"], [""]]).to_excel(writer, sheet_name="Codes", index=False,
                                                                        header=False)
        pd.DataFrame({"LA": ["330", "352", "383"], "GSS": ["E08000025", "E08000003", "E08000035"]}).to_excel(
            writer, sheet_name="Codes", index=False, startrow=2)
    spec = peer_spec(tmp_path, "dfe-sn", "neighbours", """
        [file]
        sheet = "Neighbours"
        [councils]
        column = "LA number"
        by = "lookup"
        lookup = { sheet = "Codes", skip_rows = 2, from = "LA", to = "GSS" }
        [neighbours]
        neighbour_pattern = '^SN(?P<rank>[0-9]+)$'
    """)
    report = import_file(tmp_path / "sn.xlsx", spec, warehouse_path, matcher=matcher)
    assert report.ok, reasons(report)
    got = members(warehouse_path)
    assert got[["authority_code", "member_code", "rank"]].values.tolist() == [
        ["E08000025", "E08000003", 1], ["E08000025", "E08000035", 2], ["E08000035", "E08000025", 1]]


def test_a_lookup_code_the_sheet_lacks_is_reported(tmp_path, matcher):
    with pd.ExcelWriter(tmp_path / "sn.xlsx") as writer:
        pd.DataFrame({"LA number": ["330", "999"], "Family": ["1", "1"]}).to_excel(writer, sheet_name="Data",
                                                                                  index=False)
        pd.DataFrame({"LA": ["330"], "GSS": ["E08000025"]}).to_excel(writer, sheet_name="Codes", index=False)
    spec = peer_spec(tmp_path, "fam", "family", """
        [file]
        sheet = "Data"
        [councils]
        column = "LA number"
        by = "lookup"
        lookup = { sheet = "Codes", from = "LA", to = "GSS" }
        [family]
        group_column = "Family"
    """)
    report = import_file(tmp_path / "sn.xlsx", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    assert "sn.xlsx, row 3, column LA number: '999': is not a council code" in reasons(report)
    assert report.unmatched == [("999", 1)]
