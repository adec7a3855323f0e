"""Text values: markers become empty values with a status; signs and separators are stripped;
the one-cell rule (parse_value) and the column rule inside DuckDB (value_sql) agree."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.importer.values import DEFAULT_MARKERS, ValueTextError, markers_with, parse_value, value_sql


@pytest.mark.parametrize("text", ["c", "[c]", "*", "low", "[low]", " C ", "LOW"])
def test_suppression_markers(text):
    assert parse_value(text) == (None, "suppressed")


@pytest.mark.parametrize("text", ["x", "[x]", "z", "[z]", "..", ".", "-", ":", "n/a", "N/A", "", "  ", None])
def test_missing_markers_and_empty_cells(text):
    assert parse_value(text) == (None, "missing")


@pytest.mark.parametrize("text, number", [
    ("12", 12.0), ("-3.5", -3.5), ("1,234", 1234.0), ("12,345,678.25", 12345678.25), ("£1,200", 1200.0),
    ("45.5%", 45.5), (" 7 ", 7.0), ("+2", 2.0), (".5", 0.5), ("1e3", 1000.0), ("£ 3", 3.0),
])
def test_numbers_with_signs_and_separators(text, number):
    assert parse_value(text) == (number, None)


@pytest.mark.parametrize("text", ["abc", "12 (est)", "1,2", "12,34", "nan", "inf", "1.2.3", "0x10", "--1", "1e999"])
def test_other_text_is_an_error(text):
    with pytest.raises(ValueTextError):
        parse_value(text)


def test_spec_markers_extend_and_override_the_defaults():
    markers = markers_with({"~": "suppressed", "-": "suppressed"})
    assert parse_value("~", markers) == (None, "suppressed")
    assert parse_value("-", markers) == (None, "suppressed")
    with pytest.raises(ValueError):
        markers_with({"~": "zero"})


def _sql_values(texts: list[str | None]) -> list[tuple[float | None, str | None, bool]]:
    con = duckdb.connect()
    con.execute("CREATE TABLE value_markers (marker VARCHAR, status VARCHAR)")
    con.executemany("INSERT INTO value_markers VALUES (?, ?)", list(DEFAULT_MARKERS.items()))
    con.execute("CREATE TABLE cells (n INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO cells VALUES (?, ?)", list(enumerate(texts)))
    sql = value_sql("l.v")
    rows = con.execute(f"""SELECT {sql['number']}, {sql['status']}, {sql['bad']}
                           FROM (SELECT *, {sql['plain']} AS plain_value FROM cells l) l
                           LEFT JOIN value_markers mk ON mk.marker = lower(trim(l.v)) ORDER BY n""").fetchall()
    con.close()
    return rows


def _python_values(texts):
    out = []
    for text in texts:
        try:
            number, status = parse_value(text)
            out.append((number, status, False))
        except ValueTextError:
            out.append((None, None, True))
    return out


CELL_TEXT = st.one_of(
    st.sampled_from([*DEFAULT_MARKERS, "", " ", "£", "%", "1,000", "1,00", "nan", "12%", "£5.50"]),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.integers(-10**9, 10**9).map(lambda n: f"{n:,}"),
    st.text(alphabet="0123456789.,-+£% ecx", max_size=8),
)


@pytest.mark.slow  # hypothesis against DuckDB
@settings(max_examples=60, deadline=None)
@given(st.lists(CELL_TEXT, min_size=1, max_size=30))
def test_sql_rule_equals_python_rule(texts):
    assert _sql_values(texts) == _python_values(texts)
