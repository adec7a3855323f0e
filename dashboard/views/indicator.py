"""Indicator: one indicator across the peer group: ranking, distribution and trend."""

import streamlit as st

from dashboard.common.contents import INDICATORS
from dashboard.common.exports import export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import file_name, markdown
from dashboard.common.urlstate import show_url_notices, url_toggle
from dashboard.common.widgets import chart_table_download, choose_council, data_table
from dashboard.councils import reorg
from dashboard.peers import charts, exports, sets, statistics, widgets

wh = open_warehouse(shows=[INDICATORS])
st.title("Indicator")
st.write(
    "One indicator across the peer group: where each council ranks, how the group's values "
    "spread, and the council's trend against the peer median."
)
notices = st.container()

choices = st.container()
indicator_box, council_box, period_box, group_box = choices.columns(4)  # in reading (and tab) order
indicator = widgets.choose_indicator(wh, container=indicator_box)
council, council_name = choose_council(wh, container=council_box)
period = widgets.choose_period(
    wh, default=statistics.default_period(wh, council, indicator["indicator_id"]), container=period_box
)
group = widgets.choose_group(wh, council, period, container=group_box, details=choices)
with notices:
    show_url_notices()

name, unit, polarity = indicator["name"], indicator["unit"], indicator["polarity"]
st.subheader(f"{markdown(name)} ({markdown(unit)}), {markdown(period)}")
definition = str(indicator["description"]).rstrip()
reason = indicator.get("polarity_reason")  # why this direction is better (ours: no publisher says)
if isinstance(reason, str) and reason:
    better = reason + (" Neutral indicators are not ranked." if polarity == "neutral" else "")
else:
    better = {"higher": "Higher is better.", "lower": "Lower is better."}.get(
        polarity, "Neither higher nor lower is better: councils are not ranked."
    )
st.caption(markdown(definition + ("" if definition.endswith((".", "?", "!")) else ".") + " " + better))
widgets.show_group(group, council_name)
stamp = export_stamp(wh)

values = statistics.peer_values(wh, group, indicator["indicator_id"], period)
values_csv = exports.group_values_csv(values, group, indicator, stamp)
values_table = statistics.values_display(values, indicator["decimals"])

st.markdown("#### Ranking within the peer group")
chart_table_download(
    charts.ranking_bar(values, name, unit, polarity),
    values_table,
    values_csv,
    file_name("ranking", indicator["indicator_id"], council, period),
    key="ranking",
    caption=f"{markdown(council_name)} is hatched. " + statistics.RANK_METHOD + ".",
)

comparators = sets.comparator_values(wh, indicator["indicator_id"], period)
if not comparators.empty:  # kept aggregate rows from imported files: beside the group, never ranked
    st.markdown("#### Comparator areas")
    data_table(
        comparators.rename(
            columns={
                "area_name": "Area",
                "area_code": "Code",
                "value": "Value",
                "status": "Status",
                "source_name": "Source",
            }
        ),
        key="comparators_table",
    )

st.markdown("#### Distribution of the peer group")
chart_table_download(
    charts.distribution(values, name, unit, council_name),
    values_table,
    values_csv,
    file_name("distribution", indicator["indicator_id"], council, period),
    key="distribution",
    caption="Box: the group's quartiles and median (" + statistics.QUARTILE_METHOD + "); the diamond is the council.",
)

st.markdown("#### Trend against the peer group")
trend = statistics.peer_trend(wh, group, indicator["indicator_id"])
# a successor council: its series continued back from its predecessors, marked, switchable
if reorg.has_predecessors(wh, council) and url_toggle(
    "Show the predecessors' history (derived)", key="predecessors", default=True
):
    trend, derived_note = reorg.trend_with_predecessors(wh, trend, council, indicator["indicator_id"])
    if derived_note:
        st.caption(markdown(derived_note))
chart_table_download(
    charts.trend(trend, name, unit, council_name),
    statistics.trend_display(trend, indicator["decimals"]),
    exports.trend_csv(trend, group, indicator, council_name, stamp),
    file_name("trend", indicator["indicator_id"], council, group.spec.kind),
    key="trend",
    caption="The band is the peer group's interquartile range in each period, for the councils "
    f"in the group chosen for {markdown(period)}.",
)
