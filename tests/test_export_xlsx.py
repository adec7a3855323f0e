"""The Excel report: one workbook a council drops into a committee paper, read back with openpyxl.

Every workbook ends with a Notes sheet carrying the export stamp; numbers stay numbers; no cell
is ever a formula (text a spreadsheet would run is stored as a text cell, by ``etl.formulas``'
rule); the profile report holds the summary, the comparison, the peer group by name, the
methods in words and the notes, and says what the page shows.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dashboard.common.exports import NOTES_SHEET, xlsx_bytes
from dashboard.peers import exports, statistics, summary
from dashboard.peers.groups import PeerGroupSpec, resolve_peer_group
from dashboard.warehouse import FileWarehouse
from etl.formulas import FORMULA_PREFIXES, starts_like_formula
from tests.support import peer_fixture as fx
from tests.support.stamps import fixed_stamp

XML_LEGAL = st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(map(chr, [*range(9), 11, 12, *range(14, 32)])))
texts = st.one_of(
    st.text(XML_LEGAL, max_size=30),
    st.builds(lambda p, t: p + t, st.sampled_from(FORMULA_PREFIXES), st.text(XML_LEGAL, max_size=20)),
)


def read_back(data: bytes):
    return load_workbook(io.BytesIO(data))


def every_cell(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


@settings(deadline=None, max_examples=60)  # a workbook per example
@given(
    numbers=st.lists(st.one_of(st.none(), st.floats(-1e12, 1e12, allow_nan=False), st.integers(-10**9, 10**9)),
                     min_size=1, max_size=8),
    words=st.lists(texts, min_size=1, max_size=8),
)
def test_numbers_stay_numbers_and_no_cell_is_a_formula(numbers, words):
    size = min(len(numbers), len(words))
    frame = pd.DataFrame({"Number": pd.Series(numbers[:size], dtype=object), "Text": words[:size]})
    book = read_back(xlsx_bytes({"Data": frame}, fixed_stamp()))
    assert book.sheetnames == ["Data", NOTES_SHEET]
    rows = list(book["Data"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == size
    for (number, text), original_number, original_text in zip(rows, numbers, words, strict=False):
        if original_number is None:
            assert number is None
        else:
            assert isinstance(number, int | float) and number == pytest.approx(original_number)
        # text is kept exactly, nothing prefixed; line breaks are written as LF
        assert (text or "") == original_text.replace("\r\n", "\n").replace("\r", "\n")
    assert all(cell.data_type != "f" for cell in every_cell(book))  # never a formula
    for cell in book["Data"]["B"][1:]:
        if isinstance(cell.value, str) and starts_like_formula(cell.value):
            assert cell.data_type == "s" and cell.quotePrefix  # stored, and kept on editing, as text


def test_notes_sheet_carries_the_stamp_and_the_page_notes():
    book = read_back(xlsx_bytes({"A": pd.DataFrame({"x": [1]})}, fixed_stamp("v-42", synthetic=True),
                                {"Council": "Leeds (E08000035)"}))
    notes = dict(book[NOTES_SHEET].iter_rows(min_row=2, values_only=True))
    assert notes["Council"] == "Leeds (E08000035)"
    assert notes["Data version"] == "v-42"
    assert notes["Synthetic demo data"].startswith("Yes")
    assert "MIT licence" in notes["Reference data (licence, snapshot)"]
    assert notes["File made"] == "02 January 2026, 03:04 UTC"  # in words, never a bare 00:00:00


@pytest.mark.parametrize("name", [NOTES_SHEET, "", "x" * 32, "a/b", "what?"])
def test_bad_sheet_names_are_refused(name):
    with pytest.raises(ValueError, match="cannot be a sheet name"):
        xlsx_bytes({name: pd.DataFrame({"x": [1]})}, fixed_stamp())


def test_control_characters_are_dropped_not_refused():
    book = read_back(xlsx_bytes({"A": pd.DataFrame({"x": ["bell\x07 and tab\tstay"]})}, fixed_stamp()))
    assert book["A"]["A2"].value == "bell and tab\tstay"


@pytest.fixture(scope="module")
def fixture_report(peer_live):
    wh = FileWarehouse(peer_live)
    try:
        group = resolve_peer_group(wh, PeerGroupSpec("type_region", fx.BIRMINGHAM, period=fx.PERIOD))
        profile = statistics.peer_profile(wh, group, fx.PERIOD)
    finally:
        wh.close()
    counts = summary.profile_summary(profile)
    data = exports.profile_report_xlsx(profile, counts, group, "Birmingham", fx.PERIOD, fixed_stamp())
    return read_back(data), profile, group, counts


def test_profile_report_has_every_sheet_a_committee_paper_needs(fixture_report):
    book, profile, group, counts = fixture_report
    assert book.sheetnames == [*exports.REPORT_SHEETS, NOTES_SHEET]
    head = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert head["Council"] == f"Birmingham ({fx.BIRMINGHAM})" and head["Period"] == fx.PERIOD
    assert head["Top quartile"] == counts.bands[1] and isinstance(head["Top quartile"], int)
    assert head["In one sentence"] == summary.summary_sentence(counts, "Birmingham")
    methods = dict(book["Methods"].iter_rows(min_row=2, values_only=True))
    assert methods["Rank"] == statistics.RANK_METHOD and "Spine chart" in methods
    assert all("SQL" not in text and "DuckDB" not in text and "pandas" not in text for text in methods.values())
    notes = dict(book[NOTES_SHEET].iter_rows(min_row=2, values_only=True))
    assert notes["Peer group"] == group.definition() and notes["Data version"] == "test-v1"


def test_profile_report_comparison_keeps_the_figures(fixture_report):
    book, profile, _, _ = fixture_report
    sheet = book["Comparison"]
    header = [c.value for c in sheet[1]]
    rows = pd.DataFrame(list(sheet.iter_rows(min_row=2, values_only=True)), columns=header)
    assert len(rows) == len(profile)
    assert all("_" not in h for h in header)  # plain headers, no column codes
    by_name = rows.set_index("Indicator")
    for row in profile.itertuples():
        shown = by_name.loc[row.name]
        if pd.isna(row.value):
            assert shown["Value"] is None or pd.isna(shown["Value"])
        else:
            assert shown["Value"] == pytest.approx(row.value)  # a number, not text
        assert shown["Rank"] == statistics.rank_text(row.rank, row.n_ranked)
    hostile = fx.INJECTED["higher"]["name"]  # '=HYPERLINK(...)': must stay text
    cell = next(c for c in sheet["A"] if c.value == hostile)
    assert cell.data_type == "s"


def test_profile_report_lists_the_peer_group_by_name(fixture_report):
    book, _, group, _ = fixture_report
    rows = list(book["Peer group"].iter_rows(min_row=2, values_only=True))
    names = dict(zip(group.members_frame["authority_code"], group.members_frame["short_name"], strict=True))
    assert sorted(r[1] for r in rows) == sorted(fx.MET_DISTRICTS)
    assert {r[1]: r[0] for r in rows} == names  # every member with its name
    assert [r[1] for r in rows if r[2] == "Yes"] == [fx.BIRMINGHAM]
