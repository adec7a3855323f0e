"""Browse councils: the filter choices, the filtered and ranked frame, the table and the CSV.

Plain functions the Browse page calls; no Streamlit here. Ranks, quartiles and bands are
computed in SQL (``dashboard/browse/sql/browse_values.sql``, with the warehouse's
``polarity_rank`` and ``quartile_band`` macros) within the *filtered* set of the period's
councils (the ``councils_in`` macro: those that existed in the period or are reported for it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard.common.bands import MIN_BAND_N, band_label
from dashboard.common.geography import DOT, HIDDEN, SHAPE
from dashboard.warehouse import Warehouse

__all__ = [
    "BrowseFilters",
    "browse_frame",
    "council_notes",
    "display_table",
    "export_frame",
    "filter_choices",
    "polarity_sentence",
    "provenance",
]

OUTSIDE_LIFE_NOTE = "Reported outside its life: the publisher gives a figure for a period it did not exist in"
ON_THE_MAP = {SHAPE: "Boundary", DOT: "Dot at its centre", HIDDEN: "Not drawn"}  # the table's words for drawn_as
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


def browse_frame(wh: Warehouse, indicator: str, period: str, filters: BrowseFilters) -> pd.DataFrame:
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


def council_notes(frame: pd.DataFrame) -> list[str]:
    """Per council, what a reader should know beside its value, in words: why it has no value
    (its status: missing, suppressed...), that it was reported outside its life, and how the map
    draws it when not by its own boundary (``map_note``, when the frame is planned)."""
    notes = []
    row: object
    for row in frame.itertuples(index=False):
        parts = []
        if pd.isna(getattr(row, "value", None)):
            status = getattr(row, "status", None)
            parts.append(f"No value: {status if isinstance(status, str) and status else 'missing'}")
        if bool(getattr(row, "outside_life", False)):
            parts.append(OUTSIDE_LIFE_NOTE)
        map_note = getattr(row, "map_note", "")
        if isinstance(map_note, str) and map_note:
            parts.append(map_note)
        notes.append("; ".join(parts))
    return notes


def display_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The key-figures table shown on the page (plain values; Streamlit renders them as text),
    with how the map draws each council and why a council has no value when it has none."""
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
            "Note": council_notes(frame),
        }
    )
    if "drawn_as" in frame:
        table.insert(len(table.columns) - 1, "On the map", frame["drawn_as"].map(ON_THE_MAP).to_numpy())
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
            "reported_outside_life": frame["outside_life"].astype(bool),
            "note": council_notes(frame),
        }
    )


def provenance(filters: BrowseFilters, size: int) -> dict[str, object]:
    """How the browse CSV was made: the filters, the set size, the rank, quartile and band methods."""
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
    }


def polarity_sentence(polarity: str) -> str:
    """How to read an indicator of ``polarity``, in words."""
    return {
        "higher": "higher is better",
        "lower": "lower is better",
    }.get(polarity, "neither higher nor lower is better, so councils are not ranked")
