"""Stored peer-group sets: statistical neighbours and family groups, and imported comparator areas.

A set is loaded by ``etl import`` (kind = family | neighbours) or computed by ``etl
neighbours``; ``peers.groups`` turns them into the ``neighbours`` and ``family`` group kinds.
Warehouses published before peer sets existed simply have none.
"""

from __future__ import annotations

import pandas as pd

from dashboard.warehouse import Warehouse, WarehouseUnavailable

__all__ = [
    "SET_KINDS",
    "available_sets",
    "comparator_values",
    "council_groups",
    "default_set",
    "family_of",
    "neighbours_of",
    "set_info",
    "set_members",
]

SET_KINDS = ("neighbours", "family")  # peer_sets.kind values, also the group kind ids
_SET_COLUMNS = ["set_id", "name", "kind", "description", "method", "variables", "source_name", "councils"]


def available_sets(wh: Warehouse, kind: str | None = None) -> pd.DataFrame:
    """Stored sets (optionally of one kind): set_id, name, kind, description, method, variables,
    source_name, councils. Empty for a warehouse without peer-set tables."""
    try:
        frame = wh.query("peer_sets_list")
    except WarehouseUnavailable:  # a version published before peer sets existed
        return pd.DataFrame(columns=_SET_COLUMNS)
    return frame if kind is None else frame[frame["kind"] == kind].reset_index(drop=True)


def set_info(wh: Warehouse, set_id: str) -> pd.Series | None:
    """One set's row from :func:`available_sets`, or None when there is no such set."""
    sets = available_sets(wh)
    found = sets[sets["set_id"] == set_id]
    return None if found.empty else found.iloc[0]


def neighbours_of(wh: Warehouse, set_id: str, council: str) -> pd.DataFrame:
    """The council's neighbours in ``set_id``: rank, authority_code, short_name, type, region,
    nation, similarity (0-100) and closeness, nearest first."""
    return wh.query("peer_set_neighbours", set_id=set_id, council=council)


def family_of(wh: Warehouse, set_id: str, council: str) -> pd.DataFrame:
    """Every council in the council's family group of ``set_id`` (the council included)."""
    return wh.query("peer_set_family", set_id=set_id, council=council)


def council_groups(wh: Warehouse, council: str) -> pd.DataFrame:
    """Every family set (ONS clusters, family groups) the council belongs to: set_id, set_name,
    group_id, councils (in the group) and description (what the publisher says the group is
    like; empty when it says nothing). Empty for a warehouse without group descriptions."""
    try:
        return wh.query("peer_council_groups", council=council)
    except WarehouseUnavailable:  # a version published before groups could be described
        return pd.DataFrame(columns=["set_id", "set_name", "group_id", "councils", "description"])


def set_members(wh: Warehouse, kind: str, set_id: str, council: str) -> pd.DataFrame:
    """The council's neighbours (``kind`` neighbours) or family (``family``) in ``set_id``."""
    return neighbours_of(wh, set_id, council) if kind == "neighbours" else family_of(wh, set_id, council)


def default_set(wh: Warehouse, kind: str, council: str | None = None) -> str | None:
    """The set used when none is chosen: the first of ``kind`` by name that lists ``council``."""
    for set_id in available_sets(wh, kind)["set_id"]:
        if council is None or not set_members(wh, kind, set_id, council).empty:
            return str(set_id)
    return None


def comparator_values(wh: Warehouse, indicator: str, period: str) -> pd.DataFrame:
    """Aggregate areas' values (UK, nations, regions) kept by ``etl import`` for one indicator and
    period: area_name, area_code, value, status, source_name. Shown beside a peer group, never
    ranked with it; empty when none were kept (or the warehouse predates them)."""
    try:
        return wh.query("comparator_values", indicator=indicator, period=period)
    except WarehouseUnavailable:
        return pd.DataFrame(columns=["area_name", "area_code", "value", "status", "source_name"])
