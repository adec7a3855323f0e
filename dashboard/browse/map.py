"""Map of councils by centroid: a pure builder from a frame of councils to a plotly figure.

The map must render offline, so it is a ``Scattergeo`` with every base layer (land, coasts,
countries, lakes, ocean, rivers, subunits) switched off: plotly.js only downloads its topojson
outlines when one of those layers is shown. The points alone draw the shape of the UK.

Colour is polarity-aware and colour-blind-safe: one sequential scale (cividis) for every
ranked indicator, reversed for lower-is-better ones, so *better* is always the yellow end;
neutral indicators use a single-hue blue scale that reads as "more/less", never good/bad.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.common.palette import offline_map
from dashboard.common.text import format_value, plotly_text

__all__ = [
    "BETTER_END_SCALE",
    "MISSING_COLOUR",
    "NEUTRAL_SCALE",
    "colour_scale",
    "council_map",
]

BETTER_END_SCALE = "Cividis"  # perceptually uniform and readable with every common colour-vision deficiency
NEUTRAL_SCALE = "Blues"  # single hue: ordered, but carries no good/bad meaning
MISSING_COLOUR = "#7f7f7f"  # mid grey, drawn as hollow markers so "no value" never looks like a low value
MARKER_SIZE = 9  # large enough to hover on a laptop, small enough that London boroughs stay apart
_POLARITY_TEXT = {
    "higher": "higher is better (yellow)",
    "lower": "lower is better (yellow)",
    "neutral": "neither higher nor lower is better",
}


def colour_scale(polarity: str) -> tuple[str, bool]:
    """The (plotly colour-scale name, reversed?) for an indicator of ``polarity``.

    Higher-is-better uses cividis as is (large = yellow = better); lower-is-better reverses it
    (small = yellow = better); neutral uses a single-hue scale without a "better" end.

    Raises:
        ValueError: ``polarity`` is not higher, lower or neutral.
    """
    if polarity == "higher":
        return BETTER_END_SCALE, False
    if polarity == "lower":
        return BETTER_END_SCALE, True
    if polarity == "neutral":
        return NEUTRAL_SCALE, False
    raise ValueError(f"unknown polarity {polarity!r}: expected higher, lower or neutral")


def _hover_rows(frame: pd.DataFrame, unit: str, decimals: int) -> list[str]:
    """One hover label per council: name, value with unit, rank and status."""
    rows = []
    row: Any
    for row in frame.itertuples(index=False):
        value = plotly_text(format_value(row.value, decimals, unit)) or "no value"
        rank = "" if pd.isna(getattr(row, "rank", None)) else f"<br>Rank {int(row.rank)} of {int(row.n_ranked)}"
        status = "" if pd.isna(row.status) or not row.status else f"<br>Status: {plotly_text(row.status)}"
        rows.append(f"<b>{plotly_text(row.short_name)}</b><br>{value}{rank}{status}")
    return rows


def council_map(
    frame: pd.DataFrame, *, indicator_name: str, unit: str, polarity: str, decimals: int = 1, title: str | None = None
) -> go.Figure:
    """A map of the councils in ``frame`` at their centroids, coloured by ``value``.

    ``frame`` needs ``authority_code, short_name, lat, lon, value, status`` (``rank`` and
    ``n_ranked`` optional). Councils with a value form the first trace (coloured); councils
    without one form a second, grey hollow trace named "No value". Councils without a centroid
    cannot be placed and are left out (the page says how many). Each point's ``customdata``
    is its authority_code, so callers and tests can tell exactly which councils are drawn.

    Raises:
        ValueError: unknown ``polarity``.
    """
    scale, reverse = colour_scale(polarity)
    placed = frame[frame["lat"].notna() & frame["lon"].notna()]
    if "rank" not in placed.columns:
        placed = placed.assign(rank=None, n_ranked=None)
    with_value = placed[placed["value"].notna()]
    without_value = placed[placed["value"].isna()]

    figure = go.Figure()
    figure.add_trace(
        go.Scattergeo(
            lat=with_value["lat"],
            lon=with_value["lon"],
            mode="markers",
            name=plotly_text(indicator_name),
            customdata=with_value["authority_code"],
            hovertext=_hover_rows(with_value, unit, decimals),
            hoverinfo="text",
            marker={
                "size": MARKER_SIZE,
                "color": with_value["value"],
                "colorscale": scale,
                "reversescale": reverse,
                "showscale": True,
                "line": {"width": 0.5, "color": "#333333"},
                "colorbar": {"title": {"text": f"{plotly_text(unit)}<br><sup>{_POLARITY_TEXT[polarity]}</sup>"}},
            },
        )
    )
    figure.add_trace(
        go.Scattergeo(
            lat=without_value["lat"],
            lon=without_value["lon"],
            mode="markers",
            name="No value",
            customdata=without_value["authority_code"],
            hovertext=_hover_rows(without_value, unit, decimals),
            hoverinfo="text",
            marker={"size": MARKER_SIZE, "color": MISSING_COLOUR, "symbol": "circle-open"},
        )
    )
    return offline_map(figure, plotly_text(title) if title else None)
