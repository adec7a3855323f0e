"""The blank self-assessment template a council downloads, fills in and uploads.

Pure functions from the framework (the ``sa_questions`` frame) to bytes: a CSV and an Excel
workbook with the same columns. One row per question with its text, role and level
descriptors, and an empty ``score`` column; ``council``, ``round`` and ``framework`` travel on
every row so an upload can be checked against what the council chose on the page. Both carry the
export stamp (data version, demo flag, attribution, when generated): the CSV as ``about_*``
columns, the workbook on its instructions sheet.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from dashboard.common.exports import ExportStamp, csv_bytes, excel_safe
from etl.submission import LEVEL_COLUMNS, SHEET_NAME, framework_id

__all__ = [
    "LEVEL_COLUMNS",
    "TEMPLATE_COLUMNS",
    "SHEET_NAME",
    "framework_id",
    "template_frame",
    "template_csv",
    "template_xlsx",
]

# The columns of the template, in order; ``score`` is the one a council fills in.
TEMPLATE_COLUMNS = [
    "council",
    "round",
    "framework",
    "question_id",
    "theme",
    "role",
    "question",
    *LEVEL_COLUMNS,
    "score",
]
README_SHEET = "How to fill in"
# Column widths in the workbook (characters), so the long texts are readable without resizing.
XLSX_WIDTHS = {"question": 60, **{c: 28 for c in LEVEL_COLUMNS}, "score": 8}


def template_frame(questions: pd.DataFrame, council: str = "", round: str = "") -> pd.DataFrame:
    """The template as a frame: one row per question, ``score`` empty; ``council`` and
    ``round`` filled when given (a blank template leaves them for the council to fill)."""
    frame = pd.DataFrame(
        {
            "council": council,
            "round": round,
            "framework": framework_id(questions),
            "question_id": questions["question_id"].astype(str),
            "theme": questions["theme"].astype(str),
            "role": questions["role"].astype(str),
            "question": questions["text"].astype(str),
            **{c: questions[c].fillna("").astype(str) for c in LEVEL_COLUMNS},
            "score": "",
        },
        index=range(len(questions)),
    )
    return frame[TEMPLATE_COLUMNS]


def template_csv(questions: pd.DataFrame, council: str = "", round: str = "", *, stamp: ExportStamp) -> bytes:
    """The template as UTF-8 CSV bytes (with BOM, Excel-safe; the upload check ignores the
    ``about_*`` provenance columns ``csv_bytes`` adds)."""
    frame = template_frame(questions, council, round)
    return csv_bytes(frame, stamp, {"framework": frame["framework"].iat[0] if len(frame) else ""})


def template_xlsx(questions: pd.DataFrame, council: str = "", round: str = "", *, stamp: ExportStamp) -> bytes:
    """The template as an Excel workbook (.xlsx, no macros): the answer sheet, with a whole
    number 1-5 rule on the score column, and a sheet of instructions ending with the stamp."""
    frame = excel_safe(template_frame(questions, council, round))
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAME
    sheet.append(list(frame.columns))
    for record in frame.itertuples(index=False):
        sheet.append([str(v) for v in record])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(frame.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = XLSX_WIDTHS.get(column, 14)
        if column in XLSX_WIDTHS:
            for cell in sheet[letter][1:]:
                cell.alignment = wrap
    score_letter = sheet.cell(row=1, column=len(frame.columns)).column_letter
    rule = DataValidation(
        type="whole",
        operator="between",
        formula1="1",
        formula2="5",
        showErrorMessage=True,
        error="Enter a whole number from 1 to 5.",
    )
    if len(frame):
        rule.add(f"{score_letter}2:{score_letter}{len(frame) + 1}")
        sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(README_SHEET)
    for line in [*_instructions(), "", *stamp.lines()]:
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _instructions() -> list[str]:
    return [
        "Exemplar self-assessment template",
        "Give every question a score: a whole number from 1 to 5 in the 'score' column.",
        "The level_1 ... level_5 columns say what each score means for that question.",
        "Fill 'council' with your council's code and 'round' with the assessment round "
        "(they are already filled when you downloaded the template for a council and round).",
        "Do not change question_id or framework, do not add formulas, and save as .xlsx (not .xlsm) or as CSV (UTF-8).",
        "Upload the file on the 'Submit a self-assessment' page.",
    ]
