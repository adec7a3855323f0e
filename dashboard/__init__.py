"""Exemplar's Streamlit dashboard: data access, pure chart/export builders and thin pages."""
