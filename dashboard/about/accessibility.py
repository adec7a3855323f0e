"""What the automated accessibility check found in Streamlit's own parts of the page.

``tests/test_browser_accessibility.py`` runs axe-core's WCAG 2.2 A and AA rules on every page in
Chromium. The app's own content (the main area) has no violation and the test fails if one
appears. Findings in the parts Streamlit draws itself (the page menu in the sidebar, the header)
are beyond the app's reach; each is listed here, in words, for the accessibility statement, and
the test fails on any finding that is not listed, or when Streamlit's version changes.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["CHECKED_WITH_STREAMLIT", "KNOWN_FRAMEWORK_ISSUES", "framework_issues"]

CHECKED_WITH_STREAMLIT = "1.67.0"  # the Streamlit version the findings below were recorded with
AXE_VERSION = "4.14.1"  # the axe-core version (tests/axe/package.json)

# axe-core rule -> (WCAG success criterion, where, what it means for a reader)
KNOWN_FRAMEWORK_ISSUES = {
    "list": (
        "1.3.1 Info and Relationships",
        "the page menu in the sidebar",
        "The menu's list holds its section headings as well as its links, so a screen reader may "
        "announce the number of links in a section wrongly. Every link is still reachable and named.",
    ),
    "listitem": (
        "1.3.1 Info and Relationships",
        "the page menu in the sidebar",
        "Some menu links sit in list items outside a list (the same cause as above); they are read "
        "as links with their page names.",
    ),
}


def framework_issues() -> pd.DataFrame:
    """The findings as a table for the statement: criterion, where, what it means, axe rule."""
    return pd.DataFrame(
        [
            {"Success criterion": criterion, "Where": where, "What it means": meaning, "Check (axe-core rule)": rule}
            for rule, (criterion, where, meaning) in KNOWN_FRAMEWORK_ISSUES.items()
        ]
    )
