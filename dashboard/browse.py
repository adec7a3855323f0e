"""Browse councils: the filter choices, the filtered and ranked frame, the table and the CSV.

Plain functions the Browse page calls; no Streamlit here. Ranks, quartiles and bands are
computed in SQL (``dashboard/sql/browse_values.sql``) within the *filtered* set of councils.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.benchmark import MIN_BAND_N

__all__ = [
    "BAND_LABELS",
    "BrowseFilters",
    "band_label",
    "browse_frame",
    "decimals_or_default",
    "display_table",
    "escape_markdown",
    "export_frame",
    "filter_choices",
    "format_value",
    "polarity_sentence",
    "provenance",
]

# Band 1 is the best quarter for ranked indicators; neutral ones are banded by value, so the
# labels only say higher/lower (never better/worse). Same words as the council profile page.
BAND_LABELS = {
    "ranked": {1: "Top quartile", 2: "Second quartile", 3: "Third quartile", 4: "Bottom quartile"},
    "neutral": {1: "Highest quarter", 2: "Upper middle", 3: "Lower middle", 4: "Lowest quarter"},
}
RANK_METHOD = (
    "1 = best by the indicator's polarity within the filtered councils; ties share the "
    "best rank; missing values and neutral indicators are not ranked"
)  # travels in the CSV


@dataclass(frozen=True)
class BrowseFilters:
    """What the user filtered on. Empty tuples mean "all"; ``q`` is matched as plain text."""

    nations: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    q: str = ""
    include_former: bool = False

    def describe(self) -> str:
        """One line saying which councils are included, for captions and the CSV."""
        parts = ["current and former councils" if self.include_former else "current councils"]
        for label, chosen in (("nation", self.nations), ("region", self.regions), ("type", self.types)):
            if chosen:
                parts.append(f"{label}: {', '.join(chosen)}")
        if self.q:
            parts.append(f"name contains {self.q!r}")
        return "; ".join(parts)


def filter_choices(
    councils: pd.DataFrame, nations: Sequence[str] = (), regions: Sequence[str] = ()
) -> tuple[list[str], list[str], list[str]]:
    """The nation, region and authority-type options, each narrowed by the choices before it.

    ``councils`` is the ``browse_councils`` frame. Regions are those in the chosen nations (all
    when none chosen); types those in the chosen nations and regions.
    """
    nation_options = sorted(councils["nation"].dropna().unique())
    in_nations = councils[councils["nation"].isin(nations)] if nations else councils
    region_options = sorted(in_nations["region"].dropna().unique())
    in_regions = in_nations[in_nations["region"].isin(regions)] if regions else in_nations
    type_options = sorted(in_regions["authority_type"].dropna().unique())
    return nation_options, region_options, type_options


def browse_frame(wh: Any, indicator: str, period: str, filters: BrowseFilters) -> pd.DataFrame:
    """The filtered councils with ``indicator``'s value in ``period``, its rank, band and the
    filtered set's median and quartiles (one row per council)."""
    return wh.query(
        "browse_values",
        indicator=indicator,
        period=period,
        nations=list(filters.nations),
        regions=list(filters.regions),
        types=list(filters.types),
        q=filters.q,
        include_former=filters.include_former,
        min_band_n=MIN_BAND_N,
    )


def band_label(band: Any, polarity: str) -> str:
    """The words for quartile ``band`` (1-4) of an indicator of ``polarity``; '' when no band."""
    if band is None or pd.isna(band):
        return ""
    labels = BAND_LABELS["neutral" if polarity == "neutral" else "ranked"]
    return labels[int(band)]


def display_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The key-figures table shown on the page (plain values; Streamlit renders them as text)."""
    polarity = frame["polarity"].iloc[0] if len(frame) else "neutral"
    table = pd.DataFrame(
        {
            "Council": frame["short_name"],
            "Code": frame["authority_code"],
            "Type": frame["authority_type"],
            "Region": frame["region"],
            "Population": frame["population"].astype("Int64"),
            "Value": frame["value"],
            "Status": frame["status"].fillna(""),
            "Rank": frame["rank"].astype("Int64"),
            "Of": frame["n_ranked"].where(frame["rank"].notna()).astype("Int64"),
            "Quartile band": [band_label(b, polarity) for b in frame["band"]],
        }
    )
    if "is_current" in frame and not frame["is_current"].all():
        table.insert(1, "Current", frame["is_current"].map({True: "yes", False: "former"}))
    return table


def export_frame(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """The long-format rows behind the table and map, for the CSV download."""
    polarity = frame["polarity"].iloc[0] if len(frame) else "neutral"
    return pd.DataFrame(
        {
            "authority_code": frame["authority_code"],
            "council": frame["short_name"],
            "official_name": frame["official_name"],
            "nation": frame["nation"],
            "region": frame["region"],
            "authority_type": frame["authority_type"],
            "is_current": frame["is_current"],
            "population": frame["population"].astype("Int64"),
            "latitude": frame["lat"],
            "longitude": frame["lon"],
            "indicator_id": frame["indicator_id"],
            "indicator_name": frame["indicator_name"],
            "unit": frame["unit"],
            "polarity": frame["polarity"],
            "period": period,
            "value": frame["value"],
            "status": frame["status"].fillna(""),
            "rank": frame["rank"].astype("Int64"),
            "n_ranked": frame["n_ranked"].astype("Int64"),
            "quartile_band": frame["band"].astype("Int64"),
            "quartile_band_label": [band_label(b, polarity) for b in frame["band"]],
            "filtered_median": frame["median"],
            "filtered_lower_quartile": frame["lower_quartile"],
            "filtered_upper_quartile": frame["upper_quartile"],
        }
    )


def provenance(filters: BrowseFilters, size: int, data_version: str | None) -> dict[str, object]:
    """How the browse CSV was made: the filters, the set size, the rank method, the data version."""
    return {
        "councils": f"{filters.describe()} ({size} councils)",
        "rank_method": RANK_METHOD,
        "quartile_method": (
            "linear interpolation (DuckDB quantile_cont, as pandas' default and Excel "
            "QUARTILE.INC) over the filtered councils' non-missing values"
        ),
        "band_method": (
            f"the value against the filtered councils' quartiles, best quarter first; a "
            f"value on a cut point takes the better band; no band with fewer than "
            f"{MIN_BAND_N} values"
        ),
        "data_version": data_version or "unknown",
    }


_MARKDOWN_SPECIALS = "\\`*_{}[]()<>#+-.!|~$"  # characters Streamlit's markdown would interpret


def escape_markdown(text: str) -> str:
    """``text`` with markdown and HTML characters backslash-escaped, so data shows as plain text."""
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIALS else ch for ch in text)


def polarity_sentence(polarity: str) -> str:
    """How to read an indicator of ``polarity``, in words."""
    return {
        "higher": "higher is better",
        "lower": "lower is better",
    }.get(polarity, "neither higher nor lower is better, so councils are not ranked")


def format_value(value: Any, decimals: Any, unit: str = "") -> str:
    """``value`` with the indicator's ``decimals`` (1 when unknown) and ``unit``; '–' when missing."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{float(value):,.{decimals_or_default(decimals)}f}"
    return f"£{text}" if unit == "£" else f"{text} {unit}".rstrip()


def decimals_or_default(decimals: Any) -> int:
    """The indicator's decimals to show, or 1 when the source did not say."""
    return 1 if decimals is None or pd.isna(decimals) else int(decimals)
