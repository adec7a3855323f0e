"""Exemplar's entry point: declares the pages and runs the chosen one."""

import streamlit as st

st.set_page_config(page_title="Exemplar", page_icon="📊", layout="wide")
st.navigation(
    [
        st.Page("dashboard/views/home.py", title="Home", url_path="home", default=True),
    ]
).run()
