"""Browse: councils filtered by nation, region, type and name; one indicator's key figures and map."""

import streamlit as st

from dashboard.browse import filters as browse
from dashboard.browse.map import council_map, map_caption
from dashboard.common import geography
from dashboard.common.contents import INDICATORS
from dashboard.common.exports import csv_bytes, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import decimals_or_default, file_name, format_value, markdown
from dashboard.common.urlstate import (
    show_url_notices,
    url_multiselect,
    url_selectbox,
    url_text,
    url_toggle,
)
from dashboard.common.widgets import chart_table_download, choose_indicator

wh = open_warehouse(shows=[INDICATORS])
st.title("Browse councils")
st.write(
    "Filter councils, choose an indicator and a period, and see where each council stands "
    "among the councils you filtered."
)
notices = st.container()

councils = wh.query("browse_councils")

filters_col, choice_col = st.columns(2)
with filters_col:
    nation_options, _, _ = browse.filter_choices(councils)
    nations = url_multiselect("Nation", nation_options, key="nation", placeholder="All nations")
    _, region_options, _ = browse.filter_choices(councils, nations)
    regions = url_multiselect("Region", region_options, key="region", placeholder="All regions")
    _, _, type_options = browse.filter_choices(councils, nations, regions)
    types = url_multiselect("Authority type", type_options, key="type", placeholder="All types")
with choice_col:
    q = url_text("Council name contains", key="q", placeholder="e.g. Birmingham")
    facts = choose_indicator(wh)
    indicator = str(facts["indicator_id"])
    periods = wh.query("browse_periods", indicator=indicator)["period"].tolist()
    period = url_selectbox("Period", periods, key="period")
    include_former = url_toggle(
        "Include former councils", key="former", help="Councils abolished by reorganisation, e.g. before 2023."
    )
with notices:
    show_url_notices()

filters = browse.BrowseFilters(tuple(nations), tuple(regions), tuple(types), q.strip(), include_former)
frame = browse.browse_frame(wh, indicator, period, filters)
decimals = decimals_or_default(facts["decimals"])
st.caption(
    markdown(
        f"{facts['name']} ({facts['unit']}), {period}: {browse.polarity_sentence(facts['polarity'])}. "
        f"Councils: {filters.describe()}."
    )
)
if frame.empty:
    st.info("No councils match these filters. Clear a filter or the name search to see more.")
    st.stop()

summary = st.columns(4)
summary[0].metric("Councils shown", f"{len(frame):,}")
summary[1].metric("With a value", f"{int(frame['n_values'].iloc[0]):,}")
# a metric's value renders Markdown too, and the unit comes from the data
summary[2].metric(
    "Median of these councils", markdown(format_value(frame["median"].iloc[0], decimals, facts["unit"])) or "–"
)
summary[3].metric(
    "Ranked", f"{int(frame['n_ranked'].iloc[0]):,}", help="Neutral indicators and missing values are not ranked."
)

plan = geography.map_plan(wh, frame, period, frame["value"].notna().tolist())
chart_table_download(
    council_map(plan.councils, plan.shapes, unit=facts["unit"], polarity=facts["polarity"], decimals=decimals),
    browse.display_table(plan.councils),
    csv_bytes(browse.export_frame(plan.councils, period), export_stamp(wh), browse.provenance(filters, len(frame))),
    file_name("exemplar-browse", indicator, period),
    key="browse",
    caption=map_caption(plan),
    download_label="Download these councils' figures (CSV)",
    download_caption="UTF-8 CSV that opens in Excel; it says how it was made (filters, rank method, "
    "data version, sources).",
    column_config={"Value": st.column_config.NumberColumn(f"Value ({facts['unit']})", format=f"%.{decimals}f")},
)
