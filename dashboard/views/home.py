"""Home: what the warehouse holds and where to start."""

import streamlit as st

from dashboard.ui import open_warehouse

wh = open_warehouse()
st.title("Exemplar: benchmarking UK councils")
st.write(
    "Compare a council with similar councils, find exemplar councils and see progress over time."
)
counts = wh.query("overview_counts").iloc[0]
meta = wh.scalar_meta()
cols = st.columns(4)
cols[0].metric("Current councils", f"{counts['current_councils']:,}")
cols[1].metric("Indicators", f"{counts['indicators']:,}", help=f"in {counts['themes']} themes")
cols[2].metric("Periods", f"{counts['periods']:,}",
               help=f"{counts['first_period']} to {counts['last_period']}")
cols[3].metric("Values", f"{counts['value_rows']:,}")
st.caption(f"Data version {meta.get('data_version')}, published {meta.get('published_at')}.")

st.subheader("Indicators by theme")
st.dataframe(wh.query("indicators_by_theme"), hide_index=True, key="home_themes")
st.subheader("Councils by nation and type")
st.dataframe(wh.query("councils_by_nation"), hide_index=True, key="home_councils")
