"""Transform and load semantics: what a load keeps, replaces and records, checked on real files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import reference
from etl.load import Source, load_sources
from etl.warehouse import WarehousePaths, read_load_log
from tests.support.sources import query_warehouse, write_source

INDICATORS_A = (
    "indicator_id,name,theme,unit,polarity,description,source,min_value,max_value\n"
    "a_pct,A share,Digital,%,higher,Share,Test,0,100\n"
    "a_days,A days,Workforce,days,lower,Days lost,Test,0,\n"
)
VALUES_A = (
    "authority_code,indicator_id,period,value,status\n"
    "E06000002,a_pct,2020/21,40,\n"
    "E06000001,a_pct,2019/20,50,\n"
    "E06000001,a_days,2019,7.5,provisional\n"
    "E06000002,a_pct,2019-20,45,\n"
    "E06000001,a_pct,2020-21,,\n"
)
INDICATORS_B = (
    "indicator_id,name,theme,unit,polarity,description,source\n"
    "b_count,B count,Outcomes,count,neutral,How many,Test\n"
)
VALUES_B = (
    "authority_code,indicator_id,period,value\n"
    "E06000003,b_count,2021/22,12\n"
    "E06000004,b_count,2021/22,13\n"
)
QUESTIONS = "question_id,theme,role,text\nq1,Digital,driver,Online?\nq2,Finance,Enabler,Shared?\n"
RESPONSES = (
    "authority_code,round,question_id,score,published\n"
    "E06000001,2023,q1,3,\n"
    "E06000002,2023/24,q1,4,no\n"
    "E06000001,2023,q2,5,Yes\n"
)


query = query_warehouse


def frame(live: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(live), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def load(live: Path, *folders: Path, names: tuple[str, ...] = (), reference_dir=None, **kw):
    sources = [Source.of(f, names[i] if i < len(names) else None) for i, f in enumerate(folders)]
    return load_sources(sources, live, reference_dir=reference_dir, progress=False, **kw)


@pytest.fixture
def source_a(tmp_path) -> Path:
    return write_source(tmp_path / "src_a", {"indicators.csv": INDICATORS_A, "values.csv": VALUES_A,
                                             "questions.csv": QUESTIONS, "responses.csv": RESPONSES})


@pytest.fixture
def source_b(tmp_path) -> Path:
    return write_source(tmp_path / "src_b", {"indicators.csv": INDICATORS_B, "values.csv": VALUES_B})


def test_values_are_transformed_to_canonical_rows(warehouse_path, source_a, reference_dir):
    assert load(warehouse_path, source_a, reference_dir=reference_dir).outcome == "published"
    rows = query(warehouse_path, "SELECT indicator_id, period, period_start, authority_code, value, status, "
                                 "source_name FROM indicator_values ORDER BY ALL")
    expected = [
        ("a_days", "2019", pd.Timestamp("2019-01-01").date(), "E06000001", 7.5, "provisional", "src_a"),
        ("a_pct", "2019/20", pd.Timestamp("2019-04-01").date(), "E06000001", 50.0, None, "src_a"),
        ("a_pct", "2019/20", pd.Timestamp("2019-04-01").date(), "E06000002", 45.0, None, "src_a"),
        ("a_pct", "2020/21", pd.Timestamp("2020-04-01").date(), "E06000001", None, "missing", "src_a"),
        ("a_pct", "2020/21", pd.Timestamp("2020-04-01").date(), "E06000002", 40.0, None, "src_a"),
    ]
    assert rows == expected
    periods = query(warehouse_path, "SELECT period, period_kind FROM periods ORDER BY period_start")
    # 2023/24 is the round of one unpublished answer only: a published period would say it exists.
    assert periods == [("2019", "calendar_year"), ("2019/20", "financial_year"), ("2020/21", "financial_year"),
                       ("2023", "calendar_year")]
    responses = query(warehouse_path, "SELECT authority_code, round, question_id, score, published "
                                      "FROM responses ORDER BY ALL")
    assert responses == [("E06000001", "2023", "q1", 3, True), ("E06000001", "2023", "q2", 5, True),
                         ("E06000002", "2023/24", "q1", 4, False)]
    roles = dict(query(warehouse_path, "SELECT question_id, role FROM questions"))
    assert roles == {"q1": "driver", "q2": "enabler"}


def test_demo_values_match_an_independent_pandas_reading(demo_warehouse, demo_source, reference_dir):
    raw = pd.read_csv(demo_source / "values.csv", dtype=str, keep_default_na=False)
    codes = reference.read_authority_codes(reference_dir)
    to_key = dict(zip(codes["code"], codes["authority_code"], strict=False))
    expected = pd.DataFrame({
        "indicator_id": raw["indicator_id"].str.strip(),
        "authority_code": raw["authority_code"].str.strip().str.upper().map(to_key),
        "value": pd.to_numeric(raw["value"].str.strip().replace("", None)),
        "status": raw.get("status", pd.Series("", index=raw.index)).str.strip().str.lower(),
    })
    expected.loc[expected["status"].eq("") & expected["value"].isna(), "status"] = "missing"
    expected["status"] = expected["status"].replace("", None)
    got = frame(demo_warehouse, "SELECT indicator_id, authority_code, value, status FROM indicator_values")
    key = ["indicator_id", "authority_code", "value", "status"]
    left = expected.sort_values(key, na_position="first").reset_index(drop=True).astype(object)
    right = got.sort_values(key, na_position="first").reset_index(drop=True).astype(object)
    assert len(left) == len(right) == len(raw)
    pd.testing.assert_frame_equal(left.where(left.notna(), None), right.where(right.notna(), None),
                                  check_dtype=False)


def test_values_are_stored_sorted_by_indicator_then_period(warehouse_path, source_a, source_b, reference_dir):
    assert load(warehouse_path, source_b, source_a, reference_dir=reference_dir).outcome == "published"
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        con.execute("SET threads = 1")  # a single-threaded scan returns rows in storage order
        stored = con.execute("SELECT indicator_id, period_start, authority_code FROM indicator_values").fetchall()
    finally:
        con.close()
    assert len(stored) == 7
    assert stored == sorted(stored)


def test_second_source_keeps_the_first(warehouse_path, source_a, source_b, reference_dir):
    load(warehouse_path, source_a, reference_dir=reference_dir)
    before = query(warehouse_path, "SELECT * FROM indicator_values WHERE source_name = 'src_a' ORDER BY ALL")
    assert load(warehouse_path, source_b, reference_dir=reference_dir).outcome == "published"
    assert query(warehouse_path, "SELECT * FROM indicator_values WHERE source_name = 'src_a' ORDER BY ALL") == before
    sources = query(warehouse_path, "SELECT source_name, count(*) FROM indicator_values GROUP BY 1 ORDER BY 1")
    assert sources == [("src_a", 5), ("src_b", 2)]
    assert len(query(warehouse_path, "SELECT * FROM responses")) == 3
    assert {r[0] for r in query(warehouse_path, "SELECT source_name FROM source_files")} == {"src_a", "src_b"}


def test_reloading_a_source_replaces_its_rows(warehouse_path, source_a, source_b, tmp_path, reference_dir):
    load(warehouse_path, source_a, source_b, reference_dir=reference_dir)
    # src_b again, with one council removed, one value changed and one new council.
    smaller = write_source(tmp_path / "v2" / "src_b", {
        "indicators.csv": INDICATORS_B,
        "values.csv": "authority_code,indicator_id,period,value\nE06000004,b_count,2021/22,99\n"
                      "E06000005,b_count,2021/22,1\n"})
    assert load(warehouse_path, smaller, reference_dir=reference_dir).outcome == "published"
    rows = query(warehouse_path, "SELECT authority_code, value FROM indicator_values "
                                 "WHERE source_name = 'src_b' ORDER BY 1")
    assert rows == [("E06000004", 99.0), ("E06000005", 1.0)]
    assert len(query(warehouse_path, "SELECT * FROM indicator_values WHERE source_name = 'src_a'")) == 5
    files = query(warehouse_path, "SELECT file_name, rows_loaded FROM source_files "
                                  "WHERE source_name = 'src_b' ORDER BY 1")
    assert files == [("indicators.csv", 1), ("values.csv", 2)]


def test_reloading_without_a_file_drops_what_it_held(warehouse_path, source_a, tmp_path, reference_dir):
    load(warehouse_path, source_a, reference_dir=reference_dir)
    only_indicators = write_source(tmp_path / "again" / "src_a", {"indicators.csv": INDICATORS_A,
                                                                  "questions.csv": QUESTIONS})
    assert load(warehouse_path, only_indicators, reference_dir=reference_dir).outcome == "published"
    assert query(warehouse_path, "SELECT count(*) FROM indicator_values") == [(0,)]
    assert query(warehouse_path, "SELECT count(*) FROM responses") == [(0,)]
    assert query(warehouse_path, "SELECT count(*) FROM indicators") == [(2,)]
    # periods only lists periods some row still uses
    assert query(warehouse_path, "SELECT count(*) FROM periods") == [(0,)]


def test_another_source_may_not_redefine_an_indicator(warehouse_path, source_a, tmp_path, reference_dir):
    load(warehouse_path, source_a, reference_dir=reference_dir)
    thief = write_source(tmp_path / "thief", {"indicators.csv": INDICATORS_A})
    result = load(warehouse_path, thief, reference_dir=reference_dir)
    assert result.outcome == "failed"
    assert any(p.column == "indicator_id" and "already defined by source src_a" in p.reason
               for p in result.problems)


def test_values_may_use_an_indicator_loaded_by_another_source(warehouse_path, source_a, tmp_path, reference_dir):
    load(warehouse_path, source_a, reference_dir=reference_dir)
    extra = write_source(tmp_path / "extra", {
        "values.csv": "authority_code,indicator_id,period,value\nE06000003,a_pct,2019/20,10\n"})
    assert load(warehouse_path, extra, reference_dir=reference_dir).outcome == "published"
    assert query(warehouse_path, "SELECT source_name FROM indicator_values WHERE authority_code = 'E06000003'") \
        == [("extra",)]


DATA_TABLES = ("indicators", "periods", "indicator_values", "questions", "responses",
               "ref.authorities", "ref.authority_names", "ref.authority_codes")


def table_contents(live: Path) -> dict[str, list[tuple]]:
    return {t: query(live, f"SELECT * FROM {t} ORDER BY ALL") for t in DATA_TABLES}


def test_loading_the_same_files_twice_gives_identical_data(warehouse_path, source_a, source_b, reference_dir):
    load(warehouse_path, source_a, source_b, reference_dir=reference_dir)
    first = table_contents(warehouse_path)
    first_version = WarehousePaths(warehouse_path).current_version()
    load(warehouse_path, source_a, source_b, reference_dir=reference_dir)
    assert WarehousePaths(warehouse_path).current_version() != first_version
    assert table_contents(warehouse_path) == first
    hashes = query(warehouse_path, "SELECT source_name, file_name, sha256, rows_loaded FROM source_files "
                                   "UNION ALL SELECT source_name, file_name, sha256, rows_loaded FROM private.source_files")
    assert len(hashes) == 6  # four files of src_a, two of src_b: one row each, not doubled


def test_source_files_and_load_history_record_hashes_and_counts(warehouse_path, source_a, reference_dir):
    result = load(warehouse_path, source_a, reference_dir=reference_dir)
    expected = {}
    for name in ("indicators.csv", "values.csv", "questions.csv", "responses.csv"):
        data = (source_a / name).read_bytes()
        rows = len(data.decode().splitlines()) - 1
        expected[name] = (hashlib.sha256(data).hexdigest(), rows)
    # src_a's responses.csv holds an unpublished answer: its facts are kept for the operator only.
    public, private = ({r[0]: (r[1], r[2]) for r in query(
        warehouse_path, f"SELECT file_name, sha256, rows_loaded FROM {table} WHERE source_name = 'src_a'")}
        for table in ("source_files", "private.source_files"))
    assert public == {n: f for n, f in expected.items() if n != "responses.csv"}
    assert private == {"responses.csv": expected["responses.csv"]}
    history = query(warehouse_path, "SELECT load_id, file_name, sha256, rows_read, rows_loaded, rows_rejected, "
                                    "outcome FROM load_history UNION ALL SELECT load_id, file_name, sha256, rows_read, "
                                    "rows_loaded, rows_rejected, outcome FROM private.load_history")
    assert {(h[1], h[2], h[3], h[4]) for h in history} == {(n, s, r, r) for n, (s, r) in expected.items()}
    assert {(h[0], h[5], h[6]) for h in history} == {(result.version, 0, "published")}
    meta = dict(query(warehouse_path, "SELECT key, value FROM meta"))
    assert meta["data_version"] == result.version and meta["is_demo"] == "false"


def test_load_log_records_every_attempt_with_counts(warehouse_path, source_a, tmp_path, reference_dir):
    load(warehouse_path, source_a, reference_dir=reference_dir)
    bad = write_source(tmp_path / "bad", {"indicators.csv": INDICATORS_B,
                                          "values.csv": VALUES_B + "E06000005,b_count,2021/22,x\n"
                                                                   "E06000009,b_count,2022/23,1,2\n"})
    load(warehouse_path, bad, reference_dir=reference_dir)
    log = read_load_log(WarehousePaths(warehouse_path))
    assert [entry["outcome"] for entry in log] == ["published", "failed"]
    values = next(f for f in log[1]["files"] if f["file"] == "values.csv")
    assert (values["rows_read"], values["rows_loaded"]) == (4, 0)
    assert len(values["sha256"]) == 64
    assert log[1]["rows_rejected"] == 2 and log[1]["version"] is None
    good_values = next(f for f in log[0]["files"] if f["file"] == "values.csv")
    assert (good_values["rows_read"], good_values["rows_loaded"]) == (5, 5)


def test_validate_only_writes_nothing(warehouse_path, source_a, reference_dir):
    result = load(warehouse_path, source_a, reference_dir=reference_dir, validate_only=True)
    assert result.outcome == "validated" and result.version is None
    paths = WarehousePaths(warehouse_path)
    assert paths.current_file() is None and paths.published_versions() == []
    assert read_load_log(paths)[-1]["outcome"] == "validated"


def test_synthetic_source_marks_the_warehouse_as_demo(warehouse_path, source_b, reference_dir):
    load_sources([Source.of(source_b, synthetic=True)], warehouse_path, reference_dir=reference_dir,
                 progress=False)
    assert dict(query(warehouse_path, "SELECT key, value FROM meta"))["is_demo"] == "true"


def test_a_value_another_source_already_holds_is_refused(warehouse_path, source_a, tmp_path, reference_dir):
    load(warehouse_path, source_a, reference_dir=reference_dir)
    before = WarehousePaths(warehouse_path).current_version()
    clash = write_source(tmp_path / "clash", {
        "values.csv": "authority_code,indicator_id,period,value\n"
                      "E06000003,a_pct,2019/20,10\n"
                      "HPL,a_pct,2019-20,11\n"})  # HPL is E06000001, whose 2019/20 a_pct src_a holds
    result = load(warehouse_path, clash, reference_dir=reference_dir)
    assert result.outcome == "failed"
    assert [(p.file, p.row, p.column) for p in result.problems] == [
        ("values.csv", 3, "authority_code, indicator_id, period")]
    assert "already loaded by source src_a" in result.problems[0].reason
    assert WarehousePaths(warehouse_path).current_version() == before
    assert next(f for f in result.files if f["file"] == "values.csv")["rows_loaded"] == 0


def test_repeats_are_reported_together_with_other_faults(warehouse_path, source_b, tmp_path, reference_dir):
    both = write_source(tmp_path / "both", {
        "indicators.csv": INDICATORS_B,
        "values.csv": VALUES_B + "E06000003,b_count,2021-22,14\nE06000009,b_count,2021/22,oops\n"})
    result = load(warehouse_path, both, reference_dir=reference_dir)
    found = {(p.row, p.column) for p in result.problems}
    assert found == {(4, "authority_code, indicator_id, period"), (5, "value")}

