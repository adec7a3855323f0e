"""Progress: every peer group member's change and rank change between two periods."""

import streamlit as st

from dashboard.common.contents import INDICATORS
from dashboard.common.exports import export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.periods import value_periods
from dashboard.common.text import file_name, format_value, markdown
from dashboard.common.urlstate import show_url_notices
from dashboard.common.widgets import chart_table_download, choose_council
from dashboard.peers import charts, exports, statistics, widgets

wh = open_warehouse(shows=[INDICATORS])
st.title("Progress")
st.write(
    "How each council in the peer group moved on one indicator between two periods: the "
    "change in value and the change in rank within the group."
)
notices = st.container()

periods = value_periods(wh)
choices = st.container()
# In reading (and tab) order: what, who, from when to when, compared with whom. "To" is chosen
# before "From" (it sets From's default), in boxes laid out From first.
indicator_box, council_box, from_box, to_box, group_box = choices.columns([3, 2, 1, 1, 2])
indicator = widgets.choose_indicator(wh, container=indicator_box)
indicator_id = indicator["indicator_id"]
council, council_name = choose_council(wh, container=council_box)
end = widgets.choose_period(
    wh, key="to", label="To", default=statistics.default_period(wh, council, indicator_id), container=to_box
)
with_data = statistics.periods_with_values(wh, council, indicator_id)
start = widgets.choose_period(
    wh,
    key="from",
    label="From",
    default=statistics.default_start(statistics.periods_like(wh, end), end, with_data),
    container=from_box,
)
group = widgets.choose_group(wh, council, end, container=group_box, details=choices)
with notices:
    show_url_notices()
    start, end, note = statistics.ordered_periods(periods, start, end)
    if note:
        st.info(markdown(note))

name, unit, polarity = indicator["name"], indicator["unit"], indicator["polarity"]
st.subheader(f"{markdown(name)}: {markdown(start)} to {markdown(end)}")
widgets.show_group(group, council_name)
progress = statistics.peer_progress(wh, group, indicator["indicator_id"], start, end)
table = statistics.progress_display(progress, indicator["decimals"])
own = progress[progress["is_council"]]
if not own.empty:
    row = own.iloc[0]
    cols = st.columns(3)
    cols[0].metric(
        f"Change for {markdown(council_name)}",
        format_value(row["change"], indicator["decimals"], signed=True) or "no data",
        statistics.direction_text(row["direction"]) or None,
        delta_color="off",
        delta_arrow="off",
    )  # our arrow follows the number; the word says good or bad
    cols[1].metric(f"Rank in {markdown(start)}", statistics.rank_text(row["rank_from"], row["n_ranked_from"]))
    cols[2].metric(f"Rank in {markdown(end)}", statistics.rank_text(row["rank_to"], row["n_ranked_to"]))
if polarity == "neutral":
    st.caption("Neither higher nor lower is better for this indicator, so councils are not ranked.")

chart_table_download(
    charts.progress_bars(progress, name, unit, start, end),
    table,
    exports.progress_csv(progress, group, indicator, start, end, export_stamp(wh)),
    file_name("progress", indicator["indicator_id"], council, start, end),
    key="progress",
    caption=f"{markdown(council_name)} is hatched. Rank change above 0 means the council "
    "moved up the group (towards rank 1). " + statistics.RANK_METHOD + ".",
)
