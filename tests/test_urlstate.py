"""URL state helpers: values come from the query string, bad ones fall back with a notice."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import TIMEOUT_S


def _choice_page(widget: str, options: list[str]) -> AppTest:
    def page(widget: str, options: list[str]) -> None:
        import streamlit as st

        from dashboard.common import urlstate

        value = urlstate.url_selectbox("Colour", options, key="colour", default=options[-1] if options else None,
                                       radio=widget == "radio")
        urlstate.show_url_notices()
        st.write(f"chosen: {value}")

    return AppTest.from_function(page, args=(widget, options), default_timeout=TIMEOUT_S)


@pytest.mark.parametrize("widget", ["selectbox", "radio"])
def test_a_valid_url_value_is_chosen_and_kept_in_the_url(widget):
    at = _choice_page(widget, ["red", "green", "blue"])
    at.query_params["colour"] = "green"
    at.run()
    assert not at.exception
    assert "chosen: green" in [m.value for m in at.markdown]
    assert at.query_params["colour"] == "green"


@pytest.mark.parametrize("widget", ["selectbox", "radio"])
def test_an_unknown_url_value_falls_back_to_the_default_with_a_notice(widget):
    at = _choice_page(widget, ["red", "green", "blue"])
    at.query_params["colour"] = "<script>purple"
    at.run()
    assert not at.exception
    assert "chosen: blue" in [m.value for m in at.markdown]
    notice = " ".join(i.value for i in at.info)
    assert "\\<script\\>purple" in notice and "<script>" not in notice  # shown literally, never as markup
    assert at.query_params["colour"] == "blue"


@pytest.mark.parametrize("widget", ["selectbox", "radio"])
def test_no_options_stops_the_page_with_a_warning_not_a_traceback(widget):
    at = _choice_page(widget, [])
    at.run()
    assert not at.exception
    assert any("No colour to choose from" in w.value for w in at.warning)
    assert not [m.value for m in at.markdown if m.value.startswith("chosen:")]
