"""Every reasonable peer definition that applies to a council, resolved for many councils at once.

The robustness check ("exemplar under 4 of 5 peer definitions", docs/exemplar-method.md) asks
whether a council stays an exemplar when its peers are chosen another way. The definitions:

- same authority type nationally, and in the region: the ``type_nation`` and ``type_region``
  kinds of :data:`~dashboard.peers.groups.GROUP_KINDS`, matched on the columns those kinds
  declare;
- every stored peer set that lists the council: statistical neighbours (computed neighbours,
  ONS similar areas when loaded) give the council and its listed neighbours, family sets every
  council in its group (the ``neighbours`` and ``family`` kinds' rules).

Members are then kept to the councils that belong to the period (``peer_candidates``), as
:func:`~dashboard.peers.groups.resolve_peer_group` keeps them, so each group here is the group
the peer pages show for that council (a test compares them council by council). Resolving one
council at a time costs ~10 ms per group; this reads each source once for all councils.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard.peers import sets
from dashboard.peers.groups import GROUP_KINDS, peer_candidates
from dashboard.warehouse import Warehouse

__all__ = ["ATTRIBUTE_DEFINITIONS", "PeerDefinition", "alternative_groups"]

ATTRIBUTE_DEFINITIONS = ("type_nation", "type_region")  # regions or nations alone mix types: not peers
_SET_LABELS = {"neighbours": "Statistical neighbours", "family": "Family group"}


@dataclass(frozen=True)
class PeerDefinition:
    """One way of choosing peers: ``id`` (a kind id, or ``<kind>:<set_id>`` for a stored set),
    ``kind`` (the peer group kind it resolves like), ``set_id`` and a plain-English ``label``."""

    id: str
    kind: str
    label: str
    set_id: str | None = None


def alternative_groups(
    wh: Warehouse, councils: Sequence[str], period: str
) -> dict[PeerDefinition, dict[str, list[str]]]:
    """For every definition, each council of ``councils`` it applies to -> its group's members
    (sorted codes, the council included) in ``period``. A council that does not belong to the
    period has no group; a set applies only to councils it lists."""
    candidates = peer_candidates(wh, period)
    belongs = set(candidates["authority_code"])
    wanted = [c for c in dict.fromkeys(councils) if c in belongs]
    out: dict[PeerDefinition, dict[str, list[str]]] = {}
    for kind_id in ATTRIBUTE_DEFINITIONS:
        kind = GROUP_KINDS[kind_id]
        definition = PeerDefinition(kind_id, kind_id, kind.label)
        columns = kind.columns  # type: ignore[attr-defined]  # the attribute kinds declare what they match on
        out[definition] = _attribute_groups(candidates, wanted, columns)
    for info in sets.available_sets(wh).itertuples(index=False):
        definition = PeerDefinition(
            f"{info.kind}:{info.set_id}",
            str(info.kind),
            f"{_SET_LABELS[str(info.kind)]}: {info.name}",
            str(info.set_id),
        )
        rows = wh.query("peer_set_rows", set_id=info.set_id)
        groups = _neighbour_groups(rows, wanted) if info.kind == "neighbours" else _family_groups(rows, wanted)
        out[definition] = {c: sorted(set(m) & belongs) for c, m in groups.items()}
    return out


def _attribute_groups(candidates: pd.DataFrame, councils: list[str], columns: Sequence[str]) -> dict[str, list[str]]:
    """Each council -> the period's councils sharing its values of ``columns``."""
    values = zip(*(candidates[c].tolist() for c in columns), strict=True)
    key_of = dict(zip(candidates["authority_code"], values, strict=True))
    members: dict[tuple, list[str]] = defaultdict(list)
    for code, key in key_of.items():
        members[key].append(code)
    return {c: sorted(members[key_of[c]]) for c in councils}


def _neighbour_groups(rows: pd.DataFrame, councils: list[str]) -> dict[str, list[str]]:
    """Each council the set lists -> itself and its listed neighbours."""
    listed: dict[str, list[str]] = defaultdict(list)
    for code, member in zip(rows["authority_code"], rows["member_code"], strict=True):
        if isinstance(member, str):
            listed[code].append(member)
    return {c: [c, *listed[c]] for c in councils if c in listed}


def _family_groups(rows: pd.DataFrame, councils: list[str]) -> dict[str, list[str]]:
    """Each council the set lists -> every council sharing one of its groups (itself included)."""
    in_group: dict[str, set[str]] = defaultdict(set)
    groups_of: dict[str, set[str]] = defaultdict(set)
    for code, group in zip(rows["authority_code"], rows["group_id"], strict=True):
        if isinstance(group, str):
            in_group[group].add(code)
            groups_of[code].add(group)
    return {c: [c, *set().union(*(in_group[g] for g in groups_of[c]))] for c in councils if c in groups_of}
