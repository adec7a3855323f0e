"""Bad input: each malformed source (one defect) is refused with file, row and column named,
a non-zero exit, the live warehouse byte-for-byte unchanged and the attempt in the load log.
Tolerated variants (BOM, CRLF, quoted commas, spaces, other codes, case, extra columns) load.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from etl.cli import main
from etl.load import Source, load_sources
from etl.warehouse import WarehousePaths, read_load_log
from tests.support.sources import write_source

ROOT = Path(__file__).resolve().parent.parent

INDICATORS = (
    "indicator_id,name,theme,unit,polarity,description,source,min_value,max_value,aggregation,decimals\n"
    "pct_online,Online share,Digital,%,higher,Share of transactions online,Test,0,100,mean,1\n"
    "cost_head,Cost per head,Finance,£,lower,Net cost per resident,Test,,,sum,0\n"
)
VALUES = (
    "authority_code,indicator_id,period,value,status\n"
    "E06000001,pct_online,2019/20,50.5,\n"
    "E06000002,pct_online,2019/20,61,\n"
    "E06000001,cost_head,2019/20,120,estimate\n"
    "E06000002,cost_head,2019/20,,suppressed\n"
)
QUESTIONS = (
    "question_id,theme,role,text,level_1,level_2,level_3,level_4,level_5\n"
    "q1,Digital,driver,Do residents choose online?,none,some,half,most,all\n"
    "q2,Finance,enabler,Is the budget shared?,,,,,\n"
)
RESPONSES = (
    "authority_code,round,question_id,score,published\n"
    "E06000001,2023,q1,3,true\n"
    "E06000002,2023,q1,4,false\n"
    "E06000001,2023,q2,5,\n"
)
GOOD = {"indicators.csv": INDICATORS, "values.csv": VALUES, "questions.csv": QUESTIONS,
        "responses.csv": RESPONSES}


def replace_line(text: str, row: int, new: str) -> str:
    """``text`` with spreadsheet row ``row`` (header = 1) replaced by ``new``."""
    lines = text.splitlines(keepends=True)
    lines[row - 1] = new + "\n"
    return "".join(lines)


def add_line(text: str, new: str) -> str:
    return text + new + "\n"


@dataclass(frozen=True)
class Case:
    """One defect: the file it is in, its content, and the row and column the report must name."""

    id: str
    file: str
    content: str | bytes
    row: int
    column: str
    reason: str  # a fragment of the reason the report must give


CASES = [
    Case("unknown_authority", "values.csv", replace_line(VALUES, 3, "E99999999,pct_online,2019/20,61,"),
         3, "authority_code", "not a known authority"),
    Case("unknown_indicator", "values.csv", replace_line(VALUES, 2, "E06000001,pct_offline,2019/20,50.5,"),
         2, "indicator_id", "not an indicator"),
    Case("duplicate_value_key", "values.csv", add_line(VALUES, "E06000001,pct_online,2019-20,52,"),
         6, "authority_code, indicator_id, period", "repeats row 2"),
    Case("value_not_a_number", "values.csv", replace_line(VALUES, 3, "E06000002,pct_online,2019/20,sixty,"),
         3, "value", "not a number"),
    Case("value_above_max", "values.csv", replace_line(VALUES, 3, "E06000002,pct_online,2019/20,100.5,"),
         3, "value", "above the indicator's max_value"),
    Case("value_below_min", "values.csv", replace_line(VALUES, 2, "E06000001,pct_online,2019/20,-0.1,"),
         2, "value", "below the indicator's min_value"),
    Case("value_nan", "values.csv", replace_line(VALUES, 2, "E06000001,pct_online,2019/20,NaN,"),
         2, "value", "not a finite number"),
    Case("value_infinite", "values.csv", replace_line(VALUES, 4, "E06000001,cost_head,2019/20,inf,"),
         4, "value", "not a finite number"),
    Case("bad_status", "values.csv", replace_line(VALUES, 4, "E06000001,cost_head,2019/20,120,guessed"),
         4, "status", "must be one of"),
    Case("unparseable_period", "values.csv", replace_line(VALUES, 5, "E06000002,cost_head,19-20ish,5,"),
         5, "period", "is not a period"),
    Case("empty_required_cell", "values.csv", replace_line(VALUES, 4, ",cost_head,2019/20,120,"),
         4, "authority_code", "required but empty"),
    Case("missing_required_column", "values.csv",
         "authority_code,indicator_id,value\nE06000001,pct_online,50\n", 1, "period", "required column is missing"),
    Case("empty_file", "values.csv", "", 1, "authority_code", "file is empty"),
    Case("header_only", "values.csv", "authority_code,indicator_id,period,value\n", 2, "authority_code",
         "no data rows"),
    Case("too_many_fields", "values.csv", replace_line(VALUES, 3, "E06000002,pct_online,2019/20,61,,extra"),
         3, "field 6", "more fields than the header"),
    Case("too_few_fields", "values.csv", replace_line(VALUES, 3, "E06000002,pct_online"),
         3, "period", "fewer fields than the header"),
    Case("unterminated_quote", "values.csv", replace_line(VALUES, 4, 'E06000001,cost_head,2019/20,"120,'),
         4, "value", "quoted field is not closed"),
    Case("non_utf8_bytes", "values.csv",
         replace_line(VALUES, 3, "E06000002,pct_online,2019/20,61,").encode()
         .replace(b"2019/20,61,", b"2019/20,61,est\xe9", 1),
         3, "status", "not valid UTF-8"),
    Case("duplicate_column_names", "values.csv",
         "authority_code,indicator_id,period,value,value\nE06000001,pct_online,2019/20,50,51\n",
         1, "value", "appears twice"),
    Case("empty_column_name", "values.csv",
         "authority_code,indicator_id,,period,value\nE06000001,pct_online,x,2019/20,50\n",
         1, "field 3 of the header", "empty column name"),
    Case("unknown_polarity", "indicators.csv",
         replace_line(INDICATORS, 2, "pct_online,Online share,Digital,%,up,Share,Test,0,100,mean,1"),
         2, "polarity", "must be one of higher, lower, neutral"),
    Case("duplicate_indicator_id", "indicators.csv",
         add_line(INDICATORS, "pct_online,Online again,Digital,%,higher,Again,Test,0,100,,"),
         4, "indicator_id", "repeats the indicator on row 2"),
    Case("bad_decimals", "indicators.csv",
         replace_line(INDICATORS, 3, "cost_head,Cost per head,Finance,£,lower,Net cost,Test,,,sum,two"),
         3, "decimals", "whole number from 0 to 6"),
    Case("max_below_min", "indicators.csv",
         replace_line(INDICATORS, 2, "pct_online,Online share,Digital,%,higher,Share,Test,100,0,mean,1"),
         2, "max_value", "below min_value"),
    Case("min_not_a_number", "indicators.csv",
         replace_line(INDICATORS, 2, "pct_online,Online share,Digital,%,higher,Share,Test,zero,100,mean,1"),
         2, "min_value", "not a number"),
    Case("bad_aggregation", "indicators.csv",
         replace_line(INDICATORS, 3, "cost_head,Cost per head,Finance,£,lower,Net cost,Test,,,median,0"),
         3, "aggregation", "must be one of sum, mean"),
    Case("id_with_space", "indicators.csv",
         replace_line(INDICATORS, 3, "cost head,Cost per head,Finance,£,lower,Net cost,Test,,,sum,0"),
         3, "indicator_id", "no spaces"),
    Case("empty_indicator_name", "indicators.csv",
         replace_line(INDICATORS, 3, "cost_head,,Finance,£,lower,Net cost,Test,,,sum,0"),
         3, "name", "required but empty"),
    Case("unknown_role", "questions.csv",
         replace_line(QUESTIONS, 3, "q2,Finance,leader,Is the budget shared?,,,,,"),
         3, "role", "must be one of driver, enabler"),
    Case("duplicate_question_id", "questions.csv", add_line(QUESTIONS, "q1,Digital,driver,Again?,,,,,"),
         4, "question_id", "repeats the question on row 2"),
    Case("score_zero", "responses.csv", replace_line(RESPONSES, 2, "E06000001,2023,q1,0,true"),
         2, "score", "whole number from 1 to 5"),
    Case("score_six", "responses.csv", replace_line(RESPONSES, 3, "E06000002,2023,q1,6,false"),
         3, "score", "whole number from 1 to 5"),
    Case("score_fraction", "responses.csv", replace_line(RESPONSES, 4, "E06000001,2023,q2,2.5,"),
         4, "score", "whole number from 1 to 5"),
    Case("bad_published", "responses.csv", replace_line(RESPONSES, 3, "E06000002,2023,q1,4,maybe"),
         3, "published", "must be true or false"),
    Case("unknown_question", "responses.csv", replace_line(RESPONSES, 4, "E06000001,2023,q9,5,"),
         4, "question_id", "not a question"),
    Case("unparseable_round", "responses.csv", replace_line(RESPONSES, 2, "E06000001,next year,q1,3,true"),
         2, "round", "is not a period"),
    Case("duplicate_response_key", "responses.csv", add_line(RESPONSES, "HPL,2023,q1,2,true"),
         5, "authority_code, round, question_id", "repeats row 2"),
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(live: Path) -> tuple[str, str, str]:
    """What must not change: the symlink target, and the bytes behind the live path."""
    return os.readlink(live), str(live.resolve()), sha256(live.resolve())


@pytest.fixture(scope="module")
def live(tmp_path_factory, reference_dir) -> Path:
    """A warehouse with a good source published under the same name the bad sources use."""
    path = tmp_path_factory.mktemp("bad-input") / "exemplar.duckdb"
    good = write_source(tmp_path_factory.mktemp("good") / "council_data", GOOD)
    result = load_sources([Source.of(good)], path, reference_dir=reference_dir, progress=False)
    assert result.outcome == "published", result.problems
    return path


def bad_source(tmp_path: Path, case: Case) -> Path:
    files = dict(GOOD)
    files[case.file] = case.content
    return write_source(tmp_path / "council_data", files)


def assert_reported(output: str, case: Case) -> None:
    """One example line names the file, the row and the column, and the report gives the reason."""
    pattern = rf"{re.escape(case.file)}, row {case.row}, column {re.escape(case.column)}\b"
    assert re.search(pattern, output), f"no '{case.file}, row {case.row}, column {case.column}' in:\n{output}"
    assert case.reason in output, output


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_source_is_refused_and_warehouse_unchanged(case, live, tmp_path, capsys, reference_dir):
    before = fingerprint(live)
    attempts = len(read_load_log(WarehousePaths(live)))
    folder = bad_source(tmp_path, case)

    code = main(["--warehouse", str(live), "--reference-dir", str(reference_dir), "load", str(folder)])

    output = capsys.readouterr()
    assert code != 0
    assert_reported(output.err, case)
    assert "Published" not in output.out
    assert fingerprint(live) == before
    log = read_load_log(WarehousePaths(live))
    assert len(log) == attempts + 1
    assert log[-1]["outcome"] == "failed" and log[-1]["problems"] >= 1
    assert log[-1]["sources"][0]["name"] == "council_data"


def test_there_are_at_least_25_distinct_defects():
    assert len({c.id for c in CASES}) >= 25
    assert len({(c.file, c.column, c.reason) for c in CASES}) >= 25


@pytest.mark.slow  # a python -m etl process per case
@pytest.mark.parametrize("case_id", ["unknown_authority", "non_utf8_bytes", "score_fraction", "empty_file"])
def test_command_line_process_reports_and_exits_non_zero(case_id, live, tmp_path, reference_dir):
    case = next(c for c in CASES if c.id == case_id)
    before = fingerprint(live)
    folder = bad_source(tmp_path, case)
    env = {**os.environ, "EXEMPLAR_WAREHOUSE": str(live), "EXEMPLAR_REFERENCE_DIR": str(reference_dir)}
    done = subprocess.run([sys.executable, "-m", "etl", "load", str(folder)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert_reported(done.stderr, case)
    assert "live warehouse is unchanged" in done.stderr
    assert fingerprint(live) == before
    assert read_load_log(WarehousePaths(live))[-1]["outcome"] == "failed"


def test_validate_command_reports_the_same_without_writing(live, tmp_path, capsys, reference_dir):
    case = next(c for c in CASES if c.id == "value_above_max")
    before = fingerprint(live)
    code = main(["--warehouse", str(live), "--reference-dir", str(reference_dir), "validate",
                 str(bad_source(tmp_path, case))])
    assert code == 1
    assert_reported(capsys.readouterr().err, case)
    assert fingerprint(live) == before


def test_every_fault_in_a_file_is_reported_with_a_count(live, tmp_path, capsys, reference_dir):
    rows = "".join(f"E99999{n:03d},pct_online,2019/20,{n},\n" for n in range(12))
    folder = write_source(tmp_path / "council_data", {**GOOD, "values.csv": VALUES + rows})
    code = main(["--warehouse", str(live), "--reference-dir", str(reference_dir), "load", str(folder)])
    err = capsys.readouterr().err
    assert code == 1
    assert "column authority_code: is not a known authority code" in err
    assert "(12 rows)" in err
    assert err.count("values.csv, row ") == 5  # the first five examples, not all twelve
    assert "values.csv, row 6, column authority_code: 'E99999000'" in err


# --- tolerated variants --------------------------------------------------------------------


def read_table(live: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(live), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


EXPECTED_VALUES = sorted([
    ("cost_head", "2019/20", "E06000001", 120.0, "estimate"),
    ("cost_head", "2019/20", "E06000002", None, "suppressed"),
    ("pct_online", "2019/20", "E06000001", 50.5, None),
    ("pct_online", "2019/20", "E06000002", 61.0, None),
], key=str)

VARIANTS = {
    "utf8_bom": {"values.csv": "\ufeff" + VALUES, "indicators.csv": "\ufeff" + INDICATORS},
    "crlf": {name: text.replace("\n", "\r\n") for name, text in GOOD.items()},
    "quoted_commas": {"indicators.csv": INDICATORS.replace("Net cost per resident", '"Net cost, per resident"'),
                      "values.csv": VALUES.replace("E06000001,cost_head,2019/20,120,estimate",
                                                   '"E06000001","cost_head","2019/20","120","estimate"')},
    "spaces_around_codes": {"values.csv": VALUES.replace("E06000002,pct_online,2019/20,61,",
                                                         " E06000002 , pct_online ,  2019/20 , 61 ,")},
    "register_code": {"values.csv": VALUES.replace("E06000001,pct_online", "HPL,pct_online")},
    "lowercase_code": {"values.csv": VALUES.replace("E06000002,pct_online", "e06000002,pct_online")},
    "other_period_spelling": {"values.csv": VALUES.replace("2019/20", "2019-20").replace(
        "E06000002,cost_head,2019-20", "E06000002,cost_head,2019/2020")},
    "upper_case_polarity": {"indicators.csv": INDICATORS.replace(",higher,", ",Higher,").replace(",lower,", ",LOWER,")},
    "extra_columns": {"values.csv": "".join(line + (",note" if i == 0 else ",x") + "\n"
                                            for i, line in enumerate(VALUES.splitlines()))},
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_tolerated_variant_loads_the_same_data(variant, warehouse_path, tmp_path, reference_dir):
    folder = write_source(tmp_path / "council_data", {**GOOD, **VARIANTS[variant]})
    result = load_sources([Source.of(folder)], warehouse_path, reference_dir=reference_dir, progress=False)
    assert result.outcome == "published", [p.describe() for p in result.problems]
    rows = read_table(warehouse_path, "SELECT indicator_id, period, authority_code, value, status "
                                      "FROM indicator_values")
    assert sorted(rows, key=str) == EXPECTED_VALUES
    indicators = dict(read_table(warehouse_path, "SELECT indicator_id, polarity FROM indicators"))
    assert indicators == {"pct_online": "higher", "cost_head": "lower"}
    if variant == "quoted_commas":
        assert read_table(warehouse_path, "SELECT description FROM indicators WHERE indicator_id = 'cost_head'") \
            == [("Net cost, per resident",)]


def test_former_gss_code_is_stored_as_the_current_code(warehouse_path, tmp_path, reference_dir):
    # E06000048 was Northumberland's code until 2009; its current GSS code is E06000057.
    values = VALUES.replace("E06000002,cost_head", "E06000048,cost_head")
    folder = write_source(tmp_path / "council_data", {**GOOD, "values.csv": values})
    result = load_sources([Source.of(folder)], warehouse_path, reference_dir=reference_dir, progress=False)
    assert result.outcome == "published", [p.describe() for p in result.problems]
    codes = {r[0] for r in read_table(warehouse_path, "SELECT authority_code FROM indicator_values "
                                                      "WHERE indicator_id = 'cost_head'")}
    assert codes == {"E06000001", "E06000057"}
