"""Home: what Exemplar is, where to start (the two everyday journeys) and what the warehouse holds."""

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from dashboard.common import contents
from dashboard.common.contents import INDICATORS
from dashboard.common.page import open_warehouse
from dashboard.common.text import when_text
from dashboard.common.widgets import data_table

# The everyday journeys: (page script, link label, who it is for). A page that is not in the
# navigation yet is skipped, so Home never breaks while pages are being added.
JOURNEYS = {
    "Browse councils": [
        (
            "dashboard/views/browse.py",
            "Browse and map councils",
            "Filter councils by nation, region, type or name and see one indicator as a table and map.",
        ),
        (
            "dashboard/views/exemplar_overview.py",
            "What good looks like: exemplars across the UK",
            "Councils that perform well against comparable councils, with the reasons shown.",
        ),
    ],
    "Compare a council with its peers": [
        (
            "dashboard/views/profile.py",
            "Council profile",
            "Every indicator for your council against its peer group: median, quartiles, rank and trend.",
        ),
        (
            "dashboard/views/indicator.py",
            "One indicator in depth",
            "Ranking, distribution and trend of one indicator within the peer group.",
        ),
        (
            "dashboard/views/progress.py",
            "Progress between two periods",
            "Change and rank change for every council in the group.",
        ),
    ],
}


def _journey_link(path: str, label: str, blurb: str) -> None:
    try:
        st.page_link(path, label=label, icon="➡️")
    except StreamlitPageNotFoundError:
        return
    st.caption(blurb)


wh = open_warehouse(shows=[INDICATORS])
st.title("Exemplar: benchmarking UK councils")
st.write(
    "Exemplar brings councils' performance indicators and self-assessment results together so "
    "you can see where a council stands **against comparable councils**: its rank, quartile band "
    "and trend within a peer group, with every figure downloadable and every method explained."
)

left, right = st.columns(2)
for column, (journey, links) in zip((left, right), JOURNEYS.items(), strict=True):
    with column.container(border=True):
        st.subheader(journey)
        for path, label, blurb in links:
            _journey_link(path, label, blurb)

st.header("What the data holds")
counts = wh.query("overview_counts").iloc[0]
meta = wh.scalar_meta()
cols = st.columns(4)
cols[0].metric(
    "Current councils",
    f"{counts['current_councils']:,}",
    help=f"plus {counts['former_councils']:,} former councils kept for their history",
)
cols[1].metric("Indicators", f"{counts['indicators']:,}", help=f"in {counts['themes']} themes")
cols[2].metric("Periods", f"{counts['periods']:,}", help=f"{counts['first_period']} to {counts['last_period']}")
cols[3].metric("Values", f"{counts['value_rows']:,}")
st.caption(
    f"Data version {meta.get('data_version')}, published {when_text(meta.get('published_at'))}. "
    "See Data and methods for the sources and how figures are computed."
)
st.caption(contents.summary_text(contents.data_contents(wh)))

with st.expander("Indicators by theme, councils by nation and type"):
    data_table(
        wh.query("indicators_by_theme").rename(
            columns={
                "theme": "Theme",
                "indicators": "Indicators",
                "higher_is_better": "Higher is better",
                "lower_is_better": "Lower is better",
                "neutral": "Neither",
            }
        ),
        key="home_themes",
    )
    data_table(
        wh.query("councils_by_nation").rename(
            columns={"nation": "Nation", "authority_type": "Type of council", "councils": "Councils"}
        ),
        key="home_councils",
    )
