"""Charts of enablers across the UK: the heatmap of shares at level 4 or above by area and
enabler theme, and the council map of the regional or local level. Pure builders.

Withheld shares (the disclosure rule) have no colour and say "withheld" in their cell; on the
map their councils are pale grey, and the reason is in the hover and the page's table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.common.charts import labelled_heatmap, value_map
from dashboard.common.text import plotly_text
from dashboard.selfassessment.enablers import ENABLER_LEVEL

__all__ = ["BY_COUNCIL", "BY_REGION", "MAP_LEGENDS", "WITHHELD_LABEL", "area_label", "enabler_heatmap", "enabler_map"]

WITHHELD_LABEL = "withheld"
BY_REGION, BY_COUNCIL = "region", "council"  # what an enabler map shows: its region's share, or its own level
MAP_LEGENDS = {
    BY_REGION: f"% of the region's councils at level {ENABLER_LEVEL} or above: higher is better (brighter = better)",
    BY_COUNCIL: "The council's own level (1-5): higher is better (brighter = better)",
}
_LAYERS = {
    BY_REGION: ("Councils, by their region's share", "Withheld (reason in the table)", "Dots", "Dots withheld"),
    BY_COUNCIL: ("Councils, by their own level", "No published answers", "Dots", "Dots without answers"),
}


def area_label(area_kind: str, area: str, nation: str) -> str:
    """A row's name: "United Kingdom", a nation, or "England: North East" for a region."""
    return f"{nation}: {area}" if area_kind == "Region" else area


def enabler_heatmap(shares: pd.DataFrame) -> go.Figure:
    """Areas (rows: the UK, nations, English regions) by enabler theme (columns): the share of
    councils at level 4 or above, printed in each cell ("withheld" where the disclosure rule
    hides it). ``shares`` is ``enablers.enabler_shares``."""
    rows = shares.assign(
        row=[area_label(k, a, n) for k, a, n in zip(shares["area_kind"], shares["area"], shares["nation"], strict=True)]
    )
    order = list(dict.fromkeys(rows["row"]))
    themes = sorted(rows["theme"].unique())
    values = rows.pivot(index="row", columns="theme", values="share").reindex(index=order, columns=themes) * 100
    label_of = {
        (r.row, r.theme): (f"{r.share:.0%}" if r.disclosed else WITHHELD_LABEL) for r in rows.itertuples(index=False)
    }
    hover_of = {
        (r.row, r.theme): (
            f"{plotly_text(r.row)}, {plotly_text(r.theme)}: "
            + (
                f"{r.share:.0%} of {r.respondents} councils at level {ENABLER_LEVEL} or above"
                if r.disclosed
                else f"withheld ({r.respondents} council(s) published answers)"
            )
        )
        for r in rows.itertuples(index=False)
    }
    labels = pd.DataFrame([[label_of.get((i, t), "") for t in themes] for i in order], index=order, columns=themes)
    hover = pd.DataFrame([[hover_of.get((i, t), "") for t in themes] for i in order], index=order, columns=themes)
    safe = values.rename(index=plotly_text, columns=plotly_text)
    return labelled_heatmap(
        safe,
        labels.rename(index=plotly_text, columns=plotly_text),
        hover.rename(index=plotly_text, columns=plotly_text),
        colorscale="Cividis",
        value_name=f"% at level {ENABLER_LEVEL}+",
        zmin=0,
        zmax=100,
    )


def _hover(councils: pd.DataFrame, what: str) -> list[str]:
    rows = []
    row: Any
    for row in councils.itertuples(index=False):
        lines = [f"<b>{plotly_text(row.short_name)}</b>", plotly_text(row.region)]
        if pd.isna(row.value):
            lines.append(plotly_text(row.note))
        elif what == BY_REGION:
            lines.append(f"Region: {row.value:.0f}% of {int(row.respondents)} councils at level {ENABLER_LEVEL}+")
        else:
            lines.append(f"Own level: {row.value:.1f} of 5")
        map_note = getattr(row, "map_note", "")
        if isinstance(map_note, str) and map_note:
            lines.append(plotly_text(map_note))
        rows.append("<br>".join(lines))
    return rows


def enabler_map(councils: pd.DataFrame, shapes: dict[str, Any], what: str, title: str | None = None) -> go.Figure:
    """Councils filled by their region's share at level 4+ (``what`` = :data:`BY_REGION`) or by
    their own published level (:data:`BY_COUNCIL`) on one enabler theme; withheld or missing pale
    grey. ``councils`` is ``enablers.region_share_by_council`` or ``own_level_by_council``,
    planned (``common.geography.plan_map``).

    Raises:
        ValueError: ``what`` is neither.
    """
    if what not in MAP_LEGENDS:
        raise ValueError(f"an enabler map shows {BY_REGION!r} or {BY_COUNCIL!r}, not {what!r}")
    return value_map(
        councils,
        shapes,
        _hover(councils, what),
        colorscale="Cividis",
        reversescale=False,
        colourbar_title=MAP_LEGENDS[what],
        names=_LAYERS[what],
        value_range=(0, 100) if what == BY_REGION else (1, 5),
        title=plotly_text(title) if title else None,
    )
