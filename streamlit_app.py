"""Exemplar's entry point: declares the pages and runs the chosen one."""

import streamlit as st

from dashboard.common.page import APP_NAME, run_page

st.set_page_config(page_title=APP_NAME, page_icon="📊", layout="wide")  # each page's own title: run_page
page = st.navigation(
    {
        "Explore": [
            # The default page is served at "/": Streamlit ignores a url_path here ("/home" would 404).
            st.Page("dashboard/views/home.py", title="Home", default=True),
            st.Page("dashboard/views/browse.py", title="Browse councils", url_path="browse"),
        ],
        "Compare with peers": [
            st.Page("dashboard/views/profile.py", title="Council profile", url_path="profile"),
            st.Page("dashboard/views/indicator.py", title="Indicator", url_path="indicator"),
            st.Page("dashboard/views/progress.py", title="Progress", url_path="progress"),
            st.Page("dashboard/views/peer_groups.py", title="Peer groups", url_path="peer-groups"),
            st.Page("dashboard/views/former_councils.py", title="Former councils", url_path="former-councils"),
        ],
        "Exemplars": [
            st.Page("dashboard/views/exemplars.py", title="Exemplar finder", url_path="exemplars"),
            st.Page("dashboard/views/transformed.py", title="What a transformed council looks like", url_path="transformed"),
            st.Page("dashboard/views/exemplar_overview.py", title="Exemplars across the UK",
                    url_path="exemplar-overview"),
            st.Page("dashboard/views/exemplar_method.py", title="Exemplar method", url_path="exemplar-method"),
        ],
        "Self-assessment": [
            st.Page("dashboard/views/self_assessment.py", title="Council self-assessment",
                    url_path="self-assessment"),
            st.Page("dashboard/views/questions.py", title="Questions across councils",
                    url_path="questions"),
            st.Page("dashboard/views/maturity_outcomes.py", title="Maturity against outcomes",
                    url_path="maturity-outcomes"),
            st.Page("dashboard/views/submit.py", title="Submit a self-assessment", url_path="submit"),
        ],
        "About": [
            st.Page("dashboard/views/methods.py", title="Data and methods", url_path="methods"),
            st.Page("dashboard/views/accessibility.py", title="Accessibility statement",
                    url_path="accessibility"),
            st.Page("dashboard/views/support.py", title="Support and feedback", url_path="support"),
        ],
    }
)
run_page(page)  # a warehouse fault ends the page with a clear message, logged with context
