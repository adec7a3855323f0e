"""The size limits every page works within, so a warehouse of any number of indicators stays usable.

A page never fetches or draws "every indicator": menus list at most :data:`MENU_LIMIT`
indicators and offer a search above that, the council profile shows one page of
:data:`PROFILE_PAGE_SIZE` indicators at a time, the exemplar finder scores at most
:data:`FINDER_INDICATOR_LIMIT` indicators per run, and the definitions on the Data and methods
page come :data:`DEFINITIONS_PAGE_SIZE` at a time. Each is a module constant that pages read at
run time (tests lower them to prove the behaviour on a small warehouse), and
:func:`limit_sentences` says them in plain English for the Data and methods page.
"""

from __future__ import annotations

__all__ = [
    "DEFINITIONS_PAGE_SIZE",
    "FINDER_INDICATOR_LIMIT",
    "MENU_LIMIT",
    "PROFILE_PAGE_SIZE",
    "describe_limits",
    "limit_sentences",
    "page_count",
    "page_range_text",
]

MENU_LIMIT = 200  # a drop-down longer than this is scrolled, not read: search instead
PROFILE_PAGE_SIZE = 100  # a spine chart of 100 rows is already a long scroll; one page's queries stay small
FINDER_INDICATOR_LIMIT = 200  # one composite over 200 indicators scores a national group in seconds
DEFINITIONS_PAGE_SIZE = 200  # one table page of definitions; the full list is in the export


def page_count(total: int, size: int) -> int:
    """How many pages of ``size`` hold ``total`` items (at least one, so a page number always exists)."""
    return max(1, -(-total // size))


def page_range_text(page: int, size: int, total: int, what: str = "indicators") -> str:
    """ "indicators 101 to 200 of 1,000,000" for page ``page`` (1-based) of ``size``."""
    first = (page - 1) * size + 1
    last = min(page * size, total)
    return f"{what} {first:,} to {last:,} of {total:,}"


def limit_sentences() -> list[str]:
    """The limits in plain English, one sentence each, for the Data and methods page and the docs."""
    return [
        f"Menus list up to {MENU_LIMIT:,} indicators. When there are more, type part of a name, theme "
        f"or code to find one: the menu then lists the first {MENU_LIMIT:,} that match.",
        f"The council profile shows {PROFILE_PAGE_SIZE:,} indicators at a time. Choose a theme or "
        "a page of the profile to see the others; its summary and downloads cover the indicators shown.",
        f"The exemplar finder scores up to {FINDER_INDICATOR_LIMIT:,} indicators at once. When more "
        f"can be ranked it starts with the first {FINDER_INDICATOR_LIMIT:,} in theme order and says so; "
        "choose the indicators you want instead, up to that number.",
        f"This page lists indicator definitions {DEFINITIONS_PAGE_SIZE:,} at a time, page by page.",
    ]


def describe_limits() -> str:
    """The limits as one line, for benchmark output and logs."""
    return (
        f"menus {MENU_LIMIT}, profile page {PROFILE_PAGE_SIZE}, finder {FINDER_INDICATOR_LIMIT}, "
        f"definitions page {DEFINITIONS_PAGE_SIZE} indicators"
    )
