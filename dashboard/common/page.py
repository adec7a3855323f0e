"""The frame of every page: the warehouse handle, the demo banner, friendly failures."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dashboard.common.logs import log_error
from dashboard.warehouse import FileWarehouse, WarehouseUnavailable, warehouse
from etl.warehouse import SCHEMA_VERSION

__all__ = ["APP_NAME", "DEMO_NOTICE", "browser_title", "demo_banner", "open_warehouse", "run_page"]

APP_NAME = "Exemplar"

DEMO_NOTICE = (
    "**Synthetic demo data.** The councils are real; every indicator value and self-assessment "
    "score shown here is generated, not published by anyone. Do not quote these figures."
)


def open_warehouse() -> FileWarehouse:
    """The published warehouse, with the demo banner shown; stops the page with a clear message
    when no warehouse can be read."""
    wh = warehouse()
    try:
        wh.pin()  # every query of this page run reads one version, even if a publish lands mid-run
        demo = wh.is_demo()
        built_with = wh.scalar_meta().get("schema_version")
    except WarehouseUnavailable as exc:
        log_error("warehouse unavailable", exc, warehouse=str(wh.paths.live))
        st.error(f"The data warehouse is not available. {exc}")
        st.stop()
    if built_with != SCHEMA_VERSION:
        st.error(
            f"The published warehouse was built with schema version {built_with}; this version of "
            f"Exemplar reads version {SCHEMA_VERSION}. Rebuild it: `python -m etl build-demo` for "
            "the demo, or load your sources again with `python -m etl load`."
        )
        st.stop()
    if demo:
        demo_banner()
    return wh


def demo_banner() -> None:
    """The banner that says the figures are synthetic (shown on every page when demo data is loaded)."""
    st.warning(DEMO_NOTICE, icon="⚠️")


def browser_title(page_title: str) -> str:
    """The browser tab's title for a page: its own name first, so tabs and bookmarks tell pages
    apart (WCAG 2.4.2 Page Titled), e.g. "Council profile — Exemplar"."""
    return f"{page_title} — {APP_NAME}"


def run_page(page: StreamlitPage) -> None:
    """Run the chosen page under its own browser title; a warehouse that fails mid-page ends it
    with a clear message.

    Only ``WarehouseUnavailable`` is caught (it is an operational fault, logged with context);
    any other exception is logged and re-raised so bugs stay visible to tests and developers.
    """
    st.set_page_config(page_title=browser_title(page.title))
    try:
        page.run()
    except WarehouseUnavailable as exc:
        log_error("warehouse unavailable", exc)
        st.error(
            f"The data warehouse could not answer this page. {exc} Other pages may still work; try again in a moment."
        )
    except Exception as exc:
        log_error("page failed", exc)
        raise
