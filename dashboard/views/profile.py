"""Council profile: one council against its peer group in one period, indicator by indicator.

It opens with the summary a person reads in ten seconds (how many indicators fall in each
quartile band, how many are improving or worsening) and the spine chart, then the table, then
the report to download (Excel) and the CSV. "Print view" lays the summary, chart and table out
for printing or saving as PDF.
"""

from urllib.parse import urlencode

import streamlit as st

from dashboard.common import catalogue, limits
from dashboard.common.bands import BAND_LABELS
from dashboard.common.contents import INDICATORS
from dashboard.common.exports import XLSX_MIME, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import file_name, markdown
from dashboard.common.urlstate import show_url_notices, url_selectbox, url_toggle
from dashboard.common.widgets import (
    chart_table_download,
    choose_council,
    choose_indicator,
    choose_page,
    download_button,
    print_chart,
    print_friendly,
    print_hidden,
)
from dashboard.peers import charts, exports, statistics, summary, widgets

ALL_THEMES = "All themes"  # the theme filter's "no filter" choice
PRINT_WIDTH_PX = 680  # an A4 page's printable width at 96 dpi, less a little

wh = open_warehouse(shows=[INDICATORS])
print_friendly()
st.title("Council profile")
st.write(
    "Where a council stands against comparable councils on every indicator: its quartile band "
    "and rank within the peer group, and whether it is improving."
)
notices = st.container()

choices = print_hidden("choices")
council_box, period_box, group_box, theme_box = choices.columns(4)  # in reading (and tab) order
council, council_name = choose_council(wh, container=council_box)
period = widgets.choose_period(wh, default=statistics.default_period(wh, council), container=period_box)
group = widgets.choose_group(wh, council, period, container=group_box, details=choices)
theme = url_selectbox("Theme", [ALL_THEMES, *statistics.themes(wh)], key="theme", container=theme_box)
for_print = url_toggle(
    "Print view: the summary, chart and table laid out to print or save as PDF", key="print", container=choices
)
chosen_theme = None if theme == ALL_THEMES else theme
page = choose_page(catalogue.indicator_count(wh, chosen_theme), limits.PROFILE_PAGE_SIZE, container=choices)
with notices:
    show_url_notices()

st.subheader(f"{markdown(council_name)} in {markdown(period)}")
widgets.show_group(group, council_name)

profile = statistics.peer_profile(wh, group, period, chosen_theme, page=page)
counts = summary.profile_summary(profile)
stamp = export_stamp(wh)
profile_csv = exports.profile_csv(profile, group, council_name, stamp, theme=chosen_theme)

st.markdown("#### At a glance")
st.write(markdown(summary.summary_sentence(counts, council_name)))
band_columns = st.columns(6)
for column, (label, value) in zip(
    band_columns,
    [
        *((BAND_LABELS["ranked"][band], count) for band, count in counts.bands.items()),
        ("Improving", counts.improving),
        ("Worsening", counts.worsening),
    ],
    strict=True,
):
    column.metric(label, f"{value}", border=True)
st.caption(
    f"Counts of the {counts.ranked} indicators where higher or lower is better, within the peer group; "
    "improving and worsening are since the council's previous period with a value."
)

st.markdown("#### Spine chart: every indicator against the peer group")
spine = summary.spine_rows(profile)
spine_caption = (
    "Each row is one indicator. The light bar is the peer group from its lowest to its highest "
    "value, the darker bar its middle half, the line the peer median. Better is to the right on every "
    "row where higher or lower is better; where neither is, higher is to the right and the marker is "
    f"grey. The marker is {markdown(council_name)}: its colour and shape give its quartile band; a "
    "thick outline means the value is significantly different from the peer median (its published "
    "95% confidence interval does not include the median)."
)
figures_at = "the table below" if for_print else "the Table tab"
spine_alt = (
    f"Spine chart of {council_name}'s {len(spine)} indicators against the peer group; {figures_at} has the figures."
)
if for_print:
    print_chart(charts.spine_chart(spine, council_name, width=PRINT_WIDTH_PX), "spine", spine_caption, spine_alt)
else:
    chart_table_download(
        charts.spine_chart(spine, council_name),
        summary.spine_table(profile),
        profile_csv,
        file_name("peer-comparison", council, period, group.spec.kind),
        key="spine",
        caption=spine_caption,
        alt=spine_alt,
    )

st.markdown("#### Every indicator")
links = {
    str(row.indicator_id): "indicator?"
    + urlencode(
        {"indicator": row.indicator_id, "council": council, "period": period, "group": group.spec.kind}
        | ({"peers": ",".join(group.spec.custom)} if group.spec.custom else {})
        | ({"set": group.spec.set_id} if group.spec.set_id else {})
    )
    for row in profile.itertuples()
}
table = statistics.profile_display(
    profile, statistics.council_series(wh, council, period, profile["indicator_id"].tolist()), links
)
if for_print:
    st.table(table[[c for c in statistics.PROFILE_KEY_COLUMNS if c not in ("Trend", "Details")]])
else:
    every_column = url_toggle("Show every column", key="columns", container=print_hidden("columns"))
    st.dataframe(
        table,
        hide_index=True,
        key="profile_table",
        height=min(40 + 35 * len(table), 900),
        column_order=None if every_column else statistics.PROFILE_KEY_COLUMNS,
        column_config={
            "Indicator": st.column_config.TextColumn(pinned=True, width=220),
            "Value": st.column_config.TextColumn(width=95),
            "Peer median": st.column_config.TextColumn(width=95),
            "Rank": st.column_config.TextColumn(width=70, help=statistics.RANK_METHOD),
            "Band": st.column_config.TextColumn(width=115, help=statistics.BAND_METHOD),
            "Change": st.column_config.TextColumn(width=70, help=statistics.CHANGE_METHOD),
            "Direction": st.column_config.TextColumn(width=105),
            "Trend": st.column_config.LineChartColumn(
                width=80,
                help=f"The council's values in up to the last {statistics.TREND_PERIODS} periods, oldest first",
            ),
            "Details": st.column_config.LinkColumn(
                width=55, display_text="Open", help="This indicator on the Indicator page, with the same choices"
            ),
        },
    )
    st.caption(
        "Rank 1 is the best in the peer group; councils with the same value share a rank. Change is "
        "since the council's previous period with a value. Where neither higher nor lower is better, "
        "councils are not ranked and changes are called higher or lower. How each figure is worked "
        "out: the Data and methods page."
    )

downloads = print_hidden("downloads")
downloads.markdown("#### Downloads")
report_box, csv_box, values_box = downloads.columns(3)
download_button(
    "Download the report (Excel)",
    exports.profile_report_xlsx(profile, counts, group, council_name, period, stamp, theme=chosen_theme),
    file_name=file_name("council-profile", council, period, group.spec.kind, extension="xlsx"),
    key="report_download",
    mime=XLSX_MIME,
    caption="For a committee paper: the summary, the comparison, the peer group by name, the methods "
    "in words, and notes with the data version, licences and attribution.",
    container=report_box,
)
download_button(
    "Download the peer comparison (CSV)",
    profile_csv,
    file_name=file_name("peer-comparison", council, period, group.spec.kind),
    key="profile_download",
    caption="One row per indicator above, with the peer statistics; the last columns record the peer "
    "group and its members by name, the methods, the data version and its sources.",
    container=csv_box,
)
with values_box:
    indicator = choose_indicator(wh)
    values = statistics.peer_values(wh, group, indicator["indicator_id"], period)
    download_button(
        "Download the peer group's values for this indicator (CSV)",
        exports.group_values_csv(values, group, indicator, stamp),
        file_name=file_name("peer-values", indicator["indicator_id"], council, period),
        key="group_values_download",
    )
