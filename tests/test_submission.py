"""Submissions: the blank template, the upload check (every bad upload named by row and
problem) and the inbox writer. Bad uploads are also driven through the real page (AppTest)
to show nothing reaches the inbox or the warehouse."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.selfassessment import template
from etl import submission
from etl.warehouse import WarehousePaths
from tests.support import sa_fixture
from tests.support.stamps import fixed_stamp

ROUND = "2024"


@pytest.fixture(scope="module")
def council(authorities):
    """A London borough that published nothing in the fixture."""
    return sa_fixture.layout(authorities)["silent_london"][0]


@pytest.fixture(scope="module")
def good_frame(sa_questions, council):
    return sa_fixture.filled_rows(template.template_csv(sa_questions, council, ROUND, stamp=fixed_stamp()), 3)


# -- the template ----------------------------------------------------------------------------
def test_template_csv_has_one_row_per_question_with_levels_and_empty_score(sa_questions, council):
    frame = pd.read_csv(io.BytesIO(template.template_csv(sa_questions, council, ROUND, stamp=fixed_stamp())), dtype=str,
                        keep_default_na=False, encoding="utf-8-sig")
    assert sorted(frame["question_id"]) == sorted(sa_questions["question_id"])
    assert (frame["score"] == "").all()
    assert (frame["council"] == council).all() and (frame["round"] == ROUND).all()
    by_id = sa_questions.set_index("question_id")
    for row in frame.itertuples():
        assert row.question == by_id.at[row.question_id, "text"]
        assert row.role == by_id.at[row.question_id, "role"]
        assert row.level_4 == by_id.at[row.question_id, "level_4"]


def test_template_xlsx_is_macro_free_and_matches_csv(sa_questions, council):
    data = template.template_xlsx(sa_questions, council, ROUND, stamp=fixed_stamp())
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not any("vbaproject" in n.lower() for n in names)
    sheet = load_workbook(io.BytesIO(data))[submission.SHEET_NAME]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == template.TEMPLATE_COLUMNS
    assert [r[3] for r in rows[1:]] == sa_questions["question_id"].tolist()
    assert all(r[-1] in (None, "") for r in rows[1:])


def test_blank_template_leaves_council_and_round_to_fill(sa_questions):
    frame = template.template_frame(sa_questions)
    assert (frame["council"] == "").all() and (frame["round"] == "").all()


def test_framework_id_changes_when_a_question_is_reworded(sa_questions):
    reworded = sa_questions.copy()
    reworded.loc[0, "text"] = reworded.loc[0, "text"] + " (revised)"
    assert submission.framework_id(reworded) != submission.framework_id(sa_questions)
    assert submission.framework_id(sa_questions.iloc[::-1]) == submission.framework_id(sa_questions)


# -- good uploads ----------------------------------------------------------------------------
def test_filled_csv_passes_and_preview_shows_scores_and_meaning(good_frame, sa_questions, council):
    scores = {q: i % 5 + 1 for i, q in enumerate(sa_questions["question_id"])}
    frame = good_frame.assign(score=good_frame["question_id"].map(lambda q: str(scores[q])))
    result = submission.check_upload(sa_fixture.to_csv_bytes(frame), "mine.csv", council, ROUND, sa_questions)
    assert result.ok, result.messages()
    got = dict(zip(result.answers["question_id"], result.answers["score"], strict=True))
    assert got == scores
    first = result.answers.iloc[0]
    level = sa_questions.set_index("question_id").at[first["question_id"], f"level_{first['score']}"]
    assert first["meaning"] == level


def test_filled_xlsx_with_numeric_scores_passes(sa_questions, council):
    book = load_workbook(io.BytesIO(template.template_xlsx(sa_questions, council, ROUND, stamp=fixed_stamp())))
    sheet = book[submission.SHEET_NAME]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=len(template.TEMPLATE_COLUMNS)).value = 4.0  # Excel's numbers are floats
    buffer = io.BytesIO()
    book.save(buffer)
    result = submission.check_upload(buffer.getvalue(), "mine.xlsx", council, "2024", sa_questions)
    assert result.ok, result.messages()
    assert set(result.answers["score"]) == {4}


def test_round_given_in_another_spelling_is_the_same_round(good_frame, sa_questions, council):
    result = submission.check_upload(sa_fixture.to_csv_bytes(good_frame.assign(round="FY2024")),
                                     "x.csv", council, "2024/25", sa_questions)
    assert result.ok, result.messages()


# -- bad uploads -----------------------------------------------------------------------------
def _xlsx(frame: pd.DataFrame, formula_at: tuple[int, int] | None = None, macro: bool = False) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = submission.SHEET_NAME
    sheet.append(list(frame.columns))
    for record in frame.itertuples(index=False):
        sheet.append(list(record))
    if formula_at:
        sheet.cell(row=formula_at[0], column=formula_at[1]).value = "=2+1"
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if macro:  # what Excel writes into a macro-enabled workbook
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                dst.writestr(item, src.read(item.filename))
            dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 fake vba")
        data = out.getvalue()
    return data


def _edit(frame: pd.DataFrame, row: int, column: str, value: str) -> pd.DataFrame:
    """``frame`` with the cell on spreadsheet ``row`` (header = 1) set to ``value``."""
    out = frame.copy()
    out.loc[row - 2, column] = value
    return out


def _bad_cases(good: pd.DataFrame, council: str) -> list[tuple[str, bytes, str, int | None, str]]:
    csv = sa_fixture.to_csv_bytes
    score_col = template.TEMPLATE_COLUMNS.index("score") + 1
    latin = good.copy()
    latin.loc[0, "question"] = latin.loc[0, "question"] + " £5 budget"
    duplicate = pd.concat([good, good.iloc[[0]]], ignore_index=True)
    return [
        ("unknown question", csv(_edit(good, 3, "question_id", "ZZ9")), "x.csv", 3, "unknown question"),
        ("missing answer", csv(_edit(good, 5, "score", "")), "x.csv", 5, "missing answer"),
        ("score above 5", csv(_edit(good, 4, "score", "7")), "x.csv", 4, "whole number from 1 to 5"),
        ("score zero", csv(_edit(good, 6, "score", "0")), "x.csv", 6, "whole number from 1 to 5"),
        ("half score", csv(_edit(good, 7, "score", "2.5")), "x.csv", 7, "whole number from 1 to 5"),
        ("score in words", csv(_edit(good, 8, "score", "three")), "x.csv", 8, "whole number from 1 to 5"),
        ("wrong council", csv(_edit(good, 2, "council", "E08000025")), "x.csv", 2, "wrong council"),
        ("missing council", csv(_edit(good, 9, "council", "")), "x.csv", 9, "missing council"),
        ("wrong round", csv(_edit(good, 10, "round", "2019")), "x.csv", 10, "wrong round"),
        ("old framework", csv(good.assign(framework="fw-000000000000")), "x.csv", 2, "wrong framework"),
        ("question left out", csv(good.drop(index=4)), "x.csv", None, "wrong framework"),
        ("answered twice", csv(duplicate), "x.csv", len(duplicate) + 1, "answered twice"),
        ("csv formula", csv(_edit(good, 11, "score", "=1+2")), "x.csv", 11, "formula"),
        ("csv formula in text", csv(_edit(good, 12, "question", "@SUM(A1)")), "x.csv", 12, "formula"),
        ("xlsx formula", _xlsx(good, formula_at=(6, score_col)), "x.xlsx", 6, "formula"),
        ("xlsx with macros", _xlsx(good, macro=True), "x.xlsx", None, "macros"),
        ("xlsm file", _xlsx(good), "x.xlsm", None, "macros"),
        ("old xls file", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "x.xls", None, "macros"),
        ("not a template type", csv(good), "x.txt", None, "only .csv and .xlsx"),
        ("empty file", b"", "x.csv", None, "empty"),
        ("header only", csv(good.iloc[0:0]), "x.csv", None, "no answers"),
        ("oversized", csv(good) + b"," * (submission.MAX_UPLOAD_BYTES + 1), "x.csv", None, "limit"),
        ("latin-1 encoding", latin.to_csv(index=False).encode("cp1252"), "x.csv", None, "encoding"),
        ("utf-16 encoding", good.to_csv(index=False).encode("utf-16"), "x.csv", None, "encoding"),
        ("score column missing", csv(good.drop(columns="score")), "x.csv", 1, "required column"),
        ("renamed zip", _xlsx(good), "x.csv", None, "really a zip"),
        ("damaged xlsx", b"PK\x03\x04 not really a workbook", "x.xlsx", None, "not a readable .xlsx"),
    ]


def test_there_are_at_least_fifteen_bad_upload_cases(good_frame, council):
    assert len(_bad_cases(good_frame, council)) >= 15


@pytest.mark.parametrize("index", range(27))
def test_bad_upload_is_rejected_naming_row_and_problem(index, good_frame, sa_questions, council):
    name, data, filename, row, phrase = _bad_cases(good_frame, council)[index]
    result = submission.check_upload(data, filename, council, ROUND, sa_questions)
    assert not result.ok, name
    assert result.answers.empty
    matching = [p for p in result.problems if phrase in p.reason]
    assert matching, (name, result.messages())
    assert any(p.row == row for p in matching), (name, row, result.messages())
    where = "File" if row is None else f"Row {row}"
    assert any(m.startswith(where) and phrase in m for m in result.messages()), result.messages()


def test_every_problem_is_reported_not_just_the_first(good_frame, sa_questions, council):
    bad = _edit(_edit(_edit(good_frame, 3, "score", "9"), 5, "score", ""), 7, "question_id", "NOPE")
    result = submission.check_upload(sa_fixture.to_csv_bytes(bad), "x.csv", council, ROUND, sa_questions)
    rows = {p.row for p in result.problems}
    assert {3, 5, 7} <= rows


# -- the page: bad uploads never reach the inbox or the warehouse ----------------------------
@pytest.fixture
def page_live(sa_live, tmp_path):
    return sa_fixture.copy_warehouse(sa_live, tmp_path / "wh")


@pytest.fixture
def submit_page(page_live, open_page):
    """The Submit page for a council and the round, on the fixture copy."""
    return lambda council: open_page(page_live, "submit", council=council, round=ROUND)


def test_bad_uploads_through_the_page_change_nothing(page_live, submit_page, good_frame, council):
    folder = page_live.parent
    before = sa_fixture.tree_hash(folder)
    at = submit_page(council)
    for name, data, filename, _row, phrase in _bad_cases(good_frame, council):
        at.file_uploader(key="upload").set_value((filename, data, "application/octet-stream")).run()
        assert not at.exception, (name, at.exception)
        assert at.error and "cannot be submitted" in at.error[0].value, name
        shown = " ".join(str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel())
        assert phrase in shown, (name, shown[:300])
        assert not [b for b in at.button if b.key == "submit"], name
    assert sa_fixture.tree_hash(folder) == before
    assert not WarehousePaths(page_live).inbox.exists()


def test_good_upload_on_the_page_writes_exact_bytes_and_manifest(page_live, submit_page, good_frame, council):
    data = sa_fixture.to_csv_bytes(good_frame)
    versions_before = sa_fixture.tree_hash(page_live.parent / "exemplar.versions")
    at = submit_page(council)
    at.file_uploader(key="upload").set_value(("filled.csv", data, "text/csv")).run()
    assert not at.error, [e.value for e in at.error]
    at.button(key="submit").click().run()
    assert at.success, "no confirmation shown"
    at.run()  # a rerun (or a second visit in the session) must not queue the same file again
    assert not [b for b in at.button if b.key == "submit"]
    inbox = WarehousePaths(page_live).inbox
    (folder,) = [p for p in inbox.iterdir() if p.is_dir()]
    manifest = json.loads((folder / submission.MANIFEST_NAME).read_text())
    stored = (folder / manifest["file"]).read_bytes()
    assert stored == data
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["council"] == council and manifest["round"] == ROUND
    assert manifest["original_filename"] == "filled.csv" and manifest["published"] is True
    assert sa_fixture.tree_hash(page_live.parent / "exemplar.versions") == versions_before


def test_write_to_inbox_refuses_a_non_code_council(tmp_path):
    with pytest.raises(ValueError):
        submission.write_to_inbox(tmp_path, b"x", "a.csv", "../../etc", ROUND, "fw")
    assert not any(tmp_path.iterdir())
