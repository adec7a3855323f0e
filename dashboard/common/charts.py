"""Chart primitives several features build on: council maps (by value, by category) and a
heatmap whose labels stay readable. Pure functions from frames to plotly figures.

Maps take a frame planned by ``dashboard.common.geography.plan_map`` (``drawn_as``: a council's
own boundary, a dot at its centre, or not drawn) and the GeoJSON of the councils drawn as shapes.
Each layer is one trace carrying only its own councils' shapes, so no boundary is sent twice; a
shape layer's ``locations`` and a dot layer's ``customdata`` are its authority_codes. The maps
render offline (``palette.offline_map``) and zoom to the councils drawn.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from dashboard.common.geography import DOT, SHAPE, subset
from dashboard.common.palette import (
    CHART_TEXT,
    MISSING_FILL,
    MISSING_LINE,
    SHAPE_LINE,
    offline_map,
    readable_text_colour,
    under_map,
)

__all__ = [
    "ANCHOR_NAME",
    "DOT_SIZE",
    "Category",
    "category_map",
    "labelled_heatmap",
    "value_map",
]

HEATMAP_LABEL_CHARS = 16  # heatmap names wrap here: two lines at most ("Scottish unitary" / "authority")
LEGEND_TITLE_CHARS = 44  # a colour bar's title wraps at this width, so it fits a phone's 390 px
# A horizontal colour bar under a map: its bar and ticks, plus one line per line of its title;
# the legend goes below it.
COLOURBAR_PX, TITLE_LINE_PX = 52, 18
CATEGORY_BOTTOM_PX = 70  # a category map's legend (two rows on a phone) and nothing else under it
DOT_SIZE = 9  # a council without a boundary: large enough to hover, small enough not to hide a neighbour
COLOURBAR = {  # horizontal, under the map, so it never covers councils or the legend on a phone
    "orientation": "h",
    "x": 0.0,
    "xanchor": "left",
    "y": under_map(4),
    "yanchor": "top",
    "len": 0.9,
    "thickness": 14,
    "tickfont": {"color": CHART_TEXT},  # the app theme's ticks are a faded grey (3.6:1 on white)
}


ANCHOR_NAME = "offline anchor"  # the invisible first trace of every council map (see _offline_figure)


def _offline_figure(shapes: dict[str, Any]) -> go.Figure:
    """A new map figure whose first trace is one invisible point (on the first council's
    boundary, so the zoom is unchanged).

    Why: plotly.js's ``geo`` downloads its world outlines from a CDN whenever the *first* trace
    on the map has a ``locationmode`` -- which every choropleth has, even one drawn from our own
    GeoJSON -- and draws nothing when that download fails (offices without internet, the tests).
    A scattergeo placed by lat/lon has none, so the map needs nothing but what the page sends
    (tests/test_browser_maps.py checks the browser requests nothing outside the app).
    """
    figure = go.Figure()
    first = next((f["geometry"]["coordinates"][0][0][0] for f in shapes["features"]), None)
    if first is not None:
        figure.add_trace(
            go.Scattergeo(
                lon=[float(first[0])],
                lat=[float(first[1])],
                mode="markers",
                marker={"opacity": 0, "size": 1},
                hoverinfo="skip",
                showlegend=False,
                name=ANCHOR_NAME,
            )
        )
    return figure


def _wrapped(text: str, width: int) -> str:
    """``text`` (plotly-safe) broken onto lines of at most ``width`` characters with ``<br>``;
    entities such as ``&amp;`` are never split, as only spaces break a line."""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _shape_trace(part: pd.DataFrame, shapes: dict[str, Any], hover: pd.Series, **style: Any) -> go.Choropleth:
    return go.Choropleth(
        geojson=subset(shapes, part["authority_code"]),
        locations=part["authority_code"],
        hovertext=list(hover),
        hoverinfo="text",
        **style,
    )


def _flat_trace(
    part: pd.DataFrame,
    shapes: dict[str, Any],
    hover: pd.Series,
    colour: str,
    name: str,
    line: tuple[str, float] = (SHAPE_LINE, 0.5),
) -> go.Choropleth:
    """Shapes of ``part`` all filled with ``colour``, one legend entry ``name`` (its group too)."""
    return _shape_trace(
        part,
        shapes,
        hover,
        z=np.zeros(len(part)),
        colorscale=[[0, colour], [1, colour]],
        showscale=False,
        showlegend=True,
        name=name,
        legendgroup=name,
        marker={"line": {"color": line[0], "width": line[1]}},
    )


def _dot_trace(part: pd.DataFrame, hover: pd.Series, name: str, marker: dict[str, Any]) -> go.Scattergeo:
    return go.Scattergeo(
        lat=part["lat"],
        lon=part["lon"],
        mode="markers",
        name=name,
        customdata=part["authority_code"],
        hovertext=list(hover),
        hoverinfo="text",
        marker={"size": DOT_SIZE, **marker},
    )


def value_map(
    councils: pd.DataFrame,
    shapes: dict[str, Any],
    hover: Sequence[str],
    *,
    colorscale: Any,
    reversescale: bool,
    colourbar_title: str,
    names: tuple[str, str, str, str],
    value_range: tuple[float, float] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Councils filled by ``value`` on one colour axis (over ``value_range`` when given, else the
    values' own range); councils without one pale grey.

    ``councils`` is planned (``drawn_as``) with ``authority_code, value, lat, lon``; ``hover``
    one plotly-safe label per row; ``colourbar_title`` plotly-safe. ``names`` are the four
    layers' names, in this order: shapes with a value, shapes without, dots with a value, dots
    without. A layer without councils is left out; hidden councils are not drawn.
    """
    labels = pd.Series(list(hover), index=councils.index)
    legend_title = _wrapped(colourbar_title, LEGEND_TITLE_CHARS)
    figure = _offline_figure(shapes)
    for part in _bottom_first(councils):
        _add_value_layers(figure, part, shapes, labels, names)
    _one_legend_entry_per_name(figure)
    figure.update_layout(
        coloraxis={
            "colorscale": colorscale,
            "reversescale": reversescale,
            **({"cmin": value_range[0], "cmax": value_range[1]} if value_range else {}),
            "colorbar": {
                "title": {"text": legend_title, "side": "top", "font": {"color": CHART_TEXT}},
                **COLOURBAR,
            },
        },
        showlegend=True,
    )
    figure = offline_map(figure, title)
    # the legend goes under the colour bar, however many lines its title takes
    lines = legend_title.count("<br>") + 1
    figure.update_layout(legend={"y": under_map(COLOURBAR_PX + TITLE_LINE_PX * lines)})
    return figure


def _bottom_first(councils: pd.DataFrame) -> list[pd.DataFrame]:
    """The councils drawn beneath the others (``beneath``, see ``geography.plan_map``), then the rest."""
    under = councils["beneath"].astype(bool) if "beneath" in councils else pd.Series(False, index=councils.index)
    return [councils[under], councils[~under]]


def _one_legend_entry_per_name(figure: go.Figure) -> None:
    """Layers drawn twice (beneath and on top) keep one legend entry."""
    seen: set[str] = set()
    for trace in figure.data:
        if trace.name in seen:
            trace.showlegend = False
        elif trace.showlegend is not False:
            seen.add(trace.name)


def _add_value_layers(
    figure: go.Figure,
    councils: pd.DataFrame,
    shapes: dict[str, Any],
    labels: pd.Series,
    names: tuple[str, str, str, str],
) -> None:
    """The four layers of :func:`value_map` for ``councils``, each only when it has councils."""
    has_value = councils["value"].notna()
    shape, dot = councils["drawn_as"] == SHAPE, councils["drawn_as"] == DOT
    with_value, without, dots, dots_without = names
    part = councils[shape & has_value]
    if len(part):
        figure.add_trace(
            _shape_trace(
                part,
                shapes,
                labels[part.index],
                z=part["value"],
                coloraxis="coloraxis",
                name=with_value,
                marker={"line": {"color": SHAPE_LINE, "width": 0.5}},
            )
        )
    part = councils[shape & ~has_value]
    if len(part):
        figure.add_trace(_flat_trace(part, shapes, labels[part.index], MISSING_FILL, without, line=(MISSING_LINE, 0.8)))
    part = councils[dot & has_value]
    if len(part):
        marker = {"color": part["value"], "coloraxis": "coloraxis", "line": {"width": 0.5, "color": "#333333"}}
        figure.add_trace(_dot_trace(part, labels[part.index], dots, marker))
    part = councils[dot & ~has_value]
    if len(part):
        marker = {"color": MISSING_FILL, "line": {"width": 1, "color": MISSING_LINE}}
        figure.add_trace(_dot_trace(part, labels[part.index], dots_without, marker))


@dataclass(frozen=True)
class Category:
    """One layer of a :func:`category_map`: the councils where ``mask`` is true, filled with
    ``colour``, named ``name`` in the legend (plotly-safe)."""

    name: str
    colour: str
    mask: pd.Series


def category_map(
    councils: pd.DataFrame,
    shapes: dict[str, Any],
    hover: Sequence[str],
    categories: Sequence[Category],
    title: str | None = None,
) -> go.Figure:
    """Councils filled by category (one legend entry per category), dots for those without a
    boundary in the same colour. ``councils`` is planned (``drawn_as``); ``hover`` one
    plotly-safe label per row. Categories are drawn in order; a council falls in the first whose
    mask holds; empty categories are left out."""
    labels = pd.Series(list(hover), index=councils.index)
    figure = _offline_figure(shapes)
    for part in _bottom_first(councils):
        taken = pd.Series(False, index=part.index)
        for category in categories:
            mine = category.mask.reindex(part.index, fill_value=False).astype(bool) & ~taken
            taken |= mine
            shaped = part[mine & (part["drawn_as"] == SHAPE)]
            if len(shaped):
                figure.add_trace(_flat_trace(shaped, shapes, labels[shaped.index], category.colour, category.name))
            dotted = part[mine & (part["drawn_as"] == DOT)]
            if len(dotted):
                marker = {"color": category.colour, "line": {"width": 0.5, "color": "#333333"}}
                trace = _dot_trace(dotted, labels[dotted.index], category.name, marker)
                trace.update(legendgroup=category.name)
                figure.add_trace(trace)
    _one_legend_entry_per_name(figure)
    figure = offline_map(figure, title)
    # no colour bar: the legend sits right under the map
    figure.update_layout(margin={"b": CATEGORY_BOTTOM_PX}, legend={"y": -0.02})
    return figure


def labelled_heatmap(
    values: pd.DataFrame,
    labels: pd.DataFrame,
    hover: pd.DataFrame,
    *,
    colorscale: str,
    value_name: str,
    zmin: float | None = None,
    zmax: float | None = None,
) -> go.Figure:
    """A heatmap of ``values`` (rows x columns, NaN = no cell colour) with ``labels`` (same
    shape, plotly-safe text) printed in each cell in black or white, whichever contrasts more
    with that cell's colour: at least 4.5:1 on every cell (WCAG 2.2 AA); ``hover`` (same shape,
    plotly-safe) is each cell's hover label and ``value_name`` what the values are. Row and column names must already be plotly-safe.
    Labels are annotations, so each carries its own colour; rows read top to bottom. No colour
    bar: every cell prints its value, and the width goes to the cells (a phone has 390 px).
    Row and column names are wrapped onto short lines, and column names stand upright only when
    they would overlap (a phone), so none is skipped."""
    z = values.to_numpy(dtype=float)
    finite = z[np.isfinite(z)]
    low = zmin if zmin is not None else (float(finite.min()) if finite.size else 0.0)
    high = zmax if zmax is not None else (float(finite.max()) if finite.size else 1.0)
    span = (high - low) or 1.0
    x = [_wrapped(str(c), HEATMAP_LABEL_CHARS) for c in values.columns]
    y = [_wrapped(str(i), HEATMAP_LABEL_CHARS) for i in values.index]
    annotations = []
    for i, row_name in enumerate(y):
        for j, column_name in enumerate(x):
            text = labels.iat[i, j]
            if not isinstance(text, str) or not text:
                continue
            cell = z[i, j]
            background = "#FFFFFF" if np.isnan(cell) else sample_colorscale(colorscale, [(cell - low) / span])[0]
            annotations.append(
                {
                    "x": column_name,
                    "y": row_name,
                    "text": text,
                    "showarrow": False,
                    "font": {"color": readable_text_colour(background), "size": 12},
                }
            )
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            zmin=low,
            zmax=high,
            colorscale=colorscale,
            hovertext=hover.to_numpy(),
            hoverinfo="text",
            showscale=False,
            name=value_name,
            xgap=1,
            ygap=1,
        )
    )
    figure.update_layout(
        annotations=annotations,
        height=max(360, 34 * len(y) + 180),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"autotickangles": [0, 90], "side": "top", "tickfont": {"color": CHART_TEXT, "size": 11}},
        yaxis={"autorange": "reversed", "tickfont": {"color": CHART_TEXT}},
        plot_bgcolor="#FFFFFF",
    )
    return figure
