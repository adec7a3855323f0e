"""Stored peer-group sets as peer-group kinds: statistical neighbours and family groups.

A set is loaded by ``etl import`` (kind = family | neighbours) or computed by ``etl
neighbours``. Two kinds are registered in :data:`dashboard.peers.GROUP_KINDS`:

- ``neighbours``: the council and its ranked neighbours in the chosen set;
- ``family``: every council in the council's numbered group of the chosen set.

``PeerGroupSpec.set_id`` names the set; without one, the first set of that kind (by name)
that lists the council is used. Warehouses published before peer sets existed simply have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.data import WarehouseUnavailable
from dashboard.peers import PeerGroupSpec, council_facts, register_kind

__all__ = ["SET_KINDS", "available_sets", "set_info", "neighbours_of", "family_of", "default_set", "comparator_values"]

SET_KINDS = ("neighbours", "family")  # peer_sets.kind values, also the registered kind ids
_SET_COLUMNS = ["set_id", "name", "kind", "description", "method", "variables", "source_name", "councils"]


def available_sets(wh: Any, kind: str | None = None) -> pd.DataFrame:
    """Stored sets (optionally of one kind): set_id, name, kind, description, method, variables,
    source_name, councils. Empty for a warehouse without peer-set tables."""
    try:
        frame = wh.query("peer_sets_list")
    except WarehouseUnavailable:  # a version published before peer sets existed
        return pd.DataFrame(columns=_SET_COLUMNS)
    return frame if kind is None else frame[frame["kind"] == kind].reset_index(drop=True)


def set_info(wh: Any, set_id: str) -> pd.Series | None:
    """One set's row from :func:`available_sets`, or None when there is no such set."""
    sets = available_sets(wh)
    found = sets[sets["set_id"] == set_id]
    return None if found.empty else found.iloc[0]


def neighbours_of(wh: Any, set_id: str, council: str) -> pd.DataFrame:
    """The council's neighbours in ``set_id``: rank, authority_code, short_name, type, region,
    nation, similarity (0-100) and closeness, nearest first."""
    return wh.query("peer_set_neighbours", set_id=set_id, council=council)


def family_of(wh: Any, set_id: str, council: str) -> pd.DataFrame:
    """Every council in the council's family group of ``set_id`` (the council included)."""
    return wh.query("peer_set_family", set_id=set_id, council=council)


def default_set(wh: Any, kind: str, council: str | None = None) -> str | None:
    """The set used when none is chosen: the first of ``kind`` by name that lists ``council``."""
    for set_id in available_sets(wh, kind)["set_id"]:
        if council is None:
            return str(set_id)
        members = neighbours_of(wh, set_id, council) if kind == "neighbours" else family_of(wh, set_id, council)
        if not members.empty:
            return str(set_id)
    return None


def comparator_values(wh: Any, indicator: str, period: str) -> pd.DataFrame:
    """Aggregate areas' values (UK, nations, regions) kept by ``etl import`` for one indicator and
    period: area_name, area_code, value, status, source_name. Shown beside a peer group, never
    ranked with it; empty when none were kept (or the warehouse predates them)."""
    try:
        return wh.query("comparator_values", indicator=indicator, period=period)
    except WarehouseUnavailable:
        return pd.DataFrame(columns=["area_name", "area_code", "value", "status", "source_name"])


@dataclass(frozen=True)
class _SetKind:
    """A peer-group kind whose members come from a stored set (see the module docstring)."""

    id: str
    label: str

    def sets(self, wh: Any) -> pd.DataFrame:
        """The sets this kind can use, for a menu."""
        return available_sets(wh, self.id)

    def _set_id(self, wh: Any, spec: PeerGroupSpec) -> str | None:
        return spec.set_id or default_set(wh, self.id, spec.council)

    def members(self, wh: Any, spec: PeerGroupSpec) -> list[str]:
        set_id = self._set_id(wh, spec)
        if set_id is None:
            return [spec.council]
        found = (
            neighbours_of(wh, set_id, spec.council) if self.id == "neighbours" else family_of(wh, set_id, spec.council)
        )
        return [spec.council, *found["authority_code"].tolist()]

    def describe(self, wh: Any, spec: PeerGroupSpec) -> str:
        name = council_facts(wh, spec.council)["short_name"]
        set_id = self._set_id(wh, spec)
        info = set_info(wh, set_id) if set_id else None
        if info is None or set_id is None:
            return f"{name} only: no {self.label.lower()} set lists this council"
        if self.id == "neighbours":
            count = len(neighbours_of(wh, set_id, spec.council))
            return f"{name} and its {count} nearest neighbours in the set {info['name']}"
        group = family_of(wh, set_id, spec.council)
        return f"{name}'s family group {group['group_id'].iloc[0]} in the set {info['name']}"


register_kind(_SetKind("neighbours", "Statistical neighbours"))
register_kind(_SetKind("family", "Family group"))
