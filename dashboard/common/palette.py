"""What every chart shares: the colour-blind-safe Okabe-Ito palette, the roles colours play, and
the offline map frame.

Every chart highlights "this council" and "the peer group" the same way. Never encode meaning by
red versus green alone; the highlighted council also differs by pattern or marker. Chart
builders are pure functions (frames in, plotly figures out), one module per feature.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

__all__ = [
    "BAND_MARKS",
    "GEO_BASE_LAYERS",
    "HIGHLIGHT",
    "MEDIAN",
    "NEUTRAL",
    "NEUTRAL_MARK",
    "NO_BAND_MARK",
    "OKABE_ITO",
    "PEER",
    "PEER_BAND",
    "SPINE_IQR",
    "SPINE_RANGE",
    "Mark",
    "offline_map",
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


def offline_map(figure: go.Figure, title: str | None = None) -> go.Figure:
    """Frame a map of councils at their centroids so it renders offline: every geo base layer off
    (plotly.js only downloads outlines for a shown layer), the points fitted, the legend below.

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
        margin={"l": 0, "r": 0, "t": 40 if title else 0, "b": 0},
        legend={"orientation": "h", "yanchor": "bottom", "y": 0.0, "x": 0.0},
    )
    return figure
