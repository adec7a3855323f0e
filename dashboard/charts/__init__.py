"""Chart builders: pure functions from frames to plotly figures, one module per feature.

Shared here: the colour-blind-safe Okabe-Ito palette and the roles colours play, so every
chart highlights "this council" and "the peer group" the same way. Never encode meaning by
red versus green alone; the highlighted council also differs by pattern or marker.
"""

from __future__ import annotations

__all__ = ["HIGHLIGHT", "MEDIAN", "NEUTRAL", "OKABE_ITO", "PEER", "PEER_BAND"]

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
