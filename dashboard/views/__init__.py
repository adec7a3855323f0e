"""Page scripts run by ``st.navigation``: widgets, calls to plain modules, rendering."""
