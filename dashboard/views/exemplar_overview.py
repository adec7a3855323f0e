"""Exemplars across the UK: how many exemplars each region has per authority type, and a map.

The rule runs separately in every (authority type, region) group, so each council is judged
against councils of its own type in its own region."""

import streamlit as st

from dashboard.charts.exemplar import exemplar_map, overview_heatmap
from dashboard.exemplar_controls import choose_method, choose_period, national_overview
from dashboard.exports import csv_bytes
from dashboard.ui import open_warehouse
from dashboard.urlstate import show_url_notices, url_selectbox

ALL_TYPES = "All types"  # the map's choice that shows every authority type

wh = open_warehouse()
st.title("Exemplars across the UK")
st.write(
    "The exemplar rule applied within every authority type in every region: the map of "
    "assets at national, regional and local level."
)
st.page_link("dashboard/views/exemplar_method.py", label="How exemplars are chosen", icon="📖")
period = choose_period(wh)
method = choose_method(wh, resampling=False)
show_url_notices()

data_version = wh.scalar_meta().get("data_version", "")
overview = national_overview(wh, data_version, period, method)
st.caption(f"Rule: {method.rule.describe()}. Groups: authority type x region in {period}.")
provenance = {
    "period": period,
    "rule": method.rule.describe(),
    "groups": "authority type x region",
    "indicators": "; ".join(method.indicators),
    "data_version": data_version,
    "method": "docs/exemplar-method.md",
}

st.subheader("Exemplars per region and authority type")
counts = overview.pivot_table(index="region", columns="authority_type", values="is_exemplar", aggfunc="sum")
sizes = overview.groupby(["region", "authority_type"], as_index=False).agg(
    councils=("authority_code", "count"), ranked=("composite", "count"), exemplars=("is_exemplar", "sum")
)
chart_tab, table_tab, download_tab = st.tabs(["Chart", "Table", "Download"])
chart_tab.plotly_chart(overview_heatmap(counts), key="overview_heatmap")
table_tab.dataframe(
    sizes.rename(
        columns={
            "region": "Region",
            "authority_type": "Authority type",
            "councils": "Councils",
            "ranked": "Ranked",
            "exemplars": "Exemplars",
        }
    ),
    hide_index=True,
    key="overview_table",
)
download_tab.download_button(
    "Download the counts (CSV)",
    csv_bytes(sizes, provenance),
    file_name=f"exemplars-by-region-{period.replace('/', '-')}.csv",
    mime="text/csv",
    key="overview_download",
)

st.subheader("Map of councils, exemplars marked")
types = sorted(overview["authority_type"].unique())
shown_type = url_selectbox("Authority type on the map", [ALL_TYPES, *types], key="type", default=ALL_TYPES)
on_map = overview if shown_type == ALL_TYPES else overview[overview["authority_type"] == shown_type]
exemplars = on_map[on_map["is_exemplar"]]
chart_tab, table_tab, download_tab = st.tabs(["Chart", "Table", "Download"])
chart_tab.plotly_chart(exemplar_map(on_map), key="overview_map")
chart_tab.caption(
    "Exemplars are blue stars; other councils grey open circles. "
    f"{int(on_map['lat'].isna().sum())} councils have no centroid and are not drawn."
)
listing = exemplars[["short_name", "authority_type", "region", "composite_rank", "n_composite"]].rename(
    columns={
        "short_name": "Council",
        "authority_type": "Authority type",
        "region": "Region",
        "composite_rank": "Rank in group",
        "n_composite": "Ranked in group",
    }
)
table_tab.dataframe(listing, hide_index=True, key="overview_exemplars")
download_tab.download_button(
    "Download the exemplars (CSV)",
    csv_bytes(listing, provenance),
    file_name=f"exemplars-{period.replace('/', '-')}.csv",
    mime="text/csv",
    key="overview_exemplars_download",
)
