"""Small pieces every page shares: the warehouse handle, the demo banner, friendly failures."""

from __future__ import annotations

import streamlit as st

from dashboard.data import Warehouse, WarehouseUnavailable, warehouse

__all__ = ["open_warehouse", "demo_banner", "DEMO_NOTICE"]

DEMO_NOTICE = (
    "**Synthetic demo data.** The councils are real; every indicator value and self-assessment "
    "score shown here is generated, not published by anyone. Do not quote these figures."
)


def open_warehouse() -> Warehouse:
    """The published warehouse, with the demo banner shown; stops the page with a clear message
    when no warehouse can be read."""
    wh = warehouse()
    try:
        demo = wh.is_demo()
    except WarehouseUnavailable as exc:
        st.error(f"The data warehouse is not available. {exc}")
        st.stop()
    if demo:
        demo_banner()
    return wh


def demo_banner() -> None:
    """The banner that says the figures are synthetic (shown on every page when demo data is loaded)."""
    st.warning(DEMO_NOTICE, icon="⚠️")
