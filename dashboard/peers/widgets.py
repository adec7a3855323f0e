"""Widgets the peer pages share: choosing the period, peer group and indicator, and showing who
is in the group.

Every choice goes through :mod:`dashboard.common.urlstate`, so the URL reproduces the view.
Names from the data are shown through :func:`~dashboard.common.text.markdown` or in tables,
never as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.common.bands import MIN_BAND_N
from dashboard.common.periods import value_periods
from dashboard.common.text import markdown
from dashboard.common.urlstate import url_multiselect, url_selectbox
from dashboard.common.widgets import choose_indicator, data_table
from dashboard.peers.groups import DEFAULT_KIND, GROUP_KINDS, PeerGroup, PeerGroupSpec, SetKind, resolve_peer_group
from dashboard.warehouse import Warehouse

__all__ = ["choose_group", "choose_indicator", "choose_period", "show_group"]


def choose_period(
    wh: Warehouse, key: str = "period", label: str = "Period", default: str | None = None, container: Any = st
) -> str:
    """A period with indicator values (newest first), kept in the URL under ``key``."""
    return url_selectbox(label, value_periods(wh), key=key, default=default, container=container)


def choose_group(wh: Warehouse, council: str, period: str, container: Any = st, details: Any = None) -> PeerGroup:
    """The peer group kind (URL key ``group``) and, for a custom group, its councils (``peers``),
    resolved for ``period``; for a stored-set kind, the set (``set``). The councils or set are
    chosen in ``details`` (default: ``container``), e.g. a full-width row under a row of choices,
    so the keyboard reaches them after the row, in reading order."""
    details = container if details is None else details
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
            container=details,
            placeholder="Pick councils",
        )
    set_id = None
    group_kind = GROUP_KINDS[kind]
    if isinstance(group_kind, SetKind):  # kinds backed by stored sets (neighbours, family)
        sets = group_kind.sets(wh)
        if not sets.empty:
            set_names = dict(zip(sets["set_id"], sets["name"], strict=True))
            set_id = url_selectbox(
                "Peer set", list(set_names), key="set", format_func=lambda s: set_names[s], container=details
            )
    return resolve_peer_group(wh, PeerGroupSpec(kind, council, tuple(custom), set_id=set_id, period=period))


def show_group(group: PeerGroup, council_name: str) -> None:
    """The group's definition, warnings for odd groups, and its members in an expander."""
    st.caption(f"Peer group: {markdown(group.label)}. {markdown(group.description)}; {group.size} councils.")
    if not group.includes_council:
        st.warning(
            f"{markdown(council_name)} did not exist in {markdown(group.spec.period)}, so it has no "
            "rank there. Choose a period when it existed."
        )
    if group.size < MIN_BAND_N:
        st.info(
            f"This peer group has only {group.size} councils: quartile bands need at least "
            f"{MIN_BAND_N}. Choose a wider group or add councils."
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
        data_table(table, key="group_members")
