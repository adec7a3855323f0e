"""Extract: contract files are staged as text in file order, with structural faults as problems."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from etl.contract import FILE_SPECS
from etl.extract import SourceReadError, file_sha256, source_files, stage_file, stage_source
from tests.support.sources import write_source

VALUES = FILE_SPECS["values.csv"]


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("SET preserve_insertion_order = true")
    yield connection
    connection.close()


def staged_rows(con, table="stage_values"):
    return con.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()


def test_file_is_staged_as_text_in_file_order_with_optional_columns_added(con, tmp_path):
    text = ("authority_code,indicator_id,period,value,comment\n"
            "E06000002, b ,2019/20,007,x\n"
            'E06000001,a,"2019-20","1,5",\n')
    path = write_source(tmp_path, {"values.csv": text}) / "values.csv"
    staged, problems = stage_file(con, VALUES, path)
    assert problems == []
    assert staged.rows_read == 2
    assert staged.extra_columns == ["comment"]
    assert staged.sha256 == hashlib.sha256(text.encode()).hexdigest()
    # values keep their spaces and leading zeros: validation quotes them back as written
    assert staged_rows(con) == [(0, "E06000002", " b ", "2019/20", "007", "x", None),
                                (1, "E06000001", "a", "2019-20", "1,5", None, None)]
    columns = [r[0] for r in con.execute("DESCRIBE stage_values").fetchall()]
    assert columns[-1] == "status"  # the optional column exists even though the file lacks it


def test_quoted_field_spanning_lines_is_one_row(con, tmp_path):
    path = write_source(tmp_path, {"questions.csv": 'question_id,theme,role,text\nq1,T,driver,"two\nlines"\n'
                                                    "q2,T,enabler,one\n"}) / "questions.csv"
    staged, problems = stage_file(con, FILE_SPECS["questions.csv"], path)
    assert problems == [] and staged.rows_read == 2
    assert con.execute("SELECT text FROM stage_questions ORDER BY rowid").fetchall() == [("two\nlines",), ("one",)]


def test_rejected_lines_are_reported_once_with_row_and_column(con, tmp_path):
    text = ("authority_code,indicator_id,period,value\n"
            "E1,a,2019,1\n"
            "E2,a\n"            # row 3: two fields missing, one problem
            "E3,a,2019,1,9\n"   # row 4: one field too many
            "E4,a,2019,2\n")
    path = write_source(tmp_path, {"values.csv": text}) / "values.csv"
    staged, problems = stage_file(con, VALUES, path)
    assert [(p.row, p.column) for p in problems] == [(3, "period"), (4, "field 5 (the header has 4)")]
    assert problems[0].value == "E2,a"
    assert staged.rows_read == 4  # two staged, two rejected
    assert [r[1] for r in staged_rows(con)] == ["E1", "E4"]


def test_bad_bytes_in_the_header_name_the_header_field(con, tmp_path):
    path = write_source(tmp_path, {"values.csv": b"authority_code,indic\xffator_id,period,value\nE1,a,2019,1\n"})
    _staged, problems = stage_file(con, VALUES, path / "values.csv")
    assert [(p.row, p.column) for p in problems] == [(1, "field 2 of the header")]
    assert "UTF-8" in problems[0].reason


def test_bom_and_crlf_are_read_transparently(con, tmp_path):
    text = "\ufeffauthority_code,indicator_id,period,value\r\nE1,a,2019,1\r\n"
    path = write_source(tmp_path, {"values.csv": text}) / "values.csv"
    _staged, problems = stage_file(con, VALUES, path)
    assert problems == []
    assert staged_rows(con) == [(0, "E1", "a", "2019", "1", None)]


@pytest.mark.parametrize("content, reason", [
    ("", "file is empty"),
    ("\n\n  \n", "file is empty"),
    ("authority_code,indicator_id,period\nE1,a,2019\n", "required column is missing"),
])
def test_unusable_header_stops_the_file_at_row_1(con, tmp_path, content, reason):
    path = write_source(tmp_path, {"values.csv": content}) / "values.csv"
    staged, problems = stage_file(con, VALUES, path)
    assert problems and all(p.row == 1 and p.column for p in problems)
    assert reason in problems[0].reason
    assert staged.rows_read == 0


def test_source_files_in_contract_order_and_other_files_ignored(tmp_path):
    folder = write_source(tmp_path / "s", {"responses.csv": "x\n", "notes.txt": "hi", "indicators.csv": "x\n",
                                           "values.csv": "x\n"})
    assert [p.name for _, p in source_files(folder)] == ["indicators.csv", "values.csv", "responses.csv"]


def test_missing_folder_or_no_contract_file_raises(tmp_path):
    with pytest.raises(SourceReadError, match="no such folder"):
        source_files(tmp_path / "absent")
    write_source(tmp_path / "empty", {"readme.md": "nothing"})
    with pytest.raises(SourceReadError, match="none of the contract files"):
        source_files(tmp_path / "empty")


def test_stage_source_collects_every_files_problems(con, tmp_path):
    folder = write_source(tmp_path / "s", {
        "indicators.csv": "indicator_id,name\nx,y\n",
        "values.csv": "authority_code,indicator_id,period,value\nE1,a,2019\n",
    })
    staged, problems = stage_source(con, folder)
    assert [f.spec.file_name for f in staged] == ["indicators.csv", "values.csv"]
    assert {p.file for p in problems} == {"indicators.csv", "values.csv"}


def test_file_sha256_matches_hashlib_on_a_multi_chunk_file(tmp_path):
    path = tmp_path / "big.bin"
    data = bytes(range(256)) * 9000  # > 2 MiB: several read chunks
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
