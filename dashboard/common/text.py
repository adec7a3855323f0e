"""Text from the data, made safe for where it is shown, and numbers formatted for reading.

One escaper per output kind, so no name from the data (a council, an indicator, a URL value) is
ever interpreted as markup:

- :func:`markdown` for everything Streamlit renders as Markdown: ``st.markdown``, captions,
  titles and subheaders, notices (info, warning, success), metric and widget labels;
- :func:`plotly_text` for plotly's text (titles, trace names, hover labels, tick labels), which
  plotly reads as HTML.

Tables (``st.dataframe``) and select options show text literally and need neither.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pandas as pd

__all__ = [
    "DEFAULT_DECIMALS",
    "URL_BREAK",
    "decimals_or_default",
    "file_name",
    "format_value",
    "markdown",
    "plotly_text",
    "when_text",
]

DEFAULT_DECIMALS = 2  # when a source gives no decimals: enough to tell 0.04 from 0.01, as published
# Every character Streamlit's Markdown treats specially: Markdown, HTML, LaTeX ($), emoji
# shortcodes (:) and the directives ([text](url), :color[...]); "=" and "&" start entities.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")
# Streamlit's Markdown links bare URLs, "www." names and e-mail addresses by finding them in the
# text after escapes are undone, so backslashes cannot stop it: an invisible word joiner inside
# "://", after "www" and after "@" does (the text reads and wraps the same).
URL_BREAK = "\u2060"
_AUTOLINK_START = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def _text(value: object) -> str:
    """``value`` as text; None and NaN are the empty string."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def markdown(text: object) -> str:
    """``text`` with every Markdown, HTML, LaTeX and emoji-shortcode character backslash-escaped,
    :data:`URL_BREAK` where a bare URL or e-mail address would be linked, and newlines turned into
    spaces, so data shows literally wherever Streamlit renders Markdown (including widget labels
    and notices)."""
    unlinked = _AUTOLINK_START.sub(URL_BREAK, _text(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", unlinked).replace("\r", " ").replace("\n", " ")


def plotly_text(text: object) -> str:
    """``text`` HTML-escaped, so plotly shows tags and entities literally instead of rendering them."""
    return html.escape(_text(text))


def decimals_or_default(decimals: Any) -> int:
    """The indicator's decimals to show, or :data:`DEFAULT_DECIMALS` when the source did not say."""
    return DEFAULT_DECIMALS if decimals is None or pd.isna(decimals) else int(decimals)


def format_value(value: Any, decimals: Any = None, unit: str = "", signed: bool = False) -> str:
    """A number with the indicator's decimals and thousands separators, "" when missing.

    ``unit`` follows the number ("12.5 %"), except "£", which leads it ("£1,200.00");
    ``signed`` puts "+" before positive numbers (for changes).
    """
    if value is None or pd.isna(value):
        return ""
    number = float(value)
    text = f"{abs(number) if unit == '£' else number:,.{decimals_or_default(decimals)}f}"
    if unit == "£":
        text = ("-" if number < 0 else "") + "£" + text
    elif unit:
        text = f"{text} {unit}"
    return f"+{text}" if signed and number > 0 else text


def file_name(*parts: object, extension: str = "csv") -> str:
    """A download file name from ``parts``: letters, digits and dashes only (``2024/25`` -> ``2024-25``)."""
    text = "-".join(str(p) for p in parts)
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") + f".{extension}"


def when_text(value: Any) -> str:
    """A date or time as a reader writes it: "2 December 2026" for a date (or a midnight
    timestamp), "2 December 2026, 06:47 UTC" for a time; "" when missing; text that is not a date
    is returned as it is."""
    if value is None or value is pd.NaT or (not isinstance(value, str | dt.date) and pd.isna(value)):
        return ""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    if pd.isna(stamp):
        return ""
    day = f"{stamp.day} {stamp:%B %Y}"
    is_date = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if is_date or (isinstance(value, str) and len(value.strip()) <= 10) or stamp == stamp.normalize():
        return day
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
        return f"{day}, {stamp:%H:%M} UTC"
    return f"{day}, {stamp:%H:%M}"
