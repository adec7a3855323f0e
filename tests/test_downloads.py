"""One export path: every download on every page carries the export stamp (data version, demo
flag, who published the figures, the reference data and its licence, when it was generated),
every CSV is offered beside it as an Excel workbook and as CSVW metadata that agree with it, and
no page builds a file, a chart or a Chart/Table/Download trio of its own."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.common.exports import ExportStamp, csv_bytes, neutralise_cell
from dashboard.warehouse import FileWarehouse
from etl.neighbours import compute_and_load
from tests.support import sa_fixture
from tests.support.apptest import downloads
from tests.support.stamps import STAMP_COLUMNS, fixed_stamp

ROOT = Path(__file__).resolve().parent.parent
COUNCIL = "E08000025"  # Birmingham
# Every page that offers a download, with a view that shows all its downloads, and the keys of them.
# On the demo every figure is invented, but not every download holds figures: the Peer groups
# page's neighbours are computed from the real register and the template is blank.
REAL_ON_THE_DEMO = {"peer_groups", "submit"}
PAGES = {
    "profile": ({}, {"profile_download", "group_values_download", "spine_download", "report_download"}),
    "indicator": ({}, {"ranking_download", "distribution_download", "trend_download"}),
    "progress": ({}, {"progress_download"}),
    "peer_groups": ({"council": COUNCIL}, {"neighbours_download"}),
    "former_councils": ({}, {"former_download", "reorg_download"}),
    "browse": ({}, {"browse_download"}),
    "exemplars": ({}, {"exemplar_shortlist_download", "exemplar_stability_download", "exemplar_ranking_download"}),
    "transformed": ({}, {"transformed_spread_download", "transformed_maturity_download", "transformed_questions_download"}),
    "exemplar_overview": ({}, {"overview_download", "overview_exemplars_download"}),
    "self_assessment": ({"council": COUNCIL}, {"sa_driver_download", "sa_enabler_download"}),
    "questions": ({}, {"q_distribution_download"}),
    "maturity_outcomes": ({"council": COUNCIL}, {"mo_quadrant_download", "mo_associations_download"}),
    "submit": ({"council": COUNCIL}, {"template_csv", "template_xlsx"}),
}


OTHER_FORMATS = ("_xlsx", "_csvw")  # the workbook and the CSVW offered beside every CSV
ONLY_AS_CSV = {"template_csv"}  # a form to fill in: its Excel form is the template_xlsx beside it


def csv_table(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The CSV's header and rows as the text it holds."""
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return header, rows


def assert_the_forms_agree(csv_data: bytes, xlsx_data: bytes, csvw_data: bytes, key: str) -> None:
    """The workbook holds the CSV's rows (numbers as numbers, the about columns as notes) and the
    CSVW describes the CSV's columns in order, with numeric datatypes where the CSV has numbers."""
    header, rows = csv_table(csv_data)
    book = load_workbook(io.BytesIO(xlsx_data))
    assert book.sheetnames == ["Data", "Notes"], key
    assert all(cell.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row), key
    sheet = list(book["Data"].iter_rows(values_only=True))
    shown = len(sheet[0]) if sheet else 0
    assert [str(neutralise_cell(c or "")) for c in sheet[0]] == header[:shown], key
    assert all(h.startswith("about_") for h in header[shown:]), key  # only the provenance is left out
    assert len(sheet) - 1 == len(rows), key
    for got, want in zip(sheet[1:], rows, strict=True):
        for cell, text in zip(got, want[:shown], strict=True):
            if cell is None:
                assert text == "", (key, text)
            elif isinstance(cell, bool):
                assert text == str(cell), (key, text)
            elif isinstance(cell, dt.datetime):  # a date cell: Excel sorts and filters it as a date
                assert text in (cell.date().isoformat(), str(cell)), (key, cell, text)
            elif isinstance(cell, int | float):
                assert math.isclose(cell, float(text), rel_tol=1e-15), (key, cell, text)
            else:
                assert neutralise_cell(cell) == text.replace("\r\n", "\n"), (key, cell, text)
    notes = dict(book["Notes"].iter_rows(min_row=2, values_only=True))
    about = dict(zip(header, rows[0], strict=True)) if rows else {}
    assert notes["Data version"] == about.get("about_data_version", notes["Data version"]), key
    page_notes = [h.removeprefix("about_").replace("_", " ").capitalize() for h in header[shown:]
                  if h not in STAMP_COLUMNS]
    assert all(note in notes for note in page_notes), (key, page_notes, sorted(notes))  # the page's provenance, in words
    metadata = json.loads(csvw_data)
    assert metadata["@context"] == "http://www.w3.org/ns/csvw" and metadata["url"].endswith(".csv"), key
    columns = metadata["tableSchema"]["columns"]
    assert [c["titles"] for c in columns] == header, key
    if rows:  # the licences are the ones the reference data names, and the version is the CSV's
        licences = metadata["dc:license"]
        assert licences and all(f"({licence} licence" in about["about_reference_data"] for licence in licences), (key, licences)
        assert metadata["dc:hasVersion"] == about["about_data_version"], key
    for i, column in enumerate(columns):
        if column["datatype"] in ("integer", "number"):
            assert all(row[i] == "" or math.isfinite(float(row[i])) for row in rows), (key, column)
    numeric = [
        i
        for i, h in enumerate(header[:shown])
        if any(isinstance(r[i], int | float) and not isinstance(r[i], bool) for r in sheet[1:])
    ]
    assert all(columns[i]["datatype"] in ("integer", "number") for i in numeric), key  # numbers stay numbers


@pytest.fixture(scope="module")
def live(demo_warehouse, tmp_path_factory, reference_dir) -> Path:
    """A copy of the demo warehouse with computed statistical neighbours (the Peer groups page)."""
    copy = sa_fixture.copy_warehouse(demo_warehouse, tmp_path_factory.mktemp("downloads") / "wh")
    compute_and_load(copy, reference_dir=reference_dir)
    return copy


@pytest.fixture(scope="module")
def expected(live) -> dict[str, str]:
    """What the stamp must say, read from the warehouse by other queries than the stamp's own."""
    wh = FileWarehouse(live)
    try:
        meta = wh.scalar_meta()
        publishers = sorted(wh.query("indicator_list")["source"].unique())
        references = wh.query("methods_reference_sources")
    finally:
        wh.close()
    return {"data_version": meta["data_version"], "publishers": publishers,
            "references": [f"{r.publisher} ({r.licence} licence" for r in references.itertuples()]}


def assert_stamped_lines(lines: list[str], expected: dict, synthetic: bool) -> None:
    text = "\n".join(lines)
    assert f"Data version: {expected['data_version']}" in text
    assert ("Synthetic demo data: yes" if synthetic else "Synthetic demo data: no") in text
    assert all(p in text for p in expected["publishers"]) and all(r in text for r in expected["references"])
    assert re.search(r"Generated at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text)


def assert_stamped_csv(data: bytes, expected: dict, key: str, synthetic: bool) -> None:
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(frame.columns[-len(STAMP_COLUMNS):]) == list(STAMP_COLUMNS), key  # last, in a fixed order
    about = frame.iloc[0] if len(frame) else None
    assert about is not None, f"{key}: an empty download says nothing about its data"
    assert str(about["about_data_version"]) == expected["data_version"]
    assert bool(about["about_synthetic_demo_data"]) is synthetic, key  # what this file holds is synthetic
    assert about["about_figures_published_by"].split("; ") == expected["publishers"]
    assert all(r in about["about_reference_data"] for r in expected["references"])
    dt.datetime.strptime(about["about_generated_at"], "%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_download_carries_the_stamp(open_page, live, expected, page):
    params, keys = PAGES[page]
    at = open_page(live, page, **params)
    files = downloads(at)
    assert keys <= set(files), sorted(files)
    for key, data in files.items():
        if key.endswith(OTHER_FORMATS):
            continue  # checked against their CSV below
        if data.startswith(b"PK") and key == "report_download":  # a report: the stamp is its Notes sheet
            notes = dict(load_workbook(io.BytesIO(data))["Notes"].iter_rows(min_row=2, values_only=True))
            assert notes["Data version"] == expected["data_version"]
            assert notes["Synthetic demo data"].startswith("Yes")
            assert all(p in notes["Figures published by"] for p in expected["publishers"])
            assert all(r in notes["Reference data (licence, snapshot)"] for r in expected["references"])
        elif data.startswith(b"PK"):  # the Excel template: the stamp is on its instructions sheet
            book = load_workbook(io.BytesIO(data))
            rows = [str(row[0]) for row in book["How to fill in"].iter_rows(values_only=True)]
            assert_stamped_lines(rows, expected, page not in REAL_ON_THE_DEMO)
        else:
            assert_stamped_csv(data, expected, key, page not in REAL_ON_THE_DEMO)
    csvs = {key for key, data in files.items() if not key.endswith(OTHER_FORMATS) and not data.startswith(b"PK")}
    offered = {key for key in csvs if key not in ONLY_AS_CSV}
    for key in offered:
        assert {f"{key}_xlsx", f"{key}_csvw"} <= set(files), f"{page}: {key} is not offered as a workbook and CSVW"
        assert_the_forms_agree(files[key], files[f"{key}_xlsx"], files[f"{key}_csvw"], key)


def test_the_stamp_cannot_be_replaced_by_a_page():
    with pytest.raises(ValueError, match="belong to the export stamp"):
        csv_bytes(pd.DataFrame({"x": [1]}), fixed_stamp(), {"data_version": "made up"})


def test_the_stamp_says_when_data_is_not_synthetic():
    frame = pd.read_csv(io.BytesIO(csv_bytes(pd.DataFrame({"x": [1]}), fixed_stamp(synthetic=False))))
    assert not frame.loc[0, "about_synthetic_demo_data"]
    assert isinstance(fixed_stamp(), ExportStamp)


def _calls(pattern: str) -> dict[str, int]:
    """{dashboard file: how many times ``pattern`` occurs in its code}."""
    found = {}
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        count = len(re.findall(pattern, path.read_text(encoding="utf-8")))
        if count:
            found[str(path.relative_to(ROOT))] = count
    return found


def test_one_builder_one_button_one_trio():
    assert set(_calls(r"\.to_csv\(")) == {"dashboard/common/exports.py"}
    assert set(_calls(r"\bst\.download_button\(|\.download_button\(")) == {"dashboard/common/widgets.py"}
    assert set(_calls(r"\.plotly_chart\(")) == {"dashboard/common/widgets.py"}
    assert set(_calls(r"\.tabs\(")) == {"dashboard/common/widgets.py"}
