"""Charts of the exemplar finder: pure builders from frames to plotly figures.

Colours are Okabe-Ito (safe for every common colour-vision deficiency) and never the only
cue: exemplars are also a different marker shape (star) or bar pattern, and every chart has a
table beside it on the page.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.common.text import plotly_text

__all__ = [
    "COUNCIL_COLOUR",
    "EXEMPLAR_COLOUR",
    "OTHER_COLOUR",
    "composite_ranking",
    "theme_profile_chart",
]

EXEMPLAR_COLOUR = "#0072B2"  # Okabe-Ito blue: exemplars
COUNCIL_COLOUR = "#E69F00"  # Okabe-Ito orange: the council being compared
OTHER_COLOUR = "#999999"  # Okabe-Ito grey: everyone else


def composite_ranking(table: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Horizontal bars of each ranked council's composite (best at the top), exemplars in blue
    with a hatch pattern, whiskers absent on purpose: the rank interval is a rank, not a score.

    ``table`` needs short_name, composite, composite_rank, is_exemplar (rows without a
    composite are left out).
    """
    ranked = table[table["composite"].notna()].sort_values("composite_rank", ascending=False)
    figure = go.Figure()
    for flag, name, colour, pattern in (
        (True, "Exemplar", EXEMPLAR_COLOUR, "/"),
        (False, "Not an exemplar", OTHER_COLOUR, ""),
    ):
        part = ranked[ranked["is_exemplar"] == flag]
        figure.add_trace(
            go.Bar(
                x=part["composite"],
                y=[plotly_text(n) for n in part["short_name"]],
                orientation="h",
                name=name,
                marker={"color": colour, "pattern": {"shape": pattern}},
                customdata=part[["composite_rank"]].to_numpy(),
                hovertemplate="%{y}: composite %{x:.3f}, rank %{customdata[0]}<extra></extra>",
            )
        )
    figure.update_layout(
        title={"text": plotly_text(title)} if title else None,
        barmode="overlay",
        xaxis={"title": "Composite (0 = worst in group, 1 = best)", "range": [0, 1]},
        yaxis={"categoryorder": "array", "categoryarray": [plotly_text(n) for n in ranked["short_name"]]},
        height=max(320, 18 * len(ranked) + 120),
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    return figure


def theme_profile_chart(profile: pd.DataFrame, council_name: str | None) -> go.Figure:
    """Grouped bars per theme: the exemplars' median theme score against the chosen council's.

    ``profile`` is :func:`dashboard.exemplars.profiles.theme_profile`'s frame.
    """
    figure = go.Figure()
    themes = [plotly_text(t) for t in profile["theme"]]
    figure.add_trace(
        go.Bar(
            x=themes,
            y=profile["exemplar_median"],
            name="Exemplars (median)",
            marker={"color": EXEMPLAR_COLOUR, "pattern": {"shape": "/"}},
        )
    )
    if council_name is not None:
        figure.add_trace(
            go.Bar(
                x=themes, y=profile["council_score"], name=plotly_text(council_name), marker={"color": COUNCIL_COLOUR}
            )
        )
    figure.update_layout(
        barmode="group",
        yaxis={"title": "Mean percentile rank in the peer group", "range": [0, 1]},
        height=420,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    return figure
