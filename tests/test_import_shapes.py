"""etl import: each file format and shape, written by the tests, lands as the same long values."""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb
import pandas as pd

from etl.cli import main
from etl.importer import import_file
from etl.warehouse import WarehousePaths

INDICATOR_DEFAULTS = """
[indicators.defaults]
theme = "Housing"
unit = "%"
polarity = "higher"
source = "Test publisher"
"""


def write_spec(folder: Path, text: str) -> Path:
    """A spec file from dedented TOML text."""
    path = folder / "spec.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def live_values(warehouse: Path) -> pd.DataFrame:
    """The published indicator values (sorted), read straight from the version file."""
    current = WarehousePaths(warehouse).current_file()
    con = duckdb.connect(str(current), read_only=True)
    try:
        return con.execute("SELECT authority_code, indicator_id, period, value, status FROM indicator_values "
                           "ORDER BY indicator_id, period, authority_code").df()
    finally:
        con.close()


# The figures every shape below spells differently: (council name, GSS, indicator, period, value).
FIGURES = [
    ("Birmingham", "E08000025", "Rent arrears", "2019/20", 4.5),
    ("Birmingham", "E08000025", "Rent arrears", "2020/21", 5.0),
    ("Birmingham", "E08000025", "Void days", "2019/20", 31.0),
    ("Birmingham", "E08000025", "Void days", "2020/21", 28.0),
    ("Leeds", "E08000035", "Rent arrears", "2019/20", 3.25),
    ("Leeds", "E08000035", "Rent arrears", "2020/21", 3.5),
    ("Leeds", "E08000035", "Void days", "2019/20", 1200.0),
    ("Leeds", "E08000035", "Void days", "2020/21", 27.0),
]


def expected() -> pd.DataFrame:
    """The contract rows FIGURES should become, computed without the importer."""
    frame = pd.DataFrame(FIGURES, columns=["name", "authority_code", "indicator", "period", "value"])
    frame["indicator_id"] = frame["indicator"].str.lower().str.replace(" ", "_")
    return frame[["authority_code", "indicator_id", "period", "value"]].sort_values(
        ["indicator_id", "period", "authority_code"]).reset_index(drop=True)


def assert_loaded(warehouse: Path) -> None:
    got = live_values(warehouse)
    assert got["status"].isna().all()
    pd.testing.assert_frame_equal(got.drop(columns="status"), expected(), check_dtype=False)


def test_long_csv_by_name_with_publisher_period_forms(tmp_path, warehouse_path, matcher):
    # Publishers write the same financial year several ways; all must land on 2019/20.
    forms = {"2019/20": ["2019-20", "2019/2020", "FY2019"], "2020/21": ["2020-21", "2020/21", "2020-2021"]}
    lines = ["Local authority,Indicator,Year,Value"]
    for n, (name, _, indicator, period, value) in enumerate(FIGURES):
        shown = f"{value:,.2f}" if value >= 1000 else str(value)  # a thousands separator too
        lines.append(f'{name} City Council,{indicator},{forms[period][n % 3]},"{shown}"')
    (tmp_path / "long.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = write_spec(tmp_path, """
        source_name = "long-test"
        [councils]
        column = "Local authority"
        [shape]
        form = "long"
        indicator_column = "Indicator"
        period_column = "Year"
        value_column = "Value"
    """ + INDICATOR_DEFAULTS)
    report = import_file(tmp_path / "long.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    assert (report.rows_read, report.rows_matched, report.cells, report.values_written) == (8, 8, 8, 8)
    assert report.periods == ["2019/20", "2020/21"]
    assert_loaded(warehouse_path)


def test_wide_by_indicator_xlsx_with_title_rows_and_fixed_period_per_row(tmp_path, warehouse_path, matcher):
    frame = pd.DataFrame(FIGURES, columns=["name", "gss", "indicator", "period", "value"])
    wide = frame.pivot_table(index=["gss", "period"], columns="indicator", values="value").reset_index()
    with pd.ExcelWriter(tmp_path / "wide.xlsx") as writer:
        pd.DataFrame([["Table 3: housing"], ["Source: test"]]).to_excel(writer, sheet_name="Data", index=False,
                                                                        header=False)
        wide.to_excel(writer, sheet_name="Data", index=False, startrow=2)
    spec = write_spec(tmp_path, """
        source_name = "wide-xlsx"
        [file]
        sheet = "Data"
        skip_rows = 2
        [councils]
        column = "gss"
        by = "gss"
        [shape]
        form = "wide"
        columns_are = "indicator"
        period_column = "period"
    """ + INDICATOR_DEFAULTS)
    report = import_file(tmp_path / "wide.xlsx", spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    assert report.rows_read == 4 and report.cells == 8
    assert_loaded(warehouse_path)


def test_wide_by_period_parquet_with_register_codes(tmp_path, warehouse_path, matcher):
    frame = pd.DataFrame(FIGURES, columns=["name", "gss", "indicator", "period", "value"])
    frame["code"] = frame["gss"].map({"E08000025": "BIR", "E08000035": "LDS"})
    wide = frame.pivot_table(index=["code", "indicator"], columns="period", values="value").reset_index()
    wide.columns = ["code", "indicator", "2019-20", "2020-21"]  # numbers stay numbers in parquet
    wide.to_parquet(tmp_path / "wide.parquet")
    spec = write_spec(tmp_path, """
        source_name = "wide-parquet"
        [councils]
        column = "code"
        by = "register"
        [shape]
        form = "wide"
        columns_are = "period"
        indicator_column = "indicator"
    """ + INDICATOR_DEFAULTS)
    report = import_file(tmp_path / "wide.parquet", spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    assert_loaded(warehouse_path)


def test_wide_by_indicator_and_period_csv_split_by_pattern(tmp_path, warehouse_path, matcher):
    frame = pd.DataFrame(FIGURES, columns=["name", "gss", "indicator", "period", "value"])
    frame["column"] = frame["indicator"] + " [" + frame["period"].str.replace("/", "-") + "]"
    wide = frame.pivot_table(index="name", columns="column", values="value").reset_index()
    wide.insert(1, "Notes", "see footnote")  # a column that holds no values: not matched by the pattern
    wide.to_csv(tmp_path / "wide.csv", index=False)
    spec = write_spec(tmp_path, r"""
        source_name = "wide-both"
        [councils]
        column = "name"
        [shape]
        form = "wide"
        columns_are = "indicator_period"
        column_pattern = '^(?P<indicator>.+) \[(?P<period>[0-9]{4}-[0-9]{2})\]$'
    """ + INDICATOR_DEFAULTS)
    report = import_file(tmp_path / "wide.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    assert report.cells == 8
    assert_loaded(warehouse_path)


def test_fixed_period_for_the_whole_file_and_empty_cells(tmp_path, warehouse_path, matcher):
    (tmp_path / "one.csv").write_text("Council,Rent arrears,Void days\nBirmingham,4.5,\nLeeds,3.25,31\n")
    base = """
        source_name = "fixed-period"
        period = "2019-20"
        [councils]
        column = "Council"
        [shape]
        form = "wide"
        columns_are = "indicator"
        empty = "{empty}"
    """ + INDICATOR_DEFAULTS
    spec = write_spec(tmp_path, base.format(empty="missing"))
    report = import_file(tmp_path / "one.csv", spec, warehouse_path, dry_run=True, matcher=matcher)
    assert report.ok and report.cells == 4 and report.missing == 1
    spec = write_spec(tmp_path, base.format(empty="skip"))
    report = import_file(tmp_path / "one.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok and report.cells == 3 and report.missing == 0
    got = live_values(warehouse_path)
    assert set(got["period"]) == {"2019/20"} and len(got) == 3


def test_dry_run_through_the_cli_writes_nothing_and_prints_the_report(tmp_path, warehouse_path, capsys):
    (tmp_path / "d.csv").write_text("Council,Year,Arrears\nBirmingham,2019,4\nEngland,2019,3\nLeeds,2019,c\n")
    spec = write_spec(tmp_path, """
        source_name = "cli-test"
        [councils]
        column = "Council"
        [shape]
        form = "wide"
        columns_are = "indicator"
        period_column = "Year"
    """ + INDICATOR_DEFAULTS)
    code = main(["--warehouse", str(warehouse_path), "import", str(tmp_path / "d.csv"), "--spec", str(spec),
                 "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert "rows read: 3" in out and "rows matched to a council: 2" in out
    assert "aggregate rows (drop): 1 - England" in out and "suppressed: 1" in out
    assert "dry run" in out
    assert WarehousePaths(warehouse_path).current_file() is None  # nothing published


def test_every_spec_example_in_the_docs_is_valid(tmp_path):
    import re

    from etl.importer import read_spec

    text = (Path(__file__).resolve().parent.parent / "docs" / "importing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) >= 7
    for number, block in enumerate(blocks):
        path = tmp_path / f"example{number}.toml"
        path.write_text(block, encoding="utf-8")
        read_spec(path)  # raises SpecError naming the key if an example drifts from the code


def test_latin1_semicolon_file_codes_of_any_kind_fixed_indicator_and_status_column(tmp_path, warehouse_path,
                                                                                 matcher):
    # A .txt export in Windows-1252/Latin-1 with ';' separators: £ is one byte, not UTF-8.
    text = ("Code;Year;Spend;Flag\n"
            "BIR;2019;£1.234,5;\n"           # register code; a European decimal comma is NOT a number...
            "E06000048;2019;£12;provisional\n"  # a former GSS code (Northumberland), a status column
            "E08000035;2019;[c];\n")
    (tmp_path / "export.txt").write_bytes(text.encode("latin-1"))
    spec = write_spec(tmp_path, """
        source_name = "latin1"
        [file]
        format = "csv"
        encoding = "latin-1"
        delimiter = ";"
        [councils]
        column = "Code"
        by = "code"
        [shape]
        form = "long"
        indicator = "Spend per head"
        period_column = "Year"
        value_column = "Spend"
        status_column = "Flag"
        [indicators]
        rename = { "Spend per head" = "spend_head" }
    """ + INDICATOR_DEFAULTS)
    report = import_file(tmp_path / "export.txt", spec, warehouse_path, dry_run=True, matcher=matcher)
    # ... so it is reported, with the £ read correctly from Latin-1
    assert [(p.row, p.column, p.value) for p in report.problems] == [(2, "Spend", "£1.234,5")]
    (tmp_path / "export.txt").write_bytes(text.replace("£1.234,5", "£1,234.5").encode("latin-1"))
    report = import_file(tmp_path / "export.txt", spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    got = live_values(warehouse_path)
    assert got["indicator_id"].unique().tolist() == ["spend_head"]
    assert got[["authority_code", "value"]].fillna(-1).values.tolist() == [
        ["E06000057", 12.0], ["E08000025", 1234.5], ["E08000035", -1]]
    assert got["status"].tolist()[:1] == ["provisional"] and got["status"].iloc[2] == "suppressed"


def test_explicit_value_columns_and_metadata_sheet_with_title_rows(tmp_path, warehouse_path, matcher):
    (tmp_path / "d.csv").write_text("Council,Year,A,B,Comment\nBirmingham,2019,1,2,ok\nLeeds,2019,3,4,fine\n")
    with pd.ExcelWriter(tmp_path / "meta.xlsx") as writer:
        pd.DataFrame({"x": ["Indicator notes"]}).to_excel(writer, sheet_name="Notes", index=False, header=False)
        pd.DataFrame([["About these figures"], [""]]).to_excel(writer, sheet_name="Meta", index=False, header=False)
        pd.DataFrame({"Measure": ["A"], "Theme": ["Housing"]}).to_excel(writer, sheet_name="Meta", index=False,
                                                                        startrow=2)
    spec = write_spec(tmp_path, """
        source_name = "explicit"
        [councils]
        column = "Council"
        [shape]
        form = "wide"
        columns_are = "indicator"
        period_column = "Year"
        columns = ["A"]
        [indicators]
        ids = "as_is"
        file = "meta.xlsx"
        sheet = "Meta"
        skip_rows = 2
        columns = { indicator = "Measure", theme = "Theme" }
        defaults = { unit = "%", source = "S", polarity = "higher" }
    """)
    report = import_file(tmp_path / "d.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    assert report.cells == 2 and report.indicators == ["A"]  # B and Comment are not value columns
    assert live_values(warehouse_path)["value"].tolist() == [1.0, 3.0]
