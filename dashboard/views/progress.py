"""Progress: every peer group member's change and rank change between two periods."""

import streamlit as st

from dashboard import benchmark, peer_exports, peer_ui
from dashboard.charts import peer as charts
from dashboard.ui import open_warehouse
from dashboard.urlstate import show_url_notices

wh = open_warehouse()
st.title("Progress")
st.write(
    "How each council in the peer group moved on one indicator between two periods: the "
    "change in value and the change in rank within the group."
)
notices = st.container()

periods = benchmark.value_periods(wh)
left, middle, right = st.columns(3)
indicator = peer_ui.choose_indicator(wh, container=left)
council, council_name = peer_ui.choose_council(wh, container=right)
from_box, to_box = middle.container(), middle.container()  # "From" shows first; "To" sets its default
end = peer_ui.choose_period(
    wh, key="to", label="To period", default=benchmark.default_period(wh, council), container=to_box
)
start = peer_ui.choose_period(
    wh, key="from", label="From period", default=benchmark.default_start(periods, end), container=from_box
)
group = peer_ui.choose_group(wh, council, end, container=left)
with notices:
    show_url_notices()
    start, end, note = benchmark.ordered_periods(periods, start, end)
    if note:
        st.info(note)

name, unit, polarity = indicator["name"], indicator["unit"], indicator["polarity"]
st.subheader(f"{peer_ui.plain(name)}: {peer_ui.plain(start)} to {peer_ui.plain(end)}")
peer_ui.show_group(group, council_name)
progress = benchmark.peer_progress(wh, group, indicator["indicator_id"], start, end)
table = benchmark.progress_display(progress, indicator["decimals"])
own = progress[progress["is_council"]]
if not own.empty:
    row = own.iloc[0]
    cols = st.columns(3)
    cols[0].metric(
        f"Change for {peer_ui.plain(council_name)}",
        benchmark.format_value(row["change"], indicator["decimals"], signed=True) or "no data",
        benchmark.direction_text(row["direction"]) or None,
        delta_color="off",
        delta_arrow="off",
    )  # our arrow follows the number; the word says good or bad
    cols[1].metric(f"Rank in {peer_ui.plain(start)}", benchmark.rank_text(row["rank_from"], row["n_ranked_from"]))
    cols[2].metric(f"Rank in {peer_ui.plain(end)}", benchmark.rank_text(row["rank_to"], row["n_ranked_to"]))
if polarity == "neutral":
    st.caption("Neither higher nor lower is better for this indicator, so councils are not ranked.")

peer_ui.chart_table_download(
    charts.progress_bars(progress, name, unit, start, end),
    table,
    peer_exports.progress_csv(progress, group, indicator, start, end, wh.scalar_meta()),
    peer_ui.file_name("progress", indicator["indicator_id"], council, start, end),
    key="progress",
    caption=f"{peer_ui.plain(council_name)} is hatched. Rank change above 0 means the council "
    "moved up the group (towards rank 1). " + benchmark.RANK_METHOD + ".",
)
