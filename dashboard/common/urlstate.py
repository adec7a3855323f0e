"""Every choice on a page lives in the URL query string, so a view can be bookmarked and shared.

Each ``url_*`` function renders one widget whose value starts from the URL (when the URL's
value is valid), falls back to a default with a friendly notice when it is not, and writes the
current value back to the URL. Widgets are found in tests by their ``key``, which is also the
query parameter's name. With ``omit_default=True`` a value equal to its default is left out of
the URL (a link then carries only what the reader changed, and stays short).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

from dashboard.common.text import markdown

__all__ = [
    "url_selectbox",
    "url_multiselect",
    "url_text",
    "url_number",
    "url_toggle",
    "show_url_notices",
    "LIST_SEPARATOR",
]

T = TypeVar("T")
LIST_SEPARATOR = ","  # codes and ids never contain commas
_NOTICES = "_url_notices"


def _notice(key: str, raw: str, fallback: Any) -> None:
    # The URL's text is anyone's: escaped, so a link cannot put Markdown or HTML on the page.
    st.session_state.setdefault(_NOTICES, []).append(
        f"The link's {key} value {markdown(repr(raw))} is not available here, so {markdown(repr(fallback))} "
        "is shown instead."
    )


def show_url_notices() -> None:
    """Show (once) the friendly notices about URL values that could not be used."""
    for message in st.session_state.pop(_NOTICES, []):
        st.info(message, icon="ℹ️")


def _carry(key: str) -> bool:
    """Keep ``key``'s value when the reader moves to another page that has a widget with the same
    key: Streamlit drops a widget's value when that widget is not on the new page, unless the
    value was last set by code -- so it is set again, to itself. True when there was a value."""
    if key not in st.session_state:
        return False
    st.session_state[key] = st.session_state[key]
    return True


def _initial(key: str, options: Sequence[T], default: T, parse: Callable[[str], Any] = str) -> None:
    """Seed the widget's session value from the URL the first time this key is seen."""
    if key in st.session_state and st.session_state[key] in options:
        _carry(key)
        return
    raw = st.query_params.get(key)
    if raw is not None:
        try:
            value = parse(raw)
        except (TypeError, ValueError):
            value = None
        if value in options:
            st.session_state[key] = value
            return
        _notice(key, raw, default)
    st.session_state[key] = default


def _write(key: str, value: Any) -> None:
    text = LIST_SEPARATOR.join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    if st.query_params.get(key) != text:
        st.query_params[key] = text


def _drop(key: str) -> None:
    """Leave ``key`` out of the URL (its value is the default, which needs no record)."""
    if key in st.query_params:
        del st.query_params[key]


def url_selectbox(
    label: str,
    options: Sequence[T],
    key: str,
    default: T | None = None,
    format_func: Callable[[T], str] = str,
    container: Any = st,
    radio: bool = False,
    omit_default: bool = False,
    **kwargs: Any,
) -> T:
    """One option from ``options`` kept in the URL under ``key``: a selectbox, or a radio group
    when ``radio``; returns the chosen option. Stops the page with a warning when there are no
    options. ``omit_default``: the default option is left out of the URL."""
    options = list(options)
    if not options:
        st.warning(f"No {label.lower()} to choose from.")
        st.stop()
    fallback = default if default in options else options[0]
    _initial(key, options, fallback)
    widget = container.radio if radio else container.selectbox
    value = widget(label, options, key=key, format_func=format_func, **kwargs)
    if omit_default and value == fallback:
        _drop(key)
    else:
        _write(key, value)
    return value


def url_multiselect(
    label: str,
    options: Sequence[T],
    key: str,
    default: Sequence[T] = (),
    format_func: Callable[[T], str] = str,
    container: Any = st,
    omit_default: bool = False,
    **kwargs: Any,
) -> list[T]:
    """A multiselect kept in the URL as a comma-separated list; unknown items are dropped with a
    notice, and so are items beyond ``max_selections`` (when given). ``omit_default``: the
    default selection (in any order) is left out of the URL."""
    options = list(options)
    most = kwargs.get("max_selections")
    if key not in st.session_state:
        raw = st.query_params.get(key)
        chosen = list(default)
        if raw is not None:
            items = [item for item in raw.split(LIST_SEPARATOR) if item]
            chosen = [item for item in items if item in options]
            unknown = [item for item in items if item not in options]
            if unknown:
                _notice(key, LIST_SEPARATOR.join(unknown), "left out")
            if most is not None and len(chosen) > most:
                _notice(key, f"{len(chosen)} items", f"the first {most}")
                chosen = chosen[:most]
        st.session_state[key] = chosen
    else:
        st.session_state[key] = [item for item in st.session_state[key] if item in options]
    value = container.multiselect(label, options, key=key, format_func=format_func, **kwargs)
    if omit_default and sorted(map(str, value)) == sorted(map(str, default)):
        _drop(key)
    else:
        _write(key, value)
    return list(value)


def url_text(label: str, key: str, default: str = "", max_chars: int = 100, container: Any = st, **kwargs: Any) -> str:
    """A text input kept in the URL; text is only ever used as a parameter, never in SQL."""
    if not _carry(key):
        st.session_state[key] = (st.query_params.get(key) or default)[:max_chars]
    value = container.text_input(label, key=key, max_chars=max_chars, **kwargs)
    _write(key, value)
    return str(value)


def url_number(
    label: str,
    key: str,
    default: float,
    min_value: float,
    max_value: float,
    step: float,
    container: Any = st,
    omit_default: bool = False,
    **kwargs: Any,
) -> float:
    """A number input kept in the URL; out-of-range or non-numeric URL values fall back to ``default``.
    ``omit_default``: the default value is left out of the URL."""
    if not _carry(key):
        raw = st.query_params.get(key)
        value = default
        if raw is not None:
            try:
                parsed = type(default)(raw)
                if min_value <= parsed <= max_value:
                    value = parsed
                else:
                    _notice(key, raw, default)
            except ValueError:
                _notice(key, raw, default)
        st.session_state[key] = value
    value = container.number_input(label, min_value=min_value, max_value=max_value, step=step, key=key, **kwargs)
    if omit_default and value == default:
        _drop(key)
    else:
        _write(key, value)
    return value


def url_toggle(
    label: str, key: str, default: bool = False, container: Any = st, omit_default: bool = False, **kwargs: Any
) -> bool:
    """A toggle kept in the URL as ``1``/``0``; ``omit_default``: the default is left out of the URL."""
    if not _carry(key):
        raw = st.query_params.get(key)
        st.session_state[key] = default if raw not in ("0", "1") else raw == "1"
    value = container.toggle(label, key=key, **kwargs)
    if omit_default and bool(value) == default:
        _drop(key)
    else:
        _write(key, "1" if value else "0")
    return bool(value)
