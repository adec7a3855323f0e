"""Widgets every page shares: the council picker, the Chart / Table / Download trio and the one
download button.

Every chart is shown through :func:`chart_table_download` (the chart, the same figures as a
table for screen readers, and the CSV), every file through :func:`download_button`, whose bytes
come from ``common.exports`` (stamped with the data version, attribution and demo flag).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.common import catalogue, limits
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
    "it was made and from which data."
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


def download_button(
    label: str,
    data: bytes,
    file_name: str,
    key: str,
    caption: str = "",
    mime: str = CSV_MIME,
    container: Any = st,
) -> None:
    """A download of ``data`` (built by ``common.exports``), with an optional caption under it.

    ``on_click="ignore"``: downloading never reruns the page.
    """
    container.download_button(label, data, file_name=file_name, mime=mime, key=key, on_click="ignore")
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
