"""Widgets every page shares: the council picker, the Chart / Table / Download trio and the one
download button.

Every chart is shown through :func:`chart_table_download` (the chart, the same figures as a
table for screen readers, and the CSV), every file through :func:`download_button`, whose bytes
come from ``common.exports`` (stamped with the data version, attribution and demo flag). Every
CSV is offered together with the same table as an Excel workbook with notes and with its CSV on
the Web metadata, so no page has to offer them itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.common import catalogue, limits
from dashboard.common.exports import (
    CSVW_MIME,
    XLSX_MIME,
    CsvExport,
    csv_workbook_bytes,
    csvw_file_name,
    csvw_metadata,
)
from dashboard.common.register import DEFAULT_COUNCIL, council_choices
from dashboard.common.text import markdown
from dashboard.common.urlstate import url_number, url_selectbox, url_text
from dashboard.warehouse import Warehouse

__all__ = [
    "CSV_CAPTION",
    "chart_table_download",
    "choose_council",
    "choose_indicator",
    "choose_page",
    "data_table",
    "download_button",
    "print_chart",
    "print_friendly",
    "print_hidden",
    "remembered_council",
]

CSV_CAPTION = (
    "A CSV file for Excel or any data tool. The last columns, whose names start with about, say how "
    "it was made and from which data. The Excel workbook holds the same rows, with a Notes sheet "
    "saying the same in words; the CSV metadata file describes each column (title, type, unit) "
    "in the W3C's CSV on the Web form, for data tools."
)
# The other forms' buttons sit beside the CSV's, so short labels say what each is (longer ones
# are cut off in a narrow column); the tooltip says what it holds.
XLSX_LABEL = "Excel workbook"
XLSX_HELP = "The same rows as the CSV beside it, in an Excel workbook whose Notes sheet says how it was made."
CSVW_LABEL = "CSV metadata (CSVW)"
CSVW_HELP = (
    "A description of the CSV beside it for data tools: each column's title, type and unit, and where the "
    "figures come from, in the W3C's CSV on the Web form. Save it in the same folder as the CSV."
)
CSV_MIME = "text/csv"
MISSING_CELL = ""  # a missing value shows as an empty cell, never as "None"
_REMEMBERED = "_council_chosen"  # session key: the council last chosen on any page


def remembered_council(default: str = DEFAULT_COUNCIL) -> str:
    """The council this reader last chose on any page (pages forget their widgets when the reader
    moves on), else ``default``: the default of every other council choice, such as "Compare
    with", so a page opens on the reader's own council rather than the first in the alphabet."""
    return str(st.session_state.get(_REMEMBERED, default))


def choose_council(wh: Warehouse, container: Any = st) -> tuple[str, str]:
    """The council (URL key ``council``), current and former ones; returns (code, short name).

    Without a council in the URL it opens on :func:`remembered_council`.
    """
    choices = council_choices(wh)
    labels = dict(zip(choices["authority_code"], choices["label"], strict=True))
    code = url_selectbox(
        "Council",
        list(labels),
        key="council",
        default=remembered_council(),
        format_func=lambda c: labels[c],
        container=container,
    )
    st.session_state[_REMEMBERED] = code
    names = dict(zip(choices["authority_code"], choices["short_name"], strict=True))
    return code, names[code]


def choose_indicator(wh: Warehouse, container: Any = st, key: str = "indicator") -> pd.Series:
    """The indicator (URL key ``key``); returns its definition row (``indicator_list``'s columns).

    Up to :data:`~dashboard.common.limits.MENU_LIMIT` indicators the menu lists them all. Above
    that a search box (URL key ``find``) comes first and the menu lists the first matches in
    theme order, always with the indicator already chosen (or named in the link), so any
    indicator can be reached and a link to one keeps working however many there are.
    """
    limit = limits.MENU_LIMIT
    total = catalogue.indicator_count(wh)
    find = ""
    if total > limit:
        find = url_text(
            "Find an indicator", key="find", placeholder="Part of a name, theme or code", container=container
        ).strip()
    current = st.session_state.get(key) or st.query_params.get(key)
    chosen = [current] if current else []
    menu = catalogue.indicator_menu(wh, find, chosen, limit)
    if find and not menu["matched"].any():
        container.warning(f"No indicator's name, theme or code contains {markdown(repr(find))}.")
        menu = catalogue.indicator_menu(wh, "", chosen, limit)
    menu = menu.set_index("indicator_id", drop=False)
    indicator = url_selectbox(
        "Indicator",
        list(menu.index),
        key=key,
        format_func=lambda i: f"{menu.at[i, 'name']!s} ({menu.at[i, 'theme']!s})",
        container=container,
    )
    if total > limit:
        which = "that match" if find else "in theme order"
        container.caption(
            f"{total:,} indicators: the menu lists the first {limit:,} {which}. "
            "Type in Find an indicator to reach any other."
        )
    return menu.loc[indicator]


def choose_page(total: int, size: int, key: str = "page", what: str = "indicators", container: Any = st) -> int:
    """Which page of ``size`` items out of ``total`` to show (URL key ``key``, 1-based, default
    1 and then left out of the URL); a notice says which items are shown and how to see the
    others. Draws nothing and returns 1 when everything fits on one page."""
    pages = limits.page_count(total, size)
    if pages == 1:
        return 1
    if isinstance(st.session_state.get(key), int) and st.session_state[key] > pages:
        st.session_state[key] = pages  # a narrower choice (a theme) has fewer pages than before
    page = int(
        url_number(
            f"Page (1 to {pages:,}, {size:,} {what} each)",
            key=key,
            default=1,
            min_value=1,
            max_value=pages,
            step=1,
            container=container,
            omit_default=True,
        )
    )
    container.info(
        f"Showing {limits.page_range_text(page, size, total, what)}: one page at a time keeps the "
        "page quick. Change the page number, or narrow the choice, to see the others."
    )
    return page


def data_table(frame: Any, key: str, container: Any = st, **kwargs: Any) -> None:
    """A table (``st.dataframe``) without the index, whose missing values show as empty cells
    rather than "None"; ``kwargs`` go to ``st.dataframe`` (column_config, height...)."""
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("placeholder", MISSING_CELL)
    container.dataframe(frame, key=key, **kwargs)


def _other_forms(file_name: str, data: CsvExport, key: str) -> list[tuple[str, Any, str, str, str, str | None]]:
    """The CSV's table as a workbook and its CSVW metadata: (label, builder, file name, type, key, help).

    Each is built when the reader clicks (Streamlit runs the builder then), not on every run of
    the page: most readers never download them, and a workbook costs more than the CSV."""
    workbook = partial(csv_workbook_bytes, data.frame, data.stamp, data.provenance)
    metadata = partial(csvw_metadata, data.frame, file_name, data.stamp, data.provenance)
    return [
        (XLSX_LABEL, workbook, f"{file_name.removesuffix('.csv')}.xlsx", XLSX_MIME, f"{key}_xlsx", XLSX_HELP),
        (CSVW_LABEL, metadata, csvw_file_name(file_name), CSVW_MIME, f"{key}_csvw", CSVW_HELP),
    ]


def download_button(
    label: str,
    data: bytes,
    file_name: str,
    key: str,
    caption: str = "",
    mime: str = CSV_MIME,
    container: Any = st,
    *,
    other_formats: bool = True,
) -> None:
    """A download of ``data`` (built by ``common.exports``), with an optional caption under it.

    A CSV from :func:`dashboard.common.exports.csv_bytes` comes with two more buttons in the same
    row (unless ``other_formats`` is false): the same table as an Excel workbook with a Notes
    sheet (key ``<key>_xlsx``, file ``<name>.xlsx``) and its CSV on the Web metadata (key
    ``<key>_csvw``, file ``<name>.csv-metadata.json``), both built when clicked.
    ``on_click="ignore"``: downloading never reruns the page.
    """
    files: list[tuple[str, Any, str, str, str, str | None]] = [(label, data, file_name, mime, key, None)]
    row = container
    if other_formats and isinstance(data, CsvExport):
        row = container.container(horizontal=True, key=f"{key}_formats")  # the forms side by side
        files += _other_forms(file_name, data, key)
    for shown, content, name, kind, widget_key, tip in files:
        row.download_button(shown, content, file_name=name, mime=kind, key=widget_key, help=tip, on_click="ignore")
    if caption:
        container.caption(caption)


def chart_table_download(
    figure: Any,
    table: pd.DataFrame,
    csv: bytes,
    file_name: str,
    key: str,
    caption: str = "",
    *,
    download_label: str = "Download CSV",
    download_caption: str = CSV_CAPTION,
    column_config: Mapping[str, Any] | None = None,
    alt: str | None = None,
) -> None:
    """One chart as the trio of tabs: the plotly chart, the same data as a table, the CSV.

    ``caption`` (Markdown-safe text) goes under the chart; ``column_config`` formats the table;
    ``alt`` (plain text) names the chart for screen readers. Keys: ``<key>_chart``,
    ``<key>_table``, ``<key>_download``.
    """
    chart_tab, table_tab, download_tab = st.tabs(["Chart", "Table", "Download"])
    with chart_tab:
        st.plotly_chart(figure, key=f"{key}_chart", config={"displaylogo": False}, alt=alt)
        if caption:
            st.caption(caption)
    with table_tab:
        data_table(table, key=f"{key}_table", column_config=column_config)
    with download_tab:
        download_button(download_label, csv, file_name=file_name, key=f"{key}_download", caption=download_caption)


# Printing a page (the browser's Print, or "Save as PDF") leaves out Streamlit's menus and every
# container made by :func:`print_hidden`; charts are not split across pages. A constant style
# sheet, no data in it.
_PRINT_STYLE = """<style>
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stSidebarCollapsedControl"],
  [class*="st-key-print_hidden"] { display: none !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  /* the app scrolls inside a full-height box on screen; on paper it flows from page to page */
  .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
    overflow: visible !important; height: auto !important; position: static !important; }
  [data-testid="stMetric"], tr { break-inside: avoid; }
  /* a table flows across pages (an inline table would jump whole to the next page) */
  [data-testid="stTable"], [data-testid="stTable"] > div { overflow: visible !important; }
  [data-testid="stTableStyledTable"] { display: table !important; width: 100% !important; }
  h1, h2, h3, h4 { break-after: avoid; }
}
</style>"""


def print_chart(figure: Any, key: str, caption: str = "", alt: str | None = None) -> None:
    """A chart laid out for printing: drawn at the figure's own width (a printed page does not
    resize a chart drawn for the screen), still, with no tabs; its figures are in the page's
    table. ``caption`` is Markdown-safe text."""
    st.plotly_chart(figure, key=f"{key}_chart", width="content", config={"staticPlot": True}, alt=alt)
    if caption:
        st.caption(caption)


def print_friendly() -> None:
    """Make the page print cleanly: Streamlit's menus and :func:`print_hidden` containers are left out."""
    st.html(_PRINT_STYLE)


def print_hidden(name: str, container: Any = st) -> Any:
    """A container (in ``container``) that is shown on screen but left out when the page is
    printed: choices and download buttons. ``name`` makes its key unique on the page."""
    return container.container(key=f"print_hidden_{name}")
