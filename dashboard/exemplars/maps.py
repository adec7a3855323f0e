"""Charts of "Exemplars across the UK": the map of councils with exemplars marked, and the
heatmap of exemplars per region and authority type. Pure builders from frames to figures.

Exemplars are never marked by colour alone: their boundary is filled blue *and* a star sits at
their centre; other ranked councils are mid grey, councils the rule could not rank pale grey.
The heatmap prints each count in black or white, whichever reads better on its cell.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.common.charts import Category, category_map, labelled_heatmap
from dashboard.common.geography import HIDDEN
from dashboard.common.palette import MISSING_FILL, OKABE_ITO
from dashboard.common.text import plotly_text
from dashboard.exemplars.charts import EXEMPLAR_COLOUR

__all__ = [
    "LAYER_EXEMPLAR",
    "LAYER_NOT_RANKED",
    "LAYER_OTHER",
    "LAYER_STARS",
    "exemplar_map",
    "overview_heatmap",
]

OTHER_FILL = "#A6A6A6"  # ranked, not an exemplar: between the exemplars' blue and the pale "not ranked"
STAR_COLOUR = OKABE_ITO["yellow"]  # a yellow star with a black edge reads on blue and on grey alike
STAR_SIZE = 10  # marks without hiding: at UK scale a London borough is smaller than the star
LAYER_EXEMPLAR = "Exemplar (blue, starred)"
LAYER_OTHER = "Ranked, not an exemplar"
LAYER_NOT_RANKED = "Not ranked (too few figures)"
LAYER_STARS = "Exemplar star"


def _hover(councils: pd.DataFrame) -> list[str]:
    """Name, type and region, where the council stands in its group, and the map's note."""
    rows = []
    row: Any
    for row in councils.itertuples(index=False):
        lines = [
            f"<b>{plotly_text(row.short_name)}</b>",
            f"{plotly_text(row.authority_type)}, {plotly_text(row.region)}",
        ]
        if pd.isna(row.composite_rank):
            lines.append("Not ranked: too few figures")
        else:
            rank = f"rank {int(row.composite_rank)} of {int(row.n_composite)} in its group"
            lines.append(f"Exemplar: {rank}" if bool(row.is_exemplar) else rank.capitalize())
        note = getattr(row, "map_note", "")
        if isinstance(note, str) and note:
            lines.append(plotly_text(note))
        rows.append("<br>".join(lines))
    return rows


def exemplar_map(councils: pd.DataFrame, shapes: dict[str, Any], title: str | None = None) -> go.Figure:
    """Councils with their boundaries: exemplars blue with a star at their centre, other ranked
    councils grey, councils without a composite pale grey.

    ``councils`` is planned (``dashboard.common.geography.plan_map``, ranked councils counting as
    having a value) with ``authority_code, short_name, authority_type, region, lat, lon,
    is_exemplar, composite_rank, n_composite``; ``shapes`` the GeoJSON of the councils drawn as
    shapes. The star layer (:data:`LAYER_STARS`, one marker per exemplar on the map) shares the
    exemplar layer's legend entry.
    """
    exemplar = councils["is_exemplar"].fillna(False).astype(bool)
    ranked = councils["composite_rank"].notna()
    figure = category_map(
        councils,
        shapes,
        _hover(councils),
        [
            Category(LAYER_EXEMPLAR, EXEMPLAR_COLOUR, exemplar),
            Category(LAYER_OTHER, OTHER_FILL, ranked),
            Category(LAYER_NOT_RANKED, MISSING_FILL, pd.Series(True, index=councils.index)),
        ],
        title=plotly_text(title) if title else None,
    )
    starred = councils[exemplar & (councils["drawn_as"] != HIDDEN) & councils["lat"].notna()]
    if len(starred):
        figure.add_trace(
            go.Scattergeo(
                lat=starred["lat"],
                lon=starred["lon"],
                mode="markers",
                name=LAYER_STARS,
                legendgroup=LAYER_EXEMPLAR,
                showlegend=False,
                customdata=starred["authority_code"],
                hovertext=_hover(starred),
                hoverinfo="text",
                marker={
                    "symbol": "star",
                    "size": STAR_SIZE,
                    "color": STAR_COLOUR,
                    "line": {"width": 1, "color": "#000"},
                },
            )
        )
    return figure


def overview_heatmap(counts: pd.DataFrame) -> go.Figure:
    """Exemplars per region (rows) and authority type (columns), each count printed in its cell
    in the colour that reads best on it; cividis. ``counts`` is a region x type pivot (NaN where
    a region has no council of that type: no colour, no number)."""
    labels = counts.map(lambda v: "" if pd.isna(v) else str(int(v)))
    safe = counts.rename(index=plotly_text, columns=plotly_text)
    hover = pd.DataFrame(
        [
            [
                f"{region}, {kind}: " + ("no councils of this type" if pd.isna(v) else f"{int(v)} exemplar(s)")
                for kind, v in zip(safe.columns, values, strict=True)
            ]
            for region, values in zip(safe.index, safe.to_numpy(), strict=True)
        ],
        index=safe.index,
        columns=safe.columns,
    )
    return labelled_heatmap(safe, labels, hover, colorscale="Cividis", value_name="Exemplars", zmin=0)
