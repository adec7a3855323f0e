"""The one quoting helper: whatever goes in reads back from DuckDB exactly as given."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.sqltext import sql_identifier, sql_literal, sql_literal_list


@pytest.mark.slow  # hypothesis against DuckDB
@given(st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))))
def test_literal_reads_back_exactly(text):
    assert duckdb.connect().execute(f"SELECT {sql_literal(text)}").fetchone()[0] == text


@pytest.mark.slow  # hypothesis against DuckDB
@given(st.text(min_size=1, alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))))
def test_identifier_names_the_column_exactly(name):
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t ({sql_identifier(name)} INTEGER)")
    assert [row[0] for row in con.execute("DESCRIBE t").fetchall()] == [name]


def test_literal_list_for_in():
    words = sql_literal_list(["a", "it's"])
    assert duckdb.connect().execute(f"SELECT 'it''s' IN {words}, 'b' IN {words}").fetchone() == (True, False)
