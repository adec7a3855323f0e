"""Former councils: councils abolished by reorganisation, their successors, and a successor's
history continued from its predecessors (marked as derived, and switchable off)."""

import streamlit as st

from dashboard.common.contents import INDICATORS
from dashboard.common.exports import csv_bytes, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import file_name
from dashboard.common.urlstate import show_url_notices, url_selectbox, url_toggle
from dashboard.common.widgets import chart_table_download, download_button
from dashboard.councils import charts, reorg
from dashboard.peers.widgets import choose_indicator

wh = open_warehouse(shows=[INDICATORS])
st.title("Former councils")
st.write(
    "Councils that no longer exist, with the councils that took over their areas. For a "
    "successor council, its history before it existed can be continued from its "
    "predecessors' figures: summed for counts, population-weighted for rates."
)
notices = st.container()
stamp = export_stamp(wh)

former = reorg.former_councils(wh)
table = former.assign(successors=former["successor_names"].map(", ".join)).rename(
    columns={
        "short_name": "Council",
        "authority_code": "Code",
        "authority_type": "Type",
        "region": "Region",
        "end_date": "Abolished",
        "successors": "Successors",
        "notice": "Notice",
    }
)[["Council", "Code", "Type", "Region", "Abolished", "Successors", "Notice"]]
st.dataframe(table, hide_index=True, key="former_table")
download_button(
    "Download the list (CSV)", csv_bytes(table, stamp), file_name="former-councils.csv", key="former_download"
)

st.subheader("History across a reorganisation")
authorities = wh.query("reorg_authorities")
successors = sorted(reorg.predecessors_of(authorities))
labels = dict(zip(authorities["authority_code"], authorities["short_name"], strict=True))
left, middle = st.columns(2)
council = url_selectbox(
    "Successor council",
    successors,
    key="council",
    format_func=lambda c: labels.get(c, c),
    default=reorg.newest_successor(authorities),
    container=left,
)
indicator = choose_indicator(wh, container=middle)
include = url_toggle("Show the predecessors' history (derived)", key="predecessors", default=True)
with notices:
    show_url_notices()

aggregation = reorg.indicator_aggregation(wh, indicator["indicator_id"])
series = reorg.successor_series(wh, council, indicator["indicator_id"], aggregation)
if not include:
    series = series[~series["derived"]]
if series.empty:
    st.info("No values for this council and indicator.")
    st.stop()
if include and not series["derived"].any():
    st.caption(
        "No values could be derived: "
        + (
            "the indicator has no aggregation rule."
            if aggregation not in ("sum", "mean")
            else "the predecessors lack values, a population, or were split between successors."
        )
    )
shown = series.rename(
    columns={
        "period": "Period",
        "value": "Value",
        "derived": "Derived from predecessors",
        "contributors": "Predecessors used",
    }
).drop(columns="period_start")
chart_table_download(
    charts.derived_series(series, indicator["name"], indicator["unit"], labels.get(council, council)),
    shown,
    csv_bytes(
        shown,
        stamp,
        {
            "council": council,
            "indicator": indicator["indicator_id"],
            "aggregation": aggregation or "",
            "method": "see dashboard/councils/reorg.py",
        },
    ),
    file_name("predecessors", council, indicator["indicator_id"]),
    key="reorg",
    caption="Dashed line, open circles: derived from predecessor councils (not published for this council).",
)
