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

from dashboard.common.exports import ExportStamp, csv_bytes
from dashboard.peers.groups import PeerGroup
from dashboard.peers.significance import MAD_METHOD, SIGNIFICANCE_METHOD
from dashboard.peers.statistics import BAND_METHOD, CHANGE_METHOD, QUARTILE_METHOD, RANK_METHOD

__all__ = [
    "group_values_csv",
    "peer_provenance",
    "profile_csv",
    "progress_csv",
    "trend_csv",
]

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
