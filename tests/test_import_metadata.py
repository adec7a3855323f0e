"""Indicator metadata from the data file, a separate file or the spec; polarity in the
publisher's own words; kept aggregates stored as comparator values; codes through a lookup file."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from etl.importer import import_file
from etl.warehouse import WarehousePaths
from tests.support.sources import write_dedented as write


def table(warehouse, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(WarehousePaths(warehouse).current_file()), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def test_metadata_columns_in_the_data_file_with_high_low_dash_polarity(tmp_path, warehouse_path, matcher):
    data = write(tmp_path, "data.csv", """
        Area,Measure,Title,Theme,Units,Better,Year,Value
        Birmingham,m1,Arrears rate,Housing,%,High,2019-20,4
        Leeds,m1,Arrears rate,Housing,%,High,2019-20,5
        Birmingham,m2,Void days,Housing,days,Low,2019-20,30
        Birmingham,m3,Households,Context,count,-,2019-20,400000
    """)
    spec = write(tmp_path, "spec.toml", """
        source_name = "meta-same"
        [councils]
        column = "Area"
        [shape]
        form = "long"
        indicator_column = "Measure"
        period_column = "Year"
        value_column = "Value"
        [indicators]
        ids = "as_is"
        [indicators.columns]
        indicator = "Measure"
        name = "Title"
        theme = "Theme"
        unit = "Units"
        polarity = "Better"
        [indicators.defaults]
        source = "Test publisher"
    """)
    report = import_file(data, spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    got = table(warehouse_path, "SELECT indicator_id, name, unit, polarity FROM indicators ORDER BY 1")
    assert got.values.tolist() == [["m1", "Arrears rate", "%", "higher"], ["m2", "Void days", "days", "lower"],
                                   ["m3", "Households", "count", "neutral"]]


@pytest.mark.parametrize("words, mapping", [
    (("Yes", "No"), '"Yes" = "higher"\n"No" = "lower"'),
    (("1", "0"), '"1" = "higher"\n"0" = "lower"'),
    (("higher is better", "lower is better"), ""),
])
def test_separate_metadata_xlsx_and_polarity_vocabularies(tmp_path, warehouse_path, matcher, words, mapping):
    write(tmp_path, "data.csv", """
        LA,Year,Rent arrears (%),Void days
        Birmingham,2019,4,30
    """)
    pd.DataFrame({"Indicator": ["Rent arrears (%)", "Void days"], "Definition": ["Share in arrears", "Days empty"],
                  "High is good?": list(words), "Max": ["100", ""]}).to_excel(tmp_path / "meta.xlsx", index=False)
    spec = write(tmp_path, "spec.toml", f"""
        source_name = "meta-file"
        [councils]
        column = "LA"
        [shape]
        form = "wide"
        columns_are = "indicator"
        period_column = "Year"
        [indicators]
        file = "meta.xlsx"
        [indicators.columns]
        indicator = "Indicator"
        description = "Definition"
        polarity = "High is good?"
        max_value = "Max"
        [indicators.defaults]
        theme = "Housing"
        unit = "%"
        source = "Test"
        [indicators.polarity_map]
        {mapping}
    """)
    report = import_file(tmp_path / "data.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    got = table(warehouse_path, "SELECT indicator_id, description, polarity, max_value FROM indicators ORDER BY 1")
    assert got["indicator_id"].tolist() == ["rent_arrears_pct", "void_days"]
    assert got["polarity"].tolist() == ["higher", "lower"]
    assert got["description"].tolist() == ["Share in arrears", "Days empty"]
    assert got["max_value"].iloc[0] == 100 and pd.isna(got["max_value"].iloc[1])


def test_unmapped_polarity_word_is_an_error_naming_the_metadata_row(tmp_path, matcher):
    write(tmp_path, "data.csv", "LA,Year,A\nBirmingham,2019,4\n")
    write(tmp_path, "meta.csv", "Indicator,Good\nA,Yes\n")
    spec = write(tmp_path, "spec.toml", """
        source_name = "meta-bad"
        [councils]
        column = "LA"
        [shape]
        form = "wide"
        columns_are = "indicator"
        period_column = "Year"
        [indicators]
        file = "meta.csv"
        columns = { indicator = "Indicator", polarity = "Good" }
        defaults = { theme = "T", unit = "%", source = "S" }
    """)
    report = import_file(tmp_path / "data.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    assert not report.ok
    assert any(p.file == "meta.csv" and p.row == 2 and p.column == "Good" and p.value == "Yes"
               and "polarity_map" in p.reason for p in report.problems), report.problems


def test_inline_definitions_and_missing_metadata(tmp_path, matcher):
    write(tmp_path, "data.csv", "LA,Year,A,B\nBirmingham,2019,4,5\n")
    spec = write(tmp_path, "spec.toml", """
        source_name = "meta-inline"
        [councils]
        column = "LA"
        [shape]
        form = "wide"
        columns_are = "indicator"
        period_column = "Year"
        [[indicators.define]]
        indicator = "A"
        name = "Alpha"
        theme = "T"
        unit = "%"
        polarity = "Low"
        source = "S"
    """)
    report = import_file(tmp_path / "data.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    assert not report.ok
    assert [(p.value, p.column) for p in report.problems] == [("B", "theme, unit, source"), (None, "polarity")]


def test_existing_indicators_and_aggregates_kept_as_comparators(tmp_path, warehouse_path, matcher):
    write(tmp_path, "first.csv", "LA,Year,A\nBirmingham,2019,4\n")
    spec1 = write(tmp_path, "first.toml", """
        source_name = "defs"
        [councils]
        column = "LA"
        [shape]
        form = "wide"
        columns_are = "indicator"
        period_column = "Year"
        [indicators]
        ids = "as_is"
        defaults = { theme = "T", unit = "%", source = "S", polarity = "higher" }
    """)
    assert import_file(tmp_path / "first.csv", spec1, warehouse_path, matcher=matcher).ok
    write(tmp_path, "second.csv", """
        Code,Year,A
        E08000035,2019,5
        E92000001,2019,4.5
        E12000003,2019,c
        K02000001,2019,4.4
    """)
    spec2 = write(tmp_path, "second.toml", """
        source_name = "with-areas"
        [councils]
        column = "Code"
        by = "gss"
        aggregates = "keep"
        [shape]
        form = "wide"
        columns_are = "indicator"
        period_column = "Year"
        [indicators]
        ids = "as_is"
        existing = true
    """)
    report = import_file(tmp_path / "second.csv", spec2, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    assert report.aggregate_areas == ["England", "United Kingdom", "Yorkshire and The Humber"]
    comparators = table(warehouse_path, "SELECT area_name, area_code, value, status FROM comparator_values ORDER BY 1")
    assert comparators.iloc[0, :3].tolist() == ["England", "E92000001", 4.5] and pd.isna(comparators.iloc[0, 3])
    assert comparators["status"].tolist()[2] == "suppressed"
    councils = table(warehouse_path, "SELECT authority_code FROM indicator_values ORDER BY 1")["authority_code"]
    assert councils.tolist() == ["E08000025", "E08000035"]  # the aggregates are not councils
    from dashboard.peers.sets import comparator_values
    from dashboard.warehouse import FileWarehouse

    shown = comparator_values(FileWarehouse(warehouse_path), "A", "2019")  # what a page shows beside a group
    assert shown["area_name"].tolist() == ["England", "United Kingdom", "Yorkshire and The Humber"]



def test_kept_comparators_appear_beside_the_peer_group_on_the_indicator_page(tmp_path, warehouse_path, matcher,
                                                                             open_page):
    write(tmp_path, "d.csv", "Area,Year,A\nBirmingham,2019,4\nLeeds,2019,5\nEngland,2019,4.5\n")
    spec = write(tmp_path, "spec.toml", """
        source_name = "cmp"
        [councils]
        column = "Area"
        aggregates = "keep"
        [shape]
        form = "wide"
        columns_are = "indicator"
        period_column = "Year"
        [indicators]
        ids = "as_is"
        defaults = { theme = "T", unit = "%", source = "S", polarity = "higher" }
    """)
    assert import_file(tmp_path / "d.csv", spec, warehouse_path, matcher=matcher).ok
    at = open_page(warehouse_path, "indicator", council="E08000025", indicator="A", period="2019")
    areas = [d.value for d in at.dataframe if "Area" in d.value.columns]
    assert areas and areas[0][["Area", "Value"]].values.tolist() == [["England", 4.5]]


def test_codes_through_a_lookup_file(tmp_path, warehouse_path, matcher):
    write(tmp_path, "lookup.csv", "LA number,ONS code\n330,E08000025\n383,E08000035\n999,E99999999\n")
    write(tmp_path, "data.csv", "LA,Year,A\n330,2019,1\n383,2019,2\n999,2019,3\n123,2019,4\n")
    spec = write(tmp_path, "spec.toml", """
        source_name = "lookup-test"
        [councils]
        column = "LA"
        by = "lookup"
        skip_unmatched = true
        lookup = { file = "lookup.csv", from = "LA number", to = "ONS code", to_by = "gss" }
        [shape]
        form = "wide"
        columns_are = "indicator"
        period_column = "Year"
        [indicators]
        defaults = { theme = "T", unit = "%", source = "S", polarity = "higher" }
    """)
    report = import_file(tmp_path / "data.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    assert report.rows_matched == 2 and sorted(t for t, _ in report.unmatched) == ["123", "999"]
    got = table(warehouse_path, "SELECT authority_code, value FROM indicator_values ORDER BY 1")
    assert got.values.tolist() == [["E08000025", 1.0], ["E08000035", 2.0]]
