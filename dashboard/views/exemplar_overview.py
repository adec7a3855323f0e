"""Exemplars across the UK: how many exemplars each region has per authority type, and a map.

The rule runs separately in every (authority type, region) group, so each council is judged
against councils of its own type in its own region."""

import streamlit as st

from dashboard.common.contents import ANSWERS, INDICATORS
from dashboard.common.exports import csv_bytes, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import file_name, markdown
from dashboard.common.urlstate import show_url_notices, url_selectbox
from dashboard.common.widgets import chart_table_download
from dashboard.exemplars.charts import exemplar_map, overview_heatmap
from dashboard.exemplars.widgets import choose_method, choose_period
from dashboard.views.compose import national_overview

ALL_TYPES = "All types"  # the map's choice that shows every authority type

wh = open_warehouse(shows=[INDICATORS, ANSWERS])
st.title("Exemplars across the UK")
st.write(
    "The exemplar rule applied within every authority type in every region: the map of "
    "assets at national, regional and local level."
)
st.page_link("dashboard/views/exemplar_method.py", label="How exemplars are chosen", icon="📖")
period = choose_period(wh)
method = choose_method(wh, resampling=False)
show_url_notices()

stamp = export_stamp(wh)
overview = national_overview(wh, stamp.data_version, period, method)
st.caption(markdown(f"Rule: {method.rule.describe()}. Groups: authority type x region in {period}."))
provenance = {
    "period": period,
    "rule": method.rule.describe(),
    "groups": "authority type x region",
    "indicators": "; ".join(method.indicators),
    "method": "docs/exemplar-method.md",
}

st.subheader("Exemplars per region and authority type")
counts = overview.pivot_table(index="region", columns="authority_type", values="is_exemplar", aggfunc="sum")
sizes = overview.groupby(["region", "authority_type"], as_index=False).agg(
    councils=("authority_code", "count"), ranked=("composite", "count"), exemplars=("is_exemplar", "sum")
)
chart_table_download(
    overview_heatmap(counts),
    sizes.rename(
        columns={
            "region": "Region",
            "authority_type": "Authority type",
            "councils": "Councils",
            "ranked": "Ranked",
            "exemplars": "Exemplars",
        }
    ),
    csv_bytes(sizes, stamp, provenance),
    file_name("exemplars-by-region", period),
    key="overview",
    download_label="Download the counts (CSV)",
)

st.subheader("Map of councils, exemplars marked")
types = sorted(overview["authority_type"].unique())
shown_type = url_selectbox("Authority type on the map", [ALL_TYPES, *types], key="type", default=ALL_TYPES)
on_map = overview if shown_type == ALL_TYPES else overview[overview["authority_type"] == shown_type]
exemplars = on_map[on_map["is_exemplar"]]
listing = exemplars[["short_name", "authority_type", "region", "composite_rank", "n_composite"]].rename(
    columns={
        "short_name": "Council",
        "authority_type": "Authority type",
        "region": "Region",
        "composite_rank": "Rank in group",
        "n_composite": "Ranked in group",
    }
)
chart_table_download(
    exemplar_map(on_map),
    listing,
    csv_bytes(listing, stamp, provenance),
    file_name("exemplars", period),
    key="overview_exemplars",
    caption="Exemplars are blue stars; other councils grey open circles. "
    f"{int(on_map['lat'].isna().sum())} councils have no centroid and are not drawn.",
    download_label="Download the exemplars (CSV)",
)
