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


def _number_page() -> AppTest:
    def page() -> None:
        import streamlit as st

        from dashboard.common import urlstate

        kept = urlstate.url_number("Kept", key="kept", default=1.0, min_value=0.0, max_value=10.0, step=0.5)
        short = urlstate.url_number("Short", key="short", default=1.0, min_value=0.0, max_value=10.0, step=0.5,
                                    omit_default=True)
        picked = urlstate.url_multiselect("Picked", ["a", "b", "c"], key="picked", default=["a", "b", "c"],
                                          omit_default=True)
        flag = urlstate.url_toggle("Flag", key="flag", default=True, omit_default=True)
        st.write(f"values: {kept} {short} {','.join(picked)} {flag}")

    return AppTest.from_function(page, default_timeout=TIMEOUT_S)


def test_omit_default_leaves_default_values_out_of_the_url_and_writes_changed_ones():
    at = _number_page()
    at.run()
    assert not at.exception
    assert at.query_params["kept"] == "1.0"  # the old behaviour stays the default
    assert not {"short", "picked", "flag"} & set(at.query_params)
    at.number_input(key="short").set_value(2.5)
    at.multiselect(key="picked").unselect("b")
    at.toggle(key="flag").set_value(False)
    at.run()
    assert at.query_params["short"] == "2.5" and at.query_params["picked"] == "a,c" and at.query_params["flag"] == "0"
    at.number_input(key="short").set_value(1.0)  # back to the default: out of the URL again
    at.run()
    assert "short" not in at.query_params


def test_an_omitted_value_reads_back_from_a_link():
    at = _number_page()
    at.query_params["short"] = "3.5"
    at.query_params["picked"] = "c"
    at.run()
    assert "values: 1.0 3.5 c True" in [m.value for m in at.markdown]
    assert at.query_params["short"] == "3.5" and at.query_params["picked"] == "c"


PAGE = '''
import streamlit as st
from dashboard.common import urlstate
colour = urlstate.url_selectbox("Colour", ["red", "green", "blue"], key="colour", default="red")
weight = urlstate.url_number("Weight", key="weight", default=1.0, min_value=0.0, max_value=10.0, step=0.5)
flag = urlstate.url_toggle("Flag", key="flag", default=False)
name = urlstate.url_text("Name", key="name")
st.write(f"{PAGE_NAME}: {colour} {weight} {flag} {name}")
'''


def test_choices_follow_the_reader_to_another_page_with_the_same_widgets(tmp_path):
    """Streamlit drops a widget's value when the reader moves to a page whose widget has the same
    key but is another widget; the URL helpers keep it (a page picked in the menu has no query)."""
    for name in ("one", "two"):
        (tmp_path / f"{name}.py").write_text(f"PAGE_NAME = {name!r}\n" + PAGE, encoding="utf-8")
    (tmp_path / "app.py").write_text(
        "import streamlit as st\n"
        "st.navigation([st.Page('one.py', default=True), st.Page('two.py', url_path='two')]).run()\n",
        encoding="utf-8",
    )
    at = AppTest.from_file(str(tmp_path / "app.py"), default_timeout=TIMEOUT_S)
    at.query_params.update({"colour": "blue", "weight": "2.5", "flag": "1", "name": "Ann"})
    at.run()
    assert "one: blue 2.5 True Ann" in [m.value for m in at.markdown]
    at.switch_page(str(tmp_path / "two.py")).run()
    assert not at.exception
    assert "two: blue 2.5 True Ann" in [m.value for m in at.markdown]
