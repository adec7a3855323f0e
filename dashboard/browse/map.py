"""The Browse map: a pure builder from the planned frame of councils and their boundaries to a
plotly choropleth (``dashboard.common.charts.value_map``).

Each council is filled with its own boundary (``dashboard.common.geography``: shapes, and which
of overlapping councils is drawn); a council without a published boundary is a dot at its centre
in the same colours. It renders offline: plotly's ``geo`` with every base layer off draws only
the GeoJSON it is given, so the browser fetches nothing (``common.palette.offline_map``).

Colour is polarity-aware and colour-blind-safe: one sequential scale (cividis) for every ranked
indicator, reversed for lower-is-better ones, so *better* is always the bright yellow end;
neutral indicators use a single-hue blue scale that reads as "more/less", never good/bad.
Councils without a value are light grey (cividis never comes near it), named in the legend, with
the reason in the page's table and in the hover.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.common.bands import band_label
from dashboard.common.charts import value_map
from dashboard.common.geography import MapPlan
from dashboard.common.text import format_value, plotly_text

__all__ = [
    "BETTER_END_SCALE",
    "LEGEND_WORDS",
    "NEUTRAL_SCALE",
    "TRACE_DOTS",
    "TRACE_DOTS_NO_VALUE",
    "TRACE_NO_VALUE",
    "TRACE_VALUES",
    "colour_scale",
    "council_map",
    "hover_text",
    "map_caption",
]

BETTER_END_SCALE = "Cividis"  # perceptually uniform and readable with every common colour-vision deficiency
# Single hue (Blues from its fourth step): ordered, no good/bad meaning, and never as pale as the
# grey of "no value".
NEUTRAL_SCALE = [[0.0, "rgb(158,202,225)"], [0.5, "rgb(33,113,181)"], [1.0, "rgb(8,48,107)"]]
# The legend in plain words (the colour bar's title), one per polarity.
LEGEND_WORDS = {
    "higher": "higher is better (brighter = better)",
    "lower": "lower is better (brighter = better)",
    "neutral": "higher/lower, neither better",
}
# Trace names, so callers and tests find a layer by what it shows.
TRACE_VALUES, TRACE_NO_VALUE = "Councils", "No value (reason in the table)"
TRACE_DOTS, TRACE_DOTS_NO_VALUE = "No boundary: drawn at its centre", "No boundary, no value"


def colour_scale(polarity: str) -> tuple[Any, bool]:
    """The (plotly colour scale, reversed?) for an indicator of ``polarity``.

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


def hover_text(frame: pd.DataFrame, unit: str, decimals: int, polarity: str) -> list[str]:
    """One hover label per council: name, value with unit (or why there is none), rank "r of n",
    band in words and the map's note (e.g. drawn at its centre)."""
    rows = []
    row: Any
    for row in frame.itertuples(index=False):
        lines = [f"<b>{plotly_text(row.short_name)}</b>"]
        value = format_value(row.value, decimals, unit)
        status = "" if pd.isna(row.status) or not row.status else str(row.status)
        lines.append(plotly_text(value) if value else f"No value ({plotly_text(status or 'missing')})")
        if value and status:
            lines.append(f"Status: {plotly_text(status)}")
        if not pd.isna(getattr(row, "rank", None)):
            lines.append(f"Rank {int(row.rank)} of {int(row.n_ranked)}")
        band = band_label(getattr(row, "band", None), polarity)
        if band:
            lines.append(band)
        note = getattr(row, "map_note", "")
        if isinstance(note, str) and note:
            lines.append(plotly_text(note))
        rows.append("<br>".join(lines))
    return rows


def council_map(
    frame: pd.DataFrame,
    shapes: dict[str, Any],
    *,
    unit: str,
    polarity: str,
    decimals: int = 1,
    title: str | None = None,
) -> go.Figure:
    """A choropleth of the councils in ``frame`` coloured by ``value``.

    ``frame`` is ``dashboard.common.geography.plan_map``'s output with ``authority_code,
    short_name, value, status, drawn_as, map_note, lat, lon`` (``rank, n_ranked, band``
    optional); ``shapes`` the GeoJSON of ``common.geography.council_shapes`` (feature ``id`` =
    authority_code). Layers (``common.charts.value_map``), each a trace named after what it
    shows: :data:`TRACE_VALUES` (filled by value), :data:`TRACE_NO_VALUE` (pale grey), and for
    councils without a boundary :data:`TRACE_DOTS` and :data:`TRACE_DOTS_NO_VALUE`. The colour
    bar's title is the unit and :data:`LEGEND_WORDS`.

    Raises:
        ValueError: unknown ``polarity``.
    """
    scale, reverse = colour_scale(polarity)
    return value_map(
        frame,
        shapes,
        hover_text(frame, unit, decimals, polarity),
        colorscale=scale,
        reversescale=reverse,
        colourbar_title=f"{plotly_text(unit)}: {LEGEND_WORDS[polarity]}" if unit else LEGEND_WORDS[polarity],
        names=(TRACE_VALUES, TRACE_NO_VALUE, TRACE_DOTS, TRACE_DOTS_NO_VALUE),
        title=plotly_text(title) if title else None,
    )


def map_caption(plan: MapPlan) -> str:
    """The caption under the Browse map: how councils are drawn, and where to find the reason a
    council has no value (Markdown-safe: no data text)."""
    missing = int(plan.councils["value"].isna().sum())
    grey = (
        f" Pale grey: no value in this period ({missing} council(s)); the Table tab gives the reason."
        if missing
        else ""
    )
    return f"{plan.describe()}{grey} The same figures are in the Table tab."
