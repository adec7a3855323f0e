"""The one pair of escapers, the one value formatter and the band words (dashboard.common)."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.common.bands import band_label
from dashboard.common.text import URL_BREAK, file_name, format_value, markdown, plotly_text
from tests.support.hostile_fixture import PIECES

MARKUP = "<>*_[]()`#+-.!|~$:=&\\{}"
# Text mixing every hostile construct (links, images, HTML, KaTeX, colour, icons, bare URLs,
# "www." names, e-mail addresses) with arbitrary text, in any order.
HOSTILE_TEXT = st.lists(st.sampled_from(PIECES) | st.text(), max_size=8).map("".join)
PLOTLY_ENTITY = re.compile(r"&(amp|lt|gt|quot|#x27);")


def _unescaped(escaped: str) -> str:
    """What Markdown shows for ``escaped``: each backslash escape undone."""
    return re.sub(r"\\(.)", r"\1", escaped)


@pytest.mark.parametrize("text", ['<script>alert("x")</script>', "**bold** _it_ [link](http://x)", "a\\b `c`",
                                  ":red[alarm] $x^2$ :smile:", "&amp; =SUM(A1)"])
def test_markdown_leaves_no_markup(text):
    escaped = markdown(text)
    # every markup character is preceded by a backslash, so Markdown shows it literally
    i = 0
    while i < len(escaped):
        if escaped[i] == "\\":
            assert escaped[i + 1] in MARKUP
            i += 2
            continue
        assert escaped[i] not in MARKUP, (escaped, i)
        i += 1
    assert escaped.replace("\\", "").replace(URL_BREAK, "") == text.replace("\\", "")


@given(st.text())
def test_markdown_keeps_every_character_and_one_line(text):
    escaped = markdown(text)
    assert "\n" not in escaped and "\r" not in escaped
    unescaped, i = [], 0
    while i < len(escaped):
        if escaped[i] == "\\":
            i += 1
        unescaped.append(escaped[i])
        i += 1
    assert "".join(unescaped).replace(URL_BREAK, "") == text.replace(URL_BREAK, "").replace("\r", " ").replace("\n", " ")


@given(HOSTILE_TEXT)
def test_markdown_leaves_no_active_markup_in_hostile_text(text):
    escaped = markdown(text)
    # every markup character is escaped: no link, image, HTML, KaTeX, colour or icon can start
    assert not set("[]()<>$:!`*_&") & set(re.sub(r"\\.", "", escaped))
    shown = _unescaped(escaped)
    # Streamlit links bare URLs, "www." names and e-mail addresses in the shown text: each is broken
    assert re.search(r"://|www\.|@(?!" + URL_BREAK + ")", shown, re.IGNORECASE) is None, shown
    assert shown.replace(URL_BREAK, "") == text.replace(URL_BREAK, "").replace("\r", " ").replace("\n", " ")


@given(HOSTILE_TEXT)
def test_plotly_text_leaves_no_tag_or_entity_of_the_data(text):
    escaped = plotly_text(text)
    assert not set("<>\"'") & set(escaped)  # no tag (<a>, <b>, <span style>, <br>) can open
    assert all(PLOTLY_ENTITY.match(escaped, m.start()) for m in re.finditer("&", escaped))
    assert html.unescape(escaped) == text


def test_missing_text_is_empty_for_both_outputs():
    assert markdown(None) == plotly_text(None) == plotly_text(float("nan")) == ""


def test_plotly_text_shows_tags_literally():
    assert plotly_text("<b>Bold</b> & co") == "&lt;b&gt;Bold&lt;/b&gt; &amp; co"


@pytest.mark.parametrize(
    ("value", "decimals", "unit", "signed", "expected"),
    [
        (1234.567, 1, "", False, "1,234.6"),
        (1234.567, None, "", False, "1,234.57"),  # the source gave no decimals: two places
        (12.5, 0, "%", False, "12 %"),  # Python rounds half to even
        (1200, 2, "£", False, "£1,200.00"),
        (-3.5, 1, "£", False, "-£3.5"),
        (2.0, 1, "", True, "+2.0"),
        (-2.0, 1, "", True, "-2.0"),
        (0.0, 1, "", True, "0.0"),
        (None, 1, "%", False, ""),
        (float("nan"), 1, "", True, ""),
    ],
)
def test_format_value(value, decimals, unit, signed, expected):
    assert format_value(value, decimals, unit, signed) == expected


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12), st.integers(0, 6))
def test_format_value_reads_back_as_the_rounded_number(value, decimals):
    text = format_value(value, decimals)
    assert float(text.replace(",", "")) == pytest.approx(round(value, decimals), abs=10 ** -decimals)


def test_file_names_are_letters_digits_and_dashes():
    assert file_name("peer-comparison", "E08000025", "2024/25", "type_nation") == (
        "peer-comparison-E08000025-2024-25-type-nation.csv"
    )
    assert file_name("template", "x", extension="xlsx") == "template-x.xlsx"


def test_band_labels_never_call_neutral_values_better_or_worse():
    assert band_label(1, "higher") == band_label(1, "lower") == "Top quartile"
    neutral = {band_label(b, "neutral") for b in (1, 2, 3, 4)}
    assert not any(word in label.lower() for label in neutral for word in ("top", "bottom", "best", "worst"))
    assert band_label(None, "higher") == "" and band_label(float("nan"), "lower") == ""
