"""Every CSV in its other forms: the same table as an Excel workbook with a Notes sheet, and its
CSV on the Web (W3C Tabular Data) metadata, built from the arguments the CSV was made from.

Arbitrary frames with hostile text, missing values, integers, floats and flags: the workbook
read back with openpyxl holds the CSV's rows with the same numbers and no formula; the CSVW
parses, lists every column of the CSV in order, and each column's datatype fits every value the
CSV wrote in it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import pickle
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dashboard.common.exports import (
    CSVW_CONTEXT,
    DATA_SHEET,
    NOTES_SHEET,
    CsvExport,
    csv_bytes,
    csv_workbook_bytes,
    csvw_file_name,
    csvw_metadata,
)
from etl.formulas import FORMULA_PREFIXES
from tests.support.stamps import fixed_stamp

# Text as an attacker or a publisher writes it: formula starts, lone CRs, control characters.
hostile = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
    st.builds(lambda p, t: p + t, st.sampled_from([*FORMULA_PREFIXES, " =", "-1+"]), st.text(max_size=12)),
    st.sampled_from(["=1+2", '=HYPERLINK("http://x")', "@SUM(A1)", "+cmd|' /C calc'!A0", "-12.5", "\r=2"]),
)
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A workbook keeps 16 significant digits (openpyxl writes "%.16g"; Excel itself shows 15).
SIGNIFICANT = 1e-15
URI_VARIABLE = re.compile(r"(?:[A-Za-z0-9_]|%[0-9A-F]{2})+")  # CSVW's name: a URI template variable


def as_workbook_text(text: str) -> str:
    """What a workbook can hold of ``text``: XML 1.0 has no control characters, and turns CR into LF."""
    return _XML_ILLEGAL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


@st.composite
def frames(draw) -> pd.DataFrame:
    """A frame of 0-6 rows with an integer, a float (with NaN), a flag and a text column, in a
    drawn order, under drawn (hostile, distinct) column names."""
    rows = draw(st.integers(0, 6))
    columns = {
        "int": pd.Series(draw(st.lists(st.integers(-(10**15), 10**15), min_size=rows, max_size=rows)), dtype="int64"),
        "float": pd.Series(
            draw(
                st.lists(
                    st.one_of(st.just(math.nan), st.floats(-1e15, 1e15, allow_nan=False)), min_size=rows, max_size=rows
                )
            ),
            dtype="float64",
        ),
        "flag": pd.Series(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)), dtype="bool"),
        "text": pd.Series(draw(st.lists(st.one_of(st.none(), hostile), min_size=rows, max_size=rows)), dtype=object),
    }
    kinds = draw(st.permutations(list(columns)))
    names = draw(
        st.lists(
            hostile.filter(lambda n: not n.startswith("about_")),
            min_size=4,
            max_size=4,
            unique_by=lambda n: as_workbook_text(n),
        )
    )
    frame = pd.DataFrame({name: columns[kind] for name, kind in zip(names, kinds, strict=True)})
    frame.attrs["kinds"] = dict(zip(names, kinds, strict=True))
    return frame


provenances = st.dictionaries(
    st.from_regex(r"[a-z][a-z_]{0,15}", fullmatch=True).filter(lambda k: k not in fixed_stamp().columns()),
    st.one_of(hostile, st.integers(-1000, 1000), st.booleans()),
    max_size=4,
)


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@settings(deadline=None, max_examples=60)  # a workbook per example
@given(frame=frames(), provenance=provenances)
def test_the_workbook_holds_the_csv_rows_with_numbers_as_numbers_and_no_formula(frame, provenance):
    stamp = fixed_stamp()
    book = workbook(csv_workbook_bytes(frame, stamp, provenance))
    assert book.sheetnames == [DATA_SHEET, NOTES_SHEET]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.lstrip(" ").startswith(("=", "+", "@")):
                    assert cell.data_type == "s"
    rows = list(book[DATA_SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == [as_workbook_text(c) or None for c in frame.columns]  # an empty text is an empty cell
    assert len(rows) - 1 == len(frame) == len(csv_rows(csv_bytes(frame, stamp, provenance))) - 1
    kinds = frame.attrs["kinds"]
    for got, (_, want) in zip(rows[1:], frame.iterrows(), strict=True):
        for name, cell in zip(frame.columns, got, strict=True):
            value = want[name]
            if kinds[name] == "float" and math.isnan(value):
                assert cell is None
            elif kinds[name] in ("int", "float"):
                assert type(cell) in (int, float), (name, cell)  # a number, never text
                assert math.isclose(cell, value, rel_tol=SIGNIFICANT), (cell, value)
            elif kinds[name] == "flag":
                assert cell is bool(value)
            else:
                assert cell == (None if value is None or as_workbook_text(value) == "" else as_workbook_text(value))


@settings(deadline=None, max_examples=40)
@given(frame=frames(), provenance=provenances)
def test_the_notes_sheet_says_in_words_what_the_about_columns_say(frame, provenance):
    stamp = fixed_stamp()
    notes = dict(
        workbook(csv_workbook_bytes(frame, stamp, provenance))[NOTES_SHEET].iter_rows(min_row=2, values_only=True)
    )
    assert notes["Data version"] == stamp.data_version
    assert notes["Figures published by"] == stamp.figures_published_by
    assert notes["Reference data (licence, snapshot)"] == stamp.reference_data
    for key, value in provenance.items():
        words = key.replace("_", " ").strip().capitalize()
        expected = ("Yes" if value else "No") if isinstance(value, bool) else value
        if isinstance(expected, str):
            expected = as_workbook_text(expected) or None
        assert notes[words] == expected, key


def fits(datatype, text: str) -> bool:
    """Whether a CSV cell's text is a value of ``datatype`` (an empty cell is CSVW's null)."""
    if text == "":
        return True
    if isinstance(datatype, dict):
        assert datatype["base"] == "boolean"
        return text in datatype["format"].split("|")
    if datatype == "integer":
        return re.fullmatch(r"-?\d+", text) is not None
    if datatype == "number":
        return re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text) is not None
    if datatype == "date":
        return dt.date.fromisoformat(text) is not None
    return datatype == "string"


@settings(deadline=None, max_examples=80)
@given(frame=frames(), provenance=provenances)
def test_the_csvw_lists_every_csv_column_in_order_with_a_datatype_that_fits(frame, provenance):
    stamp = fixed_stamp()
    data = csv_bytes(frame, stamp, provenance)
    metadata = json.loads(csvw_metadata(frame, "table.csv", stamp, provenance))
    assert metadata["@context"] == CSVW_CONTEXT and metadata["url"] == "table.csv"
    columns = metadata["tableSchema"]["columns"]
    header, *rows = csv_rows(data)
    assert [c["titles"] for c in columns] == header
    names = [c["name"] for c in columns]
    assert len(set(names)) == len(names) and all(URI_VARIABLE.fullmatch(n) and n[0] != "_" for n in names)
    for i, column in enumerate(columns):
        assert all(fits(column["datatype"], row[i]) for row in rows), (column, [row[i] for row in rows])
    expected = {"int": "integer", "float": "number", "text": "string"}
    for column, name in zip(columns, frame.columns, strict=False):  # numbers are declared numbers
        kind = frame.attrs["kinds"][name]
        if kind == "flag":
            assert column["datatype"]["base"] == "boolean"
        elif kind != "text" or frame[name].notna().any():
            assert column["datatype"] == expected[kind]
    assert metadata["dc:hasVersion"] == stamp.data_version
    assert metadata["dc:publisher"] == stamp.figures_published_by
    assert metadata["prov:generatedAtTime"]["@value"] == "2026-01-02T03:04:05Z"
    assert metadata["dc:license"] == ["MIT"]  # the licence the fixed stamp's reference data names


def test_a_csvw_gives_the_unit_of_the_figures_where_the_frame_names_it():
    stamp = fixed_stamp()
    one_unit = pd.DataFrame({"unit": ["%", "%"], "value": [1.5, 2.0], "peer_median": [1.0, 1.0], "rank": [1, 2]})
    columns = {c["titles"]: c for c in json.loads(csvw_metadata(one_unit, "a.csv", stamp))["tableSchema"]["columns"]}
    assert columns["value"]["schema:unitText"] == "%" and columns["peer_median"]["schema:unitText"] == "%"
    assert "schema:unitText" not in columns["rank"]  # a rank is not in the indicator's unit
    mixed = one_unit.assign(unit=["%", "£"])
    columns = {c["titles"]: c for c in json.loads(csvw_metadata(mixed, "a.csv", stamp))["tableSchema"]["columns"]}
    assert "schema:unitText" not in columns["value"]
    assert "unit column" in columns["value"]["dc:description"]


def test_a_csv_remembers_what_it_was_made_from():
    frame = pd.DataFrame({"x": [1, 2]})
    data = csv_bytes(frame, fixed_stamp(), {"peer_group": "Mets"})
    assert isinstance(data, CsvExport) and isinstance(data, bytes)
    assert data.frame.equals(frame) and data.stamp == fixed_stamp() and data.provenance == {"peer_group": "Mets"}
    frame.loc[0, "x"] = 99  # the page changing its frame afterwards does not change the download
    assert data.frame.loc[0, "x"] == 1
    kept = pickle.loads(pickle.dumps(data))  # as a cache keeps it
    assert kept == data and isinstance(kept, CsvExport) and kept.provenance == data.provenance


def test_the_other_forms_refuse_what_the_csv_refuses():
    for build in (csv_workbook_bytes, lambda f, s, p: csvw_metadata(f, "a.csv", s, p)):
        with pytest.raises(ValueError, match="belong to the export stamp"):
            build(pd.DataFrame({"x": [1]}), fixed_stamp(), {"data_version": "made up"})


def test_the_metadata_sits_where_a_csvw_processor_looks_for_it():
    assert csvw_file_name("peer-profile-E08000025.csv") == "peer-profile-E08000025.csv-metadata.json"
