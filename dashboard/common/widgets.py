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

from dashboard.common.register import DEFAULT_COUNCIL, council_choices
from dashboard.common.urlstate import url_selectbox
from dashboard.warehouse import Warehouse

__all__ = ["CSV_CAPTION", "chart_table_download", "choose_council", "download_button"]

CSV_CAPTION = "UTF-8 CSV for Excel and pandas; the about_ columns say how it was made and from which data."
CSV_MIME = "text/csv"


def choose_council(wh: Warehouse, container: Any = st) -> tuple[str, str]:
    """The council (URL key ``council``), current and former ones; returns (code, short name)."""
    choices = council_choices(wh)
    labels = dict(zip(choices["authority_code"], choices["label"], strict=True))
    code = url_selectbox(
        "Council",
        list(labels),
        key="council",
        default=DEFAULT_COUNCIL,
        format_func=lambda c: labels[c],
        container=container,
    )
    names = dict(zip(choices["authority_code"], choices["short_name"], strict=True))
    return code, names[code]


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
) -> None:
    """One chart as the trio of tabs: the plotly chart, the same data as a table, the CSV.

    ``caption`` (Markdown-safe text) goes under the chart; ``column_config`` formats the table.
    Keys: ``<key>_chart``, ``<key>_table``, ``<key>_download``.
    """
    chart_tab, table_tab, download_tab = st.tabs(["Chart", "Table", "Download"])
    with chart_tab:
        st.plotly_chart(figure, key=f"{key}_chart", config={"displaylogo": False})
        if caption:
            st.caption(caption)
    with table_tab:
        st.dataframe(table, hide_index=True, key=f"{key}_table", column_config=column_config)
    with download_tab:
        download_button(download_label, csv, file_name=file_name, key=f"{key}_download", caption=download_caption)
