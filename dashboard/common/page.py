"""The frame of every page: the warehouse handle, the real/synthetic banner, friendly failures."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dashboard.common import contents
from dashboard.common.logs import log_error
from dashboard.warehouse import FileWarehouse, WarehouseUnavailable, warehouse
from etl.warehouse import SCHEMA_VERSION

__all__ = ["APP_NAME", "browser_title", "data_banner", "open_warehouse", "run_page"]

APP_NAME = "Exemplar"


def open_warehouse(shows: Iterable[str] = ()) -> FileWarehouse:
    """The published warehouse for a page showing ``shows`` (kinds of content from
    ``dashboard.common.contents``: INDICATORS, ANSWERS...), with the banner saying which of them
    is real and which synthetic when any is synthetic; stops the page with a clear message when
    no warehouse can be read. The page's downloads are stamped from the same declaration."""
    kinds = contents.declare(shows)
    wh = warehouse()
    try:
        wh.pin()  # every query of this page run reads one version, even if a publish lands mid-run
        built_with = wh.scalar_meta().get("schema_version")
    except WarehouseUnavailable as exc:
        log_error("warehouse unavailable", exc, warehouse=str(wh.paths.live))
        st.error(f"The data warehouse is not available. {exc}")
        st.stop()
    if built_with != SCHEMA_VERSION:
        st.error(
            f"The published warehouse was built with schema version {built_with}; this version of "
            f"Exemplar reads version {SCHEMA_VERSION}. Rebuild it: `python -m etl build-default` for "
            "the default warehouse, or load your sources again with `python -m etl load`."
        )
        st.stop()
    data_banner(wh, kinds)
    return wh


def data_banner(wh: FileWarehouse, shows: Iterable[str]) -> None:
    """The banner saying what on the page is real and what synthetic; nothing when all of what
    the page shows is real."""
    text = contents.banner_text(contents.data_contents(wh), shows)
    if text:
        st.warning(text, icon="⚠️")


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
