"""Widgets the peer pages share: choosing the council, peer group and period, showing who is
in the group, and the Chart / Table / Download trio.

Every choice goes through :mod:`dashboard.urlstate`, so the URL reproduces the view. Names
from the data are shown through :func:`plain` (Markdown escaped) or in tables, never as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import benchmark
from dashboard.peers import (
    DEFAULT_KIND,
    GROUP_KINDS,
    PeerGroup,
    PeerGroupSpec,
    resolve_peer_group,
)
from dashboard.urlstate import url_multiselect, url_selectbox

__all__ = [
    "DEFAULT_COUNCIL",
    "chart_table_download",
    "choose_council",
    "choose_group",
    "choose_indicator",
    "choose_period",
    "file_name",
    "plain",
    "show_group",
]

DEFAULT_COUNCIL = "E08000025"  # Birmingham: the largest council, with a series in every period
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")  # all Markdown/emoji/LaTeX triggers


def plain(text: object) -> str:
    """``text`` with every Markdown, LaTeX and emoji-shortcode character escaped, so data
    names show literally in ``st.markdown``/``st.caption``/titles."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def file_name(*parts: object) -> str:
    """A download file name from ``parts``: letters, digits and dashes only (``2024/25`` -> ``2024-25``)."""
    text = "-".join(str(p) for p in parts)
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") + ".csv"


def choose_period(
    wh: Any, key: str = "period", label: str = "Period", default: str | None = None, container: Any = st
) -> str:
    """A period with indicator values (newest first), kept in the URL under ``key``."""
    return url_selectbox(label, benchmark.value_periods(wh), key=key, default=default, container=container)


def choose_council(wh: Any, container: Any = st) -> tuple[str, str]:
    """The council (URL key ``council``); returns (code, short name)."""
    choices = wh.query("council_choices")
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


def choose_group(wh: Any, council: str, period: str, container: Any = st) -> PeerGroup:
    """The peer group kind (URL key ``group``) and, for a custom group, its councils (``peers``),
    resolved for ``period``."""
    kind = url_selectbox(
        "Peer group",
        list(GROUP_KINDS),
        key="group",
        default=DEFAULT_KIND,
        format_func=lambda k: GROUP_KINDS[k].label,
        container=container,
    )
    custom: Sequence[str] = ()
    if kind == "custom":
        candidates = wh.query("peer_candidates", period=period)
        names = dict(zip(candidates["authority_code"], candidates["short_name"], strict=True))
        options = [c for c in names if c != council]
        custom = url_multiselect(
            "Councils to compare with",
            options,
            key="peers",
            format_func=lambda c: f"{names[c]} ({c})",
            container=container,
            placeholder="Pick councils",
        )
    set_id = None
    group_kind: Any = GROUP_KINDS[kind]  # only some kinds have .sets (checked below)
    if hasattr(group_kind, "sets"):  # kinds backed by stored sets (neighbours, family)
        sets = group_kind.sets(wh)
        if not sets.empty:
            names = dict(zip(sets["set_id"], sets["name"], strict=True))
            set_id = url_selectbox(
                "Peer set", list(names), key="set", format_func=lambda s: names[s], container=container
            )
    return resolve_peer_group(wh, PeerGroupSpec(kind, council, tuple(custom), set_id=set_id, period=period))


def show_group(group: PeerGroup, council_name: str) -> None:
    """The group's definition, warnings for odd groups, and its members in an expander."""
    st.caption(f"Peer group: {plain(group.label)}. {plain(group.description)}; {group.size} councils.")
    if not group.includes_council:
        st.warning(
            f"{plain(council_name)} did not exist in {plain(group.spec.period)}, so it has no "
            "rank there. Choose a period when it existed."
        )
    if group.size < benchmark.MIN_BAND_N:
        st.info(
            f"This peer group has only {group.size} councils: quartile bands need at least "
            f"{benchmark.MIN_BAND_N}. Choose a wider group or add councils."
        )
    with st.expander(f"Who is in the peer group ({group.size} councils)"):
        members = group.members_frame
        table = pd.DataFrame(
            {
                "Council": members.get("short_name", pd.Series(dtype=str)),
                "Code": members.get("authority_code", pd.Series(dtype=str)),
                "Type": members.get("authority_type", pd.Series(dtype=str)),
                "Region": members.get("region", pd.Series(dtype=str)),
                "Nation": members.get("nation", pd.Series(dtype=str)),
            }
        )
        st.dataframe(table, hide_index=True, key="group_members")


def choose_indicator(wh: Any, container: Any = st) -> pd.Series:
    """The indicator (URL key ``indicator``); returns its definition row."""
    indicators = benchmark.indicator_list(wh).set_index("indicator_id", drop=False)
    indicator = url_selectbox(
        "Indicator",
        list(indicators.index),
        key="indicator",
        format_func=lambda i: f"{indicators.at[i, 'name']!s} ({indicators.at[i, 'theme']!s})",
        container=container,
    )
    return indicators.loc[indicator]


def chart_table_download(
    figure: Any, table: pd.DataFrame, csv: bytes, file_name: str, key: str, caption: str = ""
) -> None:
    """One chart as the trio of tabs: the plotly chart, the same data as a table, the CSV."""
    chart_tab, table_tab, download_tab = st.tabs(["Chart", "Table", "Download"])
    with chart_tab:
        st.plotly_chart(figure, key=f"{key}_chart", config={"displaylogo": False})
        if caption:
            st.caption(caption)
    with table_tab:
        st.dataframe(table, hide_index=True, key=f"{key}_table")
    with download_tab:
        st.download_button(
            "Download CSV", csv, file_name=file_name, mime="text/csv", key=f"{key}_download", on_click="ignore"
        )
        st.caption("UTF-8 CSV for Excel and pandas; the about_ columns say how it was made.")
