"""Extract: contract files are staged as text in file order, with structural faults as problems."""

from __future__ import annotations

import hashlib

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.contract import FILE_SPECS
from etl.extract import (
    MAX_REJECTED_ROWS,
    MAX_ROW_BYTES,
    SourceReadError,
    file_sha256,
    source_files,
    stage_file,
    stage_source,
)
from etl.problems import EXAMPLES_PER_PROBLEM
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
    absent = (None,) * len(VALUES.optional)  # status, lower_ci, upper_ci: not in the file
    assert staged_rows(con) == [(0, "E06000002", " b ", "2019/20", "007", "x", *absent),
                                (1, "E06000001", "a", "2019-20", "1,5", None, *absent)]
    columns = [r[0] for r in con.execute("DESCRIBE stage_values").fetchall()]
    # the optional columns exist even though the file lacks them
    assert columns[-len(VALUES.optional):] == list(VALUES.optional)


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
    assert staged_rows(con) == [(0, "E1", "a", "2019", "1", *(None,) * len(VALUES.optional))]


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


# -- misshapen rows: bounded examples, exact counts, a stop limit (issue 16 §2) ----------------
HEADER = "authority_code,indicator_id,period,value\n"
GOOD_ROW = "E1,a,2019,1\n"
BAD_ROWS = {  # one kind of misshapen row each: (text, column named, reason fragment)
    "short": ("E1,a\n", "period", "fewer fields than the header"),
    "long": ("E1,a,2019,1,9,9\n", "field 5 (the header has 4)", "more fields than the header"),
    "text_after_quote": ('E1,"a"b,2019,1\n', "indicator_id", "quoted field is not closed"),
    "bad_utf8": (b"E1,a\xff\xfe,2019,1\n", "indicator_id", "not valid UTF-8"),
    "nul": ("E1,a\x00b,2019,1\n", "indicator_id", "NUL character"),
    "unquoted_break": ('E1,a\rb,2019,1\n', "indicator_id", "line break inside a field"),
}


def _as_bytes(text: str | bytes) -> bytes:
    return text.encode() if isinstance(text, str) else text


def _file_of(tmp_path, kinds: list[str]):
    """values.csv with one row per entry of ``kinds`` ('good' or a BAD_ROWS key)."""
    body = b"".join(_as_bytes(GOOD_ROW if k == "good" else BAD_ROWS[k][0]) for k in kinds)
    return write_source(tmp_path, {"values.csv": HEADER.encode() + body}) / "values.csv"


def test_misshapen_rows_are_counted_exactly_with_the_first_few_as_examples(con, tmp_path):
    kinds = (["short"] * 200 + ["good"] * 20 + ["long"] * 150 + ["text_after_quote"] * 7) * 2  # < the limit
    staged, problems = stage_file(con, VALUES, _file_of(tmp_path, kinds))
    for kind, expected in (("short", 400), ("long", 300), ("text_after_quote", 14)):
        _text, column, reason = BAD_ROWS[kind]
        examples = [p for p in problems if reason in p.reason]
        assert 1 <= len(examples) <= EXAMPLES_PER_PROBLEM, kind
        assert {p.count for p in examples} == {expected}, kind
        assert {p.column for p in examples} == {column}, kind
        first_rows = [n for n, k in enumerate(kinds, start=2) if k == kind][:EXAMPLES_PER_PROBLEM]
        assert [p.row for p in examples] == first_rows, kind
    assert staged.rows_read == len(kinds)
    assert staged.rejected_rows == [n for n, k in enumerate(kinds, start=2) if k != "good"]
    assert len(staged_rows(con)) == 40 and staged.complete


def test_reading_stops_after_the_limit_with_a_message_naming_row_and_byte(con, tmp_path):
    kinds = ["good"] * 3 + ["short"] * (MAX_REJECTED_ROWS + 500)
    path = _file_of(tmp_path, kinds)
    staged, problems = stage_file(con, VALUES, path)
    short = [p for p in problems if "fewer fields" in p.reason]
    assert short and {p.count for p in short} == {MAX_REJECTED_ROWS}
    (notice,) = [p for p in problems if "stopped" in p.reason]
    stop_row = 2 + 3 + MAX_REJECTED_ROWS
    stop_byte = len(HEADER) + 3 * len(GOOD_ROW) + MAX_REJECTED_ROWS * len("E1,a\n")
    assert f"row {stop_row:,} (byte {stop_byte:,})" in notice.reason
    assert notice.count == 0  # a notice, not a rejected row: the rejected-row total stays exact
    assert not staged.complete and staged.rows_read == 3 + MAX_REJECTED_ROWS
    assert path.read_bytes()[stop_byte:].startswith(b"E1,a\n")  # the byte named is where reading stopped


def test_random_bytes_after_a_good_header_are_pinned_to_a_row_and_byte(con, tmp_path):
    import random

    body = random.Random(16).randbytes(300_000)
    path = write_source(tmp_path, {"values.csv": HEADER.encode() + body}) / "values.csv"
    _staged, problems = stage_file(con, VALUES, path)
    first = min(problems, key=lambda p: p.row or 10**9)
    assert first.row == 2 and "not valid UTF-8" in first.reason
    offset = int(first.value.split(" at byte ")[1].replace(",", ""))
    bad = bytes.fromhex(first.value.split(" at byte ")[0])
    assert (HEADER.encode() + body)[offset:].startswith(bad)
    assert not any("state machine" in p.reason for p in problems)


def test_a_row_longer_than_the_limit_names_its_row_and_column(con, tmp_path):
    text = HEADER + GOOD_ROW + 'E1,"' + "x" * (MAX_ROW_BYTES + 10) + '",2019,1\n' + GOOD_ROW
    staged, problems = stage_file(con, VALUES, write_source(tmp_path, {"values.csv": text}) / "values.csv")
    assert [(p.row, p.column) for p in problems] == [(3, "indicator_id")]
    assert "longer than" in problems[0].reason and len(problems[0].value) <= 80
    assert [r[1] for r in staged_rows(con)] == ["E1", "E1"] and staged.rejected_rows == [3]


def test_nul_byte_in_an_otherwise_well_formed_file_is_refused_at_its_cell(con, tmp_path):
    text = HEADER + GOOD_ROW + "E2,a\x00b,2019,1\n"
    _staged, problems = stage_file(con, VALUES, write_source(tmp_path, {"values.csv": text}) / "values.csv")
    assert [(p.row, p.column) for p in problems] == [(3, "indicator_id")]
    assert "NUL" in problems[0].reason


@pytest.mark.parametrize("content, reason", [
    ("authority_code,indicator_id,period,value\n".encode("utf-16-le"), "UTF-16"),
    ("authority_code,indicator_id,period,value\n".encode("utf-16"), "UTF-16"),
    (b"authority_code,indicator_id,period,value\rE1,a,2019,1\r", "carriage return only"),
], ids=["utf16_without_bom", "utf16_with_bom", "cr_only"])
def test_utf16_and_cr_only_files_get_one_clear_problem_at_row_1(con, tmp_path, content, reason):
    path = write_source(tmp_path, {"values.csv": content}) / "values.csv"
    _staged, problems = stage_file(con, VALUES, path)
    assert len(problems) == 1 and problems[0].row == 1 and reason in problems[0].reason


def test_a_link_to_a_file_outside_the_folder_is_refused_unread(con, tmp_path):
    outside = write_source(tmp_path / "elsewhere", {"values.csv": HEADER + GOOD_ROW}) / "values.csv"
    folder = tmp_path / "source"
    folder.mkdir()
    (folder / "values.csv").symlink_to(outside)
    staged, problems = stage_file(con, VALUES, folder / "values.csv")
    assert len(problems) == 1 and "outside the source folder" in problems[0].reason
    assert staged.sha256 == ""  # never hashed, never staged
    assert not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'stage_values'").fetchone()[0]


def test_a_link_inside_the_folder_is_read(con, tmp_path):
    folder = write_source(tmp_path / "source", {"real-values.csv": HEADER + GOOD_ROW})
    (folder / "values.csv").symlink_to(folder / "real-values.csv")
    staged, problems = stage_file(con, VALUES, folder / "values.csv")
    assert problems == [] and staged.rows_read == 1


ROW_KINDS = st.sampled_from(["good", "good", *sorted(BAD_ROWS)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(ROW_KINDS, min_size=1, max_size=40))
def test_any_mix_of_rows_keeps_the_good_ones_in_order_and_counts_the_rest(con, tmp_path_factory, kinds):
    tmp_path = tmp_path_factory.mktemp("mix")
    staged, problems = stage_file(con, VALUES, _file_of(tmp_path, kinds))
    bad = [n for n, k in enumerate(kinds, start=2) if k != "good"]
    if bad:
        assert staged.rejected_rows == bad
    assert staged.rows_read == len(kinds)
    counts = {(p.column, p.reason): p.count for p in problems}
    assert sum(counts.values()) == len(bad)
    assert all(len([p for p in problems if (p.column, p.reason) == key]) <= EXAMPLES_PER_PROBLEM for key in counts)
    if len(bad) < len(kinds):
        assert len(staged_rows(con)) == len(kinds) - len(bad)
