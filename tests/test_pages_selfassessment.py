"""The self-assessment pages through AppTest: the full round trip (template, upload on the page,
load-inbox, scores on the council page) and disclosure as a reader sees it."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from dashboard.selfassessment import results as sa
from dashboard.selfassessment import template
from dashboard.warehouse import FileWarehouse
from etl import cli, submission
from etl.warehouse import WarehousePaths
from tests.support import sa_fixture
from tests.support.stamps import fixed_stamp

ROUND = "2024"


@pytest.fixture
def live(sa_live, tmp_path, monkeypatch):
    copy = sa_fixture.copy_warehouse(sa_live, tmp_path / "wh")
    monkeypatch.setenv("EXEMPLAR_WAREHOUSE", str(copy))
    return copy


@pytest.fixture
def sa_page(live, open_page):
    """A self-assessment page (by its file's stem) on the fixture copy, run once."""
    return lambda page, **params: open_page(live, page, **params)


def _frames(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def _text(at: AppTest) -> str:
    sa_parts = [e.value for kind in (at.info, at.caption, at.markdown, at.success, at.warning) for e in kind]
    return " ".join(str(p) for p in sa_parts)


def _chart_specs(at: AppTest) -> str:
    return " ".join(el.proto.spec for el in at.get("plotly_chart"))


def test_round_trip_template_upload_load_inbox_council_page(live, sa_page, sa_parts):
    council = sa_parts["silent_london"][0]
    wh = FileWarehouse(live)
    questions = sa.framework(wh)
    wh.close()

    at = sa_page("submit", council=council, round=ROUND)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Template as Excel" in labels and "Template as CSV" in labels

    # Fill the same Excel template the page offers, as a council would.
    book = load_workbook(io.BytesIO(template.template_xlsx(questions, council, ROUND, stamp=fixed_stamp())))
    sheet = book[submission.SHEET_NAME]
    header = [c.value for c in sheet[1]]
    scores = {}
    for row in range(2, sheet.max_row + 1):
        qid = sheet.cell(row=row, column=header.index("question_id") + 1).value
        scores[qid] = (row % 5) + 1
        sheet.cell(row=row, column=header.index("score") + 1).value = scores[qid]
    buffer = io.BytesIO()
    book.save(buffer)
    filled = buffer.getvalue()

    at.file_uploader(key="upload").set_value(("ours.xlsx", filled, "application/octet-stream")).run()
    assert not at.error, [e.value for e in at.error]
    preview = next(f for f in _frames(at) if "meaning" in f.columns)
    assert dict(zip(preview["question_id"], preview["score"], strict=True)) == scores
    at.button(key="submit").click().run()
    assert at.success

    assert cli.main(["--warehouse", str(live), "load-inbox"]) == 0
    assert not any(p for p in WarehousePaths(live).inbox.iterdir() if p.name != "history")

    page = sa_page("self_assessment", council=council, round=ROUND, period=sa_fixture.PERIOD)
    table = next(f for f in _frames(page) if {"Round", "Theme", "Role", "Maturity"} <= set(f.columns))
    mine = table[table["Round"] == ROUND].set_index(["Theme", "Role"])["Maturity"].sort_index()
    q = questions.assign(score=questions["question_id"].map(scores))
    expected = q.groupby(["theme", "role"])["score"].mean().sort_index()
    pd.testing.assert_series_equal(mine, expected, check_names=False)
    answered = next(f for f in _frames(page) if "Score" in f.columns and "Level 1" in f.columns)
    assert answered["Score"].notna().all()


def test_unpublished_council_shows_nothing_on_any_page(live, sa_page, sa_parts):
    private = sa_parts["private"]
    page = sa_page("self_assessment", council=private, round=ROUND, period=sa_fixture.PERIOD)
    assert "has no published self-assessment" in _text(page)
    for frame in _frames(page):
        if "Maturity" in frame.columns:
            assert frame["Maturity"].isna().all()
        if "Score" in frame.columns:
            assert frame["Score"].isna().all()
    quadrant = sa_page("maturity_outcomes", council=private, round=ROUND, period=sa_fixture.PERIOD)
    assert "no published self-assessment" in _text(quadrant)
    for frame in _frames(quadrant):
        if "Quadrant" in frame.columns:
            assert private not in set(frame["Code"])
    assert private not in _chart_specs(quadrant)


def test_questions_page_counts_only_published_councils(live, sa_page, sa_parts):
    at = sa_page("questions")
    dist = next(f for f in _frames(at) if {"Score", "Councils", "Share"} <= set(f.columns))
    total_2024 = dist.loc[dist["Round"] == ROUND, "Councils"].sum()
    assert total_2024 == len(sa_parts["responders_2024"]) + len(sa_parts["welsh_responders"])


def test_group_of_four_respondents_page_hides_median_and_says_why(live, sa_page, sa_parts):
    welsh = sa_parts["welsh_responders"][0]
    at = sa_page("self_assessment", council=welsh, round=ROUND, period=sa_fixture.PERIOD, group="type_nation")
    assert "only 4 council(s)" in _text(at)
    for frame in _frames(at):
        if "Peer median" in frame.columns:
            assert frame["Peer median"].isna().all()
    specs = _chart_specs(at)
    assert "Peer median" not in specs and "quartile" not in specs
    quadrant = sa_page("maturity_outcomes", council=welsh, round=ROUND, period=sa_fixture.PERIOD)
    assert "The quadrants are hidden" in _text(quadrant)
    assert not quadrant.get("plotly_chart")


def test_large_group_page_shows_median_and_quadrant(live, sa_page, sa_parts):
    london = sa_parts["london"][0]
    at = sa_page("self_assessment", council=london, round=ROUND, period=sa_fixture.PERIOD)
    assert "Peer median" in _chart_specs(at)
    quadrant = sa_page("maturity_outcomes", council=london, round=ROUND, period=sa_fixture.PERIOD)
    table = next(f for f in _frames(quadrant) if "Quadrant" in f.columns)
    assert set(table["Code"]) == set(sa_parts["responders_2024"])
