"""Charts for stored peer sets and reorganised councils: pure functions, frames in, figures out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import HIGHLIGHT, MEDIAN, PEER

__all__ = ["similarity_bar", "derived_series"]

BAR_ROW_PX = 24  # height per neighbour so names stay legible
MIN_HEIGHT_PX = 300  # short lists still get a readable chart


def similarity_bar(neighbours: pd.DataFrame, council_name: str) -> go.Figure:
    """Each neighbour's similarity (0-100) as horizontal bars, nearest at the top.

    ``neighbours`` has columns rank, short_name, similarity.
    """
    shown = neighbours.dropna(subset=["similarity"]).sort_values("rank", ascending=False)
    figure = go.Figure(
        go.Bar(
            x=shown["similarity"],
            y=[f"{r}. {n}" for r, n in zip(shown["rank"], shown["short_name"], strict=True)],
            orientation="h",
            marker={"color": PEER},
            name="Similarity",
            hovertemplate="%{y}: similarity %{x:.1f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=f"Statistical neighbours of {council_name}",
        xaxis={"title": "Similarity (0-100)", "range": [0, 100]},
        yaxis_title="Neighbour (rank)",
        height=max(MIN_HEIGHT_PX, BAR_ROW_PX * len(shown) + 120),
    )
    return figure


def derived_series(series: pd.DataFrame, name: str, unit: str, council_name: str) -> go.Figure:
    """A council's own values as a solid line with diamonds, values derived from predecessors
    as a dashed line with open circles (told apart by line style and marker, not colour alone).

    ``series`` has columns period, value, derived.
    """
    figure = go.Figure()
    own = series[~series["derived"]]
    derived = series[series["derived"]]
    figure.add_trace(
        go.Scatter(
            x=derived["period"],
            y=derived["value"],
            mode="lines+markers",
            name="Derived from predecessors",
            line={"color": MEDIAN, "dash": "dash"},
            marker={"symbol": "circle-open", "size": 9},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=own["period"],
            y=own["value"],
            mode="lines+markers",
            name=f"{council_name} (own values)",
            line={"color": HIGHLIGHT, "width": 3},
            marker={"symbol": "diamond", "size": 9},
        )
    )
    figure.update_layout(
        title=f"{name}: {council_name} with its predecessors' history",
        xaxis={"title": "Period", "categoryorder": "array", "categoryarray": series["period"].tolist()},
        yaxis_title=f"{name} ({unit})" if unit else name,
        height=MIN_HEIGHT_PX + 100,
        hovermode="x unified",
    )
    return figure
