"""Accessibility statement, modelled on the GOV.UK sample statement for public-sector websites."""

import streamlit as st

from dashboard.about import accessibility
from dashboard.about import facts as about
from dashboard.common.widgets import data_table

PREPARED_ON = "30 November 2026"  # the date this statement was written; change it when reviewed
st.title("Accessibility statement for Exemplar")

st.markdown(
    """
This statement applies to the Exemplar benchmarking dashboard. We want as many people as
possible to be able to use it. We aim to meet the **Web Content Accessibility Guidelines (WCAG)
version 2.2 at level AA**. You should be able to:

- navigate every page, menu, filter and tab using just a keyboard;
- read every chart's figures as a **table** with a screen reader (each chart has a *Table* tab)
  and **download** them as a CSV file that opens in Excel or a screen-reader-friendly editor,
  or as an Excel workbook whose Notes sheet says in words how the figures were made;
- tell councils apart on charts and maps without relying on colour: the colour scales are
  **colour-blind safe** (such as cividis), the better end of a scale is always the same
  colour, and values are also given in words (rank, quartile band, status);
- link to, bookmark and share any view: every choice is kept in the page's address.

## How accessible this dashboard is

We know some parts are not fully accessible:

- **Interactive charts**: you can reach a chart with the keyboard, but not move between
  its bars or points, and a screen reader cannot read the values from the chart itself. Use the
  *Table* tab beside each chart, which holds the same figures.
- **Maps**: there is no keyboard or screen-reader access to individual councils on a map, and
  small councils (for example London boroughs) are hard to pick out. The *Table* tab lists every
  council on the map with its value.
- **Hover labels** on charts only appear with a mouse; the same facts are in the table.
- The **dropdown lists, tabs and tables** are Streamlit's standard components; we have not yet
  tested them with screen readers (NVDA, JAWS, VoiceOver), so some may be announced poorly.
- Data tables scroll inside the page; with very high zoom some columns need sideways scrolling.

## Feedback and contact information

If you find a problem not listed here, or need information in a different format, contact the
team that runs this dashboard (see the **Support** page) and tell us the page's link and what
went wrong. We will reply and, where we can, fix the problem or send you the figures in an
accessible format.

## Enforcement procedure

The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector
Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the
"accessibility regulations"). If you are not happy with how we respond to your complaint,
contact the Equality Advisory and Support Service (EASS).

## Technical information about this dashboard's accessibility

This dashboard is **partially compliant** with WCAG 2.2 AA, due to the non-compliances listed
above (keyboard and screen-reader access inside interactive charts and the map: success criteria
1.1.1 Non-text content and 2.1.1 Keyboard, met through the table alternatives).

### What we do to make it accessible
- every page has its own title in the browser tab, and the choices on a page are reached with
  the Tab key in the order they read;
- text, captions and help are dark enough to read (contrast of at least 4.5 to 1);
- every chart is a trio: *Chart / Table / Download*;
- colour is never the only way information is given, and palettes are safe for common
  colour-vision deficiencies; neutral indicators are never coloured as good or bad;
- text from the data (council and indicator names) is always shown as plain text;
- pages are built with Streamlit's standard widgets, which have labels and keyboard focus.
"""
)

st.header("Automated checks")
st.write(
    "Every page is checked automatically in a real browser against the WCAG 2.2 level A and AA "
    f"rules of the axe-core checker (version {accessibility.AXE_VERSION}). The pages' own content "
    "passes every rule. The parts of the page drawn by the Streamlit framework itself "
    f"(version {accessibility.CHECKED_WITH_STREAMLIT}), outside the dashboard's control, have "
    "these known problems:"
)
data_table(accessibility.framework_issues(), key="framework_issues")

st.header("Preparation of this accessibility statement")
st.write(
    f"This statement was prepared on {PREPARED_ON} (Exemplar version {about.app_version()}). It is "
    "based on a review against WCAG 2.2 AA by the team that builds the dashboard. The dashboard "
    "has not yet been tested with assistive technology users or audited by an independent "
    "accessibility specialist; we will update this statement when it has."
)
