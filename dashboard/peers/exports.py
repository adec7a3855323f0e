"""Peer-comparison downloads: pure functions from peer statistics to CSV bytes.

Each builder renames the statistics frame to stable, self-explanatory column names and hands
it to :func:`dashboard.common.exports.csv_bytes`, which adds the BOM, neutralises formula-like
text and appends the provenance as ``about_*`` columns: the peer group's definition, size and
members and the rank and quartile methods, then the export stamp (data version, demo flag,
attribution, when the file was generated).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard.common.exports import ExportStamp, csv_bytes, xlsx_bytes
from dashboard.common.text import decimals_or_default
from dashboard.peers.groups import PeerGroup
from dashboard.peers.significance import MAD_METHOD, SIGNIFICANCE_METHOD
from dashboard.peers.statistics import BAND_METHOD, CHANGE_METHOD, QUARTILE_METHOD, RANK_METHOD, rank_text
from dashboard.peers.summary import ProfileSummary, summary_sentence, summary_table

__all__ = [
    "REPORT_SHEETS",
    "group_members_table",
    "group_values_csv",
    "methods_table",
    "peer_provenance",
    "profile_csv",
    "profile_report_xlsx",
    "progress_csv",
    "trend_csv",
]

NAME_SEPARATOR = "; "  # council names contain spaces and commas ("Bristol, City of"), never semicolons
REPORT_SHEETS = ("Summary", "Comparison", "Peer group", "Methods")  # then the Notes sheet
SPINE_METHOD = (
    "each indicator on one scale: the peer median in the middle, the group's value furthest from "
    "the median at the edge, the better side on the right (mirrored when lower is better; higher "
    "to the right where neither is better); the bar shows the group's lowest to highest value and, "
    "darker, its middle half; the marker is the council, its colour and shape its quartile band"
)

CSV_DECIMALS = 10  # interpolated quartiles and means carry binary noise (18.700000000000003)
MEMBER_SEPARATOR = " "  # codes never contain spaces, and a space keeps Excel from splitting cells

PROFILE_COLUMNS = {  # peer_profile column -> CSV header
    "indicator_id": "indicator_id",
    "name": "indicator_name",
    "theme": "theme",
    "unit": "unit",
    "polarity": "polarity",
    "period": "period",
    "value": "value",
    "status": "status",
    "median": "peer_median",
    "lower_quartile": "peer_lower_quartile",
    "upper_quartile": "peer_upper_quartile",
    "min": "peer_min",
    "max": "peer_max",
    "mean": "peer_mean",
    "rank": "rank",
    "n_ranked": "n_ranked",
    "n_values": "n_with_value",
    "band": "band",
    "previous_period": "previous_period",
    "previous_value": "previous_value",
    "change": "change",
    "direction": "direction",
    "previous_consecutive": "previous_consecutive",
    "lower_ci": "lower_ci_95",
    "upper_ci": "upper_ci_95",
    "significance": "significance_against_peer_median",
    "mad": "peer_mad",
    "mad_distance": "distance_from_median_in_mads",
    "mad_note": "distance_note",
}


def peer_provenance(group: PeerGroup) -> dict[str, object]:
    """How a peer export was made: the group's definition, size and members, and the methods."""
    return {
        "peer_group_kind": group.spec.kind,
        "peer_group": f"{group.label}: {group.description}",
        "peer_group_size": group.size,
        "peer_group_members": MEMBER_SEPARATOR.join(group.codes),
        "peer_group_member_names": NAME_SEPARATOR.join(group_members_table(group)["Council"]),
        "rank_method": RANK_METHOD,
        "quartile_method": QUARTILE_METHOD,
        "band_method": BAND_METHOD,
        "change_method": CHANGE_METHOD,
    }


def _without_float_noise(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns rounded to :data:`CSV_DECIMALS` places; integers and text untouched."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(CSV_DECIMALS)
    return out


def _council_columns(frame: pd.DataFrame, code: str, name: str) -> pd.DataFrame:
    out = frame.copy()
    out.insert(0, "council_name", name)
    out.insert(0, "council_code", code)
    return out


def profile_csv(
    profile: pd.DataFrame,
    group: PeerGroup,
    council_name: str,
    stamp: ExportStamp,
    theme: str | None = None,
) -> bytes:
    """The council's peer comparison, one row per indicator (from ``statistics.peer_profile``);
    ``theme`` records the theme filter the rows were chosen by (None: every theme)."""
    frame = _without_float_noise(profile[list(PROFILE_COLUMNS)].rename(columns=PROFILE_COLUMNS))
    frame = _council_columns(frame, group.spec.council, council_name)
    provenance = {
        "indicators": f"theme {theme}" if theme else "all indicators",
        **peer_provenance(group),
        "significance_method": SIGNIFICANCE_METHOD,
        "mad_method": MAD_METHOD,
    }
    return csv_bytes(frame, stamp, provenance)


def group_values_csv(
    values: pd.DataFrame,
    group: PeerGroup,
    indicator: Mapping[str, object] | pd.Series,
    stamp: ExportStamp,
) -> bytes:
    """Every member's value and rank for one indicator and period (from ``statistics.peer_values``)."""
    frame = pd.DataFrame(
        {
            "authority_code": values["authority_code"],
            "authority_name": values["short_name"],
            "is_selected_council": values["is_council"].astype(bool),
            "indicator_id": indicator["indicator_id"],
            "indicator_name": indicator["name"],
            "unit": indicator["unit"],
            "polarity": indicator["polarity"],
            "period": values["period"],
            "value": values["value"],
            "status": values["status"],
            "rank": values["rank"],
            "n_ranked": values["n_ranked"],
        }
    )
    return csv_bytes(frame, stamp, {"selected_council": group.spec.council, **peer_provenance(group)})


def trend_csv(
    trend: pd.DataFrame,
    group: PeerGroup,
    indicator: Mapping[str, object] | pd.Series,
    council_name: str,
    stamp: ExportStamp,
) -> bytes:
    """The council's series against the group's median and quartiles (from ``statistics.peer_trend``)."""
    frame = pd.DataFrame(
        {
            "indicator_id": indicator["indicator_id"],
            "indicator_name": indicator["name"],
            "unit": indicator["unit"],
            "period": trend["period"],
            "council_value": trend["council_value"],
            "council_status": trend["council_status"],
            "peer_median": trend["median"],
            "peer_lower_quartile": trend["lower_quartile"],
            "peer_upper_quartile": trend["upper_quartile"],
            "peer_min": trend["min"],
            "peer_max": trend["max"],
            "n_with_value": trend["n_values"],
        }
    )
    return csv_bytes(
        _council_columns(_without_float_noise(frame), group.spec.council, council_name),
        stamp,
        peer_provenance(group),
    )


def progress_csv(
    progress: pd.DataFrame,
    group: PeerGroup,
    indicator: Mapping[str, object] | pd.Series,
    start: str,
    end: str,
    stamp: ExportStamp,
) -> bytes:
    """Every member's change and rank change between two periods (from ``statistics.peer_progress``)."""
    frame = pd.DataFrame(
        {
            "authority_code": progress["authority_code"],
            "authority_name": progress["short_name"],
            "is_selected_council": progress["is_council"].astype(bool),
            "indicator_id": indicator["indicator_id"],
            "indicator_name": indicator["name"],
            "unit": indicator["unit"],
            "polarity": indicator["polarity"],
            "period_from": start,
            "period_to": end,
            "value_from": progress["value_from"],
            "status_from": progress["status_from"],
            "value_to": progress["value_to"],
            "status_to": progress["status_to"],
            "change": progress["change"],
            "direction": progress["direction"],
            "rank_from": progress["rank_from"],
            "rank_to": progress["rank_to"],
            "rank_change": progress["rank_change"],
            "n_ranked_from": progress["n_ranked_from"],
            "n_ranked_to": progress["n_ranked_to"],
        }
    )
    return csv_bytes(frame, stamp, {"selected_council": group.spec.council, **peer_provenance(group)})


def group_members_table(group: PeerGroup) -> pd.DataFrame:
    """The peer group's councils by name, with code, type, region and nation, in name order;
    "Yes" under "This council" for the group's own council."""
    members = group.members_frame
    if members.empty:
        members = pd.DataFrame({"authority_code": group.codes, "short_name": group.codes})
    table = pd.DataFrame(
        {
            "Council": members["short_name"],
            "Code": members["authority_code"],
            "This council": (members["authority_code"] == group.spec.council).map({True: "Yes", False: ""}),
            "Type": members.get("authority_type", ""),
            "Region": members.get("region", ""),
            "Nation": members.get("nation", ""),
        }
    )
    return table.sort_values(["Council", "Code"]).reset_index(drop=True)


def methods_table(group: PeerGroup) -> pd.DataFrame:
    """How every figure of the profile is worked out, in words: one row per figure."""
    rows = [
        ("Peer group", group.definition()),
        ("Rank", RANK_METHOD),
        ("Median and quartiles", QUARTILE_METHOD),
        ("Quartile band", BAND_METHOD),
        ("Change", CHANGE_METHOD),
        (
            "Missing values",
            "a council whose value is missing or suppressed keeps its status but is left out "
            "of ranks, medians, quartiles and bands",
        ),
        ("Spine chart", SPINE_METHOD),
    ]
    return pd.DataFrame(rows, columns=["Figure", "How it is worked out"])


def _rounded_to(values: pd.Series, decimals: pd.Series) -> list[float | None]:
    """Each value rounded to its indicator's decimals (numbers stay numbers; missing stays empty)."""
    return [
        None if pd.isna(v) else round(float(v), decimals_or_default(d)) for v, d in zip(values, decimals, strict=True)
    ]


def _comparison_sheet(profile: pd.DataFrame) -> pd.DataFrame:
    """The profile for a committee paper: plain headers, numbers as numbers, words for the rest."""
    decimals = profile["decimals"]

    def numbers(column: str) -> list[float | None]:
        return _rounded_to(profile[column], decimals)

    return pd.DataFrame(
        {
            "Indicator": profile["name"],
            "Theme": profile["theme"],
            "Unit": profile["unit"],
            "Better when": profile["polarity"].map({"higher": "higher", "lower": "lower"}).fillna("neither"),
            "Period": profile["period"],
            "Value": numbers("value"),
            "Status": profile["status"].fillna("").str.replace("_", " "),
            "Rank": [rank_text(r, n) for r, n in zip(profile["rank"], profile["n_ranked"], strict=True)],
            "Rank (number)": profile["rank"].astype("Int64"),
            "Councils ranked": profile["n_ranked"].astype("Int64"),
            "Quartile band": profile["band"].fillna(""),
            "Peer median": numbers("median"),
            "Lower quartile": numbers("lower_quartile"),
            "Upper quartile": numbers("upper_quartile"),
            "Lowest in group": numbers("min"),
            "Highest in group": numbers("max"),
            "Councils with a value": profile["n_values"].astype("Int64"),
            "Previous period": profile["previous_period"].fillna(""),
            "Previous value": numbers("previous_value"),
            "Change": numbers("change"),
            "Direction": profile["direction"].fillna(""),
            "Gap in series": [
                "Yes" if flag is not None and not pd.isna(flag) and not bool(flag) else ""
                for flag in profile["previous_consecutive"]
            ],
        }
    )


def profile_report_xlsx(
    profile: pd.DataFrame,
    summary: ProfileSummary,
    group: PeerGroup,
    council_name: str,
    period: str,
    stamp: ExportStamp,
    theme: str | None = None,
) -> bytes:
    """The council profile as one workbook for a committee paper: Summary (the counts in words),
    Comparison (one row per indicator, from ``statistics.peer_profile``), Peer group (every
    member by name), Methods (in words) and Notes (data version, licences and attribution)."""
    about = [
        ("Council", f"{council_name} ({group.spec.council})"),
        ("Period", period),
        ("Peer group", group.definition()),
        ("Indicators", f"theme {theme}" if theme else "all indicators"),
        ("In one sentence", summary_sentence(summary, council_name)),
    ]
    head = pd.DataFrame(about, columns=["Measure", "Indicators"])
    sheets = {
        "Summary": pd.concat([head, summary_table(summary)], ignore_index=True).rename(
            columns={"Measure": "Summary", "Indicators": "Detail"}
        ),
        "Comparison": _comparison_sheet(profile),
        "Peer group": group_members_table(group),
        "Methods": methods_table(group),
    }
    notes = {
        "Council": f"{council_name} ({group.spec.council})",
        "Period": period,
        "Peer group": group.definition(),
        "Attribution": "Quote the figures with their publishers and the reference data's licences, below.",
    }
    return xlsx_bytes(sheets, stamp, notes)
