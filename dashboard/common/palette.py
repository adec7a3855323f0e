"""What every chart shares: the colour-blind-safe Okabe-Ito palette, the roles colours play, and
the offline map frame.

Every chart highlights "this council" and "the peer group" the same way. Never encode meaning by
red versus green alone; the highlighted council also differs by pattern or marker. Chart
builders are pure functions (frames in, plotly figures out), one module per feature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import plotly.graph_objects as go

__all__ = [
    "BAND_MARKS",
    "CHART_TEXT",
    "GEO_BASE_LAYERS",
    "HIGHLIGHT",
    "MEDIAN",
    "MISSING_FILL",
    "MISSING_LINE",
    "NEUTRAL",
    "NEUTRAL_MARK",
    "NO_BAND_MARK",
    "OKABE_ITO",
    "PEER",
    "PEER_BAND",
    "SHAPE_LINE",
    "SPINE_IQR",
    "SPINE_RANGE",
    "TEXT_DARK",
    "TEXT_LIGHT",
    "Mark",
    "contrast_ratio",
    "offline_map",
    "readable_text_colour",
    "under_map",
]

# Okabe & Ito (2008): eight colours distinguishable under the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
HIGHLIGHT = OKABE_ITO["vermillion"]  # the selected council: warm, stands out from the blues
PEER = OKABE_ITO["sky_blue"]  # the other members of the peer group
MEDIAN = OKABE_ITO["blue"]  # the group's median line
PEER_BAND = "rgba(86, 180, 233, 0.25)"  # sky blue, translucent: the interquartile band
NEUTRAL = "#7F7F7F"  # grey for context marks that carry no judgement
# Maps: a council without a value is pale grey with a darker outline (no sequential scale used
# here comes near it), and council borders are thin white lines so neighbours stay apart.
MISSING_FILL = "#E6E6E6"
MISSING_LINE = "#8C8C8C"
SHAPE_LINE = "#FFFFFF"

TEXT_DARK, TEXT_LIGHT = "#000000", "#FFFFFF"  # label colours on coloured cells: whichever contrasts more


@dataclass(frozen=True)
class Mark:
    """How a council's marker is drawn: fill colour and plotly symbol (shape says it without colour)."""

    colour: str
    symbol: str


# Quartile bands of ranked indicators, best (1) to worst (4): a blue-to-orange scale that stays
# ordered under the common colour-vision deficiencies, and a different shape for each band.
BAND_MARKS = {
    1: Mark(OKABE_ITO["blue"], "circle"),
    2: Mark(OKABE_ITO["sky_blue"], "diamond"),
    3: Mark(OKABE_ITO["orange"], "square"),
    4: Mark(OKABE_ITO["vermillion"], "triangle-down"),
}
NEUTRAL_MARK = Mark(NEUTRAL, "hexagon")  # an indicator where neither direction is better
NO_BAND_MARK = Mark("#FFFFFF", "circle-open")  # a value without a band (too few values to band)
SPINE_RANGE = "#E3E3E3"  # the peer group's whole range (lowest to highest), behind...
SPINE_IQR = "#B3B3B3"  # ...its middle half (interquartile range), darker

# Base layers that would make plotly.js fetch topojson from its CDN (no internet in some offices).
GEO_BASE_LAYERS = ("land", "coastlines", "countries", "lakes", "ocean", "rivers", "subunits")
MAP_HEIGHT_PX = 640  # tall enough for the UK's length at a readable scale
MAP_BOTTOM_PX = 150  # room under the map for a horizontal colour bar and, below it, the legend
CHART_TEXT = "#31333F"  # the app's body text colour: 12.6:1 on white (plotly's default grey ticks are 3.6:1)


def under_map(pixels: float) -> float:
    """The paper y of a point ``pixels`` under a map's drawing area (for what sits below it)."""
    return -pixels / (MAP_HEIGHT_PX - MAP_BOTTOM_PX)


def offline_map(figure: go.Figure, title: str | None = None) -> go.Figure:
    """Frame a map of councils (boundaries from GeoJSON, dots at centres) so it renders offline:
    every geo base layer off (plotly.js only downloads outlines for a shown layer), zoomed to the
    drawn councils (``fitbounds``), the colour bar and legend below the map.

    ``title`` must already be plotly-safe text (``common.text.plotly_text``).
    """
    figure.update_geos(
        projection_type="mercator",
        fitbounds="locations",
        showframe=False,
        bgcolor="rgba(0,0,0,0)",
        **{f"show{layer}": False for layer in GEO_BASE_LAYERS},
    )
    figure.update_layout(
        title={"text": title} if title else None,
        height=MAP_HEIGHT_PX,
        margin={"l": 0, "r": 0, "t": 40 if title else 0, "b": MAP_BOTTOM_PX},
        legend={"orientation": "h", "yanchor": "top", "y": under_map(0), "x": 0.0},
        font={"color": CHART_TEXT},
    )
    return figure


def _rgb(colour: str) -> tuple[float, float, float]:
    """``#RRGGBB`` or ``rgb(r, g, b)`` as three 0-255 numbers.

    Raises:
        ValueError: any other notation.
    """
    text = colour.strip()
    if re.fullmatch(r"#[0-9a-fA-F]{6}", text):
        return tuple(float(int(text[i : i + 2], 16)) for i in (1, 3, 5))  # type: ignore[return-value]
    match = re.fullmatch(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*[\d.]+\s*)?\)", text)
    if match:
        return tuple(float(v) for v in match.groups())  # type: ignore[return-value]
    raise ValueError(f"colour {colour!r} is neither #RRGGBB nor rgb(r, g, b)")


def _luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of an sRGB colour (0 black .. 1 white)."""
    channels = []
    for value in _rgb(colour):
        c = value / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(one: str, other: str) -> float:
    """WCAG 2.2 contrast ratio of two colours (1 to 21; text needs 4.5 for AA)."""
    lighter, darker = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_text_colour(background: str) -> str:
    """Black or white text, whichever contrasts more with ``background``. The worse of the two
    is never chosen, and the better is always at least 4.58:1, so every label passes AA."""
    dark, light = contrast_ratio(TEXT_DARK, background), contrast_ratio(TEXT_LIGHT, background)
    return TEXT_DARK if dark >= light else TEXT_LIGHT
