"""Charts of reorganised councils: pure functions, frames in, figures out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.common.palette import HIGHLIGHT, MEDIAN
from dashboard.common.text import plotly_text

__all__ = ["derived_series"]

MIN_HEIGHT_PX = 300  # short series still get a readable chart


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
            name=f"{plotly_text(council_name)} (own values)",
            line={"color": HIGHLIGHT, "width": 3},
            marker={"symbol": "diamond", "size": 9},
        )
    )
    figure.update_layout(
        title=f"{plotly_text(name)}: {plotly_text(council_name)} with its predecessors' history",
        xaxis={"title": "Period", "categoryorder": "array", "categoryarray": series["period"].tolist()},
        yaxis_title=f"{plotly_text(name)} ({plotly_text(unit)})" if unit else plotly_text(name),
        height=MIN_HEIGHT_PX + 100,
        hovermode="x unified",
    )
    return figure
