"""Council profile: one council against its peer group in one period, indicator by indicator."""

import streamlit as st

from dashboard import benchmark, peer_exports, peer_ui
from dashboard.ui import open_warehouse
from dashboard.urlstate import show_url_notices, url_selectbox

ALL_THEMES = "All themes"  # the theme filter's "no filter" choice

wh = open_warehouse()
st.title("Council profile")
st.write(
    "How a council compares with its peer group on every indicator: its value, the "
    "group's median and quartiles, its rank and quartile band, and its change since the "
    "previous period."
)
notices = st.container()

left, middle, right = st.columns(3)
council, council_name = peer_ui.choose_council(wh, container=middle)
period = peer_ui.choose_period(wh, default=benchmark.default_period(wh, council), container=left)
theme = url_selectbox("Theme", [ALL_THEMES, *benchmark.themes(wh)], key="theme", container=right)
group = peer_ui.choose_group(wh, council, period, container=left)
with notices:
    show_url_notices()

st.subheader(f"{peer_ui.plain(council_name)} in {peer_ui.plain(period)}")
peer_ui.show_group(group, council_name)

chosen_theme = None if theme == ALL_THEMES else theme
profile = benchmark.peer_profile(wh, group, period, chosen_theme)
st.dataframe(
    benchmark.profile_display(profile),
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
    + benchmark.RANK_METHOD
    + ". Quartiles: "
    + benchmark.QUARTILE_METHOD
    + ". Band: "
    + benchmark.BAND_METHOD
    + ". Change: "
    + benchmark.CHANGE_METHOD.replace("previous_consecutive is false", "'Gap in series' says Yes")
    + ". Neutral indicators (Better: Neither) are described as higher or lower, never better or worse."
)

meta = wh.scalar_meta()
st.subheader("Downloads")
download_left, download_right = st.columns(2)
with download_left:
    st.download_button(
        "Download the peer comparison (CSV)",
        peer_exports.profile_csv(profile, group, council_name, meta, theme=chosen_theme),
        file_name=peer_ui.file_name("peer-comparison", council, period, group.spec.kind),
        mime="text/csv",
        key="profile_download",
        on_click="ignore",
    )
    st.caption(
        "One row per indicator shown above, with the peer statistics; the about_ columns "
        "record the peer group, its members, the methods and the data version."
    )
with download_right:
    indicator = peer_ui.choose_indicator(wh)
    values = benchmark.peer_values(wh, group, indicator["indicator_id"], period)
    st.download_button(
        "Download the peer group's values for this indicator (CSV)",
        peer_exports.group_values_csv(values, group, indicator, meta),
        file_name=peer_ui.file_name("peer-values", indicator["indicator_id"], council, period),
        mime="text/csv",
        key="group_values_download",
        on_click="ignore",
    )
