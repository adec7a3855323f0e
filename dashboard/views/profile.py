"""Council profile: one council against its peer group in one period, indicator by indicator."""

import streamlit as st

from dashboard.common.contents import INDICATORS
from dashboard.common.exports import export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import file_name, markdown
from dashboard.common.urlstate import show_url_notices, url_selectbox
from dashboard.common.widgets import choose_council, download_button
from dashboard.peers import exports, statistics, widgets

ALL_THEMES = "All themes"  # the theme filter's "no filter" choice

wh = open_warehouse(shows=[INDICATORS])
st.title("Council profile")
st.write(
    "How a council compares with its peer group on every indicator: its value, the "
    "group's median and quartiles, its rank and quartile band, and its change since the "
    "previous period."
)
notices = st.container()

left, middle, right = st.columns(3)
council, council_name = choose_council(wh, container=middle)
period = widgets.choose_period(wh, default=statistics.default_period(wh, council), container=left)
theme = url_selectbox("Theme", [ALL_THEMES, *statistics.themes(wh)], key="theme", container=right)
group = widgets.choose_group(wh, council, period, container=left)
with notices:
    show_url_notices()

st.subheader(f"{markdown(council_name)} in {markdown(period)}")
widgets.show_group(group, council_name)

chosen_theme = None if theme == ALL_THEMES else theme
profile = statistics.peer_profile(wh, group, period, chosen_theme)
st.dataframe(
    statistics.profile_display(profile),
    hide_index=True,
    key="profile_table",
    height=min(40 + 35 * len(profile), 1000),
    column_config={
        "Indicator": st.column_config.TextColumn(pinned=True, width="large"),
        "Theme": st.column_config.TextColumn(width="small"),
    },
)
st.caption(
    "Rank: "
    + statistics.RANK_METHOD
    + ". Quartiles: "
    + statistics.QUARTILE_METHOD
    + ". Band: "
    + statistics.BAND_METHOD
    + ". Change: "
    + statistics.CHANGE_METHOD.replace("previous_consecutive is false", "'Gap in series' says Yes")
    + ". Neutral indicators (Better: Neither) are described as higher or lower, never better or worse."
)

stamp = export_stamp(wh)
st.subheader("Downloads")
download_left, download_right = st.columns(2)
with download_left:
    download_button(
        "Download the peer comparison (CSV)",
        exports.profile_csv(profile, group, council_name, stamp, theme=chosen_theme),
        file_name=file_name("peer-comparison", council, period, group.spec.kind),
        key="profile_download",
        caption="One row per indicator shown above, with the peer statistics; the about_ columns "
        "record the peer group, its members, the methods, the data version and its sources.",
    )
with download_right:
    indicator = widgets.choose_indicator(wh)
    values = statistics.peer_values(wh, group, indicator["indicator_id"], period)
    download_button(
        "Download the peer group's values for this indicator (CSV)",
        exports.group_values_csv(values, group, indicator, stamp),
        file_name=file_name("peer-values", indicator["indicator_id"], council, period),
        key="group_values_download",
    )
