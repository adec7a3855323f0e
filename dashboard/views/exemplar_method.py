"""The exemplar method, as written in docs/exemplar-method.md (one text for the page and the repo)."""

from pathlib import Path

import streamlit as st

METHOD_FILE = Path(__file__).resolve().parents[2] / "docs" / "exemplar-method.md"  # one text: repo and page

st.markdown(METHOD_FILE.read_text(encoding="utf-8"))
