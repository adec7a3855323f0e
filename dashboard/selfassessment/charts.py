"""Charts of self-assessment results: pure builders from frames to plotly figures.

Colours come from the shared Okabe-Ito roles (``dashboard.common.palette``) and are never the only cue:
the council, the peer median and the exemplar profile also differ by line style and marker,
and every chart has a table beside it on its page. Text from the data is escaped.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.common.palette import HIGHLIGHT, MEDIAN, NEUTRAL, OKABE_ITO, PEER
from dashboard.common.text import plotly_text

__all__ = ["maturity_radar", "distribution_bars", "quadrant_chart", "EXEMPLAR_LINE"]

EXEMPLAR_LINE = OKABE_ITO["bluish_green"]  # the exemplars' profile: distinct from council and peers
# Corner labels of the quadrant chart: top right, bottom right, top left, bottom left.
QUADRANT_NAMES = (
    "High maturity, high outcomes",
    "Says more than it shows",
    "Shows more than it says",
    "Low maturity, low outcomes",
)
ROUND_COLOURS = [OKABE_ITO[c] for c in ("sky_blue", "blue", "orange", "reddish_purple", "bluish_green")]


def maturity_radar(table: pd.DataFrame, council_name: str, title: str = "") -> go.Figure:
    """Radar of maturity by theme for one round: the council, the peer median with the
    interquartile range (the two dotted rings; no fill, so the council's line stays readable),
    and the exemplar profile when the table has it.

    ``table`` holds one round's rows of ``selfassessment.results.council_theme_table`` for one role
    (columns ``theme, maturity, median, q1, q3, exemplar_maturity``). Withheld statistics (NaN)
    are simply not drawn.
    """
    rows = table.sort_values("theme")
    themes = [plotly_text(t) for t in rows["theme"]]
    closed = [*themes, themes[0]] if themes else []

    def ring(column: str) -> list[float | None]:
        values = [None if pd.isna(v) else float(v) for v in rows[column]]
        return [*values, values[0]] if values else []

    figure = go.Figure()
    series = [
        ("q3", "Peer upper quartile", dict(color=PEER, dash="dot", width=1), "none"),
        ("q1", "Peer lower quartile", dict(color=PEER, dash="dot", width=1), "none"),
        ("median", "Peer median", dict(color=MEDIAN, dash="dash", width=2), "diamond"),
        ("exemplar_maturity", "Exemplar profile", dict(color=EXEMPLAR_LINE, dash="longdash", width=2), "star"),
        ("maturity", plotly_text(council_name), dict(color=HIGHLIGHT, width=3), "circle"),
    ]
    for column, name, line, marker in series:
        values = ring(column)
        if not any(v is not None for v in values):
            continue
        figure.add_trace(
            go.Scatterpolar(
                r=values,
                theta=closed,
                name=name,
                line=line,
                connectgaps=False,
                mode="lines+markers" if marker != "none" else "lines",
                marker=dict(symbol=marker, size=8) if marker != "none" else None,
                hovertemplate="%{theta}: %{r:.2f}<extra>" + name + "</extra>",
            )
        )
    figure.update_layout(
        title=plotly_text(title) or None,
        polar=dict(radialaxis=dict(range=[0, 5], tickvals=[1, 2, 3, 4, 5])),
        legend=dict(orientation="h", y=-0.15),
        margin=dict(l=40, r=40, t=60, b=40),
        height=460,
    )
    return figure


def distribution_bars(distribution: pd.DataFrame, title: str = "") -> go.Figure:
    """Grouped bars: share of councils at each maturity level, one bar colour (and pattern)
    per round; ``distribution`` is ``selfassessment.results.score_distribution``."""
    figure = go.Figure()
    patterns = ["", "/", ".", "x", "-"]
    order = distribution.drop_duplicates("round").sort_values("round_start")["round"].tolist()
    for index, round_label in enumerate(order):
        part = distribution[distribution["round"] == round_label]
        figure.add_trace(
            go.Bar(
                x=part["score"],
                y=part["share"] * 100,
                name=f"Round {plotly_text(round_label)}",
                marker=dict(
                    color=ROUND_COLOURS[index % len(ROUND_COLOURS)], pattern=dict(shape=patterns[index % len(patterns)])
                ),
                customdata=part["councils"],
                hovertemplate="Level %{x}: %{y:.0f}% (%{customdata} councils)<extra></extra>",
            )
        )
    figure.update_layout(
        title=plotly_text(title) or None,
        barmode="group",
        xaxis=dict(title="Maturity level", tickvals=[1, 2, 3, 4, 5]),
        yaxis=dict(title="Share of responding councils (%)", rangemode="tozero"),
        legend=dict(orientation="h", y=-0.2),
        height=420,
    )
    return figure


def quadrant_chart(
    table: pd.DataFrame,
    maturity_median: float,
    outcome_median: float,
    council: str | None = None,
    outcome_label: str = "Outcome score",
) -> go.Figure:
    """Scatter of mean maturity (x) against outcome score (y) with the median split lines.

    ``table`` is ``Quadrant.table`` joined with ``short_name``; the chosen ``council`` is a
    larger vermillion diamond with its name, the others sky-blue circles.
    """
    figure = go.Figure()
    others = table[table["authority_code"] != council]
    chosen = table[table["authority_code"] == council]
    for part, name, colour, symbol, size in (
        (others, "Councils in the group", PEER, "circle", 9),
        (chosen, "Selected council", HIGHLIGHT, "diamond", 15),
    ):
        if part.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=part["mean_maturity"],
                y=part["outcome_score"],
                mode="markers",
                name=name,
                marker=dict(color=colour, symbol=symbol, size=size, line=dict(color="#000000", width=1)),
                text=[plotly_text(n) for n in part["short_name"]],
                customdata=[plotly_text(q) for q in part["quadrant"]],
                hovertemplate="%{text}<br>Maturity %{x:.2f}<br>Outcome %{y:.3f}<br>%{customdata}<extra></extra>",
            )
        )
    if not math.isnan(maturity_median):
        figure.add_vline(x=maturity_median, line=dict(color=NEUTRAL, dash="dash"), annotation_text="median maturity")
    if not math.isnan(outcome_median):
        figure.add_hline(y=outcome_median, line=dict(color=NEUTRAL, dash="dash"), annotation_text="median outcome")
    if not (math.isnan(maturity_median) or math.isnan(outcome_median)):
        for (x, y, anchor_x, anchor_y), text in zip(
            [(1, 1, "right", "top"), (1, 0, "right", "bottom"), (0, 1, "left", "top"), (0, 0, "left", "bottom")],
            QUADRANT_NAMES,
            strict=True,
        ):
            figure.add_annotation(
                xref="paper",
                yref="paper",
                x=x,
                y=y,
                xanchor=anchor_x,
                yanchor=anchor_y,
                text=text,
                showarrow=False,
                font=dict(color=NEUTRAL, size=12),
            )
    figure.update_layout(
        xaxis=dict(title="Mean maturity (1-5)"),
        yaxis=dict(title=plotly_text(outcome_label)),
        legend=dict(orientation="h", y=-0.2),
        height=520,
    )
    return figure
