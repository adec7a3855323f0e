"""Support and feedback: how to get help, give feedback, report a data error; version facts."""

import streamlit as st

from dashboard.about import facts as about
from dashboard.common.page import open_warehouse
from dashboard.common.widgets import data_table

wh = open_warehouse()
st.title("Support and feedback")

contact = about.support_contact()
st.header("Get help")
if contact:
    st.text(f"Contact the team that runs this dashboard: {contact}")
else:
    st.write(
        "Contact the team that runs this dashboard. (Whoever deploys Exemplar sets their "
        "contact in the `EXEMPLAR_SUPPORT_CONTACT` setting; none is set on this copy.)"
    )
st.write(
    "Start with the **Data and methods** page: it defines every indicator and explains how ranks, "
    "quartile bands and medians are worked out. Every page keeps its choices in the address bar, "
    "so the quickest way to show someone what you see is to copy the page's link."
)

st.header("Report a data error")
st.markdown(
    """
If a figure looks wrong, tell us:

1. the **link** to the page showing it (it reproduces your exact view);
2. the **council**, **indicator** and **period**;
3. what you expected and why (for example, the figure in the publisher's own release);
4. the **data version** below.

Figures are loaded from their publishers' files without being changed, so an error may be in
the original release; we check, and correct the load or pass it on to the publisher.
Reference facts about councils (names, codes, types, successors) come from mySociety's register,
which takes corrections at its own repository.
"""
)

st.header("Feedback")
st.write(
    "Tell us what you use the dashboard for, what is missing, and anything that is hard "
    "to use, including with assistive technology (see the Accessibility statement)."
)

st.header("Version information")
st.caption("Quote these in a support request.")
data_table(about.version_facts(wh), key="support_versions")
