"""Peer groups: the stored statistical-neighbour and family-group sets, how each was made, and
a council's neighbours with their similarity."""

import streamlit as st

from dashboard.common.contents import PEER_GROUPS
from dashboard.common.exports import csv_bytes, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import file_name, markdown
from dashboard.common.urlstate import show_url_notices, url_selectbox
from dashboard.common.widgets import chart_table_download, choose_council, download_button
from dashboard.peers import charts
from dashboard.peers import sets as peer_sets

wh = open_warehouse(shows=[PEER_GROUPS])
st.title("Peer groups")
st.write(
    "Statistical neighbours and family groups stored in the warehouse: imported from a "
    "publisher's file or computed by Exemplar. Choose one as the peer group on any "
    "comparison page (Peer group: Statistical neighbours or Family group)."
)
notices = st.container()
sets = peer_sets.available_sets(wh)
if sets.empty:
    st.info(
        "No peer-group sets are loaded yet. Compute statistical neighbours with "
        "`python -m etl neighbours`, or import a family-group or neighbour file with "
        "`python -m etl import FILE --spec SPEC.toml` (see docs/importing.md)."
    )
    st.stop()

left, right = st.columns(2)
council, council_name = choose_council(wh, container=left)
names = dict(zip(sets["set_id"], sets["name"], strict=True))
set_id = url_selectbox("Peer set", list(names), key="set", format_func=lambda s: names[s], container=right)
with notices:
    show_url_notices()
info = peer_sets.set_info(wh, set_id)
assert info is not None  # set_id is one of the sets listed above

groups = peer_sets.council_groups(wh, council)
if not groups.empty:
    st.subheader(f"Clusters and family groups of {markdown(council_name)}")
    for row in groups.to_dict("records"):
        st.markdown(
            f"**{markdown(row['set_name'])}: group {markdown(row['group_id'])}** ({int(row['councils'])} councils)"
            + (
                f". {markdown(row['description'])}"
                if isinstance(row["description"], str) and row["description"]
                else ""
            )
        )

st.subheader(markdown(info["name"]))
facts = {
    "Kind": "Statistical neighbours (ranked)" if info["kind"] == "neighbours" else "Family groups (numbered)",
    "Method": info["method"],
    "Variables and weights": info["variables"] or "Not stated (imported set)",
    "Description": info["description"] or "",
    "Loaded from source": info["source_name"],
    "Councils covered": f"{int(info['councils'])}",
}
st.dataframe([{"About this set": k, "": v} for k, v in facts.items() if v], hide_index=True, key="set_facts")
stamp = export_stamp(wh)
provenance = {
    "peer_set": set_id,
    "peer_set_name": info["name"],
    "method": info["method"],
    "variables": info["variables"] or "",
    "council": council,
}

if info["kind"] == "neighbours":
    neighbours = peer_sets.neighbours_of(wh, set_id, council)
    if neighbours.empty:
        st.info(f"{markdown(council_name)} is not in this set. Choose another council or set.")
        st.stop()
    table = neighbours.rename(
        columns={
            "rank": "Rank",
            "short_name": "Neighbour",
            "authority_code": "Code",
            "authority_type": "Type",
            "region": "Region",
            "nation": "Nation",
            "similarity": "Similarity (0-100)",
            "closeness": "Closeness",
        }
    )
    st.markdown(f"#### Neighbours of {markdown(council_name)}")
    chart_table_download(
        charts.similarity_bar(neighbours, council_name),
        table,
        csv_bytes(table, stamp, provenance),
        file_name("neighbours", set_id, council),
        key="neighbours",
        caption="Similarity: 100 means identical on every variable, 0 as far apart as the two most "
        "different councils of the tier (computed sets); imported sets show the publisher's score.",
    )
else:
    family = peer_sets.family_of(wh, set_id, council)
    if family.empty:
        st.info(f"{markdown(council_name)} is not in this set. Choose another council or set.")
        st.stop()
    st.markdown(
        f"#### Family group {markdown(family['group_id'].iloc[0])} of {markdown(council_name)} ({len(family)} councils)"
    )
    described = groups[groups["set_id"] == set_id]["description"].dropna()
    if not described.empty:
        st.caption(f"What this group is like, as its publisher describes it: {markdown(described.iloc[0])}")
    table = family.rename(
        columns={
            "group_id": "Group",
            "short_name": "Council",
            "authority_code": "Code",
            "authority_type": "Type",
            "region": "Region",
            "nation": "Nation",
        }
    )
    st.dataframe(table, hide_index=True, key="family_table")
    download_button(
        "Download the family group (CSV)",
        csv_bytes(table, stamp, provenance),
        file_name=file_name("family", set_id, council),
        key="family_download",
    )

st.markdown("#### Every stored set")
st.dataframe(
    sets.rename(
        columns={
            "set_id": "Id",
            "name": "Name",
            "kind": "Kind",
            "method": "Method",
            "variables": "Variables",
            "councils": "Councils",
            "source_name": "Source",
            "description": "Description",
        }
    ),
    hide_index=True,
    key="all_sets",
)
