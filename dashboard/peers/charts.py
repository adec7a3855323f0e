"""Peer charts: ranking bars, group distribution, trend against the peer median, progress, and
a council's statistical neighbours.

Pure functions: frames from :mod:`dashboard.peers.statistics` and :mod:`dashboard.peers.sets`
in, plotly figures out. The selected council is highlighted by colour *and* by a hatch pattern
or a diamond marker, so it stands out without relying on colour vision. Text from the data is
escaped for plotly (``common.text.plotly_text``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.common.bands import BAND_LABELS
from dashboard.common.palette import (
    BAND_MARKS,
    HIGHLIGHT,
    MEDIAN,
    NEUTRAL,
    NEUTRAL_MARK,
    NO_BAND_MARK,
    PEER,
    PEER_BAND,
    SPINE_IQR,
    SPINE_RANGE,
    Mark,
)
from dashboard.common.text import format_value, plotly_text

__all__ = ["distribution", "progress_bars", "ranking_bar", "similarity_bar", "spine_chart", "trend"]

BAR_ROW_PX = 22  # height per council so names stay legible in long groups
MIN_HEIGHT_PX = 320  # small groups still get a readable chart


def _axis_title(name: str, unit: str) -> str:
    return f"{plotly_text(name)} ({plotly_text(unit)})" if unit else plotly_text(name)


def _member_labels(frame: pd.DataFrame) -> list[str]:
    """Each member's name, "(this council)" after the selected one (``is_council``)."""
    return [
        f"{plotly_text(n)} (this council)" if c else plotly_text(n)
        for n, c in zip(frame["short_name"], frame["is_council"], strict=True)
    ]


def _height(rows: int) -> int:
    return max(MIN_HEIGHT_PX, BAR_ROW_PX * rows + 120)


def ranking_bar(values: pd.DataFrame, name: str, unit: str, polarity: str) -> go.Figure:
    """Horizontal bars of every member's value, best first (highest first for neutral);
    the council (``is_council``) is hatched and coloured; members without a value are left out.

    ``values`` has columns short_name, value, rank, is_council.
    """
    shown = values.dropna(subset=["value"])
    ascending = polarity == "lower"  # best first: smallest first when lower is better
    shown = shown.sort_values(["value", "short_name"], ascending=[ascending, True])
    colours = [HIGHLIGHT if c else PEER for c in shown["is_council"]]
    patterns = ["/" if c else "" for c in shown["is_council"]]
    labels = _member_labels(shown)
    figure = go.Figure(
        go.Bar(
            x=shown["value"],
            y=labels,
            orientation="h",
            marker={"color": colours, "pattern": {"shape": patterns}},
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    order = "best first" if polarity in ("higher", "lower") else "highest first (neither is better)"
    figure.update_layout(
        title=f"{plotly_text(name)}: peer group ranking, {order}",
        xaxis_title=_axis_title(name, unit),
        yaxis={"autorange": "reversed", "title": None},
        height=_height(len(shown)),
        showlegend=False,
        margin={"l": 10, "r": 10},
    )
    return figure


def distribution(values: pd.DataFrame, name: str, unit: str, council_name: str) -> go.Figure:
    """The group's values as a box plot with every member as a point; the council is a
    large diamond. ``values`` has columns short_name, value, is_council."""
    shown = values.dropna(subset=["value"])
    council = shown[shown["is_council"]]
    figure = go.Figure()
    figure.add_trace(
        go.Box(
            x=shown["value"],
            name="Peer group",
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker={"color": PEER, "size": 7},
            line={"color": MEDIAN},
            fillcolor=PEER_BAND,
            text=[plotly_text(n) for n in shown["short_name"]],
            hovertemplate="%{text}: %{x}<extra></extra>",
            quartilemethod="linear",  # same as the page's quartiles (quantile_cont)
        )
    )
    if not council.empty:
        figure.add_trace(
            go.Scatter(
                x=council["value"],
                y=["Peer group"] * len(council),
                mode="markers",
                name=plotly_text(council_name),
                marker={"color": HIGHLIGHT, "size": 16, "symbol": "diamond", "line": {"color": "black", "width": 1}},
                hovertemplate=f"{plotly_text(council_name)}: %{{x}}<extra></extra>",
            )
        )
    figure.update_layout(
        title=f"{plotly_text(name)}: distribution of the peer group",
        xaxis_title=_axis_title(name, unit),
        yaxis={"title": None},
        height=MIN_HEIGHT_PX,
        showlegend=True,
    )
    return figure


def trend(series: pd.DataFrame, name: str, unit: str, council_name: str) -> go.Figure:
    """The council's value over time against the peer median, with the interquartile band.

    ``series`` has columns period, council_value, median, lower_quartile, upper_quartile.
    """
    periods = series["period"].tolist()
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=periods,
            y=series["upper_quartile"],
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=periods,
            y=series["lower_quartile"],
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=PEER_BAND,
            name="Peer interquartile range",
            hovertemplate="Lower quartile %{y}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=periods,
            y=series["median"],
            mode="lines+markers",
            name="Peer median",
            line={"color": MEDIAN, "dash": "dash"},
            marker={"symbol": "circle-open"},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=periods,
            y=series["council_value"],
            mode="lines+markers",
            name=plotly_text(council_name),
            line={"color": HIGHLIGHT, "width": 3},
            marker={"symbol": "diamond", "size": 9},
            connectgaps=False,
        )
    )
    figure.update_layout(
        title=f"{plotly_text(name)}: {plotly_text(council_name)} against the peer group over time",
        xaxis_title="Period",
        yaxis_title=_axis_title(name, unit),
        height=MIN_HEIGHT_PX + 80,
        hovermode="x unified",
    )
    return figure


def progress_bars(progress: pd.DataFrame, name: str, unit: str, start: str, end: str) -> go.Figure:
    """Each member's change between ``start`` and ``end`` as horizontal bars, largest first;
    the council hatched and coloured. ``progress`` has columns short_name, change, is_council."""
    shown = progress.dropna(subset=["change"]).sort_values(["change", "short_name"], ascending=[False, True])
    labels = _member_labels(shown)
    figure = go.Figure(
        go.Bar(
            x=shown["change"],
            y=labels,
            orientation="h",
            marker={
                "color": [HIGHLIGHT if c else PEER for c in shown["is_council"]],
                "pattern": {"shape": ["/" if c else "" for c in shown["is_council"]]},
            },
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    figure.add_vline(x=0, line_color=NEUTRAL)
    figure.update_layout(
        title=f"{plotly_text(name)}: change from {plotly_text(start)} to {plotly_text(end)}",
        xaxis_title=f"Change in {_axis_title(name, unit)}",
        yaxis={"autorange": "reversed", "title": None},
        height=_height(len(shown)),
        showlegend=False,
        margin={"l": 10, "r": 10},
    )
    return figure


NEIGHBOUR_ROW_PX = 24  # height per neighbour so names stay legible
NEIGHBOUR_MIN_HEIGHT_PX = 300  # short lists still get a readable chart


def similarity_bar(neighbours: pd.DataFrame, council_name: str) -> go.Figure:
    """Each neighbour's similarity (0-100) as horizontal bars, nearest at the top.

    ``neighbours`` has columns rank, short_name, similarity.
    """
    shown = neighbours.dropna(subset=["similarity"]).sort_values("rank", ascending=False)
    figure = go.Figure(
        go.Bar(
            x=shown["similarity"],
            y=[f"{r}. {plotly_text(n)}" for r, n in zip(shown["rank"], shown["short_name"], strict=True)],
            orientation="h",
            marker={"color": PEER},
            name="Similarity",
            hovertemplate="%{y}: similarity %{x:.1f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=f"Statistical neighbours of {plotly_text(council_name)}",
        xaxis={"title": "Similarity (0-100)", "range": [0, 100]},
        yaxis_title="Neighbour (rank)",
        height=max(NEIGHBOUR_MIN_HEIGHT_PX, NEIGHBOUR_ROW_PX * len(shown) + 120),
    )
    return figure


SPINE_ROW_PX = 34  # a row per indicator: its name above a bar, readable on a phone
SPINE_BAR_WIDTH = 0.42  # of a row: room above the bar for the indicator's name
SPINE_MARGIN_PX = {"l": 8, "r": 8, "t": 40, "b": 16}
SPINE_LEGEND_GAP_PX = 26  # between the plot's top edge and the legend: the scale's words sit there
SPINE_TOP_ROOM = 1.0  # rows above the first bar's centre: its name sits there
SPINE_TEXT = "#1F1F1F"  # near-black: names and legend well above 4.5:1 on white
SPINE_LINE, SPINE_SIGNIFICANT_LINE = 1.2, 3.5  # marker outline px: ordinary, significantly different


def _spine_marks(rows: pd.DataFrame) -> list[tuple[str, Mark, pd.DataFrame]]:
    """The council's markers grouped as the legend lists them: bands best first, then neutral
    indicators, then values without a band."""
    with_value = rows[rows["council"].notna()]
    neutral = with_value["polarity"] == "neutral"
    band = with_value["band_number"]
    groups = [
        (label, BAND_MARKS[number], with_value[~neutral & (band == number)])
        for number, label in BAND_LABELS["ranked"].items()
    ]
    groups.append(("Neither higher nor lower is better", NEUTRAL_MARK, with_value[neutral]))
    groups.append(("No band (too few values)", NO_BAND_MARK, with_value[~neutral & band.isna()]))
    return [(label, mark, part) for label, mark, part in groups if not part.empty]


def _spine_hover(rows: pd.DataFrame, council_name: str) -> list[str]:
    lines = []
    row: Any  # itertuples' fields are untyped scalars
    for row in rows.itertuples(index=False):
        value = format_value(row.value, row.decimals, row.unit)
        median = format_value(row.median, row.decimals, row.unit)
        band = f", {row.band}" if isinstance(row.band, str) and row.band else ""
        against = (
            f"<br>Against the peer median: {plotly_text(row.significance)}" if isinstance(row.significance, str) else ""
        )
        lines.append(
            f"<b>{plotly_text(row.name)}</b><br>{plotly_text(council_name)}: {plotly_text(value)}"
            f"{plotly_text(band)}<br>Peer median: {plotly_text(median)}{against}"
        )
    return lines


def spine_chart(rows: pd.DataFrame, council_name: str, width: int | None = None) -> go.Figure:
    """The spine chart: one row per indicator (``peers.summary.spine_rows``), the peer group's
    range as a light bar, its interquartile range as a darker bar, the median as a line down the
    middle and the council as a marker whose colour *and* shape give its quartile band (a thick
    outline when its 95% interval excludes the peer median: significantly different); the
    better side is on the right on every ranked row, and neutral indicators are grey. A row
    without the council's value says "(no value)". ``width`` fixes the width in pixels (for
    print); by default the chart fills its container."""
    count = len(rows)
    positions = list(range(count))
    figure = go.Figure()
    for low, high, colour, label in (
        ("range_low", "range_high", SPINE_RANGE, "Peer group, lowest to highest"),
        ("middle_low", "middle_high", SPINE_IQR, "Middle half of the peer group"),
    ):
        figure.add_trace(
            go.Bar(
                y=positions,
                base=rows[low],
                x=rows[high] - rows[low],
                orientation="h",
                width=SPINE_BAR_WIDTH,
                marker={"color": colour, "line": {"width": 0}},
                name=label,
                hoverinfo="skip",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=[0, 0],
            y=[-SPINE_TOP_ROOM, count - 0.5],
            mode="lines",
            line={"color": MEDIAN, "width": 2},
            name="Peer median",
            hoverinfo="skip",
        )
    )
    where = pd.Series(positions, index=rows.index)
    for label, mark, part in _spine_marks(rows):
        figure.add_trace(
            go.Scatter(
                x=part["council"],
                y=where[part.index],
                mode="markers",
                marker={
                    "color": mark.colour,
                    "symbol": mark.symbol,
                    "size": 13,
                    # a thick outline: the value's 95% interval excludes the peer median
                    "line": {
                        "color": "black",
                        "width": [SPINE_SIGNIFICANT_LINE if flag else SPINE_LINE for flag in part["significant"]],
                    },
                },
                name=plotly_text(label),
                text=_spine_hover(part, council_name),
                hovertemplate="%{text}<extra></extra>",
            )
        )
    height = round(SPINE_ROW_PX * (max(count, 1) + SPINE_TOP_ROOM - 0.5)) + SPINE_MARGIN_PX["t"] + SPINE_MARGIN_PX["b"]
    plot_px = height - SPINE_MARGIN_PX["t"] - SPINE_MARGIN_PX["b"]
    figure.update_layout(
        barmode="overlay",
        height=height,
        width=width,
        margin=SPINE_MARGIN_PX,
        plot_bgcolor="white",
        font={"color": SPINE_TEXT},
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1 + SPINE_LEGEND_GAP_PX / plot_px,
            "yanchor": "bottom",
            "title": {"text": f"{plotly_text(council_name)}:", "font": {"color": SPINE_TEXT}},
            "traceorder": "normal",
        },
        xaxis={"range": [-1.1, 1.1], "visible": False, "fixedrange": True},
        annotations=[  # the scale's words, just above the rows, under the legend
            {
                "text": text,
                "x": x,
                "xanchor": anchor,
                "xref": "paper",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
            }
            for text, x, anchor in (("◀ Worse", 0, "left"), ("Peer median", 0.5, "center"), ("Better ▶", 1, "right"))
        ],
        yaxis={
            "tickvals": positions,
            "ticktext": [
                plotly_text(name) + ("" if has_value else " (no value)")
                for name, has_value in zip(rows["name"], rows["council"].notna(), strict=True)
            ],
            "ticklabelposition": "inside top",
            # reversed (the first indicator at the top), with room above it for its name
            "range": [count - 0.5, -SPINE_TOP_ROOM],
            "showgrid": False,
            "fixedrange": True,
            # a white halo keeps a name readable where it crosses the median line or a marker
            "tickfont": {"size": 12, "color": SPINE_TEXT, "shadow": "0 0 2px white, 0 0 3px white"},
        },
        hoverlabel={"align": "left"},
    )
    return figure
