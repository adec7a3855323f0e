"""Charts of the exemplar finder: pure builders from frames to plotly figures.

Colours are Okabe-Ito (safe for every common colour-vision deficiency) and never the only
cue: exemplars are also a different marker shape (star) or bar pattern, and every chart has a
table beside it on the page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.common.text import plotly_text
from dashboard.exemplars.profiles import amount

__all__ = [
    "COUNCIL_COLOUR",
    "EXEMPLAR_COLOUR",
    "OTHER_COLOUR",
    "composite_ranking",
    "exemplar_spread",
    "rank_intervals",
    "theme_profile_chart",
]

EXEMPLAR_COLOUR = "#0072B2"  # Okabe-Ito blue: exemplars
COUNCIL_COLOUR = "#E69F00"  # Okabe-Ito orange: the council being compared
OTHER_COLOUR = "#999999"  # Okabe-Ito grey: everyone else
PALE_EXEMPLAR = "#B3D4E8"  # the exemplar blue, light: the exemplars' whole range behind their middle half
BAR_HEIGHT = 18  # pixels per bar: names stay legible, 40 bars fit a laptop screen


def composite_ranking(table: pd.DataFrame, title: str | None = None, council: str | None = None) -> go.Figure:
    """Horizontal bars of each ranked council's composite (best at the top), exemplars in blue
    with a hatch pattern, ``council`` (an authority code) in orange with a cross-hatch; whiskers
    absent on purpose: the rank interval is a rank, not a score (see :func:`rank_intervals`).

    ``table`` needs authority_code, short_name, composite, composite_rank, is_exemplar (rows
    without a composite are left out); pass the rows to show (e.g.
    :func:`dashboard.exemplars.verdicts.ranking_rows`).
    """
    ranked = table[table["composite"].notna()].sort_values("composite_rank", ascending=False)
    is_council = ranked["authority_code"] == council
    figure = go.Figure()
    for part, name, colour, pattern in (
        (ranked[ranked["is_exemplar"].astype(bool) & ~is_council], "Exemplar", EXEMPLAR_COLOUR, "/"),
        (ranked[~ranked["is_exemplar"].astype(bool) & ~is_council], "Not an exemplar", OTHER_COLOUR, ""),
        (ranked[is_council], "The chosen council", COUNCIL_COLOUR, "x"),
    ):
        if part.empty:
            continue
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
        height=max(320, BAR_HEIGHT * len(ranked) + 120),
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    return figure


def rank_intervals(rows: pd.DataFrame, cut_rank: int, top_share: float) -> go.Figure:
    """The rank-stability figure: for each candidate, its resampled rank interval (5th to 95th
    percentile) as a bar with its rank marked, and beside it the share of draws that put it in
    the top share. Exemplars blue and hatched, near misses grey; a dashed line at the worst rank
    inside the top share (``cut_rank``; none when 0).

    ``rows`` is :func:`dashboard.exemplars.verdicts.interval_rows`' frame (best first).
    """
    labels = [plotly_text(n) for n in rows["short_name"]]
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.66, 0.34], horizontal_spacing=0.08)
    for status, colour, pattern in (("Exemplar", EXEMPLAR_COLOUR, "/"), ("Near miss", OTHER_COLOUR, "")):
        part = rows[rows["status"] == status]
        if part.empty:
            continue
        names = [plotly_text(n) for n in part["short_name"]]
        figure.add_trace(  # a rank interval p05..p95 covers whole ranks: from p05 - 0.5 to p95 + 0.5
            go.Bar(
                x=part["rank_p95"] - part["rank_p05"] + 1,
                base=part["rank_p05"] - 0.5,
                y=names,
                orientation="h",
                name=f"{status}: rank interval",
                legendgroup=status,
                marker={"color": colour, "pattern": {"shape": pattern}},
                customdata=part[["rank_p05", "rank_p95", "composite_rank"]].to_numpy(),
                hovertemplate="%{y}: rank %{customdata[2]}, %{customdata[0]}–%{customdata[1]} in 90% of resamples"
                "<extra></extra>",
            ),
            row=1,
            col=1,
        )
        figure.add_trace(
            go.Bar(
                x=part["top_share_draws"],
                y=names,
                orientation="h",
                name=f"{status}: share of draws",
                legendgroup=status,
                showlegend=False,
                marker={"color": colour, "pattern": {"shape": pattern}},
                text=[f"{v:.0%}" for v in part["top_share_draws"]],
                textposition="outside",
                cliponaxis=False,
                textfont={"color": "#000000"},
                hovertemplate="%{y}: in the top share in %{x:.0%} of resamples<extra></extra>",
            ),
            row=1,
            col=2,
        )
    figure.add_trace(
        go.Scatter(
            x=rows["composite_rank"],
            y=labels,
            mode="markers",
            name="Rank",
            marker={"symbol": "diamond", "size": 10, "color": "#000000", "line": {"width": 1, "color": "#FFFFFF"}},
            hovertemplate="%{y}: rank %{x}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    if cut_rank:
        figure.add_vline(x=cut_rank + 0.5, line={"dash": "dash", "color": "#000000", "width": 1}, row=1, col=1)
    worst = int(max(rows["rank_p95"].max(), cut_rank)) if len(rows) else 1
    figure.update_xaxes(title_text="Rank in resamples (1 = best)", range=[0.5, worst + 1.5], row=1, col=1)
    figure.update_xaxes(
        title_text=f"Draws in the top {top_share:.0%}",
        range=[0, 1],
        tickvals=[0, 0.5, 1],
        tickformat=".0%",
        row=1,
        col=2,
    )
    figure.update_yaxes(categoryorder="array", categoryarray=labels[::-1], row=1, col=1)
    figure.update_layout(
        barmode="overlay",
        height=max(300, BAR_HEIGHT * len(rows) + 170),
        margin={"l": 10, "r": 40, "t": 90, "b": 50},  # room for the legend above, the share labels on the right
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return figure


def theme_profile_chart(
    profile: pd.DataFrame,
    council_name: str | None,
    *,
    council_column: str = "council_score",
    axis_title: str = "Mean percentile rank in the peer group",
    value_range: tuple[float, float] = (0, 1),
) -> go.Figure:
    """Grouped bars per theme: the exemplars' median (``exemplar_median``) against the chosen
    council's (``council_column``); a withheld median (NaN) is simply not drawn.

    ``profile`` is :func:`dashboard.exemplars.profiles.theme_profile`'s frame by default, or
    any frame of theme, exemplar_median and ``council_column`` (e.g. self-assessment maturity
    on 1-5, with its own ``axis_title`` and ``value_range``).
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
                x=themes, y=profile[council_column], name=plotly_text(council_name), marker={"color": COUNCIL_COLOUR}
            )
        )
    figure.update_layout(
        barmode="group",
        yaxis={"title": axis_title, "range": list(value_range)},
        height=420,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    return figure


def exemplar_spread(spread: pd.DataFrame, council_name: str) -> go.Figure:
    """What a transformed council looks like, indicator by indicator on one scale: the
    exemplars' range (light bar) and middle half (dark, hatched bar) with their median (a black
    line), and the council (orange diamond). Each row is scaled from the lowest to the highest
    value shown, flipped so that right is better (neutral indicators: right is higher); the
    hover and the table give the real values with their units.

    ``spread`` is :func:`dashboard.exemplars.profiles.spread_positions`' frame (theme order).
    """
    rows = spread.iloc[::-1]  # plotly draws the first category at the bottom
    labels = [plotly_text(n) for n in rows["name"]]
    council = plotly_text(council_name)

    def shown(column: str) -> list[str]:
        return [
            plotly_text(amount(v, u, d)) or "no value"
            for v, d, u in zip(rows[column], rows["decimals"], rows["unit"], strict=True)
        ]

    hover = [
        f"<b>{name}</b> ({plotly_text(theme)})<br>exemplars {lo} to {hi}, middle half {q1} to {q3}, "
        f"median {med}<br>{council}: {own}"
        for name, theme, lo, hi, q1, q3, med, own in zip(
            labels,
            rows["theme"],
            shown("lowest"),
            shown("highest"),
            shown("q1"),
            shown("q3"),
            shown("median"),
            shown("council_value"),
            strict=True,
        )
    ]
    low = np.fmin(rows["pos_lowest"], rows["pos_highest"])
    high = np.fmax(rows["pos_lowest"], rows["pos_highest"])
    q_low = np.fmin(rows["pos_q1"], rows["pos_q3"])
    q_high = np.fmax(rows["pos_q1"], rows["pos_q3"])
    figure = go.Figure()
    for x, base, name, marker, width in (
        (high - low, low, "Exemplars: lowest to highest", {"color": PALE_EXEMPLAR}, 0.8),
        (q_high - q_low, q_low, "Exemplars: middle half", {"color": EXEMPLAR_COLOUR, "pattern": {"shape": "/"}}, 0.5),
    ):
        figure.add_trace(
            go.Bar(
                x=x,
                base=base,
                y=labels,
                orientation="h",
                name=name,
                marker=marker,
                width=width,
                hovertext=hover,
                hoverinfo="text",
            )
        )
    points: tuple[tuple[pd.Series, str, dict[str, object]], ...] = (
        (
            rows["pos_median"],
            "Median exemplar",
            {"symbol": "line-ns-open", "size": 18, "color": "#000000", "line": {"width": 3, "color": "#000000"}},
        ),
        (
            rows["pos_council"],
            council,
            {"symbol": "diamond", "size": 12, "color": COUNCIL_COLOUR, "line": {"width": 1, "color": "#000000"}},
        ),
    )
    for x, name, style in points:
        figure.add_trace(
            go.Scatter(x=x, y=labels, mode="markers", name=name, marker=style, hovertext=hover, hoverinfo="text")
        )
    figure.update_layout(
        barmode="overlay",
        xaxis={
            "title": "worse ← (each row to its own scale) → better",
            "range": [-0.05, 1.05],
            "showticklabels": False,
        },
        yaxis={"categoryorder": "array", "categoryarray": labels, "automargin": True},
        height=max(320, 26 * len(rows) + 140),
        margin={"l": 10, "r": 10, "t": 80, "b": 60},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
    )
    return figure
