"""Former councils: councils abolished by reorganisation, their successors, and a successor's
history continued from its predecessors (marked as derived, and switchable off)."""

import streamlit as st

from dashboard import exports, peer_ui, reorg
from dashboard.charts import peer_sets as charts
from dashboard.ui import open_warehouse
from dashboard.urlstate import show_url_notices, url_selectbox, url_toggle

wh = open_warehouse()
st.title("Former councils")
st.write(
    "Councils that no longer exist, with the councils that took over their areas. For a "
    "successor council, its history before it existed can be continued from its "
    "predecessors' figures: summed for counts, population-weighted for rates."
)
notices = st.container()
meta = wh.scalar_meta()

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
st.download_button(
    "Download the list (CSV)",
    exports.csv_bytes(table, {"data_version": meta.get("data_version", "")}),
    file_name="former-councils.csv",
    mime="text/csv",
    key="former_download",
    on_click="ignore",
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
indicator = peer_ui.choose_indicator(wh, container=middle)
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
peer_ui.chart_table_download(
    charts.derived_series(series, indicator["name"], indicator["unit"], labels.get(council, council)),
    shown,
    exports.csv_bytes(
        shown,
        {
            "council": council,
            "indicator": indicator["indicator_id"],
            "aggregation": aggregation or "",
            "method": "see dashboard/reorg.py",
            "data_version": meta.get("data_version", ""),
        },
    ),
    peer_ui.file_name("predecessors", council, indicator["indicator_id"]),
    key="reorg",
    caption="Dashed line, open circles: derived from predecessor councils (not published for this council).",
)
