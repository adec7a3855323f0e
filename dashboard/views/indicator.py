"""Indicator: one indicator across the peer group: ranking, distribution and trend."""

import streamlit as st

from dashboard import benchmark, peer_exports, peer_sets, peer_ui, reorg
from dashboard.charts import peer as charts
from dashboard.ui import open_warehouse
from dashboard.urlstate import show_url_notices, url_toggle

wh = open_warehouse()
st.title("Indicator")
st.write(
    "One indicator across the peer group: where each council ranks, how the group's values "
    "spread, and the council's trend against the peer median."
)
notices = st.container()

left, middle, right = st.columns(3)
indicator = peer_ui.choose_indicator(wh, container=left)
council, council_name = peer_ui.choose_council(wh, container=right)
period = peer_ui.choose_period(wh, default=benchmark.default_period(wh, council), container=middle)
group = peer_ui.choose_group(wh, council, period, container=left)
with notices:
    show_url_notices()

name, unit, polarity = indicator["name"], indicator["unit"], indicator["polarity"]
st.subheader(f"{peer_ui.plain(name)} ({peer_ui.plain(unit)}), {peer_ui.plain(period)}")
st.caption(
    peer_ui.plain(indicator["description"])
    + " "
    + {
        "higher": "Higher is better.",
        "lower": "Lower is better.",
    }.get(polarity, "Neither higher nor lower is better: councils are not ranked.")
)
peer_ui.show_group(group, council_name)
meta = wh.scalar_meta()

values = benchmark.peer_values(wh, group, indicator["indicator_id"], period)
values_csv = peer_exports.group_values_csv(values, group, indicator, meta)
values_table = benchmark.values_display(values, indicator["decimals"])

st.markdown("#### Ranking within the peer group")
peer_ui.chart_table_download(
    charts.ranking_bar(values, name, unit, polarity),
    values_table,
    values_csv,
    peer_ui.file_name("ranking", indicator["indicator_id"], council, period),
    key="ranking",
    caption=f"{peer_ui.plain(council_name)} is hatched. " + benchmark.RANK_METHOD + ".",
)

comparators = peer_sets.comparator_values(wh, indicator["indicator_id"], period)
if not comparators.empty:  # kept aggregate rows from imported files: beside the group, never ranked
    st.markdown("#### Comparator areas")
    st.dataframe(
        comparators.rename(
            columns={
                "area_name": "Area",
                "area_code": "Code",
                "value": "Value",
                "status": "Status",
                "source_name": "Source",
            }
        ),
        hide_index=True,
        key="comparators_table",
    )

st.markdown("#### Distribution of the peer group")
peer_ui.chart_table_download(
    charts.distribution(values, name, unit, council_name),
    values_table,
    values_csv,
    peer_ui.file_name("distribution", indicator["indicator_id"], council, period),
    key="distribution",
    caption="Box: the group's quartiles and median (" + benchmark.QUARTILE_METHOD + "); the diamond is the council.",
)

st.markdown("#### Trend against the peer group")
trend = benchmark.peer_trend(wh, group, indicator["indicator_id"])
# a successor council: its series continued back from its predecessors, marked, switchable
if reorg.has_predecessors(wh, council) and url_toggle(
    "Show the predecessors' history (derived)", key="predecessors", default=True
):
    trend, derived_note = reorg.trend_with_predecessors(wh, trend, council, indicator["indicator_id"])
    if derived_note:
        st.caption(peer_ui.plain(derived_note))
peer_ui.chart_table_download(
    charts.trend(trend, name, unit, council_name),
    benchmark.trend_display(trend, indicator["decimals"]),
    peer_exports.trend_csv(trend, group, indicator, council_name, meta),
    peer_ui.file_name("trend", indicator["indicator_id"], council, group.spec.kind),
    key="trend",
    caption="The band is the peer group's interquartile range in each period, for the councils "
    f"in the group chosen for {peer_ui.plain(period)}.",
)
