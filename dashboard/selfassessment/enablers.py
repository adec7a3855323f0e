"""Enablers across the UK: the share of councils at maturity level 4 or above on each enabler
theme, for the UK, each nation and each English region, under the disclosure rule.

A council's maturity on an enabler theme is the mean score of its published answers to that
theme's enabler questions in the round (``sa_enabler_maturity``, published answers only). An
area's share is shown only when at least ``MIN_PEER_RESPONDENTS`` councils in it published
answers (``dashboard.common.disclosure``). Because the UK is the sum of its nations and England
the sum of its regions, a withheld area could be worked out by subtracting its shown siblings
from the shown total; so within each total, further siblings (the smallest first) are withheld
until the withheld ones together hold at least ``MIN_PEER_RESPONDENTS`` councils, and the total
itself when no sibling is left to withhold.
"""

from __future__ import annotations

import pandas as pd

from dashboard.common.disclosure import MIN_PEER_RESPONDENTS, peer_stat_allowed
from dashboard.warehouse import Warehouse

__all__ = [
    "ENABLER_LEVEL",
    "UK",
    "enabler_levels",
    "enabler_shares",
    "own_level_by_council",
    "region_share_by_council",
]

ENABLER_LEVEL = 4  # "managed" or better on the five-level scale: where the framework calls an enabler in place
UK = "United Kingdom"
AREA_KINDS = ("United Kingdom", "Nation", "Region")  # the order the rows are shown in
SHARE_COLUMNS = ["area_kind", "area", "nation", "theme", "respondents", "at_level", "share", "disclosed", "note"]


def enabler_levels(wh: Warehouse, round_label: str) -> pd.DataFrame:
    """Each council's maturity per enabler theme in ``round_label`` from published answers:
    ``authority_code, nation, region, theme, maturity, questions``."""
    return wh.query("sa_enabler_maturity", round=round_label)


def _withheld_note(respondents: int) -> str:
    return (
        f"Withheld: {respondents} council(s) published answers; a share is shown only when at least "
        f"{MIN_PEER_RESPONDENTS} have, so no council's own answers can be worked out."
    )


SECONDARY_NOTE = (
    "Withheld: otherwise a withheld area's share could be worked out from this one and the total "
    f"(the withheld areas together need at least {MIN_PEER_RESPONDENTS} councils)."
)


def _area_counts(levels: pd.DataFrame, level: float) -> pd.DataFrame:
    """Respondents and councils at ``level`` or above per area (UK, nations, English regions)
    and theme, before any withholding."""
    at = levels.assign(at_level=levels["maturity"] >= level)
    parts = [
        at.assign(area_kind="United Kingdom", area=UK, nation=UK),
        at.assign(area_kind="Nation", area=at["nation"]),
        # a nation without regions is its own region: its row is already there as a nation
        at[at["region"] != at["nation"]].assign(area_kind="Region", area=lambda f: f["region"]),
    ]
    stacked = pd.concat(parts, ignore_index=True)
    counts = stacked.groupby(["area_kind", "area", "nation", "theme"], as_index=False).agg(
        respondents=("authority_code", "nunique"), at_level=("at_level", "sum")
    )
    counts["at_level"] = counts["at_level"].astype(int)
    return counts


def _withhold(counts: pd.DataFrame) -> pd.Series:
    """The note of every withheld row ("" for a shown one): primary (too few respondents) and
    secondary (so that no withheld area can be worked out from a shown total)."""
    notes = pd.Series(
        [("" if peer_stat_allowed(n) else _withheld_note(n)) for n in counts["respondents"]], index=counts.index
    )
    for total_index, children, candidates in _families(counts):
        while True:
            withheld = children[notes[children.index] != ""]
            hidden = int(withheld["respondents"].sum())
            if hidden == 0 or hidden >= MIN_PEER_RESPONDENTS or (notes[total_index] != "").all():
                break
            shown = candidates[notes[candidates.index] == ""]
            if shown.empty:
                notes[total_index] = SECONDARY_NOTE
                break
            notes[shown.sort_values(["respondents", "area"]).index[0]] = SECONDARY_NOTE
    return notes


def _families(counts: pd.DataFrame) -> list[tuple[pd.Index, pd.DataFrame, pd.DataFrame]]:
    """(total row, the rows that add up to it, the rows that may be withheld to protect them)
    per theme: each nation over its regions, then the UK over the nations. A nation with regions
    of its own (England) is never the one withheld for the UK's sake: it would still be the sum
    of its shown regions; the UK total is withheld instead when no other nation can be."""
    families = []
    for _theme, rows in counts.groupby("theme"):
        nations = rows[rows["area_kind"] == "Nation"]
        regions = rows[rows["area_kind"] == "Region"]
        for nation, own in regions.groupby("nation"):
            total = nations[nations["area"] == nation]
            families.append((total.index, own, own))
        uk = rows[rows["area_kind"] == "United Kingdom"]
        leaves = nations[~nations["area"].isin(regions["nation"])]
        families.append((uk.index, nations, leaves))
    return families


def enabler_shares(levels: pd.DataFrame, level: float = ENABLER_LEVEL) -> pd.DataFrame:
    """The share of councils at maturity ``level`` or above on each enabler theme, by area.

    ``levels`` is :func:`enabler_levels`. One row per area and theme: ``area_kind`` (United
    Kingdom, Nation, Region), ``area``, ``nation``, ``theme``, ``respondents`` (councils that
    published answers), ``at_level``, ``share`` (0-1), ``disclosed`` and ``note`` (why it is
    withheld). A withheld row has neither ``share`` nor ``at_level``.
    """
    if levels.empty:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    counts = _area_counts(levels, level)
    counts["note"] = _withhold(counts)
    counts["disclosed"] = counts["note"] == ""
    counts["share"] = (counts["at_level"] / counts["respondents"]).where(counts["disclosed"])
    counts["at_level"] = counts["at_level"].where(counts["disclosed"]).astype("Int64")
    counts["_kind"] = counts["area_kind"].map(AREA_KINDS.index)
    ordered = counts.sort_values(["theme", "_kind", "nation", "area"], ignore_index=True)
    return ordered[SHARE_COLUMNS]


def _council_frame(councils: pd.DataFrame) -> pd.DataFrame:
    return councils[["authority_code", "short_name", "nation", "region", "lat", "lon"]].reset_index(drop=True)


def region_share_by_council(councils: pd.DataFrame, shares: pd.DataFrame, theme: str) -> pd.DataFrame:
    """Each council of ``councils`` (``authority_code, short_name, nation, region, lat, lon``)
    with its region's share at level on ``theme`` (:func:`enabler_shares`; a nation without
    regions stands for its own region): ``value`` in per cent (NaN when withheld),
    ``respondents``, ``area`` and ``note`` (why it is withheld). For mapping the regional level."""
    rows = shares[(shares["theme"] == theme) & shares["area_kind"].isin(["Nation", "Region"])]
    own = _council_frame(councils)
    own["area"] = own["region"].where(own["region"] != own["nation"], own["nation"]).fillna(own["nation"])
    kind = (own["region"] != own["nation"]) & own["region"].notna()
    own["area_kind"] = kind.map({True: "Region", False: "Nation"})
    merged = own.merge(
        rows[["area_kind", "area", "share", "respondents", "note"]], on=["area_kind", "area"], how="left"
    )
    merged["value"] = merged["share"] * 100
    merged["respondents"] = merged["respondents"].fillna(0).astype(int)
    merged["note"] = merged["note"].fillna("No council in this area published answers in this round.")
    return merged.drop(columns=["share", "area_kind"])


def own_level_by_council(councils: pd.DataFrame, levels: pd.DataFrame, theme: str) -> pd.DataFrame:
    """Each council of ``councils`` with its own published maturity on ``theme``
    (:func:`enabler_levels`) as ``value`` (NaN when it published no answers) and a ``note``. For
    mapping the local level: only published answers, which their councils made public."""
    own = _council_frame(councils)
    mine = levels.loc[levels["theme"] == theme, ["authority_code", "maturity"]]
    merged = own.merge(mine, on="authority_code", how="left").rename(columns={"maturity": "value"})
    merged["note"] = merged["value"].isna().map({True: "No published answers in this round", False: ""})
    return merged
